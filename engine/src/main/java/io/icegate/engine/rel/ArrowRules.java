package io.icegate.engine.rel;

import java.util.List;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.convert.ConverterRule;
import org.apache.calcite.rel.logical.LogicalAggregate;
import org.apache.calcite.rel.logical.LogicalFilter;
import org.apache.calcite.rel.logical.LogicalProject;
import org.apache.calcite.rel.logical.LogicalSort;
import org.apache.calcite.rel.logical.LogicalTableScan;
import org.apache.calcite.rel.logical.LogicalUnion;
import org.apache.calcite.rel.logical.LogicalValues;

/** The rules of the ARROW convention, grouped by planner phase. */
public final class ArrowRules {
  /** Logical operators to their Arrow counterparts. */
  public static final ConverterRule TABLE_SCAN =
      ConverterRule.Config.INSTANCE
          .withConversion(
              LogicalTableScan.class, Convention.NONE, ArrowRel.CONVENTION, "ArrowTableScanRule")
          .withRuleFactory(TableScanRule::new)
          .toRule(TableScanRule.class);

  public static final ConverterRule FILTER =
      ConverterRule.Config.INSTANCE
          .withConversion(
              LogicalFilter.class, Convention.NONE, ArrowRel.CONVENTION, "ArrowFilterRule")
          .withRuleFactory(FilterRule::new)
          .toRule(FilterRule.class);

  public static final ConverterRule PROJECT =
      ConverterRule.Config.INSTANCE
          .withConversion(
              LogicalProject.class, Convention.NONE, ArrowRel.CONVENTION, "ArrowProjectRule")
          .withRuleFactory(ProjectRule::new)
          .toRule(ProjectRule.class);

  public static final ConverterRule SORT =
      ConverterRule.Config.INSTANCE
          .withConversion(LogicalSort.class, Convention.NONE, ArrowRel.CONVENTION, "ArrowSortRule")
          .withRuleFactory(SortRule::new)
          .toRule(SortRule.class);

  public static final ConverterRule AGGREGATE =
      ConverterRule.Config.INSTANCE
          .withConversion(
              LogicalAggregate.class, Convention.NONE, ArrowRel.CONVENTION, "ArrowAggregateRule")
          .withRuleFactory(AggregateRule::new)
          .toRule(AggregateRule.class);

  public static final ConverterRule LOG_PIPELINE =
      ConverterRule.Config.INSTANCE
          .withConversion(
              LogicalLogPipeline.class, Convention.NONE, ArrowRel.CONVENTION, "ArrowLogPipelineRule")
          .withRuleFactory(LogPipelineRule::new)
          .toRule(LogPipelineRule.class);

  /** A LogQL range aggregation over a metric query's entries. */
  public static final ConverterRule RANGE_AGGREGATE =
      ConverterRule.Config.INSTANCE
          .withConversion(
              LogicalRangeAggregate.class, Convention.NONE, ArrowRel.CONVENTION,
              "ArrowRangeAggregateRule")
          .withRuleFactory(RangeAggregateRule::new)
          .toRule(RangeAggregateRule.class);

  /** A PromQL leaf (instant selection, range function) over a scan of the metrics table. */
  public static final ConverterRule PROM_SELECT =
      ConverterRule.Config.INSTANCE
          .withConversion(
              LogicalPromSelect.class, Convention.NONE, ArrowRel.CONVENTION,
              "ArrowPromSelectRule")
          .withRuleFactory(PromSelectRule::new)
          .toRule(PromSelectRule.class);

  /** A PromQL binary operation between two instant vectors (step matrices). */
  public static final ConverterRule VECTOR_MATCH =
      ConverterRule.Config.INSTANCE
          .withConversion(
              LogicalVectorMatch.class, Convention.NONE, ArrowRel.CONVENTION,
              "ArrowVectorMatchRule")
          .withRuleFactory(VectorMatchRule::new)
          .toRule(VectorMatchRule.class);

  /** A PromQL aggregation of an instant vector (a step matrix). */
  public static final ConverterRule PROM_AGGREGATE =
      ConverterRule.Config.INSTANCE
          .withConversion(
              LogicalPromAggregate.class, Convention.NONE, ArrowRel.CONVENTION,
              "ArrowPromAggregateRule")
          .withRuleFactory(PromAggregateRule::new)
          .toRule(PromAggregateRule.class);

  /** A PromQL range function over a subquery (a step matrix on the inner grid). */
  public static final ConverterRule PROM_SUBQUERY =
      ConverterRule.Config.INSTANCE
          .withConversion(
              LogicalPromSubquery.class, Convention.NONE, ArrowRel.CONVENTION,
              "ArrowPromSubqueryRule")
          .withRuleFactory(PromSubqueryRule::new)
          .toRule(PromSubqueryRule.class);

  /** Constant rows (SQL's {@code SELECT 1}, and the empty result of a condition never true). */
  public static final ConverterRule VALUES =
      ConverterRule.Config.INSTANCE
          .withConversion(
              LogicalValues.class, Convention.NONE, ArrowRel.CONVENTION, "ArrowValuesRule")
          .withRuleFactory(ValuesRule::new)
          .toRule(ValuesRule.class);

  /** {@code UNION ALL} (distinct unions are rewritten to aggregates over one first). */
  public static final ConverterRule UNION =
      ConverterRule.Config.INSTANCE
          .withConversion(
              LogicalUnion.class, Convention.NONE, ArrowRel.CONVENTION, "ArrowUnionRule")
          .withRuleFactory(UnionRule::new)
          .toRule(UnionRule.class);

  /** Phase "physical": every logical node becomes an Arrow node. */
  public static final List<RelOptRule> PHYSICAL =
      List.of(
          TABLE_SCAN, FILTER, PROJECT, SORT, AGGREGATE, LOG_PIPELINE, RANGE_AGGREGATE, PROM_SELECT,
          VALUES, UNION, VECTOR_MATCH, PROM_AGGREGATE, PROM_SUBQUERY);

  /** Phase "scan pushdown": projections and tenant/time bounds move into the scans. */
  public static final List<RelOptRule> SCAN_PUSHDOWN =
      List.of(ScanPushdownRules.PROJECT_INTO_SCAN, ScanPushdownRules.BOUNDS_INTO_SCAN);

  private ArrowRules() {}

  static final class TableScanRule extends ConverterRule {
    TableScanRule(Config config) {
      super(config);
    }

    @Override
    public RelNode convert(RelNode rel) {
      LogicalTableScan scan = (LogicalTableScan) rel;
      return ArrowTableScan.all(scan.getCluster(), scan.getTable());
    }
  }

  static final class UnionRule extends ConverterRule {
    UnionRule(Config config) {
      super(config);
    }

    @Override
    public RelNode convert(RelNode rel) {
      LogicalUnion union = (LogicalUnion) rel;
      if (!union.all) {
        return null; // a distinct union is rewritten before this phase
      }
      return new ArrowUnion(
          union.getCluster(),
          union.getTraitSet().replace(ArrowRel.CONVENTION),
          union.getInputs().stream().map(i -> convert(i, ArrowRel.CONVENTION)).toList());
    }
  }

  static final class FilterRule extends ConverterRule {
    FilterRule(Config config) {
      super(config);
    }

    @Override
    public RelNode convert(RelNode rel) {
      LogicalFilter filter = (LogicalFilter) rel;
      return new ArrowFilter(
          filter.getCluster(),
          filter.getTraitSet().replace(ArrowRel.CONVENTION),
          convert(filter.getInput(), ArrowRel.CONVENTION),
          filter.getCondition());
    }
  }

  static final class ProjectRule extends ConverterRule {
    ProjectRule(Config config) {
      super(config);
    }

    @Override
    public RelNode convert(RelNode rel) {
      LogicalProject project = (LogicalProject) rel;
      return new ArrowProject(
          project.getCluster(),
          project.getTraitSet().replace(ArrowRel.CONVENTION),
          convert(project.getInput(), ArrowRel.CONVENTION),
          project.getProjects(),
          project.getRowType());
    }
  }

  static final class AggregateRule extends ConverterRule {
    AggregateRule(Config config) {
      super(config);
    }

    @Override
    public RelNode convert(RelNode rel) {
      LogicalAggregate aggregate = (LogicalAggregate) rel;
      return new ArrowAggregate(
          aggregate.getCluster(),
          aggregate.getTraitSet().replace(ArrowRel.CONVENTION),
          convert(aggregate.getInput(), ArrowRel.CONVENTION),
          aggregate.getGroupSet(),
          aggregate.getGroupSets(),
          aggregate.getAggCallList());
    }
  }

  static final class SortRule extends ConverterRule {
    SortRule(Config config) {
      super(config);
    }

    @Override
    public RelNode convert(RelNode rel) {
      LogicalSort sort = (LogicalSort) rel;
      return new ArrowSort(
          sort.getCluster(),
          sort.getTraitSet().replace(ArrowRel.CONVENTION),
          convert(sort.getInput(), ArrowRel.CONVENTION),
          sort.getCollation(),
          sort.offset,
          sort.fetch);
    }
  }

  static final class LogPipelineRule extends ConverterRule {
    LogPipelineRule(Config config) {
      super(config);
    }

    @Override
    public RelNode convert(RelNode rel) {
      LogicalLogPipeline pipeline = (LogicalLogPipeline) rel;
      return new ArrowLogPipeline(
          pipeline.getCluster(),
          pipeline.getTraitSet().replace(ArrowRel.CONVENTION),
          convert(pipeline.getInput(), ArrowRel.CONVENTION),
          pipeline.stages(),
          pipeline.text(),
          pipeline.readLabels());
    }
  }

  static final class RangeAggregateRule extends ConverterRule {
    RangeAggregateRule(Config config) {
      super(config);
    }

    @Override
    public RelNode convert(RelNode rel) {
      LogicalRangeAggregate range = (LogicalRangeAggregate) rel;
      return new ArrowRangeAggregate(
          range.getCluster(),
          range.getTraitSet().replace(ArrowRel.CONVENTION),
          convert(range.getInput(), ArrowRel.CONVENTION),
          range.spec());
    }
  }

  static final class PromSelectRule extends ConverterRule {
    PromSelectRule(Config config) {
      super(config);
    }

    @Override
    public RelNode convert(RelNode rel) {
      LogicalPromSelect select = (LogicalPromSelect) rel;
      return new ArrowPromSelect(
          select.getCluster(),
          select.getTraitSet().replace(ArrowRel.CONVENTION),
          convert(select.getInput(), ArrowRel.CONVENTION),
          select.selection());
    }
  }

  static final class VectorMatchRule extends ConverterRule {
    VectorMatchRule(Config config) {
      super(config);
    }

    @Override
    public RelNode convert(RelNode rel) {
      LogicalVectorMatch match = (LogicalVectorMatch) rel;
      return ArrowVectorMatch.of(
          convert(match.getLeft(), ArrowRel.CONVENTION),
          convert(match.getRight(), ArrowRel.CONVENTION),
          match.spec(),
          new io.icegate.engine.exec.LabelSetCache());
    }
  }

  static final class PromAggregateRule extends ConverterRule {
    PromAggregateRule(Config config) {
      super(config);
    }

    @Override
    public RelNode convert(RelNode rel) {
      LogicalPromAggregate aggregate = (LogicalPromAggregate) rel;
      return ArrowPromAggregate.of(
          convert(aggregate.getInput(), ArrowRel.CONVENTION),
          aggregate.spec(),
          new io.icegate.engine.exec.LabelSetCache());
    }
  }

  static final class PromSubqueryRule extends ConverterRule {
    PromSubqueryRule(Config config) {
      super(config);
    }

    @Override
    public RelNode convert(RelNode rel) {
      LogicalPromSubquery subquery = (LogicalPromSubquery) rel;
      return ArrowPromSubquery.of(
          convert(subquery.getInput(), ArrowRel.CONVENTION),
          subquery.spec(),
          new io.icegate.engine.exec.LabelSetCache());
    }
  }

  static final class ValuesRule extends ConverterRule {
    ValuesRule(Config config) {
      super(config);
    }

    @Override
    public RelNode convert(RelNode rel) {
      LogicalValues values = (LogicalValues) rel;
      return new io.icegate.engine.sql.ArrowValues(
          values.getCluster(),
          values.getRowType(),
          values.getTuples(),
          values.getTraitSet().replace(ArrowRel.CONVENTION));
    }
  }
}

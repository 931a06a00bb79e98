package io.icegate.engine.rel;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.exec.RangeAggregateOperator;
import io.icegate.engine.logql.range.LogRangeAggregation;
import io.icegate.engine.logql.range.RangeAggregateSpec;
import java.util.List;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.SingleRel;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * A LogQL range aggregation at every step of a grid ({@link RangeAggregateOperator}). Input
 * columns: timestamp (ns), the entry's labels, its line — a metric query's pipeline output.
 * Output: {@code labels} (VARCHAR, the series' label set in the canonical encoding), {@code step}
 * (BIGINT, the step's time in nanoseconds, as the tables' timestamps), {@code value} (DOUBLE),
 * one row per series and step whose window holds one of its samples, each series' rows together
 * and in step order.
 *
 * <p>It needs all of a series' samples in one place, so it sits above the gather of a parallel
 * scan ({@link ArrowGather#parallelize} puts the gather below it, as below any node that is not
 * row by row).
 */
public final class ArrowRangeAggregate extends SingleRel implements ArrowRel {
  private final RangeAggregateSpec spec;

  public ArrowRangeAggregate(
      RelOptCluster cluster, RelTraitSet traits, RelNode input, RangeAggregateSpec spec) {
    super(cluster, traits, input);
    this.spec = spec;
  }

  public RangeAggregateSpec spec() {
    return spec;
  }

  static RelDataType outputType(RelOptCluster cluster) {
    var types = cluster.getTypeFactory();
    return types.builder()
        .add("labels", types.createSqlType(SqlTypeName.VARCHAR))
        .add("step", types.createSqlType(SqlTypeName.BIGINT))
        .add("value", types.createSqlType(SqlTypeName.DOUBLE))
        .build();
  }

  /** The terms both nodes show in EXPLAIN: function, range, offset, unwrap, grouping, steps. */
  static RelWriter explainSpec(RelWriter pw, RangeAggregateSpec spec) {
    return pw.item("op", spec.function())
        .item("range", spec.rangeText())
        .itemIf("offset", spec.offsetText(), spec.offsetText() != null)
        .itemIf("unwrap", spec.unwrapText(), spec.unwrapText() != null)
        .itemIf("grouping", spec.groupingText(), spec.groupingText() != null)
        .item("steps", spec.stepsText());
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new ArrowRangeAggregate(getCluster(), traitSet, sole(inputs), spec);
  }

  @Override
  protected RelDataType deriveRowType() {
    return outputType(getCluster());
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return explainSpec(super.explainTerms(pw), spec);
  }

  @Override
  public Operator implement(ExecContext context) {
    Operator input = ((ArrowRel) getInput()).implement(context);
    try {
      return context.measure(
          this,
          new RangeAggregateOperator(
              context, input, new LogRangeAggregation(spec), spec.times()));
    } catch (RuntimeException | Error e) {
      input.close();
      throw e;
    }
  }
}

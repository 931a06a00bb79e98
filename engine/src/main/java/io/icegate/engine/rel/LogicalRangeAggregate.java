package io.icegate.engine.rel;

import io.icegate.engine.logql.range.RangeAggregateSpec;
import java.util.List;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.SingleRel;
import org.apache.calcite.rel.type.RelDataType;

/**
 * A LogQL range aggregation ({@code count_over_time}, {@code rate}, {@code *_over_time} of an
 * unwrapped label, …) at every step of a grid, as one logical node: its input is a metric query's
 * entries {@code (timestamp, labels, line)}, its output one row per series and step whose window
 * {@code (t − offset − range, t − offset]} holds a sample: {@code (labels, step, value)} (see
 * {@link ArrowRangeAggregate}). {@link ArrowRules#RANGE_AGGREGATE} makes it an {@link
 * ArrowRangeAggregate}.
 */
public final class LogicalRangeAggregate extends SingleRel {
  private final RangeAggregateSpec spec;

  public LogicalRangeAggregate(
      RelOptCluster cluster, RelTraitSet traits, RelNode input, RangeAggregateSpec spec) {
    super(cluster, traits, input);
    this.spec = spec;
  }

  public static LogicalRangeAggregate create(RelNode input, RangeAggregateSpec spec) {
    return new LogicalRangeAggregate(
        input.getCluster(), input.getCluster().traitSetOf(Convention.NONE), input, spec);
  }

  public RangeAggregateSpec spec() {
    return spec;
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new LogicalRangeAggregate(getCluster(), traitSet, sole(inputs), spec);
  }

  @Override
  protected RelDataType deriveRowType() {
    return ArrowRangeAggregate.outputType(getCluster());
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return ArrowRangeAggregate.explainSpec(super.explainTerms(pw), spec);
  }
}

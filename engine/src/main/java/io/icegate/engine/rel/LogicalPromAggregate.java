package io.icegate.engine.rel;

import io.icegate.engine.exec.PromAggregateSpec;
import io.icegate.engine.exec.StepMatrix;
import java.util.List;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.SingleRel;
import org.apache.calcite.rel.type.RelDataType;

/**
 * A PromQL aggregation ({@code sum by (job) (…)}, {@code topk(5, …)}, …) of a {@link StepMatrix}
 * input, as one logical node; its output is a step matrix too. {@link
 * ArrowRules#PROM_AGGREGATE} makes it an {@link ArrowPromAggregate}.
 */
public final class LogicalPromAggregate extends SingleRel {
  private final PromAggregateSpec spec;

  public LogicalPromAggregate(
      RelOptCluster cluster, RelTraitSet traits, RelNode input, PromAggregateSpec spec) {
    super(cluster, traits, input);
    this.spec = spec;
  }

  public static LogicalPromAggregate create(RelNode input, PromAggregateSpec spec) {
    return new LogicalPromAggregate(
        input.getCluster(), input.getCluster().traitSetOf(Convention.NONE), input, spec);
  }

  public PromAggregateSpec spec() {
    return spec;
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new LogicalPromAggregate(getCluster(), traitSet, sole(inputs), spec);
  }

  @Override
  protected RelDataType deriveRowType() {
    return StepMatrix.rowType(getCluster().getTypeFactory());
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return ArrowPromAggregate.explainSpec(super.explainTerms(pw), spec);
  }
}

package io.icegate.engine.rel;

import io.icegate.engine.exec.StepMatrix;
import io.icegate.engine.exec.StepRangeSpec;
import java.util.List;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.SingleRel;
import org.apache.calcite.rel.type.RelDataType;

/**
 * A PromQL range function over a subquery as one logical node: its input a {@link StepMatrix}
 * on the subquery's inner grid, its output a step matrix on the outer times. {@link
 * ArrowRules#PROM_SUBQUERY} makes it an {@link ArrowPromSubquery}.
 */
public final class LogicalPromSubquery extends SingleRel {
  private final StepRangeSpec spec;

  public LogicalPromSubquery(
      RelOptCluster cluster, RelTraitSet traits, RelNode input, StepRangeSpec spec) {
    super(cluster, traits, input);
    this.spec = spec;
  }

  public static LogicalPromSubquery create(RelNode input, StepRangeSpec spec) {
    return new LogicalPromSubquery(
        input.getCluster(), input.getCluster().traitSetOf(Convention.NONE), input, spec);
  }

  public StepRangeSpec spec() {
    return spec;
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new LogicalPromSubquery(getCluster(), traitSet, sole(inputs), spec);
  }

  @Override
  protected RelDataType deriveRowType() {
    return StepMatrix.rowType(getCluster().getTypeFactory());
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return ArrowPromSubquery.explainSpec(super.explainTerms(pw), spec);
  }
}

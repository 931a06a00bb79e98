package io.icegate.engine.rel;

import io.icegate.engine.exec.StepMatrix;
import io.icegate.engine.exec.VectorMatchSpec;
import java.util.List;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.BiRel;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.type.RelDataType;

/**
 * A PromQL binary operation between two instant vectors, as one logical node over two {@link
 * StepMatrix} inputs (left and right operand); its output is a step matrix too. {@link
 * ArrowRules#VECTOR_MATCH} makes it an {@link ArrowVectorMatch}.
 */
public final class LogicalVectorMatch extends BiRel {
  private final VectorMatchSpec spec;

  public LogicalVectorMatch(
      RelOptCluster cluster, RelTraitSet traits, RelNode left, RelNode right,
      VectorMatchSpec spec) {
    super(cluster, traits, left, right);
    this.spec = spec;
  }

  public static LogicalVectorMatch create(RelNode left, RelNode right, VectorMatchSpec spec) {
    return new LogicalVectorMatch(
        left.getCluster(), left.getCluster().traitSetOf(Convention.NONE), left, right, spec);
  }

  public VectorMatchSpec spec() {
    return spec;
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new LogicalVectorMatch(getCluster(), traitSet, inputs.get(0), inputs.get(1), spec);
  }

  @Override
  protected RelDataType deriveRowType() {
    return StepMatrix.rowType(getCluster().getTypeFactory());
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return ArrowVectorMatch.explainSpec(super.explainTerms(pw), spec);
  }
}

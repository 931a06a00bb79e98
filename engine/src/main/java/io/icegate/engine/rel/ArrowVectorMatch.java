package io.icegate.engine.rel;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.LabelSetCache;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.exec.StepMatrix;
import io.icegate.engine.exec.VectorMatchOperator;
import io.icegate.engine.exec.VectorMatchSpec;
import java.util.List;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.BiRel;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.type.RelDataType;

/**
 * PromQL vector matching ({@link VectorMatchOperator}): a hash join of two {@link StepMatrix}
 * inputs on the match signature, for the arithmetic and comparison operators and the set
 * operators; output a step matrix of the result series.
 */
public final class ArrowVectorMatch extends BiRel implements ArrowRel {
  private final VectorMatchSpec spec;
  private final LabelSetCache cache;

  public ArrowVectorMatch(
      RelOptCluster cluster, RelTraitSet traits, RelNode left, RelNode right,
      VectorMatchSpec spec, LabelSetCache cache) {
    super(cluster, traits, left, right);
    this.spec = spec;
    this.cache = cache;
  }

  /** A physical node over {@code left} and {@code right}, decoding labels through {@code cache}. */
  public static ArrowVectorMatch of(
      RelNode left, RelNode right, VectorMatchSpec spec, LabelSetCache cache) {
    return new ArrowVectorMatch(
        left.getCluster(), left.getCluster().traitSetOf(ArrowRel.CONVENTION), left, right, spec,
        cache);
  }

  public VectorMatchSpec spec() {
    return spec;
  }

  /** The terms both nodes show in EXPLAIN: operator, bool, cardinality, matching, steps. */
  static RelWriter explainSpec(RelWriter pw, VectorMatchSpec spec) {
    return pw.item("op", spec.op().toString())
        .itemIf("bool", true, spec.returnBool())
        .item("card", spec.cardinalityText())
        .item("matching", spec.matchingText())
        .item("steps", spec.steps());
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new ArrowVectorMatch(getCluster(), traitSet, inputs.get(0), inputs.get(1), spec, cache);
  }

  @Override
  protected RelDataType deriveRowType() {
    return StepMatrix.rowType(getCluster().getTypeFactory());
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return explainSpec(super.explainTerms(pw), spec);
  }

  @Override
  public Operator implement(ExecContext context) {
    Operator left = ((ArrowRel) getLeft()).implement(context);
    Operator right = null;
    try {
      right = ((ArrowRel) getRight()).implement(context);
      return context.countSteps(this, context.measure(this, new VectorMatchOperator(context, left, right, spec, cache)));
    } catch (RuntimeException | Error e) {
      left.close();
      if (right != null) {
        right.close();
      }
      throw e;
    }
  }
}

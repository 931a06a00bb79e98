package io.icegate.engine.rel;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.LabelSetCache;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.exec.StepMatrix;
import io.icegate.engine.exec.StepRangeOperator;
import io.icegate.engine.exec.StepRangeSpec;
import java.util.List;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.SingleRel;
import org.apache.calcite.rel.type.RelDataType;

/**
 * A PromQL range function over a subquery, as nested step evaluation ({@link
 * StepRangeOperator}): its input is a {@link StepMatrix} on the subquery's inner grid, its output
 * a step matrix on the outer times, each step the function of the inner samples in its window.
 */
public final class ArrowPromSubquery extends SingleRel implements ArrowRel {
  private final StepRangeSpec spec;
  private final LabelSetCache cache;

  public ArrowPromSubquery(
      RelOptCluster cluster, RelTraitSet traits, RelNode input, StepRangeSpec spec,
      LabelSetCache cache) {
    super(cluster, traits, input);
    this.spec = spec;
    this.cache = cache;
  }

  /** A physical node over {@code input}, encoding and decoding labels through {@code cache}. */
  public static ArrowPromSubquery of(RelNode input, StepRangeSpec spec, LabelSetCache cache) {
    return new ArrowPromSubquery(
        input.getCluster(), input.getCluster().traitSetOf(ArrowRel.CONVENTION), input, spec,
        cache);
  }

  public StepRangeSpec spec() {
    return spec;
  }

  /** The terms both nodes show in EXPLAIN: function, range and step, inner and outer steps. */
  static RelWriter explainSpec(RelWriter pw, StepRangeSpec spec) {
    return pw.item("op", spec.function())
        .item("subquery", spec.windowText())
        .item("inner_steps", spec.innerSteps())
        .item("steps", spec.outerSteps());
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new ArrowPromSubquery(getCluster(), traitSet, sole(inputs), spec, cache);
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
    Operator input = ((ArrowRel) getInput()).implement(context);
    try {
      return context.measure(this, new StepRangeOperator(context, input, spec, cache));
    } catch (RuntimeException | Error e) {
      input.close();
      throw e;
    }
  }
}

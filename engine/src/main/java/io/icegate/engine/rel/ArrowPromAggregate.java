package io.icegate.engine.rel;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.LabelSetCache;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.exec.PromAggregateOperator;
import io.icegate.engine.exec.PromAggregateSpec;
import io.icegate.engine.exec.StepMatrix;
import java.util.List;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.SingleRel;
import org.apache.calcite.rel.type.RelDataType;

/**
 * A PromQL aggregation over a {@link StepMatrix} input ({@link PromAggregateOperator}): series
 * grouped by their {@code by}/{@code without} key and folded over whole step arrays; output a
 * step matrix (one series per group, or the selected series of topk/bottomk).
 */
public final class ArrowPromAggregate extends SingleRel implements ArrowRel {
  private final PromAggregateSpec spec;
  private final LabelSetCache cache;

  public ArrowPromAggregate(
      RelOptCluster cluster, RelTraitSet traits, RelNode input, PromAggregateSpec spec,
      LabelSetCache cache) {
    super(cluster, traits, input);
    this.spec = spec;
    this.cache = cache;
  }

  /** A physical node over {@code input}, decoding labels through {@code cache}. */
  public static ArrowPromAggregate of(RelNode input, PromAggregateSpec spec, LabelSetCache cache) {
    return new ArrowPromAggregate(
        input.getCluster(), input.getCluster().traitSetOf(ArrowRel.CONVENTION), input, spec,
        cache);
  }

  public PromAggregateSpec spec() {
    return spec;
  }

  /** The terms both nodes show in EXPLAIN: operator, grouping, steps. */
  static RelWriter explainSpec(RelWriter pw, PromAggregateSpec spec) {
    return pw.item("op", spec.op().toString().toLowerCase(java.util.Locale.ROOT))
        .item("grouping", spec.groupingText())
        .itemIf("label", spec.label(), spec.label() != null)
        .item("steps", spec.steps());
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new ArrowPromAggregate(getCluster(), traitSet, sole(inputs), spec, cache);
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
      return context.countSteps(this, context.measure(this, new PromAggregateOperator(context, input, spec, cache)));
    } catch (RuntimeException | Error e) {
      input.close();
      throw e;
    }
  }
}

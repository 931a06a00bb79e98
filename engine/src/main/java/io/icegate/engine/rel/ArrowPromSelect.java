package io.icegate.engine.rel;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.exec.PromSelectOperator;
import io.icegate.engine.exec.PromSelectSplitOperator;
import io.icegate.engine.exec.StepMatrix;
import io.icegate.engine.series.StepSelection;
import java.util.List;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.SingleRel;
import org.apache.calcite.rel.type.RelDataType;

/**
 * A PromQL leaf over a step grid ({@link PromSelectOperator}). Input columns: those of the
 * metrics table's number-point scan (labels, timestamp, double and integer value, flags, family
 * count), every row carrying the selection's metric name. Output: a step matrix ({@link
 * StepMatrix}), one row per series with a value at some step, in label order.
 *
 * <p>It needs all of a series' samples in one place, so it sits above the gather of a parallel
 * scan; {@link ArrowGather#parallelize} puts the reading of rows into samples below the gather
 * ({@link ArrowPromSelectSplit}, one per split), so this node only joins each series' pieces
 * and evaluates the series.
 */
public final class ArrowPromSelect extends SingleRel implements ArrowRel {
  private final StepSelection selection;

  public ArrowPromSelect(
      RelOptCluster cluster, RelTraitSet traits, RelNode input, StepSelection selection) {
    super(cluster, traits, input);
    this.selection = selection;
  }

  public StepSelection selection() {
    return selection;
  }

  /** The terms both nodes show in EXPLAIN: the operation, window, offset, @, matchers, steps. */
  static RelWriter explainSelection(RelWriter pw, StepSelection s) {
    return pw.item("op", s.opText())
        .item(s.instant() ? "lookback" : "range", s.windowText())
        .itemIf("offset", StepSelection.duration(s.offsetMillis()), s.offsetMillis() != 0)
        .itemIf("at", s.at(), s.at() != null)
        .item("matchers", s.matchersText())
        .item("steps", s.stepsText());
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new ArrowPromSelect(getCluster(), traitSet, sole(inputs), selection);
  }

  @Override
  protected RelDataType deriveRowType() {
    return StepMatrix.rowType(getCluster().getTypeFactory());
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return explainSelection(super.explainTerms(pw), selection);
  }

  @Override
  public Operator implement(ExecContext context) {
    Operator input = ((ArrowRel) getInput()).implement(context);
    try {
      PromSelectSplitOperator.Parts parts = null;
      if (getInput() instanceof ArrowGather gather
          && gather.getInput() instanceof ArrowPromSelectSplit split) {
        parts = context.shared(split.getId(), PromSelectSplitOperator.Parts::new);
      }
      return context.countSteps(this, context.measure(this,
          new PromSelectOperator(context, getId(), input, selection, parts)));
    } catch (RuntimeException | Error e) {
      input.close();
      throw e;
    }
  }
}

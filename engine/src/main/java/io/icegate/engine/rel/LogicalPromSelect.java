package io.icegate.engine.rel;

import io.icegate.engine.series.StepSelection;
import java.util.List;
import org.apache.calcite.plan.Convention;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.SingleRel;
import org.apache.calcite.rel.type.RelDataType;

/**
 * A PromQL leaf over a step grid as one logical node ({@link StepSelection}: an instant vector
 * selector, or a range function over a matrix selector): its input is a scan of the metrics
 * table's number points, its output a step matrix ({@link io.icegate.engine.exec.StepMatrix}).
 * {@link ArrowRules#PROM_SELECT} makes it an {@link ArrowPromSelect}.
 */
public final class LogicalPromSelect extends SingleRel {
  private final StepSelection selection;

  public LogicalPromSelect(
      RelOptCluster cluster, RelTraitSet traits, RelNode input, StepSelection selection) {
    super(cluster, traits, input);
    this.selection = selection;
  }

  public static LogicalPromSelect create(RelNode input, StepSelection selection) {
    return new LogicalPromSelect(
        input.getCluster(), input.getCluster().traitSetOf(Convention.NONE), input, selection);
  }

  public StepSelection selection() {
    return selection;
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new LogicalPromSelect(getCluster(), traitSet, sole(inputs), selection);
  }

  @Override
  protected RelDataType deriveRowType() {
    return io.icegate.engine.exec.StepMatrix.rowType(getCluster().getTypeFactory());
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return ArrowPromSelect.explainSelection(super.explainTerms(pw), selection);
  }
}

package io.icegate.engine.rel;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.exec.PromSelectSplitOperator;
import io.icegate.engine.series.StepSelection;
import java.util.List;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.SingleRel;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * The per-split half of an {@link ArrowPromSelect} ({@link PromSelectSplitOperator}): below the
 * gather, each split's thread reads its rows into per-series samples; its output, one row per
 * split, numbers them for the selection above the gather. {@link ArrowGather#parallelize} puts
 * it there.
 */
public final class ArrowPromSelectSplit extends SingleRel implements ArrowRel {
  private final StepSelection selection;

  ArrowPromSelectSplit(
      RelOptCluster cluster, RelTraitSet traits, RelNode input, StepSelection selection) {
    super(cluster, traits, input);
    this.selection = selection;
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new ArrowPromSelectSplit(getCluster(), traitSet, sole(inputs), selection);
  }

  @Override
  protected RelDataType deriveRowType() {
    var types = getCluster().getTypeFactory();
    return types.builder().add(PromSelectSplitOperator.PART, SqlTypeName.INTEGER).build();
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw).item("matchers", selection.matchersText());
  }

  @Override
  public Operator implement(ExecContext context) {
    Operator input = ((ArrowRel) getInput()).implement(context);
    try {
      return context.measure(this, new PromSelectSplitOperator(context, input, selection,
          context.shared(getId(), PromSelectSplitOperator.Parts::new)));
    } catch (RuntimeException | Error e) {
      input.close();
      throw e;
    }
  }
}

package io.icegate.engine.rel;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.exec.SortOperator;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelCollation;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Sort;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;

/** Sort with optional offset and fetch; with a fetch it keeps only the top rows in memory. */
public final class ArrowSort extends Sort implements ArrowRel {
  public ArrowSort(
      RelOptCluster cluster,
      RelTraitSet traits,
      RelNode input,
      RelCollation collation,
      RexNode offset,
      RexNode fetch) {
    super(cluster, traits, input, collation, offset, fetch);
  }

  @Override
  public Sort copy(
      RelTraitSet traitSet, RelNode input, RelCollation collation, RexNode offset, RexNode fetch) {
    return new ArrowSort(getCluster(), traitSet, input, collation, offset, fetch);
  }

  @Override
  public Operator implement(ExecContext context) {
    long skip = offset == null ? 0 : RexLiteral.longValue(offset);
    long limit = fetch == null ? Long.MAX_VALUE : RexLiteral.longValue(fetch);
    Operator input = ((ArrowRel) getInput()).implement(context);
    return context.measure(
        this,
        new SortOperator(
            context, input, collation.getFieldCollations(), skip, limit, context.topNBound()));
  }
}

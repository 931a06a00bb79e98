package io.icegate.engine.rel;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.FilterOperator;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.expr.PredicateCompiler;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rex.RexNode;

/** Keeps the rows of each batch for which the condition is true, as a vectorized kernel. */
public final class ArrowFilter extends Filter implements ArrowRel {
  public ArrowFilter(RelOptCluster cluster, RelTraitSet traits, RelNode input, RexNode condition) {
    super(cluster, traits, input, condition);
  }

  @Override
  public Filter copy(RelTraitSet traitSet, RelNode input, RexNode condition) {
    return new ArrowFilter(getCluster(), traitSet, input, condition);
  }

  @Override
  public Operator implement(ExecContext context) {
    var predicate = PredicateCompiler.compile(condition, getInput().getRowType(), getCluster().getRexBuilder());
    Operator input = ((ArrowRel) getInput()).implement(context);
    return context.measure(this, new FilterOperator(context, input, predicate));
  }
}

package io.icegate.engine.sql;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.FilterOperator;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.expr.SqlExpressions;
import io.icegate.engine.rel.ArrowRel;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rex.RexNode;

/**
 * The part of a SQL WHERE (or HAVING) the LogQL kernels of {@code ArrowFilter} don't evaluate —
 * NOT, IS NULL, LIKE, computed operands, doubles — with SQL's three-valued logic ({@link
 * SqlExpressions}). It sits above the {@code ArrowFilter} that keeps the simple conjuncts, so
 * those still run inside the scan.
 */
public final class ArrowSqlFilter extends Filter implements ArrowRel {
  public ArrowSqlFilter(
      RelOptCluster cluster, RelTraitSet traits, RelNode input, RexNode condition) {
    super(cluster, traits, input, condition);
  }

  @Override
  public Filter copy(RelTraitSet traitSet, RelNode input, RexNode condition) {
    return new ArrowSqlFilter(getCluster(), traitSet, input, condition);
  }

  @Override
  public Operator implement(ExecContext context) {
    SqlExpressions.Compiled compiled =
        SqlExpressions.compile(condition, getCluster().getRexBuilder());
    Operator input = ((ArrowRel) getInput()).implement(context);
    // The batch-at-a-time filter LogQL uses, with SQL's three-valued condition as its predicate.
    return context.measure(
        this,
        new FilterOperator(
            context, input, (batch, selected) -> SqlExpressions.select(compiled, batch, selected)));
  }
}

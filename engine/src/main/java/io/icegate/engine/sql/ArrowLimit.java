package io.icegate.engine.sql;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.LimitOperator;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.rel.ArrowRel;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelCollation;
import org.apache.calcite.rel.RelCollations;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Sort;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;

/**
 * {@code LIMIT}/{@code OFFSET} without {@code ORDER BY} — what a JDBC tool's max rows becomes —
 * as a {@link LimitOperator}: the rows pass through as they come and the input stops once the
 * limit is reached, where a sort with a fetch would hold and order rows no one asked to order.
 */
public final class ArrowLimit extends Sort implements ArrowRel {
  public ArrowLimit(
      RelOptCluster cluster, RelTraitSet traits, RelNode input, RexNode offset, RexNode fetch) {
    super(cluster, traits, input, RelCollations.EMPTY, offset, fetch);
  }

  @Override
  public Sort copy(
      RelTraitSet traitSet, RelNode input, RelCollation collation, RexNode offset, RexNode fetch) {
    if (!collation.getFieldCollations().isEmpty()) {
      throw new IllegalArgumentException("a limit has no order: " + collation);
    }
    return new ArrowLimit(getCluster(), traitSet, input, offset, fetch);
  }

  @Override
  public Operator implement(ExecContext context) {
    long skip = offset == null ? 0 : RexLiteral.longValue(offset);
    long limit = fetch == null ? Long.MAX_VALUE : RexLiteral.longValue(fetch);
    return context.measure(
        this, new LimitOperator(((ArrowRel) getInput()).implement(context), skip, limit));
  }
}

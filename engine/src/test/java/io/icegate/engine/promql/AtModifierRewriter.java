package io.icegate.engine.promql;

import io.icegate.promql.ast.AggregateExpr;
import io.icegate.promql.ast.AtModifier;
import io.icegate.promql.ast.BinaryExpr;
import io.icegate.promql.ast.Call;
import io.icegate.promql.ast.Expr;
import io.icegate.promql.ast.MatrixSelector;
import io.icegate.promql.ast.ParenExpr;
import io.icegate.promql.ast.SubqueryExpr;
import io.icegate.promql.ast.UnaryExpr;
import io.icegate.promql.ast.VectorSelector;
import java.util.ArrayList;
import java.util.List;

/**
 * Pins every selector and subquery without an {@code @} to a fixed time, as Prometheus's runner
 * does to check that such a query gives the same result at any evaluation time. Subqueries are
 * not entered: their inner selectors are evaluated at the subquery's own steps.
 */
final class AtModifierRewriter {
  private AtModifierRewriter() {}

  static Expr pin(Expr e, long millis) {
    AtModifier at = AtModifier.timestamp(millis);
    if (e instanceof VectorSelector vs) {
      return vs.at() != null ? vs : withAt(vs, at);
    } else if (e instanceof MatrixSelector ms) {
      VectorSelector vs = ms.vectorSelector();
      return vs.at() != null
          ? ms
          : new MatrixSelector(withAt(vs, at), ms.rangeMillis(), ms.rangeExpr(), ms.positionRange());
    } else if (e instanceof SubqueryExpr sq) {
      return sq.at() != null
          ? sq
          : new SubqueryExpr(sq.expr(), sq.rangeMillis(), sq.rangeExpr(), sq.stepMillis(),
              sq.stepExpr(), sq.offsetMillis(), sq.offsetExpr(), at, sq.positionRange());
    } else if (e instanceof ParenExpr p) {
      return new ParenExpr(pin(p.expr(), millis), p.positionRange());
    } else if (e instanceof UnaryExpr u) {
      return new UnaryExpr(u.op(), pin(u.expr(), millis), u.positionRange());
    } else if (e instanceof BinaryExpr b) {
      return new BinaryExpr(b.op(), pin(b.lhs(), millis), pin(b.rhs(), millis), b.returnBool(),
          b.matching(), b.positionRange());
    } else if (e instanceof AggregateExpr a) {
      return new AggregateExpr(a.op(), a.param() == null ? null : pin(a.param(), millis),
          pin(a.expr(), millis), a.grouping(), a.without(), a.positionRange());
    } else if (e instanceof Call c) {
      List<Expr> args = new ArrayList<>();
      for (Expr arg : c.args()) {
        args.add(pin(arg, millis));
      }
      return new Call(c.function(), args, c.positionRange());
    }
    return e;
  }

  private static VectorSelector withAt(VectorSelector vs, AtModifier at) {
    return new VectorSelector(vs.name(), vs.matchers(), vs.offsetMillis(), vs.offsetExpr(), at,
        vs.rangeModifier(), vs.positionRange());
  }
}

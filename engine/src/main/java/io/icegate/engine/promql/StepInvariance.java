package io.icegate.engine.promql;

import io.icegate.promql.ast.AggregateExpr;
import io.icegate.promql.ast.BinaryExpr;
import io.icegate.promql.ast.Call;
import io.icegate.promql.ast.Expr;
import io.icegate.promql.ast.MatrixSelector;
import io.icegate.promql.ast.NumberLiteral;
import io.icegate.promql.ast.ParenExpr;
import io.icegate.promql.ast.StringLiteral;
import io.icegate.promql.ast.SubqueryExpr;
import io.icegate.promql.ast.UnaryExpr;
import io.icegate.promql.ast.VectorSelector;
import java.util.Set;

/**
 * Which subtrees give the same result at every step because every selector in them is pinned by
 * {@code @}: Prometheus evaluates such a subtree once and repeats the result, which decides how
 * many samples it holds at once (and so when {@code --query.max-samples} is exceeded). The rules
 * follow Prometheus's preprocessing of a query.
 */
final class StepInvariance {
  private StepInvariance() {}

  /** Functions whose result depends on the evaluation time even when their arguments do not. */
  private static final Set<String> TIME_DEPENDENT = Set.of(
      "days_in_month", "day_of_month", "day_of_week", "day_of_year", "end", "hour", "minute",
      "month", "year", "predict_linear", "range", "start", "step", "time", "timestamp");

  /** Whether {@code e} is evaluated once and repeated (a step-invariant subtree Prometheus wraps). */
  static boolean wrapped(Expr e) {
    int r = classify(e);
    return (r & INVARIANT) != 0 && (r & WRAP) != 0;
  }

  private static final int INVARIANT = 1;
  private static final int WRAP = 2;

  private static int classify(Expr e) {
    if (e instanceof VectorSelector vs) {
      return vs.at() != null ? INVARIANT | WRAP : 0;
    } else if (e instanceof MatrixSelector ms) {
      // Functions read range vectors directly: never wrapped on their own.
      return ms.vectorSelector().at() != null ? INVARIANT : 0;
    } else if (e instanceof SubqueryExpr sq) {
      return sq.at() != null ? INVARIANT : 0;
    } else if (e instanceof AggregateExpr a) {
      return classify(a.expr());
    } else if (e instanceof BinaryExpr b) {
      return (classify(b.lhs()) & INVARIANT) != 0 && (classify(b.rhs()) & INVARIANT) != 0
          ? INVARIANT | WRAP
          : 0;
    } else if (e instanceof Call c) {
      String name = c.function().name();
      boolean invariant = !TIME_DEPENDENT.contains(name);
      // timestamp(selector @ t) is invariant although timestamp() in general is not.
      boolean pinnedTimestamp = name.equals("timestamp");
      for (Expr arg : c.args()) {
        Expr a = arg;
        while (a instanceof ParenExpr p) {
          a = p.expr();
        }
        boolean argInvariant = (classify(a) & INVARIANT) != 0;
        invariant &= argInvariant;
        if (!argInvariant || !(a instanceof VectorSelector)) {
          pinnedTimestamp = false;
        }
      }
      return invariant || pinnedTimestamp ? INVARIANT | WRAP : 0;
    } else if (e instanceof ParenExpr p) {
      return classify(p.expr());
    } else if (e instanceof UnaryExpr u) {
      return classify(u.expr());
    } else if (e instanceof StringLiteral || e instanceof NumberLiteral) {
      return INVARIANT;
    }
    return 0;
  }
}

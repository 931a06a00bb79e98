package io.icegate.engine.promql;

import io.icegate.engine.series.FloatHistogram;
import io.icegate.engine.series.Series;
import io.icegate.promql.ast.AggregateExpr;
import io.icegate.promql.ast.BinaryExpr;
import io.icegate.promql.ast.BinaryOp;
import io.icegate.promql.ast.Call;
import io.icegate.promql.ast.Expr;
import io.icegate.promql.ast.MatrixSelector;
import io.icegate.promql.ast.ParenExpr;
import io.icegate.promql.ast.SubqueryExpr;
import io.icegate.promql.ast.UnaryExpr;
import io.icegate.promql.ast.VectorSelector;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Selectors whose native histograms are only needed for their count and sum: those under
 * {@code histogram_count}, {@code histogram_sum} or {@code histogram_avg} with no subquery, trim
 * operator or bucket-reading function ({@code histogram_quantile(s)}, {@code
 * histogram_fraction}) between. Prometheus reads such selectors through a decoder that drops the
 * buckets and decides each sample's counter reset against the sample read before it, so a
 * sample stored without a hint gets "reset" or "not a reset". That is visible: summing a "reset"
 * with a "not a reset" warns of the conflict. This class finds those selectors and gives their
 * series the same treatment, so that the answers and annotations are Prometheus's.
 */
final class HistogramStats {
  private HistogramStats() {}

  /** The selectors (by identity: equal selectors may be read both ways) read for stats only. */
  static Set<VectorSelector> selectors(Expr root) {
    Set<VectorSelector> out = Collections.newSetFromMap(new IdentityHashMap<>());
    walk(root, false, out);
    return out;
  }

  private static void walk(Expr e, boolean statsOnly, Set<VectorSelector> out) {
    if (e instanceof VectorSelector vs) {
      if (statsOnly) {
        out.add(vs);
      }
    } else if (e instanceof MatrixSelector ms) {
      walk(ms.vectorSelector(), statsOnly, out);
    } else if (e instanceof SubqueryExpr sq) {
      // Resets inside a subquery are found on its own steps, which needs the buckets.
      walkBelow(sq.expr(), statsOnly, true, out);
    } else if (e instanceof Call c) {
      String name = c.function().name();
      boolean inner = statsOnly || name.equals("histogram_count")
          || name.equals("histogram_sum") || name.equals("histogram_avg");
      boolean blocks = name.equals("histogram_quantile") || name.equals("histogram_quantiles")
          || name.equals("histogram_fraction");
      for (Expr a : c.args()) {
        walkBelow(a, inner, blocks, out);
      }
    } else if (e instanceof BinaryExpr b) {
      boolean blocks = b.op() == BinaryOp.TRIM_UPPER || b.op() == BinaryOp.TRIM_LOWER;
      walkBelow(b.lhs(), statsOnly, blocks, out);
      walkBelow(b.rhs(), statsOnly, blocks, out);
    } else if (e instanceof AggregateExpr a) {
      walk(a.expr(), statsOnly, out);
      if (a.param() != null) {
        walk(a.param(), statsOnly, out);
      }
    } else if (e instanceof ParenExpr p) {
      walk(p.expr(), statsOnly, out);
    } else if (e instanceof UnaryExpr u) {
      walk(u.expr(), statsOnly, out);
    }
  }

  /**
   * Below a node that needs the buckets (or a subquery), nothing is read for stats only, whatever
   * is above it or between it and the selector.
   */
  private static void walkBelow(Expr e, boolean statsOnly, boolean blocks, Set<VectorSelector> out) {
    if (!blocks) {
      walk(e, statsOnly, out);
    }
  }

  /**
   * A series as the stats decoder yields it: histograms with their schema, count, sum and hint
   * only; a histogram stored without a hint gets one from comparing it with the histogram before
   * it in the selection (the first one keeps none).
   */
  static Series statsOnly(Series s) {
    if (s.histograms() == null) {
      return s;
    }
    FloatHistogram[] hs = new FloatHistogram[s.size()];
    FloatHistogram prev = null;
    for (int i = 0; i < hs.length; i++) {
      FloatHistogram h = s.histogram(i);
      if (h == null) {
        continue;
      }
      FloatHistogram.CounterResetHint hint = h.hint;
      if (hint == FloatHistogram.CounterResetHint.UNKNOWN && prev != null) {
        hint = h.detectReset(prev)
            ? FloatHistogram.CounterResetHint.COUNTER_RESET
            : FloatHistogram.CounterResetHint.NOT_COUNTER_RESET;
      }
      prev = h;
      hs[i] = new FloatHistogram(h.schema, 0, 0, h.count, h.sum, new int[0], new double[0],
          new int[0], new double[0], new double[0], hint);
    }
    return new Series(s.labels(), s.timestamps(), s.values(), hs, s.startTimestamps());
  }
}

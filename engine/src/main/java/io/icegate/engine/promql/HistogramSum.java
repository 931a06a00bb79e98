package io.icegate.engine.promql;

import io.icegate.engine.series.FloatHistogram;

/**
 * Adds up native histograms for {@code sum}, {@code avg} and their {@code _over_time} forms, with
 * compensated (Kahan) totals so that, as in Prometheus, 1 + 1e100 + 1 − 1e100 gives 2, and with
 * the warnings Prometheus raises: reset hints that contradict each other, custom bounds that had
 * to be reconciled, exponential and custom buckets that cannot be added.
 */
final class HistogramSum {
  private FloatHistogram acc;
  private final double[] countC = {0};
  private final double[] sumC = {0};
  private final double[] zeroC = {0};
  private double count;
  private double sum;
  private double zero;
  private boolean resetSeen;
  private boolean notResetSeen;
  boolean reconciled;
  boolean incompatible;

  void add(FloatHistogram h) {
    if (incompatible) {
      return;
    }
    // A reset and a non-reset anywhere among the added ones conflict, whatever lies between.
    resetSeen |= h.hint == FloatHistogram.CounterResetHint.COUNTER_RESET;
    notResetSeen |= h.hint == FloatHistogram.CounterResetHint.NOT_COUNTER_RESET;
    if (acc == null) {
      acc = h;
      count = h.count;
      sum = h.sum;
      zero = h.zeroCount;
      return;
    }
    reconciled |= acc.customBoundsDiffer(h);
    FloatHistogram next = acc.add(h, 1);
    if (next == null) {
      incompatible = true;
      acc = null;
      return;
    }
    acc = next;
    count = KahanSum.inc(h.count, count, countC);
    sum = KahanSum.inc(h.sum, sum, sumC);
    zero = KahanSum.inc(h.zeroCount, zero, zeroC);
  }

  /** The sum, or null when nothing (or nothing compatible) was added. */
  FloatHistogram result() {
    if (acc == null) {
      return null;
    }
    return acc.withTotals(count + countC[0], sum + sumC[0], zero + zeroC[0]);
  }

  /** Reports the warnings and infos of the additions on {@code ev}. */
  void annotate(Evaluator ev, io.icegate.promql.ast.PositionRange where, String metric, String what) {
    if (resetSeen && notResetSeen) {
      ev.warn(where, "conflicting counter resets during histogram aggregation");
    }
    if (reconciled) {
      ev.info(where, "mismatched custom buckets were reconciled during " + what);
    }
    if (incompatible) {
      ev.warn(where, "vector contains a mix of histograms with exponential and custom buckets schemas for metric name \"" + metric + "\"");
    }
  }
}

package io.icegate.engine.promql;

import io.icegate.engine.exec.KahanSum;
import io.icegate.engine.series.FloatHistogram;

/**
 * Adds up native histograms for {@code sum}, {@code avg} and their {@code _over_time} forms, with
 * compensated (Kahan) totals so that, as in Prometheus, 1 + 1e100 + 1 − 1e100 gives 2, and with
 * the warnings Prometheus raises: reset hints that contradict each other, custom bounds that had
 * to be reconciled, exponential and custom buckets that cannot be added.
 *
 * <p>For a mean ({@link #mean()}), the histograms are summed while the sum stays finite; once an
 * addition would overflow, the mean is carried on incrementally (each step weighs the mean so
 * far by (n−1)/n and adds the new histogram divided by n), which is how Prometheus averages
 * histograms whose counts reach the float limit.
 */
final class HistogramSum {
  /** The sum's buckets; its totals are {@link #count}, {@link #sum}, {@link #zero}. */
  private FloatHistogram acc;
  /** The mean's buckets once the mean is incremental; totals in the same fields. */
  private boolean incremental;
  private final double[] countC = {0};
  private final double[] sumC = {0};
  private final double[] zeroC = {0};
  private double count;
  private double sum;
  private double zero;
  private int added;
  private boolean resetSeen;
  private boolean notResetSeen;
  boolean reconciled;
  boolean incompatible;
  private final boolean forMean;

  /** An accumulator for a sum, or with {@code forMean} for a mean ({@link #mean()}). */
  HistogramSum(boolean forMean) {
    this.forMean = forMean;
  }

  void add(FloatHistogram h) {
    if (incompatible) {
      return;
    }
    // A reset and a non-reset anywhere among the added ones conflict, whatever lies between.
    resetSeen |= h.hint == FloatHistogram.CounterResetHint.COUNTER_RESET;
    notResetSeen |= h.hint == FloatHistogram.CounterResetHint.NOT_COUNTER_RESET;
    added++;
    if (acc == null) {
      acc = h;
      count = h.count;
      sum = h.sum;
      zero = h.zeroCount;
      return;
    }
    reconciled |= acc.customBoundsDiffer(h);
    if (!incremental) {
      FloatHistogram next = acc.add(h, 1);
      if (next == null) {
        incompatible = true;
        acc = null;
        return;
      }
      double[] cc = {countC[0]};
      double[] sc = {sumC[0]};
      double[] zc = {zeroC[0]};
      double nc = KahanSum.inc(h.count, count, cc);
      double ns = KahanSum.inc(h.sum, sum, sc);
      double nz = KahanSum.inc(h.zeroCount, zero, zc);
      if (!forMean || !overflows(next, nc, ns, nz)) {
        acc = next;
        count = nc;
        sum = ns;
        zero = nz;
        countC[0] = cc[0];
        sumC[0] = sc[0];
        zeroC[0] = zc[0];
        return;
      }
      // The sum would overflow: from here on the mean so far is carried instead.
      incremental = true;
      double before = added - 1;
      acc = acc.scale(1 / before);
      count /= before;
      sum /= before;
      zero /= before;
      countC[0] /= before;
      sumC[0] /= before;
      zeroC[0] /= before;
    }
    double q = (added - 1) / (double) added;
    FloatHistogram next = acc.scale(q).add(h.scale(1.0 / added), 1);
    if (next == null) {
      incompatible = true;
      acc = null;
      return;
    }
    acc = next;
    countC[0] *= q;
    sumC[0] *= q;
    zeroC[0] *= q;
    count = KahanSum.inc(h.count / added, q * count, countC);
    sum = KahanSum.inc(h.sum / added, q * sum, sumC);
    zero = KahanSum.inc(h.zeroCount / added, q * zero, zeroC);
  }

  private static boolean overflows(FloatHistogram h, double count, double sum, double zero) {
    if (Double.isInfinite(count) || Double.isInfinite(sum) || Double.isInfinite(zero)) {
      return true;
    }
    for (double v : h.positiveCounts) {
      if (Double.isInfinite(v)) {
        return true;
      }
    }
    for (double v : h.negativeCounts) {
      if (Double.isInfinite(v)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The sum, or null when nothing (or nothing compatible) was added. Only for sums: an
   * overflowing sum stays infinite (the mean mode needs {@link #mean()}).
   */
  FloatHistogram result() {
    if (acc == null) {
      return null;
    }
    if (incremental) {
      throw new IllegalStateException("a mean was built, not a sum");
    }
    return acc.withTotals(count + countC[0], sum + sumC[0], zero + zeroC[0]);
  }

  /** The mean of what was added (see the class comment), or null as for {@link #result()}. */
  FloatHistogram mean() {
    if (acc == null) {
      return null;
    }
    if (incremental) {
      return acc.withTotals(count + countC[0], sum + sumC[0], zero + zeroC[0]);
    }
    double n = added;
    return acc.scale(1 / n).withTotals(
        count / n + countC[0] / n, sum / n + sumC[0] / n, zero / n + zeroC[0] / n);
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

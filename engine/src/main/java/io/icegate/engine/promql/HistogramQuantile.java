package io.icegate.engine.promql;

import io.icegate.engine.series.FloatHistogram;
import io.icegate.engine.series.Labels;
import io.icegate.promql.ast.Call;
import io.icegate.promql.ast.Printer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code histogram_quantile} over classic histograms: the {@code _bucket} series of one histogram
 * (same labels but {@code le}) give cumulative counts per upper bound, and the quantile is
 * interpolated linearly inside the bucket where its rank falls.
 */
final class HistogramQuantile {
  private HistogramQuantile() {}

  /** What to compute from one histogram's buckets at one step. */
  private interface BucketFunction {
    double apply(int step, double[] upperBounds, double[] counts, int k);
  }

  /** The same estimate for one native histogram. */
  private interface NativeFunction {
    double apply(int step, FloatHistogram h);
  }

  /** {@code histogram_quantile(q, v)}. */
  static Value eval(Evaluator ev, Call c, long[] times) {
    double[] q = Functions.scalar(ev, c.args().get(0), times);
    warnQuantiles(ev, c.args().get(0), q);
    Value.Vector v = Functions.vector(ev, c.args().get(1), times);
    return perHistogram(ev, c.args().get(1), v, times.length, Labels::withoutName,
        (i, ub, cnt, k) -> bucketQuantile(q[i], ub, cnt, k),
        (i, h) -> NativeHistograms.quantile(q[i], h), true);
  }

  /** {@code histogram_fraction(lower, upper, v)}. */
  static Value fraction(Evaluator ev, Call c, long[] times) {
    double[] lower = Functions.scalar(ev, c.args().get(0), times);
    double[] upper = Functions.scalar(ev, c.args().get(1), times);
    Value.Vector v = Functions.vector(ev, c.args().get(2), times);
    return perHistogram(ev, c.args().get(2), v, times.length, Labels::withoutName,
        (i, ub, cnt, k) -> bucketFraction(lower[i], upper[i], ub, cnt, k),
        (i, h) -> NativeHistograms.fraction(lower[i], upper[i], h), false);
  }

  /** {@code histogram_quantiles(v, "label", q1, q2, ...)}: one series per quantile. */
  static Value quantiles(Evaluator ev, Call c, long[] times) {
    Value.Vector v = Functions.vector(ev, c.args().get(0), times);
    String label = ((Value.Str) ev.eval(c.args().get(1), times)).value();
    List<StepSeries> out = new ArrayList<>();
    for (int a = 2; a < c.args().size(); a++) {
      double[] q = Functions.scalar(ev, c.args().get(a), times);
      warnQuantiles(ev, c.args().get(a), q);
      String value = openMetricsFloat(q[0]);
      Value.Vector r = perHistogram(ev, c.args().get(0), v, times.length,
          l -> l.withoutName().with(label, value),
          (i, ub, cnt, k) -> bucketQuantile(q[i], ub, cnt, k),
          (i, h) -> NativeHistograms.quantile(q[i], h), true);
      out.addAll(r.series());
    }
    return new Value.Vector(out);
  }

  /** A float as OpenMetrics writes label values: {@code 0.0}, {@code 0.25}, {@code 1.0}. */
  private static String openMetricsFloat(double v) {
    String s = Printer.number(v);
    return s.matches("-?[0-9]+") ? s + ".0" : s;
  }

  private static void warnQuantiles(Evaluator ev, io.icegate.promql.ast.Expr arg, double[] q) {
    for (double x : q) {
      if (x < 0 || x > 1 || Double.isNaN(x)) {
        ev.warn(arg.positionRange(),
            "quantile value should be between 0 and 1, got " + Printer.goValue(x));
        break;
      }
    }
  }

  /**
   * Groups the classic {@code _bucket} series of each histogram (same labels but {@code le}) and
   * applies {@code f} to their upper bounds and counts at every step.
   */
  private static Value.Vector perHistogram(
      Evaluator ev,
      io.icegate.promql.ast.Expr arg,
      Value.Vector v,
      int n,
      java.util.function.UnaryOperator<Labels> resultLabels,
      BucketFunction f,
      NativeFunction nf,
      boolean monotonicInfo) {
    // Classic buckets are grouped by their labels but le (the name included: two metrics are
    // two histograms); native histograms are each their own.
    Map<Labels, List<Integer>> groups = new LinkedHashMap<>();
    Map<Labels, Integer> natives = new LinkedHashMap<>();
    List<StepSeries> in = v.series();
    double[] bounds = new double[in.size()];
    for (int j = 0; j < in.size(); j++) {
      StepSeries s = in.get(j);
      if (s.histograms != null) {
        natives.put(s.labels, j);
        boolean floats = false;
        for (int i = 0; i < n; i++) {
          floats |= s.isFloat(i);
        }
        if (!floats) {
          continue;
        }
      }
      String le = s.labels.get("le");
      double bound;
      try {
        bound = le.isEmpty() ? Double.NaN : parseBound(le);
      } catch (NumberFormatException e) {
        bound = Double.NaN;
      }
      if (Double.isNaN(bound)) {
        ev.warn(arg.positionRange(),
            "bucket label \"le\" is missing or has a malformed value of \"" + le
                + "\" for metric name \"" + s.labels.get(Labels.METRIC_NAME) + "\"");
        continue;
      }
      bounds[j] = bound;
      groups.computeIfAbsent(s.labels.without(List.of("le")), k -> new ArrayList<>()).add(j);
    }
    List<StepSeries> out = new ArrayList<>();
    double[] ub = new double[in.size()];
    double[] cnt = new double[in.size()];
    for (Map.Entry<Labels, List<Integer>> g : groups.entrySet()) {
      StepSeries r = new StepSeries(resultLabels.apply(g.getKey().withoutName()), n, false);
      Integer nat = natives.get(g.getKey());
      for (int i = 0; i < n; i++) {
        int k = 0;
        for (int j : g.getValue()) {
          if (in.get(j).isFloat(i)) {
            ub[k] = bounds[j];
            cnt[k++] = in.get(j).values[i];
          }
        }
        if (k == 0) {
          continue;
        }
        if (nat != null && in.get(nat).histogram(i) != null) {
          ev.warn(arg.positionRange(), "vector contains a mix of classic and native histograms for metric name \""
              + g.getKey().get(Labels.METRIC_NAME) + "\"");
          continue;
        }
        r.set(i, f.apply(i, ub, cnt, k));
        if (monotonicInfo && !monotonic(ub, cnt, k)) {
          ev.info(arg.positionRange(), "input to histogram_quantile needed to be fixed for monotonicity "
              + "(see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) "
              + "for metric name \"" + g.getKey().get(Labels.METRIC_NAME) + "\"");
        }
      }
      if (!r.isEmpty()) {
        out.add(r);
      }
    }
    for (Map.Entry<Labels, Integer> e : natives.entrySet()) {
      StepSeries s = in.get(e.getValue());
      List<Integer> classic = groups.get(e.getKey());
      StepSeries r = new StepSeries(resultLabels.apply(e.getKey().withoutName()), n, false);
      for (int i = 0; i < n; i++) {
        if (s.histogram(i) == null) {
          continue;
        }
        boolean mixed = false;
        if (classic != null) {
          for (int j : classic) {
            mixed |= in.get(j).isFloat(i);
          }
        }
        if (!mixed) {
          double value = nf.apply(i, s.histogram(i));
          r.set(i, value);
          if (Double.isNaN(s.histogram(i).sum)) {
            String metric = e.getKey().get(Labels.METRIC_NAME);
            ev.info(arg.positionRange(), monotonicInfo
                ? "input to histogram_quantile has NaN observations, result is "
                    + (Double.isNaN(value) ? "NaN" : "skewed higher") + " for metric name \"" + metric + "\""
                : "input to histogram_fraction has NaN observations, which are excluded from all "
                    + "fractions for metric name \"" + metric + "\"");
          }
        }
      }
      if (!r.isEmpty()) {
        out.add(r);
      }
    }
    return new Value.Vector(out);
  }

  /** Whether the cumulative counts never drop (beyond rounding) as the bounds grow. */
  private static boolean monotonic(double[] ub, double[] cnt, int k) {
    double[] u = new double[k];
    double[] c = new double[k];
    return normalise(ub, cnt, k, u, c) > 0;
  }

  /**
   * Sorts the buckets by upper bound into {@code u}/{@code c}, adds up equal bounds and makes the
   * counts monotonic; returns how many buckets remain, negated when counts had to be raised.
   */
  private static int normalise(double[] ub, double[] cnt, int k, double[] u, double[] c) {
    boolean fixed = false; // returned as a negative count
    Integer[] idx = new Integer[k];
    for (int i = 0; i < k; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, (a, b) -> Double.compare(ub[a], ub[b]));
    int m = 0;
    for (int i = 0; i < k; i++) {
      double bound = ub[idx[i]];
      if (m > 0 && u[m - 1] == bound) {
        c[m - 1] += cnt[idx[i]];
      } else {
        u[m] = bound;
        c[m++] = cnt[idx[i]];
      }
    }
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < m; i++) {
      if (c[i] > max) {
        max = c[i];
      } else {
        if (max - c[i] > 1e-12 * Math.abs(max)) {
          fixed = true;
        }
        c[i] = max;
      }
    }
    return fixed ? -m : m;
  }

  /**
   * The fraction of observations between {@code lower} and {@code upper}, interpolating linearly
   * inside finite buckets; a bucket of infinite width contributes nothing to a partial range.
   */
  static double bucketFraction(double lower, double upper, double[] ub, double[] cnt, int k) {
    double[] u = new double[k];
    double[] c = new double[k];
    int m = Math.abs(normalise(ub, cnt, k, u, c));
    if (u[m - 1] != Double.POSITIVE_INFINITY) {
      return Double.NaN;
    }
    double count = c[m - 1];
    if (count == 0 || Double.isNaN(lower) || Double.isNaN(upper)) {
      return Double.NaN;
    }
    if (lower >= upper) {
      return 0;
    }
    double rank = 0;
    double lowerRank = 0;
    double upperRank = 0;
    boolean lowerSet = false;
    boolean upperSet = false;
    for (int i = 0; i < m; i++) {
      double lb = i == 0 ? (u[0] > 0 ? 0 : Double.NEGATIVE_INFINITY) : u[i - 1];
      double hb = u[i];
      if (!lowerSet && lb >= lower) {
        lowerRank = rank;
        lowerSet = true;
      }
      if (!upperSet && lb >= upper) {
        upperRank = rank;
        upperSet = true;
      }
      if (lowerSet && upperSet) {
        break;
      }
      if (!lowerSet && lb < lower && hb > lower) {
        lowerRank = interpolate(rank, c[i], lb, hb, lower);
        lowerSet = true;
      }
      if (!upperSet && lb < upper && hb > upper) {
        upperRank = interpolate(rank, c[i], lb, hb, upper);
        upperSet = true;
      }
      if (lowerSet && upperSet) {
        break;
      }
      rank = c[i];
    }
    if (!lowerSet || lowerRank > count) {
      lowerRank = count;
    }
    if (!upperSet || upperRank > count) {
      upperRank = count;
    }
    return (upperRank - lowerRank) / count;
  }

  private static double interpolate(double rank, double count, double lb, double hb, double v) {
    if (lb == Double.NEGATIVE_INFINITY) {
      return count;
    }
    if (hb == Double.POSITIVE_INFINITY) {
      return rank;
    }
    return rank + (count - rank) * (v - lb) / (hb - lb);
  }

  private static double parseBound(String le) {
    String s = le.trim();
    return switch (s.toLowerCase()) {
      case "+inf", "inf" -> Double.POSITIVE_INFINITY;
      case "-inf" -> Double.NEGATIVE_INFINITY;
      case "nan" -> Double.NaN;
      default -> Double.parseDouble(s);
    };
  }

  static double bucketQuantile(double q, double[] ub, double[] cnt, int k) {
    if (Double.isNaN(q)) {
      return Double.NaN;
    }
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    double[] u = new double[k];
    double[] c = new double[k];
    int m = Math.abs(normalise(ub, cnt, k, u, c));
    if (u[m - 1] != Double.POSITIVE_INFINITY) {
      return Double.NaN;
    }
    if (m < 2) {
      return Double.NaN;
    }
    double observations = c[m - 1];
    if (observations == 0 || Double.isNaN(observations)) {
      return Double.NaN;
    }
    double rank = q * observations;
    int b = 0;
    while (b < m - 1 && c[b] < rank) {
      b++;
    }
    if (b == m - 1) {
      return u[m - 2];
    }
    if (b == 0 && u[0] <= 0) {
      return u[0];
    }
    double start = 0;
    double end = u[b];
    double count = c[b];
    if (b > 0) {
      start = u[b - 1];
      count -= c[b - 1];
      rank -= c[b - 1];
    }
    return start + (end - start) * (rank / count);
  }
}

package io.icegate.engine.promql;

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

  static Value eval(Evaluator ev, Call c, long[] times) {
    int n = times.length;
    double[] q = Functions.scalar(ev, c.args().get(0), times);
    Value.Vector v = Functions.vector(ev, c.args().get(1), times);
    Map<Labels, List<Integer>> groups = new LinkedHashMap<>();
    List<StepSeries> in = v.series();
    double[] bounds = new double[in.size()];
    for (int j = 0; j < in.size(); j++) {
      StepSeries s = in.get(j);
      String le = s.labels.get("le");
      double bound;
      try {
        bound = le.isEmpty() ? Double.NaN : parseBound(le);
      } catch (NumberFormatException e) {
        bound = Double.NaN;
      }
      if (Double.isNaN(bound)) {
        ev.warn(c.args().get(1).positionRange(),
            "bucket label \"le\" is missing or has a malformed value of \"" + le
                + "\" for metric name \"" + s.labels.get(Labels.METRIC_NAME) + "\"");
        continue;
      }
      bounds[j] = bound;
      Labels key = s.labels.without(List.of("le", Labels.METRIC_NAME));
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(j);
    }
    for (double x : q) {
      if (x < 0 || x > 1 || Double.isNaN(x)) {
        ev.warn(c.args().get(0).positionRange(),
            "quantile value should be between 0 and 1, got " + Printer.goValue(x));
        break;
      }
    }
    List<StepSeries> out = new ArrayList<>();
    double[] ub = new double[in.size()];
    double[] cnt = new double[in.size()];
    for (Map.Entry<Labels, List<Integer>> g : groups.entrySet()) {
      StepSeries r = new StepSeries(g.getKey(), n, false);
      for (int i = 0; i < n; i++) {
        int k = 0;
        for (int j : g.getValue()) {
          if (in.get(j).present[i]) {
            ub[k] = bounds[j];
            cnt[k++] = in.get(j).values[i];
          }
        }
        if (k == 0) {
          continue;
        }
        r.set(i, bucketQuantile(q[i], ub, cnt, k));
      }
      if (!r.isEmpty()) {
        out.add(r);
      }
    }
    return new Value.Vector(out);
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
    Integer[] idx = new Integer[k];
    for (int i = 0; i < k; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, (a, b) -> Double.compare(ub[a], ub[b]));
    // Coalesce equal bounds, then force the counts to be monotonic.
    double[] u = new double[k];
    double[] c = new double[k];
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
    if (u[m - 1] != Double.POSITIVE_INFINITY) {
      return Double.NaN;
    }
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < m; i++) {
      if (c[i] > max) {
        max = c[i];
      } else {
        c[i] = max;
      }
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

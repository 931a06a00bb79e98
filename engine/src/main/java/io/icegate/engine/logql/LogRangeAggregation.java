package io.icegate.engine.logql;

import io.icegate.engine.series.Labels;
import io.icegate.engine.series.Series;
import io.icegate.engine.series.StaleMarker;
import io.icegate.logql.ast.LabelMatcher;
import io.icegate.logql.ast.RangeAggregationExpr;
import io.icegate.logql.ast.RangeAggregationExpr.RangeOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Evaluates a LogQL range aggregation at every step with Loki's semantics: the window of step
 * {@code t} is {@code (t − offset − range, t − offset]} (open at the start, so a line exactly at
 * the window's start belongs to the previous window), a series has a value at a step only when its
 * window holds a sample, and {@code rate}/{@code bytes_rate} divide by the range without
 * extrapolation. The result is one series per label set with a sample at every step whose window
 * holds one of its samples, and a stale marker at the first step after each run of those, so that
 * the PromQL evaluator's instant selection finds exactly these values and nothing looked back to.
 */
final class LogRangeAggregation {
  private static final long NANOS_PER_MILLI = 1_000_000L;

  private LogRangeAggregation() {}

  static List<Series> evaluate(
      RangeAggregationExpr expr, List<LogSampleCollector.SampleSeries> input, long[] stepsNanos) {
    long range = expr.range().range().toNanos();
    long offset = expr.range().offset().toNanos();
    long[] stepsMillis = new long[stepsNanos.length];
    for (int i = 0; i < stepsNanos.length; i++) {
      stepsMillis[i] = Math.floorDiv(stepsNanos[i], NANOS_PER_MILLI);
    }
    List<Series> out = new ArrayList<>();
    if (expr.op() == RangeOp.ABSENT_OVER_TIME) {
      out.add(absent(expr, input, stepsNanos, stepsMillis, range, offset));
      return out;
    }
    for (LogSampleCollector.SampleSeries s : input) {
      Series series = evaluate(expr, s, stepsNanos, stepsMillis, range, offset);
      if (series != null) {
        out.add(series);
      }
    }
    return out;
  }

  /**
   * One series' values at the steps whose window holds one of its samples, each run of such steps
   * followed by a stale marker at the next step, so an instant selection at a later step finds
   * nothing. Only the steps near samples are visited: a series of a few lines (one per trace id,
   * say) costs a few points, whatever the number of steps. Null when no window holds a sample.
   */
  private static Series evaluate(
      RangeAggregationExpr expr,
      LogSampleCollector.SampleSeries s,
      long[] stepsNanos,
      long[] stepsMillis,
      long range,
      long offset) {
    int n = stepsNanos.length;
    long[] times = new long[8];
    double[] values = new double[8];
    int points = 0;
    int lo = 0;
    int hi = 0;
    // The first step whose window can hold the first sample: its end at or after the sample.
    int k = s.size == 0 ? n : firstStepEndingAtOrAfter(stepsNanos, offset, s.times[0]);
    while (k < n) {
      long end = stepsNanos[k] - offset;
      long start = end - range;
      while (lo < s.size && s.times[lo] <= start) {
        lo++;
      }
      hi = Math.max(hi, lo);
      while (hi < s.size && s.times[hi] <= end) {
        hi++;
      }
      double value;
      if (hi > lo) {
        if (s.error != null) {
          throw new IllegalArgumentException(s.error);
        }
        value = aggregate(expr, s.times, s.values, lo, hi);
      } else if (points > 0 && !StaleMarker.isStale(values[points - 1])) {
        value = StaleMarker.STALE_NAN;
      } else {
        // Nothing in this window and the run already ended: skip to the next sample's steps.
        if (lo >= s.size) {
          break;
        }
        int next = firstStepEndingAtOrAfter(stepsNanos, offset, s.times[lo]);
        k = Math.max(next, k + 1);
        continue;
      }
      if (points == times.length) {
        times = java.util.Arrays.copyOf(times, points * 2);
        values = java.util.Arrays.copyOf(values, points * 2);
      }
      times[points] = stepsMillis[k];
      values[points++] = value;
      k++;
    }
    int valued = 0;
    for (int i = 0; i < points; i++) {
      if (!StaleMarker.isStale(values[i])) {
        valued++;
      }
    }
    if (valued == 0) {
      return null;
    }
    return new Series(
        s.labels, java.util.Arrays.copyOf(times, points), java.util.Arrays.copyOf(values, points));
  }

  /** The first step index whose window end ({@code step − offset}) is at or after {@code t}. */
  private static int firstStepEndingAtOrAfter(long[] stepsNanos, long offset, long t) {
    int lo = 0;
    int hi = stepsNanos.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (stepsNanos[mid] - offset < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * {@code absent_over_time}: 1 at the steps where no series has a sample in the window, with the
   * labels of the selector's equality matchers (as Prometheus's {@code absent} builds them).
   */
  private static Series absent(
      RangeAggregationExpr expr,
      List<LogSampleCollector.SampleSeries> input,
      long[] stepsNanos,
      long[] stepsMillis,
      long range,
      long offset) {
    double[] values = new double[stepsNanos.length];
    for (int k = 0; k < stepsNanos.length; k++) {
      long end = stepsNanos[k] - offset;
      long start = end - range;
      boolean found = false;
      for (LogSampleCollector.SampleSeries s : input) {
        int i = lowerBound(s.times, s.size, start);
        if (i < s.size && s.times[i] <= end) {
          found = true;
          break;
        }
      }
      values[k] = found ? StaleMarker.STALE_NAN : 1;
    }
    Map<String, String> labels = new TreeMap<>();
    Map<String, Integer> seen = new TreeMap<>();
    for (LabelMatcher m : expr.range().selector().selector().matchers()) {
      seen.merge(m.name(), 1, Integer::sum);
      if (m.type() == LabelMatcher.MatchType.EQ) {
        labels.put(m.name(), m.value());
      }
    }
    // A name matched more than once has no single value to report.
    seen.forEach((name, count) -> {
      if (count > 1) {
        labels.remove(name);
      }
    });
    return new Series(Labels.of(labels), stepsMillis, values);
  }

  /** The first index whose time is after {@code start}. */
  private static int lowerBound(long[] times, int size, long start) {
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (times[mid] <= start) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static double aggregate(
      RangeAggregationExpr expr, long[] t, double[] v, int lo, int hi) {
    double rangeSeconds = expr.range().range().toNanos() / 1e9;
    int n = hi - lo;
    return switch (expr.op()) {
      case COUNT_OVER_TIME -> n;
      case RATE ->
          expr.range().unwrap().isPresent() ? sum(v, lo, hi) / rangeSeconds : n / rangeSeconds;
      case BYTES_OVER_TIME, SUM_OVER_TIME -> sum(v, lo, hi);
      case BYTES_RATE -> sum(v, lo, hi) / rangeSeconds;
      case AVG_OVER_TIME -> avg(v, lo, hi);
      case MIN_OVER_TIME -> {
        double min = Double.NaN;
        for (int i = lo; i < hi; i++) {
          if (v[i] < min || Double.isNaN(min)) {
            min = v[i];
          }
        }
        yield min;
      }
      case MAX_OVER_TIME -> {
        double max = Double.NaN;
        for (int i = lo; i < hi; i++) {
          if (v[i] > max || Double.isNaN(max)) {
            max = v[i];
          }
        }
        yield max;
      }
      case STDVAR_OVER_TIME -> variance(v, lo, hi);
      case STDDEV_OVER_TIME -> Math.sqrt(variance(v, lo, hi));
      case QUANTILE_OVER_TIME -> quantile(expr.parameter().orElse(Double.NaN), v, lo, hi);
      case FIRST_OVER_TIME -> v[lo];
      case LAST_OVER_TIME -> v[hi - 1];
      case RATE_COUNTER -> rateCounter(t, v, lo, hi, expr.range().range().toNanos());
      case ABSENT_OVER_TIME -> 1;
    };
  }

  private static double sum(double[] v, int lo, int hi) {
    double s = 0;
    for (int i = lo; i < hi; i++) {
      s += v[i];
    }
    return s;
  }

  /** The incremental mean, keeping an infinite mean once reached, as Loki computes it. */
  private static double avg(double[] v, int lo, int hi) {
    double mean = 0;
    double count = 0;
    for (int i = lo; i < hi; i++) {
      count++;
      if (Double.isInfinite(mean)) {
        if (Double.isInfinite(v[i]) && (mean > 0) == (v[i] > 0)) {
          continue;
        }
        if (!Double.isInfinite(v[i]) && !Double.isNaN(v[i])) {
          continue;
        }
      }
      mean += v[i] / count - mean / count;
    }
    return mean;
  }

  /** Population variance by Welford's method. */
  private static double variance(double[] v, int lo, int hi) {
    double aux = 0;
    double mean = 0;
    double count = 0;
    for (int i = lo; i < hi; i++) {
      count++;
      double delta = v[i] - mean;
      mean += delta / count;
      aux += delta * (v[i] - mean);
    }
    return aux / count;
  }

  /** Linear interpolation between the closest ranks, as Prometheus's quantile. */
  private static double quantile(double q, double[] v, int lo, int hi) {
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    double[] sorted = Arrays.copyOfRange(v, lo, hi);
    Arrays.sort(sorted);
    double n = sorted.length;
    double rank = q * (n - 1);
    double lower = Math.max(0, Math.floor(rank));
    double upper = Math.min(n - 1, lower + 1);
    double weight = rank - Math.floor(rank);
    return sorted[(int) lower] * (1 - weight) + sorted[(int) upper] * weight;
  }

  /**
   * {@code rate_counter}: Prometheus's extrapolated counter rate as Loki computes it over log
   * samples. Loki's version differs from Prometheus's in two ways we keep: the window is taken to
   * end at the last sample and start one range before the first, and sample times are nanoseconds
   * while the range is subtracted in milliseconds and every duration divided by 1000 — so the
   * extrapolation term is tiny and the result is, in practice, the increase (with counter resets
   * added back) divided by the range. Fewer than two samples give 0.
   */
  private static double rateCounter(long[] t, double[] v, int lo, int hi, long rangeNanos) {
    if (hi - lo < 2) {
      return 0;
    }
    long rangeMillis = rangeNanos / NANOS_PER_MILLI;
    long first = t[lo];
    long last = t[hi - 1];
    long rangeStart = first - rangeMillis;
    double result = v[hi - 1] - v[lo];
    double lastValue = 0;
    for (int i = lo; i < hi; i++) {
      if (v[i] < lastValue) {
        result += lastValue;
      }
      lastValue = v[i];
    }
    double durationToStart = (first - rangeStart) / 1000.0;
    double durationToEnd = 0;
    double sampled = (last - first) / 1000.0;
    double average = sampled / (hi - lo - 1);
    if (result > 0 && v[lo] >= 0) {
      double durationToZero = sampled * (v[lo] / result);
      if (durationToZero < durationToStart) {
        durationToStart = durationToZero;
      }
    }
    double threshold = average * 1.1;
    double interval = sampled;
    interval += durationToStart < threshold ? durationToStart : average / 2;
    interval += durationToEnd < threshold ? durationToEnd : average / 2;
    result = result * (interval / sampled);
    return result / (rangeNanos / 1e9);
  }
}

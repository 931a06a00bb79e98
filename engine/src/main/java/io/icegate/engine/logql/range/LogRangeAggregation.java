package io.icegate.engine.logql.range;

import io.icegate.engine.series.Labels;
import io.icegate.logql.ast.LabelMatcher;
import io.icegate.logql.ast.RangeAggregationExpr;
import io.icegate.logql.ast.RangeAggregationExpr.RangeOp;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Evaluates a LogQL range aggregation at every step with Loki's semantics: the window of step
 * {@code t} is {@code (t − offset − range, t − offset]} (open at the start, so a line exactly at
 * the window's start belongs to the previous window), a series has a value at a step only when its
 * window holds a sample, and {@code rate}/{@code bytes_rate} divide by the range without
 * extrapolation. The kernel of {@link io.icegate.engine.exec.RangeAggregateOperator}: entries go
 * in batch by batch ({@link #add}, through {@link LogSampleCollector}), and at the end each series
 * comes out with its values at the steps whose window holds one of its samples ({@link #finish}),
 * and nothing at the other steps: a consumer that looks back from a step (PromQL's instant
 * selection) must close each run of values itself.
 */
public final class LogRangeAggregation {
  private final RangeAggregationExpr expr;
  private final LogSampleCollector collector;
  private final long[] stepsNanos;
  private final long range;
  private final long offset;

  public LogRangeAggregation(RangeAggregateSpec spec) {
    this.expr = spec.expr();
    this.collector = new LogSampleCollector(spec.expr(), spec.pushed());
    this.stepsNanos = spec.times();
    this.range = expr.range().range().toNanos();
    this.offset = expr.range().offset().toNanos();
    if (spec.steps() > 1) {
      collector.sumPerStep(
          new StepSums(spec.firstStepNanos(), spec.stepNanos(), spec.steps(), range, offset));
    }
  }

  /** The values of one series at some steps (indices into the step grid, ascending). */
  public record StepValues(Labels labels, int[] steps, double[] values, int size) {}

  /**
   * Counts the heap the kept series and samples hold in {@code budget} (the query's memory
   * limit). Call before the first {@link #add}.
   */
  public void budget(io.icegate.engine.exec.HeapBudget budget) {
    collector.budget(budget);
  }

  /** Adds the entries of one batch (columns time, labels, line); doesn't close it. */
  public void add(VectorSchemaRoot batch) {
    collector.add(batch);
  }

  /**
   * After the last {@link #add}: every series that has a value at some step, evaluated one at a
   * time as the iterator is advanced, in the order the series first appeared; for {@code
   * absent_over_time}, the one series of the steps where no series has a sample.
   *
   * @throws IllegalArgumentException (from {@code next}) when a window holds a sample of a series
   *     that carries a pipeline error, as Loki fails such a query
   */
  public Iterator<StepValues> finish() {
    List<LogSampleCollector.SampleSeries> input = collector.series();
    if (expr.op() == RangeOp.ABSENT_OVER_TIME) {
      StepValues absent = absent(expr, input, stepsNanos, range, offset);
      return (absent == null ? List.<StepValues>of() : List.of(absent)).iterator();
    }
    Iterator<LogSampleCollector.SampleSeries> series = input.iterator();
    return new Iterator<>() {
      private StepValues next;

      @Override
      public boolean hasNext() {
        while (next == null && series.hasNext()) {
          next = evaluate(expr, series.next(), stepsNanos, range, offset);
        }
        return next != null;
      }

      @Override
      public StepValues next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        StepValues out = next;
        next = null;
        return out;
      }
    };
  }

  /**
   * One series' values at the steps whose window holds one of its samples. Only the steps near
   * samples are visited: a series of a few lines (one per trace id, say) costs a few points,
   * whatever the number of steps. Null when no window holds a sample.
   */
  static StepValues evaluate(
      RangeAggregationExpr expr,
      LogSampleCollector.SampleSeries s,
      long[] stepsNanos,
      long range,
      long offset) {
    if (s.countChange != null) {
      return evaluateSums(expr, s, stepsNanos.length);
    }
    int n = stepsNanos.length;
    int[] steps = new int[8];
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
      if (hi == lo) {
        // Nothing in this window: skip to the steps of the next sample.
        if (lo >= s.size) {
          break;
        }
        int next = firstStepEndingAtOrAfter(stepsNanos, offset, s.times[lo]);
        k = Math.max(next, k + 1);
        continue;
      }
      if (s.error != null) {
        throw new IllegalArgumentException(s.error);
      }
      if (points == steps.length) {
        steps = Arrays.copyOf(steps, points * 2);
        values = Arrays.copyOf(values, points * 2);
      }
      steps[points] = k;
      values[points++] = aggregate(expr, s.times, s.values, lo, hi);
      k++;
    }
    return points == 0 ? null : new StepValues(s.labels, steps, values, points);
  }

  /**
   * {@link #evaluate} for a series summed per step ({@link StepSums}): each window's count and
   * total are the running sums of the changes; a window with a sample gets the aggregation's
   * value, as {@link #aggregate} gives it from the same count and total.
   */
  private static StepValues evaluateSums(
      RangeAggregationExpr expr, LogSampleCollector.SampleSeries s, int n) {
    double rangeSeconds = expr.range().range().toNanos() / 1e9;
    int[] steps = new int[n];
    double[] values = new double[n];
    int points = 0;
    double count = 0;
    double sum = 0;
    for (int k = 0; k < n; k++) {
      count += s.countChange[k];
      sum += s.sumChange[k];
      if (count <= 0) {
        continue;
      }
      if (s.error != null) {
        throw new IllegalArgumentException(s.error);
      }
      steps[points] = k;
      values[points++] =
          switch (expr.op()) {
            case COUNT_OVER_TIME -> count;
            case RATE -> count / rangeSeconds;
            case BYTES_OVER_TIME -> sum;
            case BYTES_RATE -> sum / rangeSeconds;
            default -> throw new IllegalStateException("not summed per step: " + expr.op());
          };
    }
    return points == 0 ? null : new StepValues(s.labels, steps, values, points);
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
   * labels of the selector's equality matchers (as Prometheus's {@code absent} builds them); null
   * when every step's window holds a sample.
   */
  static StepValues absent(
      RangeAggregationExpr expr,
      List<LogSampleCollector.SampleSeries> input,
      long[] stepsNanos,
      long range,
      long offset) {
    int[] steps = new int[stepsNanos.length];
    int points = 0;
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
      if (!found) {
        steps[points++] = k;
      }
    }
    if (points == 0) {
      return null;
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
    double[] ones = new double[points];
    Arrays.fill(ones, 1);
    return new StepValues(Labels.of(labels), steps, ones, points);
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
    long rangeMillis = rangeNanos / 1_000_000L;
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

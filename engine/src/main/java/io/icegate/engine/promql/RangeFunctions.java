package io.icegate.engine.promql;

import io.icegate.engine.exec.KahanSum;
import io.icegate.engine.series.FloatHistogram;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.RangeWindows;
import io.icegate.promql.ast.PositionRange;
import io.icegate.engine.series.Series;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The functions over range vectors ({@code rate}, {@code *_over_time}, ...): for each series the
 * window bounds at every step are computed once, and a kernel reads the series' arrays between
 * them. A kernel returns {@link #NONE} when the window gives no sample.
 */
final class RangeFunctions {
  private RangeFunctions() {}

  /** "No sample at this step": a NaN payload no arithmetic produces. */
  static final double NONE = Double.longBitsToDouble(0x7ff8dead0000beefL);

  static boolean isNone(double v) {
    return Double.doubleToRawLongBits(v) == 0x7ff8dead0000beefL;
  }

  /**
   * A function of the samples {@code [from, to)} of one series at evaluation time {@code t}.
   * {@code hs} holds the histogram samples (null entries are floats), or is null when the kernel
   * sees floats only.
   */
  interface Kernel {
    double apply(
        long[] ts, double[] vs, FloatHistogram[] hs, int from, int to, long t, long range, int step);
  }

  /** A function of the histogram samples {@code [from, to)}; null for no result. */
  interface HistogramKernel {
    FloatHistogram apply(
        Labels labels, long[] ts, FloatHistogram[] hs, int from, int to, long t, long range, int step);
  }

  /** How a function treats native histogram samples. */
  enum Mode {
    /** Floats only: histogram samples are ignored. */
    FLOATS,
    /** Floats or histograms, never both in one window (then a warning and no result). */
    EITHER,
    /** Both kinds are samples alike (count, presence, changes): the kernel sees all of them. */
    ALL
  }

  /**
   * The start timestamps of the samples a kernel is given (parallel to its arrays; null when
   * there are none): set by {@link #apply} before each series' kernels run, for the functions
   * that use them.
   */
  static final class Sts {
    long[] values;
    /** The labels of the series the kernels are given. */
    Labels labels;

    /** The start timestamp of sample {@code i}, 0 when unknown. */
    long at(int i) {
      return values == null ? 0 : values[i];
    }
  }

  static Value.Vector apply(
      Value.Matrix m,
      int n,
      boolean dropName,
      Kernel k,
      HistogramKernel hk,
      Mode mode,
      Evaluator ev,
      PositionRange where) {
    return apply(m, n, dropName, k, hk, mode, ev, where, new Sts());
  }

  static Value.Vector apply(
      Value.Matrix m,
      int n,
      boolean dropName,
      Kernel k,
      HistogramKernel hk,
      Mode mode,
      Evaluator ev,
      PositionRange where,
      Sts sts) {
    List<StepSeries> out = new ArrayList<>();
    int[] from = new int[n];
    int[] to = new int[n];
    int[] hfrom = new int[n];
    int[] hto = new int[n];
    for (Series s : m.series()) {
      if (ev != null) {
        ev.checkContinue();
      }
      StepSeries r = new StepSeries(s.labels(), n, dropName);
      sts.labels = s.labels();
      if (s.histograms() == null || mode == Mode.ALL) {
        sts.values = s.startTimestamps();
        RangeWindows.bounds(s, m.times(), m.range(), from, to);
        // A smoothed window may be empty and still lie between two samples it interpolates.
        boolean smoothed = m.modifier() == io.icegate.promql.ast.RangeModifier.SMOOTHED;
        for (int i = 0; i < n; i++) {
          // Long windows make one series' steps slow: the deadline is asked every 1024 of them.
          if ((i & 1023) == 1023 && ev != null) {
            ev.checkContinue();
          }
          if (from[i] >= to[i] && !smoothed) {
            continue;
          }
          if (hk != null && s.histograms() != null) {
            FloatHistogram h = hk.apply(s.labels(), s.timestamps(), s.histograms(), from[i], to[i], m.times()[i], m.range(), i);
            if (h != null) {
              r.setHistogram(i, h);
              continue;
            }
          }
          double v = k.apply(s.timestamps(), s.values(), s.histograms(), from[i], to[i], m.times()[i], m.range(), i);
          if (!isNone(v)) {
            r.set(i, v);
          }
        }
      } else {
        Series[] parts = split(s);
        Series fl = parts[0];
        Series hi = parts[1];
        RangeWindows.bounds(fl, m.times(), m.range(), from, to);
        RangeWindows.bounds(hi, m.times(), m.range(), hfrom, hto);
        // anchored and smoothed windows reach a lookback before (and smoothed after) the range.
        io.icegate.promql.ast.RangeModifier mod = m.modifier();
        boolean extended = mod != null && mod != io.icegate.promql.ast.RangeModifier.NONE;
        long lookback = ev == null ? 0 : ev.options.lookbackDeltaMillis();
        for (int i = 0; i < n; i++) {
          boolean floats = from[i] < to[i];
          boolean hists = hfrom[i] < hto[i];
          if (extended) {
            long t = m.times()[i];
            long after = mod == io.icegate.promql.ast.RangeModifier.SMOOTHED ? t + lookback : t;
            floats = any(fl.timestamps(), t - m.range() - lookback, after);
            hists = any(hi.timestamps(), t - m.range() - lookback, after);
          }
          if (hists && mode == Mode.EITHER) {
            if (floats) {
              if (ev != null) {
                ev.warn(where, "encountered a mix of histograms and floats for metric name \""
                    + s.labels().get(Labels.METRIC_NAME) + "\"");
              }
              continue;
            }
            if (hk != null) {
              sts.values = hi.startTimestamps();
              FloatHistogram h = hk.apply(s.labels(), hi.timestamps(), hi.histograms(), hfrom[i], hto[i], m.times()[i], m.range(), i);
              if (h != null) {
                r.setHistogram(i, h);
              }
            }
            continue;
          }
          if (hists && floats && ev != null) {
            ev.info(where, "ignored histograms in a range containing both floats and histograms for metric name \""
                + s.labels().get(Labels.METRIC_NAME) + "\"");
          }
          if (!floats) {
            continue;
          }
          sts.values = fl.startTimestamps();
          double v = k.apply(fl.timestamps(), fl.values(), null, from[i], to[i], m.times()[i], m.range(), i);
          if (!isNone(v)) {
            r.set(i, v);
          }
        }
      }
      if (!r.isEmpty()) {
        out.add(r);
      }
    }
    return new Value.Vector(out);
  }

  /** Whether some time in ascending {@code ts} lies in (lo, hi]. */
  private static boolean any(long[] ts, long lo, long hi) {
    int i = java.util.Arrays.binarySearch(ts, lo);
    i = i < 0 ? -i - 1 : i + 1;
    return i < ts.length && ts[i] <= hi;
  }

  /** The float samples and the histogram samples of a series, as two series. */
  static Series[] split(Series s) {
    int h = 0;
    for (int i = 0; i < s.size(); i++) {
      if (s.histogram(i) != null) {
        h++;
      }
    }
    int f = s.size() - h;
    long[] ft = new long[f];
    double[] fv = new double[f];
    long[] ht = new long[h];
    FloatHistogram[] hv = new FloatHistogram[h];
    long[] st = s.startTimestamps();
    long[] fst = st == null ? null : new long[f];
    long[] hst = st == null ? null : new long[h];
    int a = 0;
    int b = 0;
    for (int i = 0; i < s.size(); i++) {
      if (s.histogram(i) != null) {
        if (hst != null) {
          hst[b] = st[i];
        }
        ht[b] = s.timestamps()[i];
        hv[b++] = s.histogram(i);
      } else {
        if (fst != null) {
          fst[a] = st[i];
        }
        ft[a] = s.timestamps()[i];
        fv[a++] = s.values()[i];
      }
    }
    return new Series[] {
      new Series(s.labels(), ft, fv, null, fst),
      new Series(s.labels(), ht, new double[h], hv, hst)
    };
  }

  /** last_over_time / first_over_time: the newest (oldest) sample, float or histogram. */
  static Value.Vector edge(Value.Matrix m, int n, boolean last) {
    List<StepSeries> out = new ArrayList<>();
    int[] from = new int[n];
    int[] to = new int[n];
    for (Series s : m.series()) {
      RangeWindows.bounds(s, m.times(), m.range(), from, to);
      StepSeries r = new StepSeries(s.labels(), n, false);
      for (int i = 0; i < n; i++) {
        if (from[i] >= to[i]) {
          continue;
        }
        int j = last ? to[i] - 1 : from[i];
        if (s.histogram(j) != null) {
          r.setHistogram(i, s.histogram(j));
        } else {
          r.set(i, s.values()[j]);
        }
      }
      if (!r.isEmpty()) {
        out.add(r);
      }
    }
    return new Value.Vector(out);
  }

  /**
   * The histogram form of rate/increase/delta: last minus first (plus what was lost at counter
   * resets), extrapolated like floats. As in Prometheus, a reset right after the first histogram
   * makes the first one count as empty (so its bucket layout does not matter), and exponential
   * and custom buckets that meet give no result and only that warning.
   */
  static FloatHistogram histogramRate(
      Evaluator ev, PositionRange where, String metric, long[] ts, FloatHistogram[] hs, int from,
      int to, long t, long range, boolean counter, boolean rate, Sts sts) {
    int n = to - from;
    if (n < 1) {
      return null;
    }
    boolean withSts = sts != null && sts.values != null;
    Notes notes = new Notes(where);
    FloatHistogram result = null;
    if (n > 1) {
      FloatHistogram prev = hs[from];
      FloatHistogram last = hs[to - 1];
      boolean custom = prev.usesCustomBuckets();
      if (counter && (gauge(prev) || gauge(last))) {
        notes.warn("this native histogram metric is not a counter: \"" + metric + "\"");
      }
      if (counter
          && ((withSts && startReset(sts.at(from), ts[from], sts.at(from + 1), ts[from + 1]))
              || hs[from + 1].detectReset(prev))) {
        prev = FloatHistogram.empty(hs[from + 1].schema, hs[from + 1].customValues);
        custom = prev.usesCustomBuckets();
      }
      if (last.usesCustomBuckets() != custom) {
        notes.warn(mixedSchemas(metric)).flush(ev);
        return null;
      }
      int minSchema = Math.min(last.schema, prev.schema);
      for (int i = from + 1; i < to - 1 && counter; i++) {
        minSchema = Math.min(minSchema, hs[i].schema);
        if (gauge(hs[i])) {
          notes.warn("this native histogram metric is not a counter: \"" + metric + "\"");
        }
        if (hs[i].usesCustomBuckets() != custom) {
          new Notes(where).warn(mixedSchemas(metric)).flush(ev);
          return null;
        }
      }
      if (last.customBoundsDiffer(prev)) {
        notes.info("mismatched custom buckets were reconciled during subtraction");
      }
      result = last.reduceTo(minSchema).add(prev, -1);
      if (result == null) {
        new Notes(where).warn(mixedSchemas(metric)).flush(ev);
        return null;
      }
      if (counter) {
        boolean overlapSeen = false;
        for (int i = from + 1; i < to; i++) {
          FloatHistogram cur = hs[i];
          if (withSts && !overlapSeen && startOverlaps(sts.at(i - 1), ts[i - 1], sts.at(i))) {
            notes.warn(overlapWarning(metric));
            overlapSeen = true;
          }
          if ((withSts && startReset(sts.at(i - 1), ts[i - 1], sts.at(i), ts[i]))
              || cur.detectReset(prev)) {
            if (result.customBoundsDiffer(prev)) {
              notes.info("mismatched custom buckets were reconciled during addition");
            }
            result = result.add(prev, 1);
            if (result == null) {
              new Notes(where).warn(mixedSchemas(metric)).flush(ev);
              return null;
            }
          }
          prev = cur;
        }
      } else if (!gauge(hs[from]) || !gauge(last)) {
        notes.warn("this native histogram metric is not a gauge: \"" + metric + "\"");
      }
      result = result.withHint(FloatHistogram.CounterResetHint.GAUGE).compact();
    }
    long rangeStart = t - range;
    double durationToStart = (ts[from] - rangeStart) / 1000.0;
    double durationToEnd = (t - ts[to - 1]) / 1000.0;
    double sampled = (ts[to - 1] - ts[from]) / 1000.0;
    double avg = n > 1 ? sampled / (n - 1) : 0;
    double threshold = avg * 1.1;
    long firstStart = withSts ? sts.at(from) : 0;
    if (counter && firstStart != 0 && firstStart > rangeStart && firstStart < ts[from]) {
      // As for floats: the counter was empty at its start, inside the window.
      durationToStart = 0;
      sampled = (ts[to - 1] - firstStart) / 1000.0;
      if (result == null) {
        result = hs[from];
      } else {
        if (result.customBoundsDiffer(hs[from])) {
          notes.info("mismatched custom buckets were reconciled during addition");
        }
        result = result.add(hs[from], 1);
        if (result == null) {
          new Notes(where).warn(mixedSchemas(metric)).flush(ev);
          return null;
        }
      }
    } else if (n == 1) {
      notes.flush(ev);
      return null;
    } else {
      if (durationToStart >= threshold) {
        durationToStart = avg / 2;
      }
      // As for float counters, the observation count must not be extrapolated below zero; the
      // first histogram is the one stored, even when a reset made it count as empty above.
      if (counter && result.count > 0 && hs[from].count >= 0) {
        double durationToZero = sampled * (hs[from].count / result.count);
        if (durationToZero < durationToStart) {
          durationToStart = durationToZero;
        }
      }
    }
    notes.flush(ev);
    if (durationToEnd >= threshold) {
      durationToEnd = avg / 2;
    }
    double factor = sampled != 0 ? (sampled + durationToStart + durationToEnd) / sampled : 1;
    if (rate) {
      factor /= range / 1000.0;
    }
    return result.scale(factor);
  }

  private static boolean gauge(FloatHistogram h) {
    return h.hint == FloatHistogram.CounterResetHint.GAUGE;
  }

  static String mixedSchemas(String metric) {
    return "vector contains a mix of histograms with exponential and custom buckets schemas for metric name \""
        + metric + "\"";
  }

  /**
   * Annotations of one function application, kept until it is known whether they stand: where
   * Prometheus gives up on a window, only the reason it gives up is reported.
   */
  static final class Notes {
    private final PositionRange where;
    private final List<String> warnings = new ArrayList<>(2);
    private final List<String> infos = new ArrayList<>(1);

    Notes(PositionRange where) {
      this.where = where;
    }

    Notes warn(String message) {
      warnings.add(message);
      return this;
    }

    Notes info(String message) {
      infos.add(message);
      return this;
    }

    void flush(Evaluator ev) {
      for (String w : warnings) {
        ev.warn(where, w);
      }
      for (String i : infos) {
        ev.info(where, i);
      }
    }
  }

  /** irate/idelta over histograms: the last two samples, in Prometheus's order of checks. */
  static FloatHistogram histogramInstantDelta(
      Evaluator ev, PositionRange where, Labels labels, long[] ts, FloatHistogram[] hs, int from,
      int to, boolean rate, Sts sts) {
    if (to - from < 2 || (hs[to - 1] == null && hs[to - 2] == null)) {
      return null;
    }
    String metric = labels.get(Labels.METRIC_NAME);
    if (hs[to - 1] == null || hs[to - 2] == null) {
      ev.warn(where, "encountered a mix of histograms and floats for metric name \"" + metric + "\"");
      return null;
    }
    FloatHistogram last = hs[to - 1];
    FloatHistogram prev = hs[to - 2];
    long interval = ts[to - 1] - ts[to - 2];
    if (interval == 0) {
      return null;
    }
    if (rate && (gauge(last) || gauge(prev))) {
      ev.warn(where, "this native histogram metric is not a counter: \"" + metric + "\"");
    }
    if (!rate && (!gauge(last) || !gauge(prev))) {
      ev.warn(where, "this native histogram metric is not a gauge: \"" + metric + "\"");
    }
    FloatHistogram d = last;
    boolean startReset = startReset(sts.at(to - 2), ts[to - 2], sts.at(to - 1), ts[to - 1]);
    if (!rate || (!startReset && !last.detectReset(prev))) {
      d = last.add(prev, -1);
      if (d == null) {
        ev.warn(where, mixedSchemas(metric));
        return null;
      }
      if (last.customBoundsDiffer(prev)) {
        ev.info(where, "mismatched custom buckets were reconciled during subtraction");
      }
    }
    d = d.withHint(FloatHistogram.CounterResetHint.GAUGE).compact();
    return rate ? d.scale(1000.0 / interval) : d;
  }

  /** sum_over_time, or with {@code mean} avg_over_time, of histograms. */
  static FloatHistogram histogramSum(
      Evaluator ev, PositionRange where, Labels labels, FloatHistogram[] hs, int from, int to,
      boolean mean) {
    HistogramSum sum = new HistogramSum(mean);
    for (int i = from; i < to; i++) {
      sum.add(hs[i]);
    }
    sum.annotate(ev, where, labels.get(Labels.METRIC_NAME), "aggregation");
    return mean ? sum.mean() : sum.result();
  }

  /**
   * rate/increase/delta: the change over the window, extrapolated to the window's edges unless
   * the first or last sample is further from the edge than 1.1 average intervals (then only half
   * an interval), and for counters not below zero.
   *
   * <p>With start timestamps, a counter also resets where a sample's start timestamp says it
   * started after the previous sample (see {@link #startReset}); and where the first sample's
   * start lies inside the window, the counter is taken to be zero there instead of extrapolating
   * to the left (which also gives a rate from a single sample).
   */
  static double extrapolatedRate(
      long[] ts, double[] vs, int from, int to, long t, long range, boolean counter, boolean rate,
      Sts sts, Runnable overlap) {
    int n = to - from;
    if (n < 1) {
      return NONE;
    }
    long rangeStart = t - range;
    double result = vs[to - 1] - vs[from];
    boolean withSts = sts != null && sts.values != null;
    if (counter) {
      boolean overlapSeen = false;
      for (int i = from + 1; i < to; i++) {
        if (withSts && !overlapSeen && startOverlaps(sts.at(i - 1), ts[i - 1], sts.at(i))) {
          overlap.run();
          overlapSeen = true;
        }
        if (vs[i] < vs[i - 1]
            || (withSts && startReset(sts.at(i - 1), ts[i - 1], sts.at(i), ts[i]))) {
          result += vs[i - 1];
        }
      }
    }
    double durationToStart = (ts[from] - rangeStart) / 1000.0;
    double durationToEnd = (t - ts[to - 1]) / 1000.0;
    double sampled = (ts[to - 1] - ts[from]) / 1000.0;
    double avg = n > 1 ? sampled / (n - 1) : 0;
    double threshold = avg * 1.1;
    long firstStart = withSts ? sts.at(from) : 0;
    if (counter && firstStart != 0 && firstStart > rangeStart && firstStart < ts[from]) {
      // The counter was zero at its start, inside the window: measure from there.
      durationToStart = 0;
      sampled = (ts[to - 1] - firstStart) / 1000.0;
      result += vs[from];
    } else if (n == 1) {
      return NONE;
    } else {
      if (durationToStart >= threshold) {
        durationToStart = avg / 2;
      }
      if (counter && result > 0 && vs[from] >= 0) {
        double durationToZero = sampled * (vs[from] / result);
        if (durationToZero < durationToStart) {
          durationToStart = durationToZero;
        }
      }
    }
    if (durationToEnd >= threshold) {
      durationToEnd = avg / 2;
    }
    double factor = sampled != 0 ? (sampled + durationToStart + durationToEnd) / sampled : 1;
    if (rate) {
      factor /= range / 1000.0;
    }
    return result * factor;
  }

  /**
   * Whether a sample's start timestamp says its counter restarted since the previous sample:
   * it started after the previous sample was taken, or exactly at it when the previous sample
   * had a start of its own (a delta; without one it is a cumulative counter whose start was
   * unknown). A start that is unset, not before the sample, or before the previous sample says
   * nothing.
   */
  static boolean startReset(long prevStart, long prevT, long start, long t) {
    if (start == 0 || start >= t || start < prevT) {
      return false;
    }
    if (start > prevT) {
      return true;
    }
    if (prevStart > prevT) {
      return false; // an invalid previous start counts as unknown
    }
    return prevStart != 0 && prevStart != prevT;
  }

  /** Whether a start timestamp reaches back over the previous sample without being its start. */
  static boolean startOverlaps(long prevStart, long prevT, long start) {
    return start != 0 && start < prevT && start != prevStart;
  }

  static String overlapWarning(String metric) {
    return "sample has start time that overlaps with previous sample timestamp for metric \""
        + metric + "\"";
  }

  /**
   * The experimental {@code anchored} rate/increase/delta: from the last sample at or before the
   * window's start (within the lookback) to the last sample in it, without extrapolation.
   */
  static double anchoredRate(
      long[] ts, double[] vs, int from, int to, long t, long range, long lookback, boolean counter,
      boolean rate) {
    int a = anchor(ts, from, t, range, lookback);
    double result = vs[to - 1] - vs[a];
    if (counter) {
      for (int i = a + 1; i < to; i++) {
        if (vs[i] < vs[i - 1]) {
          result += vs[i - 1];
        }
      }
    }
    return rate ? result / (range / 1000.0) : result;
  }

  /**
   * Anchored or smoothed rate/increase/delta over histograms, as Prometheus computes them: the
   * histogram at each edge of the window (anchored: the last sample at or before its start and
   * the last in it; smoothed: both edges interpolated between the samples around them, a counter
   * that reset in between taken to restart from zero), their difference, plus for counters what
   * resets between the edges lost. Null, with a warning, when exponential and custom buckets meet.
   *
   * @param from the first sample in the window (t − range, t]
   * @param to one past its last sample
   */
  static FloatHistogram extendedHistogramRate(
      Evaluator ev, PositionRange where, String metric, long[] ts, FloatHistogram[] hs, int from,
      int to, long t, long range, long lookback, boolean smoothed, boolean counter, boolean rate) {
    long rangeStart = t - range;
    int lo = from > 0 && ts[from - 1] > rangeStart - lookback ? from - 1 : from;
    int end = smoothed && to < ts.length && ts[to] <= t + lookback ? to + 1 : to;
    if (lo >= end) {
      return null;
    }
    int first = lo;
    int last = !smoothed || (to - 1 >= lo && ts[to - 1] == t) ? Math.max(lo, to - 1) : end - 1;
    if (ts[last] <= rangeStart || (smoothed && ts[first] > t)) {
      return null;
    }
    Notes notes = new Notes(where);
    for (int i = first; i <= last; i++) {
      if (hs[i].usesCustomBuckets() != hs[first].usesCustomBuckets()) {
        notes.warn(mixedSchemas(metric)).flush(ev);
        return null;
      }
      if (counter && gauge(hs[i])) {
        notes.warn("this native histogram metric is not a counter: \"" + metric + "\"");
      }
    }
    FloatHistogram left = smoothed && ts[first] < rangeStart
        ? interpolate(ts[first], hs[first], ts[first + 1], hs[first + 1], rangeStart, counter, notes)
        : hs[first];
    FloatHistogram right = smoothed && last > lo && ts[last] > t
        ? interpolate(ts[last - 1], hs[last - 1], ts[last], hs[last], t, counter, notes)
        : hs[last];
    if (left == null || right == null) {
      notes.warn(mixedSchemas(metric)).flush(ev);
      return null;
    }
    if (!counter && (!gauge(left) || !gauge(right))) {
      notes.warn("this native histogram metric is not a gauge: \"" + metric + "\"");
    }
    if (right.customBoundsDiffer(left)) {
      notes.info("mismatched custom buckets were reconciled during subtraction");
    }
    FloatHistogram result = right.add(left, -1);
    if (result == null) {
      notes.warn(mixedSchemas(metric)).flush(ev);
      return null;
    }
    if (counter) {
      // Resets strictly between the edges; the edges themselves already account for theirs.
      int k = first + 1;
      FloatHistogram prev = left;
      if (smoothed && ts[first] < rangeStart && hs[first + 1].detectReset(hs[first])) {
        prev = hs[first + 1];
        k++;
      }
      FloatHistogram correction = null;
      if (k <= last) {
        for (; k < last; k++) {
          if (hs[k].detectReset(prev)) {
            correction = addCorrection(correction, prev, notes);
            if (correction == null) {
              notes.warn(mixedSchemas(metric)).flush(ev);
              return null;
            }
          }
          prev = hs[k];
        }
        if (right.detectReset(prev)) {
          correction = addCorrection(correction, prev, notes);
          if (correction == null) {
            notes.warn(mixedSchemas(metric)).flush(ev);
            return null;
          }
        }
      }
      if (correction != null) {
        if (result.customBoundsDiffer(correction)) {
          notes.info("mismatched custom buckets were reconciled during addition");
        }
        result = result.add(correction, 1);
        if (result == null) {
          notes.warn(mixedSchemas(metric)).flush(ev);
          return null;
        }
      }
    }
    notes.flush(ev);
    if (rate) {
      result = result.scale(1000.0 / range);
    }
    return result.withHint(FloatHistogram.CounterResetHint.GAUGE).compact();
  }

  private static FloatHistogram addCorrection(FloatHistogram sum, FloatHistogram h, Notes notes) {
    if (sum == null) {
      return h;
    }
    if (sum.customBoundsDiffer(h)) {
      notes.info("mismatched custom buckets were reconciled during addition");
    }
    return sum.add(h, 1);
  }

  /**
   * The histogram at {@code t} between two samples: a counter that reset in between restarts
   * from zero; otherwise the straight line between them. Its reset hint is what Prometheus's
   * arithmetic leaves: the two samples' hints combined. Null when the buckets cannot be mixed.
   */
  static FloatHistogram interpolate(
      long t0, FloatHistogram h0, long t1, FloatHistogram h1, long t, boolean counter,
      Notes notes) {
    if (t == t0) {
      return h0;
    }
    if (t == t1) {
      return h1;
    }
    double f = (t - t0) / (double) (t1 - t0);
    if (counter && h1.detectReset(h0)) {
      return h1.scale(f);
    }
    if (h1.customBoundsDiffer(h0)) {
      notes.info("mismatched custom buckets were reconciled during subtraction");
    }
    FloatHistogram d = h1.add(h0, -1);
    if (d == null) {
      return null;
    }
    if (d.customBoundsDiffer(h0)) {
      notes.info("mismatched custom buckets were reconciled during addition");
    }
    FloatHistogram r = d.scale(f).add(h0, 1);
    return r == null ? null : r.withHint(FloatHistogram.sumHint(h1.hint, h0.hint));
  }

  /** The index anchored windows start at: the sample before the window when within lookback. */
  static int anchor(long[] ts, int from, long t, long range, long lookback) {
    return from > 0 && ts[from - 1] > t - range - lookback ? from - 1 : from;
  }

  /**
   * The experimental {@code smoothed} rate/increase/delta: the values at both ends of the window
   * interpolated between the samples around them (counter resets corrected first for counters).
   */
  static double smoothedRate(
      long[] ts, double[] vs, int from, int to, long t, long range, long lookback, boolean counter,
      boolean rate) {
    long left = t - range;
    if (from == to && (from == 0 || to == ts.length)) {
      return NONE; // data only before or only after the window
    }
    int lo = from > 0 && left - ts[from - 1] < lookback ? from - 1 : from;
    int hi = to < ts.length && ts[to] - t < lookback ? to : to - 1;
    if (hi < lo || (from == to && (lo == from || hi < to))) {
      return NONE;
    }
    double[] c = new double[hi - lo + 1];
    double offset = 0;
    for (int i = lo; i <= hi; i++) {
      if (counter && i > lo && vs[i] < vs[i - 1]) {
        offset += vs[i - 1];
      }
      c[i - lo] = vs[i] + offset;
    }
    double vl = lo < from ? interpolate(ts[lo], c[0], ts[lo + 1], c[1], left) : c[0];
    int last = to - 1 - lo;
    double vr = hi >= to && ts[to - 1] < t
        ? interpolate(ts[to - 1], c[last], ts[to], c[last + 1], t)
        : c[last];
    double result = vr - vl;
    return rate ? result / (range / 1000.0) : result;
  }

  private static double interpolate(long t0, double v0, long t1, double v1, long t) {
    return v0 + (v1 - v0) * (t - t0) / (double) (t1 - t0);
  }

  static double instantDelta(
      double[] vs, FloatHistogram[] hs, long[] ts, int from, int to, boolean rate, Sts sts) {
    if (to - from < 2 || (hs != null && (hs[to - 1] != null || hs[to - 2] != null))) {
      return NONE; // histograms, or a mix of a float and a histogram
    }
    double last = vs[to - 1];
    double prev = vs[to - 2];
    boolean reset = last < prev
        || startReset(sts.at(to - 2), ts[to - 2], sts.at(to - 1), ts[to - 1]);
    double d = rate && reset ? last : last - prev;
    if (!rate) {
      return d;
    }
    long interval = ts[to - 1] - ts[to - 2];
    if (interval == 0) {
      return NONE;
    }
    return d / (interval / 1000.0);
  }

  /** deriv: the least-squares slope of the window, none below two samples. */
  static double slope(long[] ts, double[] vs, int from, int to) {
    return to - from < 2 ? NONE : linearRegression(ts, vs, from, to, ts[from])[0];
  }

  /** ts_of_max/min_over_time: the time (seconds) of the newest sample holding the extreme. */
  static double timeOfExtreme(long[] ts, double[] vs, int from, int to, boolean max) {
    double best = max ? max(vs, from, to) : min(vs, from, to);
    for (int k = to - 1; k >= from; k--) {
      if (vs[k] == best || (Double.isNaN(best) && Double.isNaN(vs[k]))) {
        return ts[k] / 1000.0;
      }
    }
    return NONE;
  }

  /** Least-squares slope and intercept at {@code interceptTime}; {slope, intercept}. */
  static double[] linearRegression(long[] ts, double[] vs, int from, int to, long interceptTime) {
    double n = 0;
    double sumX = 0;
    double sumY = 0;
    double sumXY = 0;
    double sumX2 = 0;
    double[] cX = {0};
    double[] cY = {0};
    double[] cXY = {0};
    double[] cX2 = {0};
    double initY = vs[from];
    boolean constY = true;
    for (int i = from; i < to; i++) {
      if (constY && i > from && vs[i] != initY) {
        constY = false;
      }
      n++;
      double x = (ts[i] - interceptTime) / 1e3;
      sumX = KahanSum.inc(x, sumX, cX);
      sumY = KahanSum.inc(vs[i], sumY, cY);
      sumXY = KahanSum.inc(x * vs[i], sumXY, cXY);
      sumX2 = KahanSum.inc(x * x, sumX2, cX2);
    }
    if (constY) {
      if (Double.isInfinite(initY)) {
        return new double[] {Double.NaN, Double.NaN};
      }
      return new double[] {0, initY};
    }
    sumX += cX[0];
    sumY += cY[0];
    sumXY += cXY[0];
    sumX2 += cX2[0];
    double covXY = sumXY - sumX * sumY / n;
    double varX = sumX2 - sumX * sumX / n;
    double slope = covXY / varX;
    double intercept = sumY / n - slope * sumX / n;
    return new double[] {slope, intercept};
  }

  static double doubleExponentialSmoothing(double[] vs, int from, int to, double sf, double tf) {
    if (to - from < 2) {
      return NONE;
    }
    double s0 = 0;
    double s1 = vs[from];
    double b = vs[from + 1] - vs[from];
    for (int i = from + 1; i < to; i++) {
      double x = sf * vs[i];
      if (i - from - 1 > 0) {
        b = tf * (s1 - s0) + (1 - tf) * b;
      }
      double y = (1 - sf) * (s1 + b);
      s0 = s1;
      s1 = x + y;
    }
    return s1;
  }

  static double min(double[] vs, int from, int to) {
    double m = vs[from];
    for (int i = from + 1; i < to; i++) {
      if (vs[i] < m || Double.isNaN(m)) {
        m = vs[i];
      }
    }
    return m;
  }

  static double max(double[] vs, int from, int to) {
    double m = vs[from];
    for (int i = from + 1; i < to; i++) {
      if (vs[i] > m || Double.isNaN(m)) {
        m = vs[i];
      }
    }
    return m;
  }

  static double quantile(double q, double[] vs, int from, int to) {
    return Aggregations.quantile(q, Arrays.copyOfRange(vs, from, to));
  }

  static double mad(double[] vs, int from, int to) {
    double[] w = Arrays.copyOfRange(vs, from, to);
    for (double x : w) {
      if (Double.isNaN(x)) {
        return Double.NaN;
      }
    }
    double median = Aggregations.quantile(0.5, w.clone());
    for (int i = 0; i < w.length; i++) {
      w[i] = Math.abs(w[i] - median);
    }
    return Aggregations.quantile(0.5, w);
  }

  static double resets(double[] vs, FloatHistogram[] hs, long[] ts, int from, int to, Sts sts) {
    int r = 0;
    for (int i = from + 1; i < to; i++) {
      FloatHistogram h = hs == null ? null : hs[i];
      FloatHistogram p = hs == null ? null : hs[i - 1];
      boolean startReset = startReset(sts.at(i - 1), ts[i - 1], sts.at(i), ts[i]);
      if (h != null && p != null) {
        if (startReset || h.detectReset(p)) {
          r++;
        }
      } else if (h == null && p == null && (vs[i] < vs[i - 1] || startReset)) {
        r++;
      } else if (h == null != (p == null)) {
        r++;
      }
    }
    return r;
  }

  static double changes(double[] vs, FloatHistogram[] hs, int from, int to) {
    int c = 0;
    for (int i = from + 1; i < to; i++) {
      FloatHistogram h = hs == null ? null : hs[i];
      FloatHistogram ph = hs == null ? null : hs[i - 1];
      if (h != null || ph != null) {
        if (h == null || ph == null || !h.equalTo(ph)) {
          c++;
        }
        continue;
      }
      double p = vs[i - 1];
      double v = vs[i];
      if (!(p == v || (Double.isNaN(p) && Double.isNaN(v)))) {
        c++;
      }
    }
    return c;
  }
}

package io.icegate.engine.metrics;

import io.icegate.engine.series.FloatHistogram;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.Series;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Samples of one series as {@link MetricsSeriesSource} reads them, in any order; sorted and
 * de-duplicated at the end.
 *
 * <p>Runs of plain rows ({@link #addRun}) arrive as arrays of their exact size, made for this
 * series alone, and are kept until the series is built: a series read in one run (most are:
 * files are sorted by series, so a series only splits where a batch or a file ends) is built on
 * that run's own arrays, with no copy; one of several runs is copied once into arrays of the
 * exact size, not again each time its arrays would double. Every sample lives in one Java array
 * from the scan on, which halves what a selection allocates against copying each batch out and
 * then into the series.
 */
public final class SeriesBuilder {
  private static final long[] EMPTY_TIMES = new long[0];
  private static final double[] EMPTY_VALUES = new double[0];

  private long[] times = EMPTY_TIMES;
  private double[] values = EMPTY_VALUES;
  private FloatHistogram[] histograms;
  private int size;
  private boolean sorted = true;
  /** Runs not yet moved into {@link #times}/{@link #values}, in arrival order. */
  private final List<long[]> runTimes = new ArrayList<>(2);
  private final List<double[]> runValues = new ArrayList<>(2);
  private int pending;

  void addHistogram(long t, FloatHistogram h) {
    if (histograms == null) {
      flushRuns();
      histograms = new FloatHistogram[times.length];
    }
    add(t, Double.NaN);
    histograms[size - 1] = h;
  }

  /**
   * Adds a run of samples: {@code millis} (of the same length as {@code v}) with their values,
   * {@code inOrder} when the times strictly increase. The builder takes both arrays over: the
   * caller must not change or reuse them.
   */
  void addRun(long[] millis, double[] v, boolean inOrder) {
    if (millis.length == 0) {
      return;
    }
    runTimes.add(millis);
    runValues.add(v);
    pending += millis.length;
    sorted &= inOrder;
  }

  /** Moves the runs not yet moved into the arrays: the first run of an empty series as is. */
  private void flushRuns() {
    if (pending == 0) {
      return;
    }
    if (size == 0 && runTimes.size() == 1 && histograms == null) {
      times = runTimes.get(0);
      values = runValues.get(0);
      size = times.length;
    } else {
      if (size + pending > times.length) {
        int capacity = size == 0 ? pending : Math.max(times.length * 2, size + pending);
        times = Arrays.copyOf(times, capacity);
        values = Arrays.copyOf(values, capacity);
        if (histograms != null) {
          histograms = Arrays.copyOf(histograms, capacity);
        }
      }
      for (int r = 0; r < runTimes.size(); r++) {
        long[] t = runTimes.get(r);
        // Each run is in order by itself (or the builder already knows it isn't): only where two
        // runs meet can the order break.
        if (size > 0 && t[0] <= times[size - 1]) {
          sorted = false;
        }
        System.arraycopy(t, 0, times, size, t.length);
        System.arraycopy(runValues.get(r), 0, values, size, t.length);
        size += t.length;
      }
    }
    runTimes.clear();
    runValues.clear();
    pending = 0;
  }

  /**
   * Appends the samples of {@code other} (float samples only) after this builder's, as if its
   * rows had been read after all of this one's: the builder of one split's rows of a series
   * joining the builder of the splits read before it.
   */
  public void absorb(SeriesBuilder other) {
    other.flushRuns();
    if (other.histograms != null) {
      throw new IllegalArgumentException("histogram samples are not absorbed");
    }
    if (other.size == 0) {
      return;
    }
    boolean whole = other.size == other.times.length;
    addRun(whole ? other.times : Arrays.copyOf(other.times, other.size),
        whole ? other.values : Arrays.copyOf(other.values, other.size), other.sorted);
  }

  void add(long t, double v) {
    flushRuns();
    if (size == times.length) {
      int capacity = Math.max(16, size * 2);
      times = Arrays.copyOf(times, capacity);
      values = Arrays.copyOf(values, capacity);
      if (histograms != null) {
        histograms = Arrays.copyOf(histograms, capacity);
      }
    }
    if (size > 0 && t <= times[size - 1]) {
      sorted = false;
    }
    times[size] = t;
    values[size++] = v;
  }

  /**
   * The series of {@code builders} that have a sample from {@code from} on ({@link #build}), in
   * label order.
   */
  public static List<Series> buildAll(Map<Labels, SeriesBuilder> builders, long from) {
    List<Series> out = new ArrayList<>(builders.size());
    for (Map.Entry<Labels, SeriesBuilder> e : builders.entrySet()) {
      Series built = e.getValue().build(e.getKey(), from);
      if (built.size() > 0) {
        out.add(built);
      }
    }
    out.sort((a, b) -> a.labels().compareTo(b.labels()));
    return out;
  }

  /** The series, sorted, one sample per millisecond, without samples before {@code from}. */
  public Series build(Labels labels, long from) {
    flushRuns();
    int first = 0;
    while (first < size && times[first] < from) {
      first++;
    }
    if (sorted && histograms == null) {
      // The common case (rows of a series come in time order, one per millisecond): the
      // arrays are the series, trimmed when they hold more.
      if (first == 0 && size == times.length) {
        return new Series(labels, times, values);
      }
      return new Series(labels, Arrays.copyOfRange(times, first, size),
          Arrays.copyOfRange(values, first, size));
    }
    Integer[] order = new Integer[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    if (!sorted) {
      // Stable: of two samples at the same millisecond, the later-read one wins below.
      Arrays.sort(order, (a, b) -> Long.compare(times[a], times[b]));
    }
    long[] t = new long[size];
    double[] v = new double[size];
    FloatHistogram[] h = histograms == null ? null : new FloatHistogram[size];
    int n = 0;
    for (int k = 0; k < size; k++) {
      int i = order[k];
      if (n == 0 || t[n - 1] != times[i]) {
        n++;
      }
      t[n - 1] = times[i];
      v[n - 1] = values[i];
      if (h != null) {
        h[n - 1] = histograms[i];
      }
    }
    if (h != null) {
      // As Prometheus's TSDB does when it appends a histogram after another of the same bucket
      // layout: "not a counter reset" unless some count dropped (a new layout, or a reset,
      // starts a new chunk, whose first sample keeps no hint).
      for (int i = 1; i < n; i++) {
        FloatHistogram cur = h[i];
        FloatHistogram prev = h[i - 1];
        if (cur != null
            && prev != null
            && cur.hint == FloatHistogram.CounterResetHint.UNKNOWN
            && prev.schema == cur.schema
            && Arrays.equals(prev.customValues, cur.customValues)
            && !cur.detectReset(prev)) {
          h[i] = cur.withHint(FloatHistogram.CounterResetHint.NOT_COUNTER_RESET);
        }
      }
    }
    first = 0;
    while (first < n && t[first] < from) {
      first++;
    }
    return new Series(
        labels,
        Arrays.copyOfRange(t, first, n),
        Arrays.copyOfRange(v, first, n),
        h == null ? null : Arrays.copyOfRange(h, first, n));
  }
}

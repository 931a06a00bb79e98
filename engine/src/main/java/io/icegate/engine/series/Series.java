package io.icegate.engine.series;

/**
 * One series as columns: a label set and parallel arrays of sample times (milliseconds since the
 * epoch, ascending) and float values; optionally a parallel array of native histograms, where a
 * non-null entry means that sample is a histogram (its float slot is unused). Stale markers are
 * kept as {@link StaleMarker#STALE_NAN} values so instant selection can end a series where it
 * went stale.
 *
 * <p>Optionally, a parallel array of start timestamps: when the counter the sample belongs to
 * started counting (OTLP's start time, Prometheus's created timestamp), 0 where unknown. They
 * tell counter resets and deltas apart where values alone cannot.
 *
 * <p>The arrays are owned by the series and never changed after construction.
 *
 * @param histograms null when the series holds floats only
 * @param startTimestamps null when no sample has a start timestamp
 */
public record Series(
    Labels labels,
    long[] timestamps,
    double[] values,
    FloatHistogram[] histograms,
    long[] startTimestamps) {
  public Series {
    if (timestamps.length != values.length
        || (histograms != null && histograms.length != values.length)
        || (startTimestamps != null && startTimestamps.length != values.length)) {
      throw new IllegalArgumentException("timestamps and values differ in length");
    }
  }

  /** A series without start timestamps. */
  public Series(Labels labels, long[] timestamps, double[] values, FloatHistogram[] histograms) {
    this(labels, timestamps, values, histograms, null);
  }

  /** A series of floats only. */
  public Series(Labels labels, long[] timestamps, double[] values) {
    this(labels, timestamps, values, null, null);
  }

  /** The same samples without their start timestamps. */
  public Series withoutStartTimestamps() {
    return startTimestamps == null ? this : new Series(labels, timestamps, values, histograms);
  }

  public int size() {
    return timestamps.length;
  }

  /** The histogram at {@code i}, or null when that sample is a float. */
  public FloatHistogram histogram(int i) {
    return histograms == null ? null : histograms[i];
  }

  /** The same samples without stale markers: what range windows see. */
  public Series withoutStaleMarkers() {
    int n = 0;
    for (int i = 0; i < values.length; i++) {
      if (!isStale(i)) {
        n++;
      }
    }
    if (n == values.length) {
      return this;
    }
    long[] t = new long[n];
    double[] v = new double[n];
    FloatHistogram[] h = histograms == null ? null : new FloatHistogram[n];
    long[] st = startTimestamps == null ? null : new long[n];
    int j = 0;
    for (int i = 0; i < values.length; i++) {
      if (!isStale(i)) {
        t[j] = timestamps[i];
        if (h != null) {
          h[j] = histograms[i];
        }
        if (st != null) {
          st[j] = startTimestamps[i];
        }
        v[j++] = values[i];
      }
    }
    return new Series(labels, t, v, h, st);
  }

  /** Whether sample {@code i} is a stale marker. */
  public boolean isStale(int i) {
    return histogram(i) == null && StaleMarker.isStale(values[i]);
  }
}

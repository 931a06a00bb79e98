package io.icegate.engine.series;

/**
 * One series as columns: a label set and parallel arrays of sample times (milliseconds since the
 * epoch, ascending) and float values; optionally a parallel array of native histograms, where a
 * non-null entry means that sample is a histogram (its float slot is unused). Stale markers are
 * kept as {@link StaleMarker#STALE_NAN} values so instant selection can end a series where it
 * went stale.
 *
 * <p>The arrays are owned by the series and never changed after construction.
 *
 * @param histograms null when the series holds floats only
 */
public record Series(Labels labels, long[] timestamps, double[] values, FloatHistogram[] histograms) {
  public Series {
    if (timestamps.length != values.length || (histograms != null && histograms.length != values.length)) {
      throw new IllegalArgumentException("timestamps and values differ in length");
    }
  }

  /** A series of floats only. */
  public Series(Labels labels, long[] timestamps, double[] values) {
    this(labels, timestamps, values, null);
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
    int j = 0;
    for (int i = 0; i < values.length; i++) {
      if (!isStale(i)) {
        t[j] = timestamps[i];
        if (h != null) {
          h[j] = histograms[i];
        }
        v[j++] = values[i];
      }
    }
    return new Series(labels, t, v, h);
  }

  /** Whether sample {@code i} is a stale marker. */
  public boolean isStale(int i) {
    return histogram(i) == null && StaleMarker.isStale(values[i]);
  }
}

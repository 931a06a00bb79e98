package io.icegate.engine.series;

/**
 * One series as columns: a label set and parallel arrays of sample times (milliseconds since the
 * epoch, ascending) and float values. Stale markers are kept as {@link StaleMarker#STALE_NAN}
 * values so instant selection can end a series where it went stale.
 *
 * <p>The arrays are owned by the series and never changed after construction.
 */
public record Series(Labels labels, long[] timestamps, double[] values) {
  public Series {
    if (timestamps.length != values.length) {
      throw new IllegalArgumentException("timestamps and values differ in length");
    }
  }

  public int size() {
    return timestamps.length;
  }

  /** The same samples without stale markers: what range windows see. */
  public Series withoutStaleMarkers() {
    int n = 0;
    for (double v : values) {
      if (!StaleMarker.isStale(v)) {
        n++;
      }
    }
    if (n == values.length) {
      return this;
    }
    long[] t = new long[n];
    double[] v = new double[n];
    int j = 0;
    for (int i = 0; i < values.length; i++) {
      if (!StaleMarker.isStale(values[i])) {
        t[j] = timestamps[i];
        v[j++] = values[i];
      }
    }
    return new Series(labels, t, v);
  }
}

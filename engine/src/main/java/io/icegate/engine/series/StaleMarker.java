package io.icegate.engine.series;

/**
 * Prometheus's staleness marker: a NaN with the bit pattern {@code 0x7ff0000000000002}, written
 * when a series ends (a scrape target vanished, OTLP's no-recorded-value flag). It is not a value:
 * instant selection treats the series as absent from that sample on, range windows skip it.
 */
public final class StaleMarker {
  private StaleMarker() {}

  public static final long STALE_NAN_BITS = 0x7ff0000000000002L;
  public static final double STALE_NAN = Double.longBitsToDouble(STALE_NAN_BITS);

  /** Whether a value is the marker (other NaNs are ordinary values). */
  public static boolean isStale(double v) {
    return Double.doubleToRawLongBits(v) == STALE_NAN_BITS;
  }
}

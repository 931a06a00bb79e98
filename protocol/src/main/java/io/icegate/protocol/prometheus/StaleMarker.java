package io.icegate.protocol.prometheus;

/**
 * Prometheus's staleness marker: a sample whose value is one particular NaN says "this series ended
 * here", so that PromQL stops returning it at once instead of after the 5-minute lookback. Any
 * other NaN is an ordinary value (for example 0/0 from a recording rule), so the test must compare
 * bits, never use {@link Double#isNaN}.
 *
 * @see <a
 *     href="https://prometheus.io/docs/prometheus/latest/querying/basics/#staleness">Staleness</a>
 */
public final class StaleMarker {
  /** The bits of the marker, Prometheus's {@code value.StaleNaN}. */
  public static final long STALE_NAN_BITS = 0x7ff0000000000002L;

  /** The marker as a double; keep it in a {@code double} only, arithmetic may change its bits. */
  public static final double STALE_NAN = Double.longBitsToDouble(STALE_NAN_BITS);

  private StaleMarker() {}

  /** Whether {@code value} is the staleness marker, bit for bit. */
  public static boolean isStaleNaN(double value) {
    return Double.doubleToRawLongBits(value) == STALE_NAN_BITS;
  }
}

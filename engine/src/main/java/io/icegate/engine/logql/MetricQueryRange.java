package io.icegate.engine.logql;

import java.util.Objects;

/**
 * The evaluation times of a LogQL metric query: {@code start, start+step, ... <= end} in
 * nanoseconds, both ends included as in Loki. An instant query has {@code start == end} and step
 * zero. The step must be a whole number of milliseconds, the resolution of Loki's (and our)
 * sample timestamps.
 */
public record MetricQueryRange(String tenant, long startNanos, long endNanos, long stepNanos) {
  private static final long NANOS_PER_MILLI = 1_000_000L;

  public MetricQueryRange {
    Objects.requireNonNull(tenant, "tenant");
    if (endNanos < startNanos) {
      throw new IllegalArgumentException("end timestamp must not be before start time");
    }
    if (startNanos != endNanos && stepNanos <= 0) {
      throw new IllegalArgumentException(
          "zero or negative query resolution step widths are not accepted. "
              + "Try a positive integer");
    }
    if (stepNanos % NANOS_PER_MILLI != 0) {
      throw new IllegalArgumentException("step must be a whole number of milliseconds");
    }
  }

  /** An instant query at {@code timeNanos}. */
  public static MetricQueryRange instant(String tenant, long timeNanos) {
    return new MetricQueryRange(tenant, timeNanos, timeNanos, 0);
  }

  public boolean isInstant() {
    return startNanos == endNanos;
  }

  /** The evaluation times in nanoseconds. */
  public long[] times() {
    if (isInstant()) {
      return new long[] {startNanos};
    }
    int n = (int) ((endNanos - startNanos) / stepNanos) + 1;
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      t[i] = startNanos + i * stepNanos;
    }
    return t;
  }
}

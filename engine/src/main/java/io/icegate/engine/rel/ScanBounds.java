package io.icegate.engine.rel;

/**
 * What a scan was told to prune by: the tenant and the half-open nanosecond time range. A
 * {@code null} tenant means none was pushed down, which execution refuses — every scan must be
 * confined to one tenant (DESIGN.md §1).
 */
public record ScanBounds(String tenant, long startNanos, long endNanos) {
  public static final ScanBounds NONE = new ScanBounds(null, Long.MIN_VALUE, Long.MAX_VALUE);

  public ScanBounds withTenant(String newTenant) {
    return new ScanBounds(newTenant, startNanos, endNanos);
  }

  public ScanBounds withStart(long start) {
    return new ScanBounds(tenant, Math.max(startNanos, start), endNanos);
  }

  public ScanBounds withEnd(long end) {
    return new ScanBounds(tenant, startNanos, Math.min(endNanos, end));
  }

  @Override
  public String toString() {
    return "tenant="
        + (tenant == null ? "<none>" : tenant)
        + ", time=["
        + (startNanos == Long.MIN_VALUE ? "-inf" : Long.toString(startNanos))
        + ", "
        + (endNanos == Long.MAX_VALUE ? "+inf" : Long.toString(endNanos))
        + ")";
  }
}

package io.icegate.engine.rel;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a scan was told to prune by: the tenant, the half-open nanosecond time range, and
 * equalities on string columns. A {@code null} tenant means none was pushed down, which execution
 * refuses — every scan must be confined to one tenant (DESIGN.md §1).
 */
public record ScanBounds(
    String tenant, long startNanos, long endNanos, Map<String, String> equalities) {
  public static final ScanBounds NONE =
      new ScanBounds(null, Long.MIN_VALUE, Long.MAX_VALUE, Map.of());

  public ScanBounds {
    equalities = Map.copyOf(equalities);
  }

  public ScanBounds withTenant(String newTenant) {
    return new ScanBounds(newTenant, startNanos, endNanos, equalities);
  }

  public ScanBounds withStart(long start) {
    return new ScanBounds(tenant, Math.max(startNanos, start), endNanos, equalities);
  }

  public ScanBounds withEnd(long end) {
    return new ScanBounds(tenant, startNanos, Math.min(endNanos, end), equalities);
  }

  /** Adds {@code column = value}; a second, different value for a column can match nothing. */
  public ScanBounds withEquality(String column, String value) {
    Map<String, String> more = new TreeMap<>(equalities);
    more.put(column, value);
    return new ScanBounds(tenant, startNanos, endNanos, more);
  }

  @Override
  public String toString() {
    return "tenant="
        + (tenant == null ? "<none>" : tenant)
        + ", time=["
        + (startNanos == Long.MIN_VALUE ? "-inf" : Long.toString(startNanos))
        + ", "
        + (endNanos == Long.MAX_VALUE ? "+inf" : Long.toString(endNanos))
        + ")"
        + (equalities.isEmpty() ? "" : ", " + new TreeMap<>(equalities));
  }
}

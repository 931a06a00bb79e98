package io.icegate.storage.scan;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a query asks of a table: one tenant, a half-open time range {@code [start, end)} in
 * nanoseconds, equalities on string columns (e.g. the promoted {@code service_name}) that prune
 * files and row groups, and the columns to read. Rows are filtered by the engine's operators.
 */
public record ScanRequest(
    String table,
    String tenant,
    long startNanos,
    long endNanos,
    Map<String, String> equalities,
    List<String> columns) {
  public ScanRequest {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(tenant, "tenant");
    equalities = Map.copyOf(equalities);
    columns = List.copyOf(columns);
  }

  public ScanRequest(
      String table, String tenant, long startNanos, long endNanos, List<String> columns) {
    this(table, tenant, startNanos, endNanos, Map.of(), columns);
  }
}

package io.icegate.storage.scan;

import java.util.List;
import java.util.Objects;

/**
 * What a query asks of a table: one tenant, a half-open time range {@code [start, end)} in
 * nanoseconds, and the columns to read. Everything else is filtered by the engine's operators.
 */
public record ScanRequest(
    String table, String tenant, long startNanos, long endNanos, List<String> columns) {
  public ScanRequest {
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(tenant, "tenant");
    columns = List.copyOf(columns);
  }
}

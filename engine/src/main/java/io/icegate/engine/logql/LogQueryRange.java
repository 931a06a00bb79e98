package io.icegate.engine.logql;

import io.icegate.protocol.loki.Direction;

import java.util.Objects;

/**
 * The request around a log query: tenant, half-open range {@code [start, end)} in nanoseconds
 * (Loki includes start and excludes end, so adjacent split queries never repeat a line), the
 * entry limit, and direction.
 */
public record LogQueryRange(
    String tenant, long startNanos, long endNanos, int limit, Direction direction) {
  public LogQueryRange {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(direction, "direction");
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be positive");
    }
  }
}

package io.icegate.server.loki;

import io.icegate.server.http.HttpExchange;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * When a Loki query must stop: its client went away, or its tenant's {@code query_timeout}
 * (counted from the request's arrival, as Loki's per-request context deadline) passed. A tenant
 * without a timeout of its own is stopped by the engine's server-wide deadline instead. The
 * engines ask it between batches; the handler asks {@link #passed()} to answer 504, not 499.
 */
final class QueryDeadline implements BooleanSupplier {
  private final HttpExchange exchange;
  private final long deadlineNanos;
  private final boolean bounded;
  private volatile boolean passed;

  private QueryDeadline(HttpExchange exchange, long deadlineNanos, boolean bounded) {
    this.exchange = exchange;
    this.deadlineNanos = deadlineNanos;
    this.bounded = bounded;
  }

  /** Starts the clock; a zero {@code timeout} leaves only the client's departure. */
  static QueryDeadline start(HttpExchange exchange, Duration timeout) {
    return new QueryDeadline(exchange, System.nanoTime() + timeout.toNanos(), !timeout.isZero());
  }

  @Override
  public boolean getAsBoolean() {
    if (exchange.clientGone()) {
      return true;
    }
    if (bounded && System.nanoTime() - deadlineNanos > 0) {
      passed = true;
    }
    return passed;
  }

  /** Whether the query was stopped by its tenant's timeout. */
  boolean passed() {
    return passed;
  }
}

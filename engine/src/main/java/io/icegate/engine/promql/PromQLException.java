package io.icegate.engine.promql;

/**
 * A query that cannot be evaluated, worded as Prometheus words the same failure (e.g.
 * {@code vector cannot contain metrics with the same labelset}); the HTTP layer answers it with
 * {@code errorType} {@code execution}.
 */
public final class PromQLException extends RuntimeException {
  public PromQLException(String message) {
    super(message);
  }
}

package io.icegate.server.ingest;

import java.time.Duration;

/**
 * Why a whole ingest request was refused, in terms every protocol can map to its own answer: HTTP
 * status plus {@code Retry-After}, or a gRPC code plus {@code RetryInfo}. The message is for the
 * client and names the limit or the problem.
 */
public final class IngestException extends RuntimeException {
  /** What went wrong; decides the status code and whether the client should retry. */
  public enum Kind {
    /** The data is malformed or breaks a rule: not retryable (400 / INVALID_ARGUMENT). */
    BAD_DATA,
    /** The request is larger than the tenant may send: not retryable (413 / RESOURCE_EXHAUSTED). */
    TOO_LARGE,
    /** The tenant's ingestion rate limit: retry later (429 / RESOURCE_EXHAUSTED + RetryInfo). */
    RATE_LIMITED,
    /** The WAL is behind: retry later (429 / RESOURCE_EXHAUSTED + RetryInfo). */
    OVERLOADED,
    /** Storage failed or is shutting down: retry later (503 / UNAVAILABLE + RetryInfo). */
    UNAVAILABLE
  }

  private final Kind kind;
  private final Duration retryAfter;

  public IngestException(Kind kind, String message, Duration retryAfter) {
    super(message, null, false, false);
    this.kind = kind;
    this.retryAfter = retryAfter;
  }

  public Kind kind() {
    return kind;
  }

  /** How long the client should wait before retrying; null if it should not retry. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /** Whole seconds for an HTTP {@code Retry-After} header, at least 1. */
  public String retryAfterSeconds() {
    long millis = retryAfter == null ? 1000 : retryAfter.toMillis();
    return Long.toString(Math.max(1, (millis + 999) / 1000));
  }
}

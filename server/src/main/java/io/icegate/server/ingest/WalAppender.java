package io.icegate.server.ingest;

import io.icegate.server.ServerMetrics;
import io.icegate.storage.wal.RequestFingerprint;
import io.icegate.storage.wal.WalOverloadedException;
import io.icegate.storage.wal.WalWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step every ingest path shares: hand a built batch to its table's WAL under the
 * request's fingerprint, count it, and turn the WAL's refusals into {@link IngestException}s
 * every protocol maps to its own answer (overload → 429 / RESOURCE_EXHAUSTED, failure → 503 /
 * UNAVAILABLE, both with a retry delay).
 */
public final class WalAppender {
  private static final Logger LOG = LoggerFactory.getLogger(WalAppender.class);
  static final Duration RETRY = Duration.ofSeconds(1);

  private WalAppender() {}

  /**
   * The fingerprint a client's retry of this request will have: its {@code Idempotency-Key} when
   * given, otherwise its payload.
   */
  public static String fingerprint(String tenant, String signal, String idempotencyKey, byte[] payload) {
    return idempotencyKey != null && !idempotencyKey.isBlank()
        ? RequestFingerprint.ofKey(tenant, signal, idempotencyKey)
        : RequestFingerprint.ofPayload(tenant, signal, payload);
  }

  /**
   * Appends {@code batch} (taking ownership: an empty batch is closed and completes at once).
   * The future completes once the rows are durable, counted under {@code signal}.
   */
  public static CompletableFuture<Void> append(
      WalWriter wal, String tenant, String signal, VectorSchemaRoot batch, String fingerprint,
      ServerMetrics metrics) {
    int rows = batch.getRowCount();
    if (rows == 0) {
      batch.close();
      return CompletableFuture.completedFuture(null);
    }
    return wal.append(tenant, batch, fingerprint)
        .handle(
            (segment, error) -> {
              if (error == null) {
                metrics.ingestedRecords.labelValues(signal).inc(rows);
                return null;
              }
              Throwable cause = error instanceof CompletionException ? error.getCause() : error;
              if (cause instanceof WalOverloadedException overloaded) {
                metrics.overloadedRequests.labelValues(signal).inc();
                throw new IngestException(
                    IngestException.Kind.OVERLOADED,
                    "the server is overloaded, retry later: " + overloaded.getMessage(),
                    RETRY);
              }
              LOG.warn("{} not stored tenant={} rows={}", signal, tenant, rows, cause);
              throw new IngestException(
                  IngestException.Kind.UNAVAILABLE,
                  "the records could not be stored; retry later",
                  RETRY);
            });
  }

  public static long now() {
    Instant t = Instant.now();
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}

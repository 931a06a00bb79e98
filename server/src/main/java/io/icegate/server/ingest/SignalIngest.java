package io.icegate.server.ingest;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Stores one decoded OTLP export request of one signal (logs, traces or metrics) for a tenant.
 * Every transport (OTLP/HTTP, OTLP/gRPC) calls the same implementation, so limits, backpressure
 * and durability behave identically whatever the client speaks; wiring a new signal into both
 * transports is handing them one more of these.
 *
 * @param <R> the signal's export request message
 */
@FunctionalInterface
public interface SignalIngest<R> {
  /**
   * Validates, limits and stores {@code request}. The future completes once the accepted records
   * are durable and visible to queries, with what was rejected; it fails with {@link
   * IngestException} if the whole request was refused.
   *
   * @param idempotencyKey the client's {@code Idempotency-Key}, or null to recognise retries by
   *     their content
   */
  CompletableFuture<Outcome> export(String tenant, R request, String idempotencyKey);

  /**
   * As {@link #export(String, Object, String)}, given also the request's protobuf bytes as they
   * arrived (null when it came as JSON), from which the retry fingerprint can be taken instead of
   * encoding the decoded request again.
   */
  default CompletableFuture<Outcome> export(
      String tenant, R request, String idempotencyKey, byte[] protobuf) {
    return export(tenant, request, idempotencyKey);
  }

  /**
   * Stores a request that came as protobuf bytes, decoding it with {@code decoder} unless the
   * implementation reads the bytes its own way to the same result. Either way a body that does not
   * decode fails with the decoder's {@link io.icegate.protocol.ProtocolException}, thrown before
   * anything is stored or counted.
   */
  default CompletableFuture<Outcome> exportProtobuf(
      String tenant, byte[] protobuf, Function<byte[], R> decoder, String idempotencyKey) {
    return export(tenant, decoder.apply(protobuf), idempotencyKey, protobuf);
  }

  /** What happened to a stored request: how many records were rejected, and why (or null). */
  record Outcome(long rejected, String message) {
    public static final Outcome ALL_ACCEPTED = new Outcome(0, null);
  }
}

package io.icegate.server.ingest;

import io.icegate.server.ServerMetrics;
import io.icegate.storage.ingest.BatchResult;
import io.icegate.storage.ingest.SpansBatchBuilder;
import io.icegate.storage.wal.WalWriter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.util.concurrent.CompletableFuture;
import org.apache.arrow.memory.BufferAllocator;

/**
 * OTLP traces into the {@code spans} table, for both OTLP transports: the tenant's rate limit,
 * the spans batch (invalid spans rejected with their reason, reported as partial success) and
 * the WAL's group commit, whose completion is the acknowledgement.
 */
public final class TracesIngest implements SignalIngest<ExportTraceServiceRequest> {
  private final WalWriter wal;
  private final BufferAllocator allocator;
  private final TenantLimiter limiter;
  private final ServerMetrics metrics;
  private final IngestGate gate;

  public TracesIngest(
      WalWriter wal, BufferAllocator allocator, TenantLimiter limiter, ServerMetrics metrics) {
    this(wal, allocator, limiter, metrics, IngestGate.OPEN);
  }

  /** As above; {@code gate} refuses every request while storage is known down. */
  public TracesIngest(
      WalWriter wal, BufferAllocator allocator, TenantLimiter limiter, ServerMetrics metrics,
      IngestGate gate) {
    this.gate = gate;
    this.wal = wal;
    this.allocator = allocator;
    this.limiter = limiter;
    this.metrics = metrics;
  }

  @Override
  public CompletableFuture<Outcome> export(
      String tenant, ExportTraceServiceRequest request, String idempotencyKey) {
    return export(tenant, request, idempotencyKey, null);
  }

  @Override
  public CompletableFuture<Outcome> export(
      String tenant, ExportTraceServiceRequest request, String idempotencyKey, byte[] protobuf) {
    gate.check();
    limiter.acquire(tenant, protobuf != null ? protobuf.length : request.getSerializedSize());
    BatchResult built = SpansBatchBuilder.build(request, tenant, WalAppender.now(), allocator);
    Outcome outcome = MetricsIngest.outcome(built, "traces", metrics);
    String fingerprint =
        WalAppender.fingerprint(
            tenant, "traces", idempotencyKey, protobuf != null ? protobuf : request.toByteArray());
    return WalAppender.append(wal, tenant, "traces", built.batch(), fingerprint, metrics)
        .thenApply(done -> outcome);
  }
}

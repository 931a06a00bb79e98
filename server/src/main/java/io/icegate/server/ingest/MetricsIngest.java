package io.icegate.server.ingest;

import io.icegate.server.ServerMetrics;
import io.icegate.storage.ingest.BatchResult;
import io.icegate.storage.ingest.MetricsBatchBuilder;
import io.icegate.storage.wal.WalWriter;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import java.util.concurrent.CompletableFuture;
import org.apache.arrow.memory.BufferAllocator;

/**
 * OTLP metrics into the {@code metrics} table, for both OTLP transports: one row per data point
 * of every type, invalid points rejected with their reason (partial success), then the WAL.
 */
public final class MetricsIngest implements SignalIngest<ExportMetricsServiceRequest> {
  private final WalWriter wal;
  private final BufferAllocator allocator;
  private final TenantLimiter limiter;
  private final ServerMetrics metrics;
  private final IngestGate gate;

  public MetricsIngest(
      WalWriter wal, BufferAllocator allocator, TenantLimiter limiter, ServerMetrics metrics) {
    this(wal, allocator, limiter, metrics, IngestGate.OPEN);
  }

  /** As above; {@code gate} refuses every request while storage is known down. */
  public MetricsIngest(
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
      String tenant, ExportMetricsServiceRequest request, String idempotencyKey) {
    return export(tenant, request, idempotencyKey, null);
  }

  @Override
  public CompletableFuture<Outcome> export(
      String tenant, ExportMetricsServiceRequest request, String idempotencyKey, byte[] protobuf) {
    gate.check();
    limiter.acquire(tenant, protobuf != null ? protobuf.length : request.getSerializedSize());
    BatchResult built = MetricsBatchBuilder.build(request, tenant, WalAppender.now(), allocator);
    Outcome outcome = outcome(built, "metrics", metrics);
    String fingerprint =
        WalAppender.fingerprint(
            tenant, "metrics", idempotencyKey, protobuf != null ? protobuf : request.toByteArray());
    return WalAppender.append(wal, tenant, "metrics", built.batch(), fingerprint, metrics)
        .thenApply(done -> outcome);
  }

  /** What a build rejected, as the partial-success outcome, counted under {@code signal}. */
  static Outcome outcome(BatchResult built, String signal, ServerMetrics metrics) {
    if (built.rejected() == 0) {
      return Outcome.ALL_ACCEPTED;
    }
    metrics.rejectedRecords.labelValues(signal).inc(built.rejected());
    return new Outcome(built.rejected(), built.rejectionMessage());
  }
}

package io.icegate.server.ingest;

import io.icegate.protocol.loki.LokiOtlpLabels;
import io.icegate.server.ServerMetrics;
import io.icegate.server.config.Limits;
import io.icegate.storage.ingest.BatchResult;
import io.icegate.storage.ingest.EventsBatchBuilder;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.ingest.LogsProtobufBatchBuilder;
import io.icegate.storage.wal.WalWriter;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.time.Instant;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The logs ingest path both OTLP transports share: the tenant's rate limit, its per-record limits
 * (records over them rejected as partial success), the Arrow batch, and the WAL's group commit,
 * whose completion is the acknowledgement.
 */
public final class LogsIngest implements SignalIngest<ExportLogsServiceRequest> {

  private final WalWriter wal;
  private final WalWriter eventsWal;
  private final BufferAllocator allocator;
  private final TenantLimiter limiter;
  private final ServerMetrics metrics;
  private final IngestGate gate;

  public LogsIngest(
      WalWriter wal, BufferAllocator allocator, TenantLimiter limiter, ServerMetrics metrics) {
    this(wal, null, allocator, limiter, metrics);
  }

  /** With {@code eventsWal}, records that carry an event name are stored in `events` too. */
  public LogsIngest(
      WalWriter wal, WalWriter eventsWal, BufferAllocator allocator, TenantLimiter limiter,
      ServerMetrics metrics) {
    this(wal, eventsWal, allocator, limiter, metrics, IngestGate.OPEN);
  }

  /** As above; {@code gate} refuses every request while storage is known down. */
  public LogsIngest(
      WalWriter wal, WalWriter eventsWal, BufferAllocator allocator, TenantLimiter limiter,
      ServerMetrics metrics, IngestGate gate) {
    this.gate = gate;
    this.wal = wal;
    this.eventsWal = eventsWal;
    this.allocator = allocator;
    this.limiter = limiter;
    this.metrics = metrics;
  }

  @Override
  public CompletableFuture<Outcome> export(
      String tenant, ExportLogsServiceRequest request, String idempotencyKey) {
    return export(tenant, request, idempotencyKey, null);
  }

  @Override
  public CompletableFuture<Outcome> export(
      String tenant, ExportLogsServiceRequest request, String idempotencyKey, byte[] protobuf) {
    gate.check();
    Limits limits = limiter.limits(tenant);
    // The request's protobuf size: the body's, when it came as protobuf (computing it from the
    // decoded request walks every string again).
    limiter.acquire(tenant, protobuf != null ? protobuf.length : request.getSerializedSize());
    Filtered filtered = applyRecordLimits(request, limits);
    LogsBatchBuilder.Result built =
        LogsBatchBuilder.build(filtered.request(), tenant, now(), allocator);
    int rows = built.batch().getRowCount();
    long rejected = filtered.rejected() + built.rejected();
    String message =
        filtered.message() != null ? filtered.message() : built.rejectionMessage();
    if (rejected > 0) {
      metrics.rejectedRecords.labelValues("logs").inc(rejected);
    }
    Outcome outcome = rejected > 0 ? new Outcome(rejected, message) : Outcome.ALL_ACCEPTED;
    if (rows == 0) {
      built.batch().close();
      return CompletableFuture.completedFuture(outcome);
    }
    // A client's retry (same payload, or same Idempotency-Key) is acknowledged and stored once,
    // in each table: records with an event name go to `events` as well, under their own claim.
    // The bytes as received when they were protobuf: encoding the request again cost as much as
    // decoding it.
    byte[] payload = protobuf != null ? protobuf : request.toByteArray();
    CompletableFuture<Void> logs =
        WalAppender.append(
            wal, tenant, "logs", built.batch(),
            WalAppender.fingerprint(tenant, "logs", idempotencyKey, payload), metrics);
    if (eventsWal == null || !built.anyEvent()) {
      return logs.thenApply(done -> outcome);
    }
    BatchResult events =
        EventsBatchBuilder.build(filtered.request(), tenant, now(), allocator);
    CompletableFuture<Void> stored =
        WalAppender.append(
            eventsWal, tenant, "events", events.batch(),
            WalAppender.fingerprint(tenant, "events", idempotencyKey, payload), metrics);
    return CompletableFuture.allOf(logs, stored).thenApply(done -> outcome);
  }

  /**
   * The OTLP/HTTP and gRPC protobuf path: the batch is written straight from the bytes ({@link
   * LogsProtobufBatchBuilder}), the same batch and rejections as {@link #export} would give, unless
   * the builder leaves the request to the decoder (malformed, or a shape it does not read), or
   * some record may be an event to store in `events` too; then the request takes that path.
   */
  @Override
  public CompletableFuture<Outcome> exportProtobuf(
      String tenant, byte[] protobuf, Function<byte[], ExportLogsServiceRequest> decoder,
      String idempotencyKey) {
    gate.check();
    Limits limits = limiter.limits(tenant);
    LogsProtobufBatchBuilder.Result built =
        LogsProtobufBatchBuilder.build(protobuf, tenant, now(), recordLimits(limits), allocator);
    if (built == null || (eventsWal != null && built.mayHaveEvents())) {
      if (built != null) {
        built.batch().close();
      }
      return export(tenant, decoder.apply(protobuf), idempotencyKey, protobuf);
    }
    try {
      limiter.acquire(tenant, protobuf.length);
    } catch (RuntimeException e) {
      built.batch().close();
      throw e;
    }
    long rejected = built.overLimits() + built.invalid();
    String message =
        built.overLimitsMessage() != null ? built.overLimitsMessage() : built.invalidMessage();
    if (rejected > 0) {
      metrics.rejectedRecords.labelValues("logs").inc(rejected);
    }
    Outcome outcome = rejected > 0 ? new Outcome(rejected, message) : Outcome.ALL_ACCEPTED;
    if (built.batch().getRowCount() == 0) {
      built.batch().close();
      return CompletableFuture.completedFuture(outcome);
    }
    return WalAppender.append(
            wal, tenant, "logs", built.batch(),
            WalAppender.fingerprint(tenant, "logs", idempotencyKey, protobuf), metrics)
        .thenApply(done -> outcome);
  }

  /** The tenant's per-record limits, worded as {@link #applyRecordLimits} words them. */
  static LogsProtobufBatchBuilder.RecordLimits recordLimits(Limits limits) {
    return new LogsProtobufBatchBuilder.RecordLimits() {
      @Override
      public int maxAttributesPerRecord() {
        return limits.maxAttributesPerRecord();
      }

      @Override
      public String labelProblem(SortedMap<String, String> streamLabels) {
        return LogsIngest.labelProblem(streamLabels, limits);
      }

      @Override
      public String attributesProblem(int attributes) {
        return LogsIngest.attributesProblem(attributes, limits);
      }
    };
  }

  /** The request without the records over the tenant's limits, and how many those were. */
  record Filtered(ExportLogsServiceRequest request, long rejected, String message) {}

  static Filtered applyRecordLimits(ExportLogsServiceRequest request, Limits limits) {
    // First pass only looks: almost every request is within its limits and is kept as it is.
    if (firstBreach(request, limits) == null) {
      return new Filtered(request, 0, null);
    }
    ExportLogsServiceRequest.Builder kept = ExportLogsServiceRequest.newBuilder();
    long rejected = 0;
    String first = null;
    for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
      String labelProblem = labelBreach(resourceLogs, limits);
      if (labelProblem != null) {
        rejected += count(resourceLogs);
        first = first == null ? labelProblem : first;
        continue;
      }
      ResourceLogs.Builder resource = resourceLogs.toBuilder().clearScopeLogs();
      for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
        ScopeLogs.Builder scope = scopeLogs.toBuilder().clearLogRecords();
        for (LogRecord record : scopeLogs.getLogRecordsList()) {
          String problem = recordBreach(record, limits);
          if (problem != null) {
            rejected++;
            first = first == null ? problem : first;
          } else {
            scope.addLogRecords(record);
          }
        }
        resource.addScopeLogs(scope);
      }
      kept.addResourceLogs(resource);
    }
    return new Filtered(kept.build(), rejected, first);
  }

  private static String firstBreach(ExportLogsServiceRequest request, Limits limits) {
    for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
      String problem = labelBreach(resourceLogs, limits);
      if (problem != null) {
        return problem;
      }
      for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
        for (LogRecord record : scopeLogs.getLogRecordsList()) {
          problem = recordBreach(record, limits);
          if (problem != null) {
            return problem;
          }
        }
      }
    }
    return null;
  }

  /** The stream labels Loki's mapping derives from the resource, checked as Loki checks labels. */
  private static String labelBreach(ResourceLogs resourceLogs, Limits limits) {
    return labelProblem(
        LokiOtlpLabels.streamLabels(resourceLogs.getResource().getAttributesList()), limits);
  }

  private static String labelProblem(SortedMap<String, String> labels, Limits limits) {
    for (Map.Entry<String, String> label : labels.entrySet()) {
      String name = label.getKey();
      if (name.length() > limits.maxLabelNameLength()) {
        return "label name too long (limit max_label_name_length="
            + limits.maxLabelNameLength() + "): '" + abbreviate(name) + "' has "
            + name.length() + " characters";
      }
      String value = label.getValue();
      if (value.length() > limits.maxLabelValueLength()) {
        return "label value too long (limit max_label_value_length="
            + limits.maxLabelValueLength() + "): label '" + abbreviate(name) + "' has a value of "
            + value.length() + " characters";
      }
    }
    return null;
  }

  private static String recordBreach(LogRecord record, Limits limits) {
    int attributes = record.getAttributesCount();
    return attributes > limits.maxAttributesPerRecord()
        ? attributesProblem(attributes, limits)
        : null;
  }

  private static String attributesProblem(int attributes, Limits limits) {
    return "too many attributes on a log record (limit max_attributes_per_record="
        + limits.maxAttributesPerRecord() + "): the record has " + attributes;
  }

  private static long count(ResourceLogs resourceLogs) {
    long n = 0;
    for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
      n += scopeLogs.getLogRecordsCount();
    }
    return n;
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }

  private static long now() {
    Instant t = Instant.now();
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}

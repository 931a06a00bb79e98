package io.icegate.server.ingest;

import io.icegate.protocol.loki.LokiOtlpLabels;
import io.icegate.server.ServerMetrics;
import io.icegate.server.config.Limits;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.wal.RequestFingerprint;
import io.icegate.storage.wal.WalOverloadedException;
import io.icegate.storage.wal.WalWriter;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logs ingest path both OTLP transports share: the tenant's rate limit, its per-record limits
 * (records over them rejected as partial success), the Arrow batch, and the WAL's group commit,
 * whose completion is the acknowledgement.
 */
public final class LogsIngest implements SignalIngest<ExportLogsServiceRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(LogsIngest.class);
  private static final Duration OVERLOAD_RETRY = Duration.ofSeconds(1);

  private final WalWriter wal;
  private final BufferAllocator allocator;
  private final TenantLimiter limiter;
  private final ServerMetrics metrics;

  public LogsIngest(
      WalWriter wal, BufferAllocator allocator, TenantLimiter limiter, ServerMetrics metrics) {
    this.wal = wal;
    this.allocator = allocator;
    this.limiter = limiter;
    this.metrics = metrics;
  }

  @Override
  public CompletableFuture<Outcome> export(
      String tenant, ExportLogsServiceRequest request, String idempotencyKey) {
    Limits limits = limiter.limits(tenant);
    limiter.acquire(tenant, request.getSerializedSize());
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
    // A client's retry (same payload, or same Idempotency-Key) is acknowledged and stored once.
    String fingerprint =
        idempotencyKey != null && !idempotencyKey.isBlank()
            ? RequestFingerprint.ofKey(tenant, "logs", idempotencyKey)
            : RequestFingerprint.ofPayload(tenant, "logs", request.toByteArray());
    return wal.append(tenant, built.batch(), fingerprint)
        .handle(
            (segment, error) -> {
              if (error == null) {
                metrics.ingestedRecords.labelValues("logs").inc(rows);
                return outcome;
              }
              Throwable cause = error instanceof CompletionException ? error.getCause() : error;
              if (cause instanceof WalOverloadedException overloaded) {
                metrics.overloadedRequests.labelValues("logs").inc();
                throw new IngestException(
                    IngestException.Kind.OVERLOADED,
                    "the server is overloaded, retry later: " + overloaded.getMessage(),
                    OVERLOAD_RETRY);
              }
              LOG.warn("logs not stored tenant={} rows={}", tenant, rows, cause);
              throw new IngestException(
                  IngestException.Kind.UNAVAILABLE,
                  "the records could not be stored; retry later",
                  OVERLOAD_RETRY);
            });
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
    SortedMap<String, String> labels =
        LokiOtlpLabels.streamLabels(resourceLogs.getResource().getAttributesList());
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
    if (attributes > limits.maxAttributesPerRecord()) {
      return "too many attributes on a log record (limit max_attributes_per_record="
          + limits.maxAttributesPerRecord() + "): the record has " + attributes;
    }
    return null;
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

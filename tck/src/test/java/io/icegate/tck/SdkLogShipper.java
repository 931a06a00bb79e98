package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.logs.LogRecordBuilder;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.resources.Resource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends log records the way an instrumented application does: the OpenTelemetry Java SDK's logger
 * provider, a batch processor and the OTLP/HTTP exporter (JDK HTTP sender), then a force flush.
 * Returns only once the server acknowledged every record.
 */
final class SdkLogShipper {
  /**
   * One record to emit.
   *
   * @param attributes the record's attributes (string values)
   * @param span the span context the record is emitted in (its trace and span ids and flags), or
   *     null for none
   * @param eventName the record's event name, or null for none
   */
  record Emit(
      long timeNanos,
      Severity severity,
      String line,
      Map<String, String> attributes,
      SpanContext span,
      String eventName) {
    Emit(long timeNanos, Severity severity, String line) {
      this(timeNanos, severity, line, Map.of(), null, null);
    }
  }

  /** The instrumentation scope of the records. */
  static final String SCOPE_NAME = "io.icegate.tck";

  private SdkLogShipper() {}

  /**
   * Emits {@code records} with {@code resource} to {@code http://127.0.0.1:port/v1/logs}.
   *
   * @param tenant the {@code X-Scope-OrgID} header, or null to send none
   * @param compression the exporter's compression option, {@code "none"} or {@code "gzip"}
   */
  static void ship(
      int port, String tenant, String compression, Resource resource, List<Emit> records) {
    OtlpHttpLogRecordExporterBuilder builder =
        OtlpHttpLogRecordExporter.builder()
            .setEndpoint("http://127.0.0.1:" + port + "/v1/logs")
            .setCompression(compression)
            .setTimeout(Duration.ofSeconds(30));
    if (tenant != null) {
      builder.addHeader("X-Scope-OrgID", tenant);
    }
    AckRecordingExporter exporter = new AckRecordingExporter(builder.build());
    SdkLoggerProvider provider =
        SdkLoggerProvider.builder()
            .setResource(resource)
            .addLogRecordProcessor(BatchLogRecordProcessor.builder(exporter).build())
            .build();
    try {
      Logger logger = provider.get(SCOPE_NAME);
      for (Emit record : records) {
        LogRecordBuilder log =
            logger
                .logRecordBuilder()
                .setTimestamp(record.timeNanos(), TimeUnit.NANOSECONDS)
                .setSeverity(record.severity())
                .setSeverityText(record.severity().name())
                .setBody(record.line());
        record.attributes().forEach(log::setAttribute);
        if (record.span() != null) {
          log.setContext(Context.root().with(Span.wrap(record.span())));
        }
        if (record.eventName() != null) {
          log.setEventName(record.eventName());
        }
        log.emit();
      }
      CompletableResultCode flushed = provider.forceFlush().join(60, TimeUnit.SECONDS);
      assertThat(flushed.isSuccess()).as("force flush of the logger provider").isTrue();
      exporter.assertEveryExportAcknowledged(records.size());
    } finally {
      provider.shutdown().join(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Passes every batch to the real exporter and keeps its result: the SDK's processors only log a
   * failed export, so a force flush alone does not tell whether the server said 200.
   */
  private static final class AckRecordingExporter implements LogRecordExporter {
    private final LogRecordExporter delegate;
    private final List<CompletableResultCode> results =
        Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger exported = new AtomicInteger();

    AckRecordingExporter(LogRecordExporter delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletableResultCode export(Collection<LogRecordData> logs) {
      CompletableResultCode result = delegate.export(logs);
      results.add(result);
      exported.addAndGet(logs.size());
      return result;
    }

    @Override
    public CompletableResultCode flush() {
      return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
      return delegate.shutdown();
    }

    void assertEveryExportAcknowledged(int expectedRecords) {
      assertThat(exported.get()).as("records handed to the exporter").isEqualTo(expectedRecords);
      synchronized (results) {
        for (CompletableResultCode result : results) {
          result.join(60, TimeUnit.SECONDS);
          assertThat(result.isSuccess())
              .as("OTLP export acknowledged (failure: %s)", result.getFailureThrowable())
              .isTrue();
        }
      }
    }
  }
}

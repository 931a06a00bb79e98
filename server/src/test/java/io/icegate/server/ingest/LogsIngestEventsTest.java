package io.icegate.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.otlp.OtlpLogsDecoder;
import io.icegate.server.ServerMetrics;
import io.icegate.server.config.Limits;
import io.icegate.storage.Lake;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logs ingest over a real local lake: a request whose records carry an event name (the field, or
 * the {@code event.name} attribute) is stored in the {@code events} WAL as well as in
 * {@code logs}; one without stores nothing there. The body's protobuf bytes, when given, are
 * what the retry fingerprint is taken from: the same bytes again are acknowledged, not stored
 * twice.
 */
class LogsIngestEventsTest {
  @TempDir Path dir;

  @Test
  void recordsWithAnEventNameAlsoGoToTheEventsWal() throws Exception {
    try (RootAllocator allocator = new RootAllocator();
        Lake lake = Lake.openLocal(dir, Duration.ofMillis(1))) {
      LogsIngest ingest =
          new LogsIngest(lake.logsWal(), lake.eventsWal(), allocator,
              new TenantLimiter(t -> Limits.DEFAULT), new ServerMetrics());

      ExportLogsServiceRequest plain = request(record("plain line", null, null));
      ingest.export("t", plain, null, plain.toByteArray()).get(30, TimeUnit.SECONDS);
      assertThat(segments("logs")).hasSize(1);
      assertThat(segments("events")).isEmpty();

      ExportLogsServiceRequest byField = request(record("clicked", "ui.click", null));
      ingest.export("t", byField, null, byField.toByteArray()).get(30, TimeUnit.SECONDS);
      assertThat(segments("events")).hasSize(1);

      ExportLogsServiceRequest byAttribute = request(record("paid", null, "payment.done"));
      ingest.export("t", byAttribute, null, null).get(30, TimeUnit.SECONDS);
      assertThat(segments("logs")).hasSize(3);
      assertThat(segments("events")).hasSize(2);

      // A retry of the same bytes: acknowledged again, stored once.
      ingest.export("t", byField, null, byField.toByteArray()).get(30, TimeUnit.SECONDS);
      assertThat(segments("logs")).hasSize(3);
      assertThat(segments("events")).hasSize(2);
    }
  }

  @Test
  void theProtobufPathStoresEventsAndRetriesOnceAndRefusesMalformedBytes() throws Exception {
    try (RootAllocator allocator = new RootAllocator();
        Lake lake = Lake.openLocal(dir, Duration.ofMillis(1))) {
      LogsIngest ingest =
          new LogsIngest(lake.logsWal(), lake.eventsWal(), allocator,
              new TenantLimiter(t -> Limits.DEFAULT), new ServerMetrics());

      byte[] plain = request(record("plain line", null, null)).toByteArray();
      ingest.exportProtobuf("t", plain, OtlpLogsDecoder::decodeProtobuf, null)
          .get(30, TimeUnit.SECONDS);
      assertThat(segments("logs")).hasSize(1);
      assertThat(segments("events")).isEmpty();

      byte[] byAttribute = request(record("paid", null, "payment.done")).toByteArray();
      ingest.exportProtobuf("t", byAttribute, OtlpLogsDecoder::decodeProtobuf, null)
          .get(30, TimeUnit.SECONDS);
      assertThat(segments("logs")).hasSize(2);
      assertThat(segments("events")).hasSize(1);

      // A retry of the same bytes, read straight from the wire: acknowledged again, stored once.
      ingest.exportProtobuf("t", plain, OtlpLogsDecoder::decodeProtobuf, null)
          .get(30, TimeUnit.SECONDS);
      assertThat(segments("logs")).hasSize(2);

      byte[] truncated = java.util.Arrays.copyOf(plain, plain.length - 3);
      assertThatThrownBy(
              () -> ingest.exportProtobuf("t", truncated, OtlpLogsDecoder::decodeProtobuf, null))
          .isInstanceOf(ProtocolException.class)
          .hasMessageStartingWith("invalid OTLP protobuf: ");
      assertThat(segments("logs")).hasSize(2);
    }
  }

  private List<Path> segments(String table) throws Exception {
    Path wal = dir.resolve("wal").resolve(table).resolve("t");
    if (!Files.isDirectory(wal)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(wal)) {
      return files.filter(p -> p.getFileName().toString().matches("\\d+\\.parquet")).toList();
    }
  }

  private static ExportLogsServiceRequest request(LogRecord record) {
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(attr("service.name", "shop")))
            .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(record)))
        .build();
  }

  private static LogRecord record(String body, String eventName, String eventAttribute) {
    LogRecord.Builder r = LogRecord.newBuilder()
        .setTimeUnixNano(1_700_000_000_000_000_000L)
        .setBody(AnyValue.newBuilder().setStringValue(body));
    if (eventName != null) {
      r.setEventName(eventName);
    }
    if (eventAttribute != null) {
      r.addAttributes(attr("event.name", eventAttribute));
    }
    return r.build();
  }

  private static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}

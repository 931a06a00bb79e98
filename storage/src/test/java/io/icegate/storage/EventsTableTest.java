package io.icegate.storage;

import static io.icegate.storage.OtlpLogs.attr;
import static io.icegate.storage.OtlpLogs.line;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.icegate.protocol.otlp.OtlpLogsDecoder;
import io.icegate.storage.ingest.BatchResult;
import io.icegate.storage.ingest.EventsBatchBuilder;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.table.EventsTable;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.wal.RequestFingerprint;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventsTableTest {
  private static final long T0 = 1_700_000_000_123_456_789L;
  private static final String TRACE = "5b8efff798038103d269b633813fc60c";
  private static final String SPAN = "eee19b7ec3c1b174";

  @TempDir Path dir;
  private BufferAllocator allocator;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    assertThat(allocator.getAllocatedMemory()).as("leaked Arrow memory").isZero();
    allocator.close();
  }

  @Test
  void recordsWithAnEventNameGoToEventsAndLogsOnceEvenWhenRetried() throws Exception {
    ExportLogsServiceRequest sent = request();
    byte[] wire = sent.toByteArray();
    ExportLogsServiceRequest request = OtlpLogsDecoder.decodeProtobuf(wire);
    String fingerprint = RequestFingerprint.ofPayload("fake", "logs", wire);
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), ScannedRows.NOW, Duration.ofHours(1))) {
      for (int attempt = 0; attempt < 2; attempt++) {
        BatchResult events = EventsBatchBuilder.build(request, "fake", T0 + 9, allocator);
        assertThat(events.rejected()).isZero();
        var logs = LogsBatchBuilder.build(request, "fake", T0 + 9, allocator);
        assertThat(logs.rejected()).as("the logs builder reports the bad record").isEqualTo(1);
        lake.logsWal().append("fake", logs.batch(), fingerprint).get();
        lake.eventsWal().append("fake", events.batch(), fingerprint).get();
      }

      assertThat(ScannedRows.scan(lake, allocator, LogsTable.NAME, "fake"))
          .as("every valid record is a log line, stored once")
          .hasSize(3);
      assertEvents(ScannedRows.scan(lake, allocator, EventsTable.NAME, "fake"));
    }
    // Compaction needs segments older than the dedupe window: reopen with none.
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), ScannedRows.NOW, Duration.ZERO)) {
      assertThat(lake.compact(EventsTable.NAME).rows()).isEqualTo(2);
      List<Map<String, Object>> compacted =
          ScannedRows.scan(lake, allocator, EventsTable.NAME, "fake");
      assertEvents(compacted);
      assertThat(compacted)
          .as("sorted by service, event name, then newest first")
          .extracting(r -> r.get(EventsTable.EVENT_NAME))
          .containsExactly("browser.click", "legacy.event");
    }
  }

  private static void assertEvents(List<Map<String, Object>> rows) {
    assertThat(rows).hasSize(2);
    Map<String, Object> click =
        rows.stream().filter(r -> "browser.click".equals(r.get(EventsTable.EVENT_NAME)))
            .findFirst().orElseThrow();
    assertThat(click)
        .containsEntry(EventsTable.TENANT_ID, "fake")
        .containsEntry(EventsTable.SERVICE_NAME, "web")
        .containsEntry(EventsTable.TIMESTAMP, T0)
        .containsEntry(EventsTable.OBSERVED_TIMESTAMP, T0 + 3)
        .containsEntry(EventsTable.INGESTED_TIMESTAMP, T0 + 9)
        .containsEntry(EventsTable.EVENT_DOMAIN, "browser")
        .containsEntry(EventsTable.TRACE_ID, TRACE)
        .containsEntry(EventsTable.SPAN_ID, SPAN)
        .containsEntry(EventsTable.SEVERITY_NUMBER, 9)
        .containsEntry(EventsTable.SEVERITY_TEXT, "INFO")
        .containsEntry(EventsTable.BODY, "{\"x\":12,\"y\":\"top\"}")
        .containsEntry(EventsTable.FLAGS, 1)
        .containsEntry(EventsTable.DROPPED_ATTRIBUTES_COUNT, 2)
        .containsEntry(EventsTable.SCOPE_NAME, "rum")
        .containsEntry(EventsTable.SCOPE_VERSION, "0.3")
        .containsEntry(EventsTable.RESOURCE_ATTRIBUTES, Map.of("service.name", "web"))
        .containsEntry(EventsTable.SCOPE_ATTRIBUTES, Map.of("lib", "rum"))
        .containsEntry(
            EventsTable.LOG_ATTRIBUTES,
            Map.of("event.domain", "browser", "element", "#buy"));
    Map<String, Object> legacy =
        rows.stream().filter(r -> "legacy.event".equals(r.get(EventsTable.EVENT_NAME)))
            .findFirst().orElseThrow();
    assertThat(legacy)
        .containsEntry(EventsTable.TIMESTAMP, T0 + 1)
        .containsEntry(EventsTable.EVENT_DOMAIN, null)
        .containsEntry(EventsTable.TRACE_ID, null)
        .containsEntry(EventsTable.BODY, "legacy")
        .containsEntry(EventsTable.LOG_ATTRIBUTES, Map.of("event.name", "legacy.event"));
  }

  private static ExportLogsServiceRequest request() {
    LogRecord click =
        LogRecord.newBuilder()
            .setTimeUnixNano(T0)
            .setObservedTimeUnixNano(T0 + 3)
            .setEventName("browser.click")
            .setSeverityNumberValue(9)
            .setSeverityText("INFO")
            .setTraceId(bytes(TRACE))
            .setSpanId(bytes(SPAN))
            .setFlags(1)
            .setDroppedAttributesCount(2)
            .addAttributes(attr("event.domain", "browser"))
            .addAttributes(attr("element", "#buy"))
            .setBody(
                AnyValue.newBuilder()
                    .setKvlistValue(
                        KeyValueList.newBuilder()
                            .addValues(
                                io.opentelemetry.proto.common.v1.KeyValue.newBuilder()
                                    .setKey("x")
                                    .setValue(AnyValue.newBuilder().setIntValue(12)))
                            .addValues(attr("y", "top"))))
            .build();
    LogRecord legacy =
        line(T0 + 1, "legacy").toBuilder().addAttributes(attr("event.name", "legacy.event"))
            .build();
    LogRecord plain = line(T0 + 2, "just a log line");
    LogRecord badEvent =
        click.toBuilder().setTraceId(ByteString.copyFrom(new byte[3])).build();
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(attr("service.name", "web")))
                .addScopeLogs(
                    ScopeLogs.newBuilder()
                        .setScope(
                            InstrumentationScope.newBuilder()
                                .setName("rum")
                                .setVersion("0.3")
                                .addAttributes(attr("lib", "rum")))
                        .addAllLogRecords(List.of(click, legacy, plain, badEvent))))
        .build();
  }

  private static ByteString bytes(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }
}

package io.icegate.storage;

import static io.icegate.storage.OtlpLogs.attr;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.icegate.protocol.otlp.OtlpTracesDecoder;
import io.icegate.storage.ingest.BatchResult;
import io.icegate.storage.ingest.SpansBatchBuilder;
import io.icegate.storage.table.SpansTable;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
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

class SpansTableTest {
  private static final long T0 = 1_700_000_000_123_456_789L;
  private static final String TRACE = "5b8efff798038103d269b633813fc60c";
  private static final String OTHER_TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final String ROOT = "eee19b7ec3c1b174";
  private static final String CHILD = "eee19b7ec3c1b173";
  private static final String LINKED = "00f067aa0ba902b7";

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
  void everySpanFieldSurvivesTheWalAndCompaction() throws Exception {
    ExportTraceServiceRequest request = decoded(request(root(), child()));
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), ScannedRows.NOW, Duration.ZERO)) {
      BatchResult built = SpansBatchBuilder.build(request, "tenant-a", T0 + 999, allocator);
      assertThat(built.rejected()).isZero();
      lake.spansWal().append("tenant-a", built.batch()).get();

      assertSpans(ScannedRows.scan(lake, allocator, SpansTable.NAME, "tenant-a"));
      assertThat(lake.compact(SpansTable.NAME).rows()).isEqualTo(2);
      List<Map<String, Object>> compacted =
          ScannedRows.scan(lake, allocator, SpansTable.NAME, "tenant-a");
      assertSpans(compacted);
      assertThat(compacted)
          .as("compacted files are sorted by trace id, then start time")
          .extracting(r -> r.get(SpansTable.SPAN_ID))
          .containsExactly(ROOT, CHILD);
      assertThat(ScannedRows.scan(lake, allocator, SpansTable.NAME, "other")).isEmpty();
    }
  }

  private static void assertSpans(List<Map<String, Object>> rows) {
    assertThat(rows).hasSize(2);
    Map<String, Object> root = bySpan(rows, ROOT);
    assertThat(root)
        .containsEntry(SpansTable.TENANT_ID, "tenant-a")
        .containsEntry(SpansTable.SERVICE_NAME, "checkout")
        .containsEntry(SpansTable.TRACE_ID, TRACE)
        .containsEntry(SpansTable.PARENT_SPAN_ID, null)
        .containsEntry(SpansTable.TIMESTAMP, T0)
        .containsEntry(SpansTable.END_TIMESTAMP, T0 + 1_500)
        .containsEntry(SpansTable.DURATION_NANOS, 1_500L)
        .containsEntry(SpansTable.INGESTED_TIMESTAMP, T0 + 999)
        .containsEntry(SpansTable.NAME_COLUMN, "GET /cart")
        .containsEntry(SpansTable.KIND, 2)
        .containsEntry(SpansTable.STATUS_CODE, 2)
        .containsEntry(SpansTable.STATUS_MESSAGE, "upstream timed out")
        .containsEntry(SpansTable.TRACE_STATE, "rojo=00f067aa0ba902b7")
        .containsEntry(SpansTable.FLAGS, 0x301)
        .containsEntry(SpansTable.DROPPED_ATTRIBUTES_COUNT, 1)
        .containsEntry(SpansTable.DROPPED_EVENTS_COUNT, 2)
        .containsEntry(SpansTable.DROPPED_LINKS_COUNT, 3)
        .containsEntry(SpansTable.SCOPE_NAME, "io.opentelemetry.netty")
        .containsEntry(SpansTable.SCOPE_VERSION, "2.1.0")
        .containsEntry(
            SpansTable.RESOURCE_ATTRIBUTES,
            Map.of("service.name", "checkout", "host.name", "node-1"))
        .containsEntry(SpansTable.SCOPE_ATTRIBUTES, Map.of("scope.attr", "s"))
        .containsEntry(
            SpansTable.SPAN_ATTRIBUTES,
            Map.of("http.method", "GET", "http.status_code", "504", "peer.host", "db",
                "peer.port", "5432"));
    assertThat(root.get(SpansTable.EVENTS))
        .isEqualTo(
            List.of(
                Map.of(
                    "timestamp", T0 + 100, "name", "exception",
                    "attributes", Map.of("exception.type", "Timeout"),
                    "dropped_attributes_count", 4),
                Map.of(
                    "timestamp", T0 + 200, "name", "retry",
                    "attributes", Map.of(), "dropped_attributes_count", 0)));
    Map<String, Object> link = new java.util.HashMap<>();
    link.put("trace_id", OTHER_TRACE);
    link.put("span_id", LINKED);
    link.put("trace_state", "congo=t61rcWkgMzE");
    link.put("attributes", Map.of("link.kind", "follows"));
    link.put("dropped_attributes_count", 5);
    link.put("flags", 0x101);
    assertThat(root.get(SpansTable.LINKS)).isEqualTo(List.of(link));

    Map<String, Object> child = bySpan(rows, CHILD);
    assertThat(child)
        .containsEntry(SpansTable.PARENT_SPAN_ID, ROOT)
        .containsEntry(SpansTable.TRACE_STATE, null)
        .containsEntry(SpansTable.STATUS_MESSAGE, null)
        .containsEntry(SpansTable.STATUS_CODE, 0)
        .containsEntry(SpansTable.KIND, 3)
        .containsEntry(SpansTable.EVENTS, List.of())
        .containsEntry(SpansTable.LINKS, List.of())
        .containsEntry(SpansTable.SPAN_ATTRIBUTES, Map.of());
  }

  @Test
  void invalidSpansAreRejectedWholeWithTheirReasons() {
    Span shortTrace = child().toBuilder().setTraceId(bytes("0102")).build();
    Span zeroSpan = child().toBuilder().setSpanId(bytes("0000000000000000")).build();
    Span emptyTrace = child().toBuilder().setTraceId(ByteString.EMPTY).build();
    Span badLink =
        child().toBuilder()
            .addLinks(Span.Link.newBuilder().setTraceId(bytes(OTHER_TRACE)).setSpanId(bytes("01")))
            .build();
    Span backwards = child().toBuilder().setEndTimeUnixNano(T0 - 1).build();
    BatchResult built =
        SpansBatchBuilder.build(
            decoded(request(root(), shortTrace, zeroSpan, emptyTrace, badLink, backwards)),
            "fake", T0, allocator);
    try (var batch = built.batch()) {
      assertThat(batch.getRowCount()).isEqualTo(1);
      assertThat(built.rejected()).isEqualTo(5);
      assertThat(built.reasons())
          .containsExactly(
              "span has a trace id of 2 bytes; OTLP requires 16",
              "span has an all-zero span id, which OTLP declares invalid",
              "span has a trace id of 0 bytes; OTLP requires 16",
              "link 0 of a span has a span id of 1 bytes; OTLP requires 8",
              "span ends before it starts");
      assertThat(built.rejectionMessage()).isEqualTo(built.reasons().get(0));
    }
  }

  private static Map<String, Object> bySpan(List<Map<String, Object>> rows, String spanId) {
    return rows.stream().filter(r -> spanId.equals(r.get(SpansTable.SPAN_ID))).findFirst()
        .orElseThrow();
  }

  /** Through the real decoder: the protobuf bytes a client sends. */
  private static ExportTraceServiceRequest decoded(ExportTraceServiceRequest request) {
    return OtlpTracesDecoder.decodeProtobuf(request.toByteArray());
  }

  private static ExportTraceServiceRequest request(Span... spans) {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(attr("service.name", "checkout"))
                        .addAttributes(attr("host.name", "node-1")))
                .addScopeSpans(
                    ScopeSpans.newBuilder()
                        .setScope(
                            InstrumentationScope.newBuilder()
                                .setName("io.opentelemetry.netty")
                                .setVersion("2.1.0")
                                .addAttributes(attr("scope.attr", "s")))
                        .addAllSpans(List.of(spans))))
        .build();
  }

  private static Span root() {
    KeyValue peer =
        KeyValue.newBuilder()
            .setKey("peer")
            .setValue(
                AnyValue.newBuilder()
                    .setKvlistValue(
                        KeyValueList.newBuilder()
                            .addValues(attr("host", "db"))
                            .addValues(
                                KeyValue.newBuilder()
                                    .setKey("port")
                                    .setValue(AnyValue.newBuilder().setIntValue(5432)))))
            .build();
    return Span.newBuilder()
        .setTraceId(bytes(TRACE))
        .setSpanId(bytes(ROOT))
        .setParentSpanId(bytes("0000000000000000"))
        .setTraceState("rojo=00f067aa0ba902b7")
        .setName("GET /cart")
        .setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(T0)
        .setEndTimeUnixNano(T0 + 1_500)
        .setFlags(0x301)
        .addAttributes(attr("http.method", "GET"))
        .addAttributes(
            KeyValue.newBuilder()
                .setKey("http.status_code")
                .setValue(AnyValue.newBuilder().setIntValue(504)))
        .addAttributes(peer)
        .setDroppedAttributesCount(1)
        .addEvents(
            Span.Event.newBuilder()
                .setTimeUnixNano(T0 + 100)
                .setName("exception")
                .addAttributes(attr("exception.type", "Timeout"))
                .setDroppedAttributesCount(4))
        .addEvents(Span.Event.newBuilder().setTimeUnixNano(T0 + 200).setName("retry"))
        .setDroppedEventsCount(2)
        .addLinks(
            Span.Link.newBuilder()
                .setTraceId(bytes(OTHER_TRACE))
                .setSpanId(bytes(LINKED))
                .setTraceState("congo=t61rcWkgMzE")
                .addAttributes(attr("link.kind", "follows"))
                .setDroppedAttributesCount(5)
                .setFlags(0x101))
        .setDroppedLinksCount(3)
        .setStatus(
            Status.newBuilder()
                .setCode(Status.StatusCode.STATUS_CODE_ERROR)
                .setMessage("upstream timed out"))
        .build();
  }

  private static Span child() {
    return Span.newBuilder()
        .setTraceId(bytes(TRACE))
        .setSpanId(bytes(CHILD))
        .setParentSpanId(bytes(ROOT))
        .setName("SELECT cart")
        .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
        .setStartTimeUnixNano(T0 + 10)
        .setEndTimeUnixNano(T0 + 900)
        .build();
  }

  private static ByteString bytes(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }
}

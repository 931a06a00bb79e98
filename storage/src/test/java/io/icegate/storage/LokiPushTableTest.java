package io.icegate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import io.icegate.protocol.loki.LokiPushDecoder;
import io.icegate.protocol.loki.LokiPushRequest;
import io.icegate.storage.ingest.BatchResult;
import io.icegate.storage.ingest.LokiPushBatchBuilder;
import io.icegate.storage.table.LogsTable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/** Loki pushes, JSON and protobuf+snappy, through the real decoder into the logs table. */
class LokiPushTableTest {
  private static final long T0 = 1_700_000_000_123_456_789L;
  private static final String TRACE = "5b8efff798038103d269b633813fc60c";

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
  void pushedStreamsAndStructuredMetadataSurviveTheWalAndCompaction() throws Exception {
    String json =
        "{\"streams\":["
            + "{\"stream\":{\"app\":\"api\",\"env\":\"prod\"},\"values\":["
            + "[\"" + T0 + "\",\"GET /cart 200\",{\"trace_id\":\"" + TRACE
            + "\",\"user.id\":\"42\"}],"
            + "[\"" + (T0 + 1) + "\",\"second line\"]]},"
            + "{\"stream\":{\"service_name\":\"billing\"},\"values\":["
            + "[\"" + (T0 + 2) + "\",\"invoice sent\"]]}]}";
    LokiPushRequest fromJson =
        LokiPushDecoder.DEFAULT.decodeJson(json.getBytes(StandardCharsets.UTF_8));
    LokiPushRequest fromProtobuf = LokiPushDecoder.DEFAULT.decodeProtobuf(protobufPush(), 1 << 20);
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), ScannedRows.NOW, Duration.ZERO)) {
      for (LokiPushRequest push : List.of(fromJson, fromProtobuf)) {
        BatchResult built = LokiPushBatchBuilder.build(push, "fake", T0 + 100, allocator);
        assertThat(built.rejected()).isZero();
        lake.logsWal().append("fake", built.batch()).get();
      }
      assertLines(ScannedRows.scan(lake, allocator, LogsTable.NAME, "fake"));
      assertThat(lake.compact(LogsTable.NAME).rows()).isEqualTo(4);
      assertLines(ScannedRows.scan(lake, allocator, LogsTable.NAME, "fake"));
    }
  }

  private static void assertLines(List<Map<String, Object>> rows) {
    assertThat(rows).hasSize(4);
    assertThat(line(rows, "GET /cart 200"))
        .containsEntry(LogsTable.TENANT_ID, "fake")
        .containsEntry(LogsTable.TIMESTAMP, T0)
        .containsEntry(LogsTable.OBSERVED_TIMESTAMP, T0)
        .containsEntry(LogsTable.INGESTED_TIMESTAMP, T0 + 100)
        .containsEntry(
            LogsTable.STREAM_LABELS, "{app=\"api\", env=\"prod\", service_name=\"api\"}")
        .containsEntry(LogsTable.SERVICE_NAME, "api")
        .containsEntry(LogsTable.TRACE_ID, TRACE)
        .containsEntry(LogsTable.SPAN_ID, null)
        .containsEntry(
            LogsTable.LOG_ATTRIBUTES, Map.of("trace_id", TRACE, "user_id", "42"))
        .containsEntry(
            LogsTable.RESOURCE_ATTRIBUTES,
            Map.of("app", "api", "env", "prod", "service_name", "api"))
        .containsEntry(LogsTable.SCOPE_ATTRIBUTES, Map.of());
    assertThat(line(rows, "second line"))
        .containsEntry(LogsTable.TIMESTAMP, T0 + 1)
        .containsEntry(LogsTable.TRACE_ID, null)
        .containsEntry(LogsTable.LOG_ATTRIBUTES, Map.of());
    assertThat(line(rows, "invoice sent"))
        .containsEntry(LogsTable.STREAM_LABELS, "{service_name=\"billing\"}")
        .containsEntry(LogsTable.SERVICE_NAME, "billing");
    assertThat(line(rows, "from promtail"))
        .containsEntry(LogsTable.TIMESTAMP, 1_700_000_005_000_000_007L)
        .containsEntry(LogsTable.STREAM_LABELS, "{job=\"varlogs\", service_name=\"varlogs\"}")
        .containsEntry(LogsTable.SERVICE_NAME, "varlogs")
        .containsEntry(LogsTable.LOG_ATTRIBUTES, Map.of("pod", "p-1"));
  }

  private static Map<String, Object> line(List<Map<String, Object>> rows, String body) {
    return rows.stream().filter(r -> body.equals(r.get(LogsTable.BODY))).findFirst()
        .orElseThrow();
  }

  /**
   * A {@code logproto.PushRequest}: streams (1) of labels (1) and entries (2), an entry being a
   * {@code google.protobuf.Timestamp} (1), the line (2) and structured metadata pairs (3).
   */
  private static byte[] protobufPush() throws IOException {
    byte[] timestamp = message(w -> {
      w.writeInt64(1, 1_700_000_005L);
      w.writeInt32(2, 7);
    });
    byte[] pair = message(w -> {
      w.writeString(1, "pod");
      w.writeString(2, "p-1");
    });
    byte[] entry = message(w -> {
      w.writeByteArray(1, timestamp);
      w.writeString(2, "from promtail");
      w.writeByteArray(3, pair);
    });
    byte[] stream = message(w -> {
      w.writeString(1, "{job=\"varlogs\"}");
      w.writeByteArray(2, entry);
    });
    return Snappy.compress(message(w -> w.writeByteArray(1, stream)));
  }

  private interface Fields {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] message(Fields fields) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    fields.write(out);
    out.flush();
    return bytes.toByteArray();
  }
}

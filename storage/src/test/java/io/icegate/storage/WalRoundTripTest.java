package io.icegate.storage;

import static io.icegate.storage.OtlpLogs.attr;
import static io.icegate.storage.OtlpLogs.line;
import static io.icegate.storage.OtlpLogs.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.scan.ScanRequest;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.wal.WalSegment;
import io.opentelemetry.proto.logs.v1.LogRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.io.CloseableIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalRoundTripTest {
  private static final long T0 = 1_700_000_000_123_456_789L;

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
  void appendedRowsAreScannableWithNanosecondTimestampsAndAllFields() throws Exception {
    byte[] traceId = new byte[16];
    byte[] spanId = new byte[8];
    traceId[15] = 7;
    spanId[0] = 9;
    LogRecord record =
        OtlpLogs.withIds(line(T0, "hello wal"), traceId, spanId).toBuilder()
            .setSeverityText("WARN")
            .setSeverityNumberValue(13)
            .addAttributes(attr("user", "alice"))
            .build();
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1))) {
      append(lake, "tenant-a", request("checkout", record)).get();

      List<List<Object>> rows =
          scan(lake, "tenant-a", List.of(LogsTable.TIMESTAMP, LogsTable.BODY,
              LogsTable.SEVERITY_TEXT, LogsTable.SEVERITY_NUMBER, LogsTable.TRACE_ID,
              LogsTable.STREAM_LABELS, LogsTable.SERVICE_NAME));
      assertThat(rows).hasSize(1);
      List<Object> row = rows.get(0);
      assertThat(row.get(0)).isEqualTo(T0);
      assertThat(row.get(1)).isEqualTo("hello wal");
      assertThat(row.get(2)).isEqualTo("WARN");
      assertThat(row.get(3)).isEqualTo(13);
      assertThat((byte[]) row.get(4)).isEqualTo(traceId);
      assertThat((String) row.get(5)).contains("service_name=\"checkout\"");
      assertThat(row.get(6)).isEqualTo("checkout");
    }
  }

  @Test
  void concurrentAppendsAllCompleteAndNothingIsLostOrDuplicated() throws Exception {
    int requests = 40;
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(5))) {
      List<CompletableFuture<WalSegment>> acks = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        Thread th =
            new Thread(
                () -> {
                  for (int i = 0; i < requests / 4; i++) {
                    long ts = T0 + thread * 1000L + i;
                    var f = append(lake, "fake", request("svc", line(ts, "t" + thread + "-" + i)));
                    synchronized (acks) {
                      acks.add(f);
                    }
                  }
                });
        threads.add(th);
        th.start();
      }
      for (Thread th : threads) {
        th.join();
      }
      CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get();
      List<List<Object>> rows = scan(lake, "fake", List.of(LogsTable.BODY));
      assertThat(rows).hasSize(requests);
      assertThat(rows.stream().map(r -> r.get(0)).distinct().count()).isEqualTo(requests);
      long segments = acks.stream().map(CompletableFuture::join).distinct().count();
      assertThat(segments).as("group commit shares segments").isLessThanOrEqualTo(requests);
    }
  }

  @Test
  void segmentsWrittenConcurrentlyEnterTheIndexInNumberOrderWithoutGaps() throws Exception {
    // Local segments are written two at a time and numbered when complete: whichever finishes
    // first, the index must hold 1..n in order (compaction commits "everything up to n").
    int threads = 8;
    int perThread = 12;
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1))) {
      List<CompletableFuture<WalSegment>> acks = new ArrayList<>();
      List<Thread> senders = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Thread th =
            new Thread(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    var f = append(lake, "fake",
                        request("svc", line(T0 + thread * 1000L + i, "c" + thread + "-" + i)));
                    synchronized (acks) {
                      acks.add(f);
                    }
                  }
                });
        senders.add(th);
        th.start();
      }
      for (Thread th : senders) {
        th.join();
      }
      CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get();

      List<WalSegment> index = lake.table(LogsTable.NAME).wal().allSegments();
      long acked = acks.stream().map(CompletableFuture::join).distinct().count();
      assertThat(index).hasSize((int) acked);
      for (int i = 0; i < index.size(); i++) {
        WalSegment segment = index.get(i);
        assertThat(segment.sequence()).isEqualTo(i + 1);
        assertThat(Path.of(segment.location()).getFileName().toString())
            .isEqualTo(String.format("%020d.parquet", i + 1));
      }
      assertThat(index.stream().mapToLong(WalSegment::rows).sum()).isEqualTo(threads * perThread);
      assertThat(scan(lake, "fake", List.of(LogsTable.BODY))).hasSize(threads * perThread);
    }
  }

  @Test
  void reopeningRecoversSegmentsAndDropsUnfinishedTemporaryFiles() throws Exception {
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1))) {
      append(lake, "fake", request("svc", line(T0, "durable"))).get();
    }
    Path tenantDir = dir.resolve("wal").resolve("logs").resolve("fake");
    Path leftover = tenantDir.resolve("00000000000000000099.parquet.tmp");
    Files.writeString(leftover, "half a segment from a crash");

    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1))) {
      assertThat(leftover).doesNotExist();
      assertThat(scan(lake, "fake", List.of(LogsTable.BODY)))
          .extracting(r -> r.get(0))
          .containsExactly("durable");
      append(lake, "fake", request("svc", line(T0 + 1, "after restart"))).get();
      assertThat(scan(lake, "fake", List.of(LogsTable.BODY))).hasSize(2);
    }
    try (Stream<Path> files = Files.list(tenantDir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .allMatch(name -> name.endsWith(".parquet"));
    }
  }

  @Test
  void scanPrunesSegmentsOutsideTheTimeRangeAndOtherTenants() throws Exception {
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1))) {
      append(lake, "fake", request("svc", line(T0, "early"))).get();
      append(lake, "fake", request("svc", line(T0 + 10_000_000_000L, "late"))).get();
      append(lake, "other", request("svc", line(T0, "other tenant"))).get();
      var request =
          new ScanRequest(LogsTable.NAME, "fake", T0 + 1, T0 + 20_000_000_000L,
              List.of(LogsTable.BODY));
      assertThat(lake.scanner().plan(request).files()).hasSize(1);
      assertThat(scan(lake, "fake", List.of(LogsTable.BODY))).hasSize(2);
      assertThat(scan(lake, "other", List.of(LogsTable.BODY)))
          .extracting(r -> r.get(0))
          .containsExactly("other tenant");
    }
  }

  @Test
  void recordsWithInvalidIdsAreRejectedOneByOne() {
    LogRecord bad =
        line(T0, "bad").toBuilder()
            .setTraceId(com.google.protobuf.ByteString.copyFrom(new byte[5]))
            .build();
    var result =
        LogsBatchBuilder.build(request("svc", line(T0, "good"), bad), "fake", T0, allocator);
    try (VectorSchemaRoot batch = result.batch()) {
      assertThat(batch.getRowCount()).isEqualTo(1);
      assertThat(result.rejected()).isEqualTo(1);
      assertThat(result.rejectionMessage()).contains("trace id of 5 bytes");
    }
  }

  private CompletableFuture<WalSegment> append(
      Lake lake, String tenant, io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest r) {
    var built = LogsBatchBuilder.build(r, tenant, T0, allocator);
    return lake.logsWal().append(tenant, built.batch());
  }

  private List<List<Object>> scan(Lake lake, String tenant, List<String> columns)
      throws Exception {
    List<List<Object>> rows = new ArrayList<>();
    var request = new ScanRequest(LogsTable.NAME, tenant, Long.MIN_VALUE, Long.MAX_VALUE, columns);
    try (CloseableIterator<VectorSchemaRoot> it = lake.scanner().open(request, allocator)) {
      while (it.hasNext()) {
        try (VectorSchemaRoot batch = it.next()) {
          for (int i = 0; i < batch.getRowCount(); i++) {
            List<Object> row = new ArrayList<>();
            for (String column : columns) {
              var v = batch.getVector(column);
              row.add(value(v, i));
            }
            rows.add(row);
          }
        }
      }
    }
    return rows;
  }

  private static Object value(org.apache.arrow.vector.FieldVector v, int i) {
    if (v.isNull(i)) {
      return null;
    }
    if (v instanceof VarCharVector s) {
      return new String(s.get(i), StandardCharsets.UTF_8);
    }
    if (v instanceof TimeStampVector t) {
      return t.get(i);
    }
    if (v instanceof IntVector n) {
      return n.get(i);
    }
    if (v instanceof FixedSizeBinaryVector b) {
      return b.get(i);
    }
    return v.getObject(i);
  }
}

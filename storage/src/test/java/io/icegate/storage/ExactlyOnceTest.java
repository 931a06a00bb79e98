package io.icegate.storage;

import static io.icegate.storage.OtlpLogs.line;
import static io.icegate.storage.OtlpLogs.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.scan.ScanRequest;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.wal.RequestFingerprint;
import io.icegate.storage.wal.WalSegment;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.io.CloseableIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A client's retry of a request is stored once — also after a crash that lost the ack. */
class ExactlyOnceTest {
  private static final long T0 = 1_700_000_000_000_000_000L;

  @TempDir Path dir;
  private RootAllocator allocator;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  @Test
  void aRetriedRequestIsAcknowledgedAgainAndStoredOnce() throws Exception {
    ExportLogsServiceRequest request = request("svc", line(T0, "once"), line(T0 + 1, "twice?"));
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1))) {
      append(lake, request, null).get();
      append(lake, request, null).get();
      assertThat(rows(lake)).isEqualTo(2);
    }
  }

  @Test
  void concurrentDuplicatesShareOneWrite() throws Exception {
    ExportLogsServiceRequest request = request("svc", line(T0, "racing"));
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(20))) {
      CompletableFuture<WalSegment> first = append(lake, request, null);
      CompletableFuture<WalSegment> second = append(lake, request, null);
      first.get();
      second.get();
      assertThat(rows(lake)).isEqualTo(1);
    }
  }

  @Test
  void theSameIdempotencyKeyIsStoredOnceEvenWithADifferentPayload() throws Exception {
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1))) {
      append(lake, request("svc", line(T0, "a")), "key-1").get();
      append(lake, request("svc", line(T0, "a"), line(T0 + 1, "b")), "key-1").get();
      append(lake, request("svc", line(T0, "c")), "key-2").get();
      assertThat(rows(lake)).isEqualTo(2);
    }
  }

  @Test
  void aRetryAfterACrashThatLostTheAckIsStillRecognised() throws Exception {
    ExportLogsServiceRequest request = request("svc", line(T0, "durable, ack lost"));
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1))) {
      append(lake, request, null).get(); // durable; pretend the ack never reached the client
    }
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1))) {
      append(lake, request, null).get();
      assertThat(rows(lake)).isEqualTo(1);
    }
  }

  @Test
  void outsideTheWindowARequestIsNewAgain() throws Exception {
    ExportLogsServiceRequest request = request("svc", line(T0, "again later"));
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1),
        io.icegate.storage.compaction.Compactor.Policy.DEFAULT, Duration.ZERO)) {
      append(lake, request, null).get();
      append(lake, request, null).get();
      assertThat(rows(lake)).isEqualTo(2);
    }
  }

  private CompletableFuture<WalSegment> append(
      Lake lake, ExportLogsServiceRequest request, String key) {
    String fingerprint =
        key != null
            ? RequestFingerprint.ofKey("fake", "logs", key)
            : RequestFingerprint.ofPayload("fake", "logs", request.toByteArray());
    var built = LogsBatchBuilder.build(request, "fake", T0, allocator);
    return lake.logsWal().append("fake", built.batch(), fingerprint);
  }

  private long rows(Lake lake) throws Exception {
    long rows = 0;
    var scan = new ScanRequest(LogsTable.NAME, "fake", Long.MIN_VALUE, Long.MAX_VALUE,
        List.of(LogsTable.BODY));
    try (CloseableIterator<VectorSchemaRoot> it = lake.scanner().open(scan, allocator)) {
      while (it.hasNext()) {
        try (VectorSchemaRoot batch = it.next()) {
          rows += batch.getRowCount();
        }
      }
    }
    return rows;
  }
}

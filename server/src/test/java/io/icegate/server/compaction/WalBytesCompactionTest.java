package io.icegate.server.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import io.icegate.storage.Lake;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.table.LakeTable;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.wal.WalSegment;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;
import org.apache.arrow.memory.RootAllocator;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compaction_wal_bytes}: a running server (local disk, embedded catalog, its own
 * compaction scheduler every 200 ms) whose {@code compaction_min_age} is an hour compacts a
 * table's WAL once its live segments hold the configured bytes, and leaves it alone below them.
 */
class WalBytesCompactionTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long TRIGGER = 256 * 1024;

  @TempDir Path dir;
  private RootAllocator allocator;
  private final Random random = new Random(42);
  private long nextTs = T0;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  private ServerConfig config(long walBytes) {
    return ServerConfig.defaults()
        .withDataDir(dir)
        .withPorts("127.0.0.1", 0, 0)
        .withCompaction(
            new ServerConfig.Compaction(
                Duration.ofMillis(200), Duration.ofHours(1), 64L << 20, Duration.ZERO,
                Duration.ofMinutes(10), walBytes))
        .validate();
  }

  @Test
  void youngSegmentsAreCompactedOnceTheirBytesPassTheTriggerAndNotBefore() throws Exception {
    try (IceGateServer server = IceGateServer.start(config(TRIGGER))) {
      Lake lake = server.lake();
      LakeTable logs = lake.table(LogsTable.NAME);

      // Under the trigger: a minute younger than min_age, so several ticks leave it in the WAL.
      long rows = append(lake, 40);
      assertThat(liveBytes(logs)).isPositive().isLessThan(TRIGGER);
      Thread.sleep(1500);
      assertThat(logs.wal().allSegments()).hasSize(1);
      assertThat(committedRows(logs)).isZero();

      // Over it: the next tick compacts every segment, though all are seconds old.
      while (liveBytes(logs) < TRIGGER) {
        rows += append(lake, 40);
      }
      awaitEmptyWal(logs);
      assertThat(committedRows(logs)).isEqualTo(rows);

      // Below it again: a new segment stays.
      append(lake, 40);
      Thread.sleep(1500);
      assertThat(logs.wal().allSegments()).hasSize(1);
      assertThat(committedRows(logs)).isEqualTo(rows);

      HttpResponse<String> status =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:" + server.prometheusPort()
                                  + "/api/v1/status/config"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(status.statusCode()).isEqualTo(200);
      assertThat(status.body()).contains("compaction_wal_bytes: " + TRIGGER);
    }
  }

  @Test
  void withTheTriggerOffOnlyAgeCounts() throws Exception {
    try (IceGateServer server = IceGateServer.start(config(0))) {
      Lake lake = server.lake();
      LakeTable logs = lake.table(LogsTable.NAME);
      while (liveBytes(logs) < TRIGGER) {
        append(lake, 40);
      }
      int segments = logs.wal().allSegments().size();
      Thread.sleep(1500);
      assertThat(logs.wal().allSegments()).hasSize(segments);
      assertThat(committedRows(logs)).isZero();
    }
  }

  /** One request of {@code n} records with 1 KiB of random text each; its row count. */
  private long append(Lake lake, int n) throws Exception {
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    for (int i = 0; i < n; i++) {
      byte[] noise = new byte[768];
      random.nextBytes(noise);
      scope.addLogRecords(
          LogRecord.newBuilder()
              .setTimeUnixNano(nextTs++)
              .setBody(
                  AnyValue.newBuilder()
                      .setStringValue(Base64.getEncoder().encodeToString(noise))));
    }
    ExportLogsServiceRequest request =
        ExportLogsServiceRequest.newBuilder()
            .addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(scope))
            .build();
    var built = LogsBatchBuilder.build(request, "fake", nextTs, allocator);
    lake.logsWal().append("fake", built.batch()).get();
    return n;
  }

  private static long liveBytes(LakeTable table) {
    long bytes = 0;
    for (WalSegment segment : table.wal().allSegments()) {
      bytes += segment.bytes();
    }
    return bytes;
  }

  private static long committedRows(LakeTable lakeTable) {
    Table table = lakeTable.table();
    table.refresh();
    Snapshot snapshot = table.currentSnapshot();
    return snapshot == null ? 0 : Long.parseLong(snapshot.summary().get("total-records"));
  }

  private static void awaitEmptyWal(LakeTable table) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!table.wal().allSegments().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(table.wal().allSegments()).as("compacted by the scheduler").isEmpty();
  }
}

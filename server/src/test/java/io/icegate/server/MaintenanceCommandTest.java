package io.icegate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.server.config.ServerConfig;
import io.icegate.storage.Lake;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.table.LogsTable;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The {@code maintain} command and the scheduler in {@code serve}, on a real data directory:
 * an unreferenced file dated back past the guard is deleted, one written now is kept, and the
 * table's committed files and its live WAL segment stay. (Snapshot expiry itself, which needs
 * snapshots older than the query timeout, is tested in storage with a clock that runs ahead.)
 */
class MaintenanceCommandTest {
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

  private ServerConfig config() {
    return ServerConfig.defaults()
        .withDataDir(dir)
        .withPorts("127.0.0.1", 0, 0)
        .withCompaction(
            new ServerConfig.Compaction(
                Duration.ofMillis(200), Duration.ZERO, 64L << 20, Duration.ZERO,
                Duration.ofMinutes(10)));
  }

  private void append(Lake lake, long ts, String body) throws Exception {
    ExportLogsServiceRequest request =
        ExportLogsServiceRequest.newBuilder()
            .addResourceLogs(
                ResourceLogs.newBuilder()
                    .addScopeLogs(
                        ScopeLogs.newBuilder()
                            .addLogRecords(
                                LogRecord.newBuilder()
                                    .setTimeUnixNano(ts)
                                    .setBody(AnyValue.newBuilder().setStringValue(body)))))
            .build();
    var built = LogsBatchBuilder.build(request, "fake", ts, allocator);
    lake.logsWal().append("fake", built.batch()).get();
  }

  /** Where the logs table keeps its data files, and the files its snapshot references. */
  private record LogsFiles(Path data, List<Path> committed) {}

  private static LogsFiles logsTable(Lake lake) throws Exception {
    Table table = lake.table(LogsTable.NAME).table();
    table.refresh();
    List<Path> committed = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(t -> committed.add(Path.of(URI.create(t.file().location()))));
    }
    return new LogsFiles(Path.of(URI.create(table.location() + "/data")), committed);
  }

  private static Path orphan(Path data, String name, Duration age) throws Exception {
    Path file = data.resolve(name);
    Files.writeString(file, "left by a killed compaction");
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(age)));
    return file;
  }

  @Test
  void theMaintainCommandDeletesOldOrphansOnlyAndKeepsTheTable() throws Exception {
    LogsFiles logs;
    Path liveSegment;
    try (Lake lake = IceGateServer.openLake(config())) {
      append(lake, T0, "compacted");
      lake.compact();
      append(lake, T0 + 1, "still in the wal");
      logs = logsTable(lake);
      liveSegment = Path.of(lake.table(LogsTable.NAME).wal().allSegments().get(0).location());
    }
    Path old = orphan(logs.data(), "old-orphan.parquet", Duration.ofDays(4));
    Path young = orphan(logs.data(), "young-orphan.parquet", Duration.ofHours(1));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      code = new CommandLine(new Main()).execute("maintain", "--data-dir", dir.toString());
    } finally {
      System.setOut(saved);
    }

    assertThat(code).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("logs: 0 snapshots expired, 0 files deleted with them, 1 orphan files deleted"
            + " (1 younger than the guard kept), 0 WAL segments deleted");
    assertThat(old).doesNotExist();
    assertThat(young).exists();
    assertThat(logs.committed()).isNotEmpty().allMatch(Files::exists);
    assertThat(liveSegment).exists();
  }

  @Test
  void aGuardShorterThanADayIsRefusedWithTheKeyNamed() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream saved = System.err;
    int code;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code =
          new CommandLine(new Main())
              .execute("maintain", "--data-dir", dir.toString(), "--orphan-min-age", "2h");
    } finally {
      System.setErr(saved);
    }
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("orphan_min_age must be at least 1d");
  }

  @Test
  void serveRunsMaintenanceAfterCompactionAtItsInterval() throws Exception {
    LogsFiles logs;
    try (Lake lake = IceGateServer.openLake(config())) {
      append(lake, T0, "compacted");
      lake.compact();
      logs = logsTable(lake);
    }
    Path old = orphan(logs.data(), "old-orphan.parquet", Duration.ofDays(4));
    Path young = orphan(logs.data(), "young-orphan.parquet", Duration.ofHours(1));

    ServerConfig config =
        config()
            .withMaintenance(
                new ServerConfig.Maintenance(
                    Duration.ofMillis(300), Duration.ofDays(5), 1, Duration.ofDays(3)))
            .validate();
    IceGateServer server = IceGateServer.start(config);
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (Files.exists(old) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(old).as("deleted by the scheduler's maintenance").doesNotExist();
      assertThat(young).exists();
      assertThat(logs.committed()).allMatch(Files::exists);
    } finally {
      server.close();
    }
  }
}

package io.icegate.storage;

import static io.icegate.storage.OtlpLogs.line;
import static io.icegate.storage.OtlpLogs.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.scan.ScanPlan;
import io.icegate.storage.scan.ScanRequest;
import io.icegate.storage.table.LakeTable;
import io.icegate.storage.table.LogsTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactionTest {
  private static final long DAY = 86_400_000_000_000L;
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final Compactor.Policy NOW = new Compactor.Policy(Duration.ZERO, 64L << 20,
      Duration.ofHours(1));

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
  void compactionMovesSegmentsIntoIcebergAndEveryRowStaysVisibleOnce() throws Exception {
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), NOW, Duration.ZERO)) {
      append(lake, "fake", "a", T0, "one");
      append(lake, "fake", "b", T0 + DAY, "two (next day)");
      append(lake, "other", "a", T0, "three (other tenant)");
      List<String> before = bodies(lake, "fake");

      Compactor.Result result = lake.compact();

      assertThat(result.segments()).isEqualTo(3);
      assertThat(result.rows()).isEqualTo(3);
      assertThat(result.files()).as("one file per (tenant, day) partition").isEqualTo(3);
      assertThat(bodies(lake, "fake")).containsExactlyInAnyOrderElementsOf(before);
      ScanPlan plan = lake.scanner().plan(scan("fake", Long.MIN_VALUE, Long.MAX_VALUE));
      assertThat(plan.files()).noneMatch(f -> f.wal());
      assertThat(plan.files()).hasSize(2);
      assertThat(plan.filesPruned()).as("the other tenant's file is pruned").isEqualTo(1);
      // Each committed file carries its rows' time bounds (a top-N reads newest files first).
      assertThat(plan.files())
          .extracting(f -> List.of(f.minTimestampNanos(), f.maxTimestampNanos()))
          .containsExactlyInAnyOrder(List.of(T0, T0), List.of(T0 + DAY, T0 + DAY));

      append(lake, "fake", "a", T0 + 5, "four (after compaction)");
      assertThat(bodies(lake, "fake")).containsExactlyInAnyOrder(
          "one", "two (next day)", "four (after compaction)");
    }
  }

  @Test
  void timeRangePrunesIcebergFilesByPartitionAndStatistics() throws Exception {
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), NOW, Duration.ZERO)) {
      append(lake, "fake", "a", T0, "day one");
      append(lake, "fake", "a", T0 + DAY, "day two");
      lake.compact();
      ScanPlan plan = lake.scanner().plan(scan("fake", T0 + DAY, T0 + DAY + 1));
      assertThat(plan.files()).hasSize(1);
      assertThat(plan.filesPruned()).isEqualTo(1);
    }
  }

  @Test
  void aCompactionThatCommittedButDidNotRetireIsSettledOnRestart() throws Exception {
    Path segment;
    Path copy;
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), NOW, Duration.ZERO)) {
      append(lake, "fake", "a", T0, "committed once");
      segment = Path.of(lake.scanner().plan(scan("fake", Long.MIN_VALUE, Long.MAX_VALUE)).files()
          .get(0).file().location());
      copy = Files.copy(segment, dir.resolve("segment.copy"));
      lake.compact();
    }
    // Simulate a crash after the commit, before the segment file was deleted.
    Files.copy(copy, segment);
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), NOW, Duration.ZERO)) {
      assertThat(segment).doesNotExist();
      assertThat(bodies(lake, "fake")).containsExactly("committed once");
      append(lake, "fake", "a", T0 + 1, "new after restart");
      assertThat(bodies(lake, "fake")).containsExactlyInAnyOrder("committed once",
          "new after restart");
    }
  }

  @Test
  void aCompactionKilledBeforeItsCommitLeavesTheSegmentsServing() throws Exception {
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), NOW, Duration.ZERO)) {
      append(lake, "fake", "a", T0, "still in the wal");
      // Files written by a compaction that died before committing are not referenced.
      Path orphanDir = dir.resolve("warehouse/icegate/logs/data");
      Files.createDirectories(orphanDir);
      Files.writeString(orphanDir.resolve("compacted-orphan.parquet"), "garbage");
    }
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), NOW, Duration.ZERO)) {
      assertThat(bodies(lake, "fake")).containsExactly("still in the wal");
      lake.compact();
      assertThat(bodies(lake, "fake")).containsExactly("still in the wal");
    }
  }

  @Test
  void youngSegmentsWaitForTheMinimumAge() throws Exception {
    var policy = new Compactor.Policy(Duration.ofHours(1), 64L << 20, Duration.ofHours(1));
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), policy, Duration.ZERO)) {
      append(lake, "fake", "a", T0, "young");
      assertThat(lake.compact()).isEqualTo(Compactor.Result.NOTHING);
    }
  }

  @Test
  void snapshotsRecordTheCompactionMarkAndEarlierSnapshotsStayReadable() throws Exception {
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), NOW, Duration.ZERO)) {
      append(lake, "fake", "a", T0, "first");
      lake.compact();
      append(lake, "fake", "a", T0 + 1, "second");
      lake.compact();
    }
    try (var catalog = io.icegate.storage.catalog.LakeCatalog.openEmbedded(dir)) {
      var table = catalog.logs();
      List<Snapshot> snapshots = new ArrayList<>();
      table.snapshots().forEach(snapshots::add);
      assertThat(snapshots).hasSize(2);
      assertThat(snapshots.get(0).summary()).containsEntry(LakeTable.COMPACTED_THROUGH, "1");
      assertThat(snapshots.get(1).summary()).containsEntry(LakeTable.COMPACTED_THROUGH, "2");
      long firstRows = 0;
      try (var tasks = table.newScan().useSnapshot(snapshots.get(0).snapshotId()).planFiles()) {
        for (var t : tasks) {
          firstRows += t.file().recordCount();
        }
      }
      assertThat(firstRows).as("time travel to the first snapshot").isEqualTo(1);
      assertThat(TableIdentifier.of("icegate", "logs").name()).isEqualTo(LogsTable.NAME);
    }
  }

  private void append(Lake lake, String tenant, String service, long ts, String body)
      throws Exception {
    var built = LogsBatchBuilder.build(request(service, line(ts, body)), tenant, ts, allocator);
    lake.logsWal().append(tenant, built.batch()).get();
  }

  private static ScanRequest scan(String tenant, long start, long end) {
    return new ScanRequest(LogsTable.NAME, tenant, start, end, List.of(LogsTable.BODY));
  }

  private List<String> bodies(Lake lake, String tenant) throws Exception {
    List<String> out = new ArrayList<>();
    try (CloseableIterator<VectorSchemaRoot> it =
        lake.scanner().open(scan(tenant, Long.MIN_VALUE, Long.MAX_VALUE), allocator)) {
      while (it.hasNext()) {
        try (VectorSchemaRoot batch = it.next()) {
          VarCharVector body = (VarCharVector) batch.getVector(LogsTable.BODY);
          for (int i = 0; i < batch.getRowCount(); i++) {
            out.add(new String(body.get(i), StandardCharsets.UTF_8));
          }
        }
      }
    }
    return out;
  }
}

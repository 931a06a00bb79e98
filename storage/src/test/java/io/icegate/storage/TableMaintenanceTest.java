package io.icegate.storage;

import static io.icegate.storage.LakeRows.append;
import static io.icegate.storage.LakeRows.bodies;
import static io.icegate.storage.MaintenanceFixtures.ahead;
import static io.icegate.storage.MaintenanceFixtures.bodiesAsOf;
import static io.icegate.storage.MaintenanceFixtures.currentFiles;
import static io.icegate.storage.MaintenanceFixtures.exists;
import static io.icegate.storage.MaintenanceFixtures.rewriteAsCopy;
import static io.icegate.storage.MaintenanceFixtures.snapshotIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.compaction.ColumnarCompaction;
import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.maintenance.MaintenancePolicy;
import io.icegate.storage.maintenance.TableMaintenance;
import io.icegate.storage.table.LakeTable;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.wal.WalSegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot expiry, orphan removal and WAL clean-up on local disk with the embedded catalog: the
 * real lake, real files, Iceberg's own reader for time travel. Ages are reached with a clock
 * that runs ahead ({@link Lake#maintain(String, java.time.Clock)}) or, for the age guard, by
 * dating a real file back.
 */
class TableMaintenanceTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  /** Everything due at once; retired segments deletable at once. */
  private static final Compactor.Policy NOW =
      new Compactor.Policy(Duration.ZERO, 64L << 20, Duration.ZERO);

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

  private Lake open(Compactor.Policy compaction, MaintenancePolicy maintenance) throws Exception {
    LakeConfig local = LakeConfig.local(dir);
    return Lake.open(
        local
            .withWal(Duration.ofMillis(1), local.walListInterval())
            .withCompaction(compaction, Duration.ZERO, local.compactionLeaseTtl())
            .withMaintenance(maintenance));
  }

  private static MaintenancePolicy keep(Duration maxAge, int minKeep) {
    return new MaintenancePolicy(maxAge, minKeep, Duration.ofDays(1), 10_000);
  }

  @Test
  void expiredSnapshotsLoseTheirFilesAndKeptOnesStillTimeTravel() throws Exception {
    try (Lake lake = open(NOW, keep(Duration.ofHours(1), 2))) {
      Table table = lake.table(LogsTable.NAME).table();
      append(lake, allocator, "fake", "a", T0, "one", null);
      lake.compact();
      Snapshot first = table.currentSnapshot();
      DataFile one = currentFiles(table).get(0);
      append(lake, allocator, "fake", "a", T0 + 1, "two", null);
      lake.compact();
      Snapshot second = table.currentSnapshot();
      DataFile copy = rewriteAsCopy(table, one);
      Snapshot rewrite = table.currentSnapshot();
      append(lake, allocator, "fake", "a", T0 + 2, "three", null);
      lake.compact();
      Snapshot kept = table.currentSnapshot();
      append(lake, allocator, "fake", "a", T0 + 3, "four", null);
      lake.compact();
      Snapshot last = table.currentSnapshot();

      // Two hours on, every snapshot is older than the hour kept; the last two stay (min 2).
      TableMaintenance.Result result = lake.maintain(LogsTable.NAME, ahead(Duration.ofHours(2)));

      assertThat(result.expiredSnapshots()).isEqualTo(3);
      assertThat(snapshotIds(table))
          .containsExactlyInAnyOrder(kept.snapshotId(), last.snapshotId());
      // Iceberg deletes a data file once the snapshot that removed it (the rewrite) is expired.
      assertThat(exists(table, one.location()))
          .as("the file only expired snapshots referenced").isFalse();
      for (Snapshot gone : List.of(first, second, rewrite)) {
        assertThat(exists(table, gone.manifestListLocation())).isFalse();
        assertThat(table.snapshot(gone.snapshotId())).isNull();
      }
      assertThat(exists(table, copy.location())).isTrue();
      assertThat(exists(table, kept.manifestListLocation())).isTrue();
      // 1 data file + 3 manifest lists + the manifests only they used (at least one).
      assertThat(result.expiredFiles()).isGreaterThanOrEqualTo(5);

      assertThat(bodies(lake, allocator, "fake"))
          .containsExactlyInAnyOrder("one", "two", "three", "four");
      assertThat(bodiesAsOf(table, kept.snapshotId()))
          .as("time travel to a kept snapshot").containsExactlyInAnyOrder("one", "two", "three");

      assertThat(lake.maintain(LogsTable.NAME, ahead(Duration.ofHours(2))).expiredSnapshots())
          .as("a second run has nothing to expire").isZero();
    }
    try (Lake lake = open(NOW, keep(Duration.ofHours(1), 2))) {
      assertThat(bodies(lake, allocator, "fake"))
          .as("reopened: the mark survived, each row once")
          .containsExactlyInAnyOrder("one", "two", "three", "four");
    }
  }

  @Test
  void snapshotsWithinTheRetentionStay() throws Exception {
    try (Lake lake = open(NOW, keep(Duration.ofDays(5), 1))) {
      Table table = lake.table(LogsTable.NAME).table();
      append(lake, allocator, "fake", "a", T0, "one", null);
      lake.compact();
      Snapshot first = table.currentSnapshot();
      append(lake, allocator, "fake", "a", T0 + 1, "two", null);
      lake.compact();
      String metadata = ((org.apache.iceberg.HasTableOperations) table)
          .operations().current().metadataFileLocation();

      TableMaintenance.Result result = lake.maintain(LogsTable.NAME, ahead(Duration.ofDays(1)));

      assertThat(result.expiredSnapshots()).isZero();
      assertThat(snapshotIds(table)).hasSize(2);
      assertThat(bodiesAsOf(table, first.snapshotId())).containsExactly("one");
      assertThat(((org.apache.iceberg.HasTableOperations) table)
          .operations().current().metadataFileLocation())
          .as("nothing to expire commits nothing").isEqualTo(metadata);
    }
  }

  @Test
  void theSnapshotThatHoldsTheCompactionMarkIsKeptBehindARewrite() throws Exception {
    try (Lake lake = open(NOW, keep(Duration.ofHours(1), 1))) {
      Table table = lake.table(LogsTable.NAME).table();
      append(lake, allocator, "fake", "a", T0, "one", null);
      lake.compact();
      append(lake, allocator, "fake", "a", T0 + 1, "two", null);
      lake.compact();
      Snapshot marked = table.currentSnapshot();
      rewriteAsCopy(table, currentFiles(table).get(0));
      assertThat(table.currentSnapshot().summary()).doesNotContainKey(LakeTable.COMPACTED_THROUGH);

      TableMaintenance.Result result = lake.maintain(LogsTable.NAME, ahead(Duration.ofHours(2)));

      assertThat(result.expiredSnapshots()).as("only the first compaction's").isEqualTo(1);
      assertThat(table.snapshot(marked.snapshotId())).isNotNull();
      assertThat(LakeTable.compactedThrough(table, table.currentSnapshot())).isEqualTo(2);
      append(lake, allocator, "fake", "a", T0 + 2, "three", null);
    }
    try (Lake lake = open(NOW, keep(Duration.ofHours(1), 1))) {
      assertThat(bodies(lake, allocator, "fake"))
          .containsExactlyInAnyOrder("one", "two", "three");
    }
  }

  @Test
  void anOrphanOlderThanTheGuardGoesAndARunningCompactionsFilesStay() throws Exception {
    try (Lake lake = open(new Compactor.Policy(Duration.ZERO, 64L << 20, Duration.ZERO),
        MaintenancePolicy.DEFAULT)) {
      LakeTable logs = lake.table(LogsTable.NAME);
      Table table = logs.table();
      append(lake, allocator, "fake", "a", T0, "committed", null);
      lake.compact();

      // A compaction killed long ago: its file was written and never committed.
      WalSegment killed = append(lake, allocator, "fake", "a", T0 + 1, "in flight", null);
      List<DataFile> killedFiles = ColumnarCompaction.write(table, logs.wal(), List.of(killed));
      Path stale = Path.of(java.net.URI.create(killedFiles.get(0).location()));
      Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofDays(4))));
      // A compaction running now: files written, commit not yet made.
      Snapshot base = table.currentSnapshot();
      List<DataFile> running = ColumnarCompaction.write(table, logs.wal(), List.of(killed));

      TableMaintenance.Result result = lake.maintain(LogsTable.NAME);

      assertThat(result.orphanFiles()).as("the stale file").isEqualTo(1);
      assertThat(Files.exists(stale)).isFalse();
      assertThat(result.youngOrphans()).as("the running compaction's file").isEqualTo(1);
      assertThat(exists(table, running.get(0).location())).isTrue();
      assertThat(Files.exists(Path.of(killed.location())))
          .as("the live WAL segment").isTrue();

      // The running compaction commits after maintenance: its file is there, each row once.
      logs.commitCompaction(running, killed.sequence(), base);
      assertThat(bodies(lake, allocator, "fake")).containsExactlyInAnyOrder("committed", "in flight");
    }
  }

  @Test
  void liveWalSegmentsAreNeverRemovedAndCompactedOnesGoAfterTheGrace() throws Exception {
    var graceHour = new Compactor.Policy(Duration.ZERO, 64L << 20, Duration.ofHours(1));
    try (Lake lake = open(graceHour, MaintenancePolicy.DEFAULT)) {
      WalSegment compacted = append(lake, allocator, "fake", "a", T0, "compacted", null);
      lake.compact();
      WalSegment live = append(lake, allocator, "fake", "a", T0 + 1, "live", null);

      assertThat(lake.maintain(LogsTable.NAME).walSegments())
          .as("compacted within the grace: a query may still read it").isZero();
      assertThat(Files.exists(Path.of(compacted.location()))).isTrue();

      TableMaintenance.Result later = lake.maintain(LogsTable.NAME, ahead(Duration.ofDays(30)));

      assertThat(later.walSegments()).isEqualTo(1);
      assertThat(Files.exists(Path.of(compacted.location()))).isFalse();
      assertThat(Files.exists(Path.of(live.location())))
          .as("not compacted: never removed, however old").isTrue();
      assertThat(bodies(lake, allocator, "fake")).containsExactlyInAnyOrder("compacted", "live");
    }
  }

  @Test
  void expiryKilledBeforeItsDeletesAndOrphanRemovalCutShortLeaveAReadableTable()
      throws Exception {
    MaintenancePolicy onePerRun = new MaintenancePolicy(Duration.ofHours(1), 1, Duration.ofDays(1), 1);
    try (Lake lake = open(NOW, onePerRun)) {
      Table table = lake.table(LogsTable.NAME).table();
      append(lake, allocator, "fake", "a", T0, "one", null);
      lake.compact();
      Snapshot first = table.currentSnapshot();
      DataFile one = currentFiles(table).get(0);
      rewriteAsCopy(table, one);
      append(lake, allocator, "fake", "a", T0 + 1, "two", null);
      lake.compact();

      // A run killed between its commit and its deletes: the snapshots are gone from the
      // metadata, their files still on disk.
      table.expireSnapshots().expireOlderThan(table.currentSnapshot().timestampMillis())
          .retainLast(1).cleanExpiredFiles(false).commit();
      assertThat(table.snapshot(first.snapshotId())).isNull();
      assertThat(exists(table, one.location())).isTrue();
      assertThat(bodies(lake, allocator, "fake")).containsExactlyInAnyOrder("one", "two");

      // Rerun, three days on; each run deletes one file (a run cut short), the table reads
      // right after every one, and the runs end with no orphan left.
      int deleted = 0;
      int runs = 0;
      TableMaintenance.Result result;
      do {
        result = lake.maintain(LogsTable.NAME, ahead(Duration.ofDays(3)));
        deleted += result.orphanFiles();
        runs++;
        assertThat(bodies(lake, allocator, "fake")).containsExactlyInAnyOrder("one", "two");
      } while (result.orphanFiles() > 0 && runs < 20);

      assertThat(exists(table, one.location())).isFalse();
      assertThat(exists(table, first.manifestListLocation())).isFalse();
      // The data file, the two manifest lists of the expired snapshots, their manifests.
      assertThat(deleted).isGreaterThanOrEqualTo(4);
      assertThat(runs).isEqualTo(deleted + 1);
    }
    try (Lake lake = open(NOW, onePerRun)) {
      assertThat(bodies(lake, allocator, "fake")).containsExactlyInAnyOrder("one", "two");
    }
  }

  @Test
  void aTableWithGcDisabledIsLeftAlone() throws Exception {
    try (Lake lake = open(NOW, keep(Duration.ofHours(1), 1))) {
      Table table = lake.table(LogsTable.NAME).table();
      append(lake, allocator, "fake", "a", T0, "one", null);
      lake.compact();
      append(lake, allocator, "fake", "a", T0 + 1, "two", null);
      lake.compact();
      table.updateProperties().set("gc.enabled", "false").commit();

      TableMaintenance.Result result = lake.maintain(LogsTable.NAME, ahead(Duration.ofDays(10)));

      assertThat(result.skipped()).contains("gc.enabled");
      assertThat(result.deletedFiles()).isZero();
      assertThat(snapshotIds(table)).hasSize(2);
    }
  }
}

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
import io.icegate.storage.servers.ObjectStoreServers;
import io.icegate.storage.table.LakeTable;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.wal.WalSegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.arrow.memory.RootAllocator;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Maintenance on real servers: data files and the WAL on S3 (S3Mock), the tables in Nessie.
 * Expiry commits through Nessie and deletes through S3FileIO; orphans are found by listing the
 * bucket. S3 cannot date an object back, so ages come from a clock that runs ahead.
 */
@ExtendWith(ObjectStoreServers.class)
class MaintenanceS3NessieTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final Compactor.Policy NOW =
      new Compactor.Policy(Duration.ZERO, 64L << 20, Duration.ZERO);
  private static final MaintenancePolicy KEEP_TWO_FOR_AN_HOUR =
      new MaintenancePolicy(Duration.ofHours(1), 2, Duration.ofDays(1), 10_000);

  private static ObjectStoreServers.Endpoints servers;

  @TempDir Path dir;
  private RootAllocator allocator;
  private String branch;
  private LakeConfig.Storage.S3 storage;

  @BeforeAll
  static void servers(ObjectStoreServers.Endpoints endpoints) {
    servers = endpoints;
  }

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    branch = servers.newBranch("maintenance");
    storage = servers.freshStorage();
  }

  @AfterEach
  void tearDown() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  private LakeConfig config() {
    return LakeConfig.local(dir)
        .withCatalog(new LakeConfig.Catalog.Nessie(servers.nessieApiV2(), branch, null))
        .withStorage(storage)
        .withWal(Duration.ofMillis(1), Duration.ZERO)
        .withCompaction(NOW, Duration.ZERO, Duration.ofMinutes(10))
        .withMaintenance(KEEP_TWO_FOR_AN_HOUR);
  }

  @Test
  void expiryThroughNessieDeletesOnS3AndKeptSnapshotsStillTimeTravel() throws Exception {
    DataFile one;
    Snapshot kept;
    try (Lake lake = Lake.open(config())) {
      Table table = lake.table(LogsTable.NAME).table();
      append(lake, allocator, "fake", "a", T0, "one", null);
      lake.compact();
      Snapshot first = table.currentSnapshot();
      one = currentFiles(table).get(0);
      append(lake, allocator, "fake", "a", T0 + 1, "two", null);
      lake.compact();
      rewriteAsCopy(table, one);
      append(lake, allocator, "fake", "a", T0 + 2, "three", null);
      lake.compact();
      kept = table.currentSnapshot();
      append(lake, allocator, "fake", "a", T0 + 3, "four", null);
      lake.compact();

      TableMaintenance.Result result = lake.maintain(LogsTable.NAME, ahead(Duration.ofHours(2)));

      assertThat(result.expiredSnapshots()).isEqualTo(3);
      assertThat(snapshotIds(table)).hasSize(2).contains(kept.snapshotId());
      assertThat(exists(table, one.location())).isFalse();
      assertThat(exists(table, first.manifestListLocation())).isFalse();
      assertThat(bodiesAsOf(table, kept.snapshotId()))
          .containsExactlyInAnyOrder("one", "two", "three");
    }
    // Another process: the Nessie-committed table without the expired snapshots, each row once.
    try (Lake lake = Lake.open(config())) {
      Table table = lake.table(LogsTable.NAME).table();
      assertThat(snapshotIds(table)).hasSize(2);
      assertThat(bodies(lake, allocator, "fake"))
          .containsExactlyInAnyOrder("one", "two", "three", "four");
      assertThat(bodiesAsOf(table, kept.snapshotId()))
          .containsExactlyInAnyOrder("one", "two", "three");
    }
  }

  @Test
  void orphansOnS3GoOnlyPastTheGuardAndLiveWalSegmentsStay() throws Exception {
    try (Lake lake = Lake.open(config())) {
      LakeTable logs = lake.table(LogsTable.NAME);
      Table table = logs.table();
      append(lake, allocator, "fake", "a", T0, "committed", null);
      lake.compact();
      WalSegment live = append(lake, allocator, "fake", "a", T0 + 1, "live", null);
      // A compaction's file written and not (yet) committed.
      List<DataFile> written = ColumnarCompaction.write(table, logs.wal(), List.of(live));

      TableMaintenance.Result now = lake.maintain(LogsTable.NAME);

      assertThat(now.orphanFiles()).isZero();
      assertThat(now.youngOrphans()).isEqualTo(1);
      assertThat(exists(table, written.get(0).location())).isTrue();

      TableMaintenance.Result later = lake.maintain(LogsTable.NAME, ahead(Duration.ofDays(2)));

      assertThat(later.orphanFiles()).as("the uncommitted file, now past the guard").isEqualTo(1);
      assertThat(exists(table, written.get(0).location())).isFalse();
      assertThat(exists(table, live.location())).as("the live WAL segment").isTrue();
      assertThat(bodies(lake, allocator, "fake")).containsExactlyInAnyOrder("committed", "live");
      lake.compact();
      assertThat(bodies(lake, allocator, "fake")).containsExactlyInAnyOrder("committed", "live");
    }
  }

  @Test
  void aRunKilledAfterItsExpiryCommitIsFinishedByTheNext() throws Exception {
    try (Lake lake = Lake.open(config())) {
      Table table = lake.table(LogsTable.NAME).table();
      append(lake, allocator, "fake", "a", T0, "one", null);
      lake.compact();
      DataFile one = currentFiles(table).get(0);
      rewriteAsCopy(table, one);
      append(lake, allocator, "fake", "a", T0 + 1, "two", null);
      lake.compact();
      // What a kill between the expiry's Nessie commit and its deletes leaves.
      table.expireSnapshots().expireOlderThan(table.currentSnapshot().timestampMillis())
          .retainLast(1).cleanExpiredFiles(false).commit();
      assertThat(exists(table, one.location())).isTrue();

      TableMaintenance.Result rerun = lake.maintain(LogsTable.NAME, ahead(Duration.ofDays(3)));

      assertThat(rerun.orphanFiles()).isGreaterThanOrEqualTo(3);
      assertThat(exists(table, one.location())).isFalse();
      assertThat(bodies(lake, allocator, "fake")).containsExactlyInAnyOrder("one", "two");
    }
  }

  /**
   * A real SIGKILL: a child process maintains a table with an expiry due and many old orphans
   * (each a DELETE request on S3, so the run lasts a while) and is killed among its orphan
   * deletes. The table reads right, and a rerun, once the dead process's lease expired, finishes
   * the job: the orphans and the expired file are gone, the committed files stay. (Kills before
   * or inside the expiry's commit leave the states the tests above build directly.)
   */
  @Test
  void maintenanceKilledWithSigkillAndRerunLeavesTheTableReadable() throws Exception {
    List<String> orphans = new java.util.ArrayList<>();
    DataFile one;
    List<DataFile> live;
    try (Lake lake = Lake.open(config())) {
      Table table = lake.table(LogsTable.NAME).table();
      append(lake, allocator, "fake", "a", T0, "one", null);
      lake.compact();
      one = currentFiles(table).get(0);
      rewriteAsCopy(table, one);
      append(lake, allocator, "fake", "a", T0 + 1, "two", null);
      lake.compact();
      append(lake, allocator, "fake", "a", T0 + 2, "three", null);
      lake.compact();
      live = currentFiles(table);
      String data = table.location() + "/data/killed-runs/";
      for (int i = 0; i < 600; i++) {
        String location = data + "orphan-" + i + ".parquet";
        try (var out = table.io().newOutputFile(location).create()) {
          out.write(new byte[] {'P', 'A', 'R', '1'});
        }
        orphans.add(location);
      }
    }

    // The killed child holds the table's lease until it expires; a short one (its holder stops
    // 30 s before the end, so this leaves it 30 s of work) keeps the test short.
    Duration leaseTtl = Duration.ofSeconds(60);
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                MaintenanceChild.class.getName(),
                dir.resolve("child").toString(), servers.nessieApiV2().toString(), branch,
                servers.s3().toString(), storage.bucket(), storage.prefix(),
                Long.toString(Duration.ofDays(3).toSeconds()),
                Long.toString(leaseTtl.toSeconds()))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("child.log").toFile())
            .start();
    long started = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (child.isAlive() && System.nanoTime() < started
        && !java.nio.file.Files.readString(dir.resolve("child.log")).contains("maintaining")) {
      Thread.sleep(20);
    }
    assertThat(java.nio.file.Files.readString(dir.resolve("child.log")))
        .as("the child started maintaining").contains("maintaining");
    // Killed among its deletes: once the first orphan (in listing order) is gone, within
    // a random fraction of a second. The expiry committed and deleted before that.
    String first = orphans.stream().sorted().findFirst().orElseThrow();
    try (Lake watcher = Lake.open(config())) {
      Table table = watcher.table(LogsTable.NAME).table();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (exists(table, first) && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }
    Thread.sleep(new java.util.Random().nextInt(200));
    child.destroyForcibly(); // SIGKILL
    child.waitFor();
    System.out.println("child: " + java.nio.file.Files.readString(dir.resolve("child.log")));

    var afterKill = config().withCompaction(NOW, Duration.ZERO, leaseTtl);
    try (Lake lake = Lake.open(afterKill)) {
      Table table = lake.table(LogsTable.NAME).table();
      long left = orphans.stream().filter(o -> exists(table, o)).count();
      System.out.printf(
          "maintenance kill test: %d of %d orphans left by the killed run, expired file %s%n",
          left, orphans.size(), exists(table, one.location()) ? "still there" : "deleted");
      assertThat(left).as("the kill came after the first delete").isLessThan(orphans.size());
      assertThat(bodies(lake, allocator, "fake"))
          .as("after the kill").containsExactlyInAnyOrder("one", "two", "three");

      // The rerun, once the dead process's lease has expired.
      TableMaintenance.Result rerun;
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      do {
        rerun = lake.maintain(LogsTable.NAME, ahead(Duration.ofDays(3)));
        if (rerun.skipped() != null) {
          Thread.sleep(1000);
        }
      } while (rerun.skipped() != null && System.nanoTime() < deadline);
      assertThat(rerun.skipped()).isNull();
      assertThat(orphans).noneMatch(o -> exists(table, o));
      assertThat(exists(table, one.location())).isFalse();
      assertThat(live).allMatch(f -> exists(table, f.location()));
      assertThat(bodies(lake, allocator, "fake")).containsExactlyInAnyOrder("one", "two", "three");
    }
  }
}

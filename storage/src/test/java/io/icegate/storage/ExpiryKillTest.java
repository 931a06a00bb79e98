package io.icegate.storage;

import static io.icegate.storage.LakeRows.append;
import static io.icegate.storage.LakeRows.bodies;
import static io.icegate.storage.MaintenanceFixtures.ahead;
import static io.icegate.storage.MaintenanceFixtures.currentFiles;
import static io.icegate.storage.MaintenanceFixtures.exists;
import static io.icegate.storage.MaintenanceFixtures.rewriteAsCopy;
import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.maintenance.MaintenancePolicy;
import io.icegate.storage.maintenance.TableMaintenance;
import io.icegate.storage.table.LogsTable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real SIGKILL inside the snapshot expiry's commit: a child process maintains a table with
 * dozens of snapshots due for expiry (and data files only they reference) and is killed the
 * moment the expiry's new metadata file appears — while Iceberg commits it to the catalog or
 * right after, before its deletes are done. Local disk and the embedded catalog (SQLite), so the
 * killed process's lease is its own and the rerun need not wait for it to expire. Twice: killed
 * as soon as the new metadata file is written (before the catalog points at it, as it turned
 * out in every run so far), and as soon as the catalog points at it (the commit landed, its
 * deletes under way). Each time the table reads every acknowledged row once
 * (committed and still in the WAL), and a rerun finishes the job: one snapshot left, the
 * replaced files gone, the live ones kept, and a further run finds nothing to do.
 */
class ExpiryKillTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final int COMPACTIONS = 12;
  private static final int REWRITTEN = 6;

  /** When the child is killed. */
  private enum KillAt {
    /** The expiry's new metadata file appeared: the catalog pointer moves next. */
    METADATA_FILE_WRITTEN,
    /** The catalog points at that file: the commit landed, the deletes are under way. */
    CATALOG_POINTER_MOVED
  }

  @TempDir Path work;
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

  /** The lake both processes open: everything due at once, snapshots kept an hour. */
  static LakeConfig config(Path dir) {
    return LakeConfig.local(dir)
        .withWal(Duration.ofMillis(1), Duration.ZERO)
        .withCompaction(
            new Compactor.Policy(Duration.ZERO, 64L << 20, Duration.ZERO), Duration.ZERO,
            Duration.ofMinutes(10))
        .withMaintenance(
            new MaintenancePolicy(Duration.ofHours(1), 1, Duration.ofDays(1), 100_000));
  }

  @Test
  void expiryKilledInsideItsCommitIsFinishedByARerun() throws Exception {
    for (KillAt at : KillAt.values()) {
      killInsideExpiry(work.resolve("lake-" + at), at);
    }
  }

  private void killInsideExpiry(Path dir, KillAt at) throws Exception {
    List<String> acked = new ArrayList<>();
    List<DataFile> replaced = new ArrayList<>();
    Path metadata;
    try (Lake lake = Lake.open(config(dir))) {
      Table table = lake.table(LogsTable.NAME).table();
      for (int i = 0; i < COMPACTIONS; i++) {
        append(lake, allocator, "fake", "a", T0 + i, "row-" + i, null);
        acked.add("row-" + i);
        Set<String> earlier = locations(currentFiles(table));
        lake.compact();
        if (i < REWRITTEN) {
          // The compaction's new file, replaced by a copy: only the snapshots about to be
          // expired reference it.
          DataFile fresh = currentFiles(table).stream()
              .filter(f -> !earlier.contains(f.location())).findFirst().orElseThrow();
          rewriteAsCopy(table, fresh);
          replaced.add(fresh);
        }
      }
      append(lake, allocator, "fake", "a", T0 + COMPACTIONS, "in-the-wal", null);
      acked.add("in-the-wal");
      metadata = Path.of(URI.create(table.location() + "/metadata"));
    }
    Set<Path> before = metadataFiles(metadata);
    String pointer = catalogPointer(dir);
    assertThat(pointer).as("the catalog row of the logs table").isNotNull();

    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                LocalMaintenanceChild.class.getName(),
                dir.toString(), Long.toString(Duration.ofHours(2).toSeconds()))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("child.log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    boolean committing = false;
    while (child.isAlive() && System.nanoTime() < deadline) {
      if (at == KillAt.METADATA_FILE_WRITTEN) {
        Set<Path> now = metadataFiles(metadata);
        now.removeAll(before);
        committing = !now.isEmpty();
      } else {
        String current = catalogPointer(dir);
        committing = current != null && !current.equals(pointer);
      }
      if (committing) {
        break;
      }
      Thread.sleep(1);
    }
    boolean finishedFirst = !child.isAlive();
    child.destroyForcibly(); // SIGKILL
    child.waitFor();
    String log = Files.readString(dir.resolve("child.log"));
    assertThat(committing).as("the expiry began its commit; child log:\n" + log).isTrue();
    assertThat(finishedFirst).as("killed before it finished; child log:\n" + log).isFalse();

    try (Lake lake = Lake.open(config(dir))) {
      Table table = lake.table(LogsTable.NAME).table();
      int snapshots = count(table);
      long stillThere = replaced.stream().filter(f -> exists(table, f.location())).count();
      System.out.printf(
          "expiry killed at %s: %d snapshots in the table (committed: %s), %d of %d replaced"
              + " files not yet deleted%n",
          at, snapshots, snapshots == 1, stillThere, replaced.size());
      if (at == KillAt.CATALOG_POINTER_MOVED) {
        assertThat(snapshots).as("the expiry's commit landed before the kill").isEqualTo(1);
      }
      assertThat(bodies(lake, allocator, "fake")).as("after the kill")
          .containsExactlyInAnyOrderElementsOf(acked);

      TableMaintenance.Result rerun = lake.maintain(LogsTable.NAME, ahead(Duration.ofDays(3)));
      assertThat(rerun.skipped()).isNull();
      assertThat(count(table)).isEqualTo(1);
      assertThat(replaced).noneMatch(f -> exists(table, f.location()));
      assertThat(currentFiles(table)).allMatch(f -> exists(table, f.location()));
      assertThat(bodies(lake, allocator, "fake")).as("after the rerun")
          .containsExactlyInAnyOrderElementsOf(acked);

      TableMaintenance.Result again = lake.maintain(LogsTable.NAME, ahead(Duration.ofDays(3)));
      assertThat(again.expiredSnapshots()).isZero();
      assertThat(again.orphanFiles()).as("nothing left behind").isZero();
    }
  }

  private static Set<String> locations(List<DataFile> files) {
    Set<String> out = new HashSet<>();
    files.forEach(f -> out.add(f.location()));
    return out;
  }

  private static int count(Table table) {
    table.refresh();
    int n = 0;
    for (var ignored : table.snapshots()) {
      n++;
    }
    return n;
  }

  /**
   * The embedded catalog's pointer to the logs table's metadata file, read from its SQLite file
   * by a short read-only query (null if the file is busy this instant).
   */
  private static String catalogPointer(Path dir) {
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("catalog.db").toAbsolutePath());
        PreparedStatement q =
            c.prepareStatement(
                "select metadata_location from iceberg_tables where table_name = ?")) {
      q.setString(1, LogsTable.NAME);
      try (ResultSet rows = q.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    } catch (SQLException busy) {
      return null;
    }
  }

  private static Set<Path> metadataFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      Set<Path> out = new HashSet<>();
      files.filter(f -> f.getFileName().toString().endsWith(".metadata.json")).forEach(out::add);
      return out;
    }
  }
}

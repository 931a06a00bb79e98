package io.icegate.storage.maintenance;

import io.icegate.storage.compaction.CompactionLease;
import io.icegate.storage.table.LakeTable;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.util.PropertyUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One maintenance run over one table, by the holder of its compaction lease (so never beside a
 * compaction or backfill of the same table, on any replica): snapshot expiry ({@link
 * SnapshotExpiry}), then orphan-file removal ({@link OrphanFiles}) against the snapshots that
 * remain, then the WAL's compacted segments past the grace period ({@link WalCleanup}).
 *
 * <p>Safe to kill at any step: expiry commits before it deletes, so a kill leaves only files
 * no snapshot references, which the next run's orphan removal deletes; orphan removal deletes
 * only unreferenced files, in any order; the WAL clean-up deletes only compacted segments.
 *
 * <p>A table whose {@code gc.enabled} property is {@code false} is left alone, as Iceberg's own
 * maintenance does: its files may be shared (with another table, or with other Nessie branches
 * and tags that Iceberg's metadata knows nothing about).
 */
public final class TableMaintenance {
  private static final Logger LOG = LoggerFactory.getLogger(TableMaintenance.class);

  /**
   * What one run did.
   *
   * @param expiredSnapshots snapshots removed from the table
   * @param expiredFiles manifest lists, manifests and data files deleted with them
   * @param orphanFiles unreferenced files deleted
   * @param youngOrphans unreferenced files kept because they are younger than the guard
   * @param walSegments compacted WAL segments deleted (tombstoned or removed, on S3)
   * @param skipped why the table was not maintained, or null
   */
  public record Result(
      int expiredSnapshots, int expiredFiles, int orphanFiles, int youngOrphans,
      int walSegments, String skipped) {
    public static final Result NOTHING = new Result(0, 0, 0, 0, 0, null);

    /** The two results added up (the first skip reason kept). */
    public Result plus(Result other) {
      return new Result(
          expiredSnapshots + other.expiredSnapshots,
          expiredFiles + other.expiredFiles,
          orphanFiles + other.orphanFiles,
          youngOrphans + other.youngOrphans,
          walSegments + other.walSegments,
          skipped != null ? skipped : other.skipped);
    }

    /** Files of any kind deleted. */
    public int deletedFiles() {
      return expiredFiles + orphanFiles + walSegments;
    }
  }

  private final LakeTable table;
  private final MaintenancePolicy policy;
  private final Duration walGrace;
  private final Clock clock;
  private final Supplier<List<Table>> otherHeads;

  /**
   * @param walGrace how long after a compaction its retired segments may still be read (the
   *     compaction policy's retire grace: the query timeout plus a margin)
   * @param clock "now" for every age; tests pass a later clock to age files without waiting
   */
  public TableMaintenance(
      LakeTable table, MaintenancePolicy policy, Duration walGrace, Clock clock) {
    this(table, policy, walGrace, clock, List::of);
  }

  /**
   * As above, with the other states of the table that share its files: with Nessie, the table at
   * the head of every other branch and tag ({@code LakeCatalog.otherReferenceHeads}). Their
   * files are never deleted, neither by expiry nor as orphans.
   */
  public TableMaintenance(
      LakeTable table, MaintenancePolicy policy, Duration walGrace, Clock clock,
      Supplier<List<Table>> otherHeads) {
    this.otherHeads = otherHeads;
    this.table = table;
    this.policy = policy;
    this.walGrace = walGrace;
    this.clock = clock;
  }

  /** Runs every step while {@code held} lasts; call only while holding the table's lease. */
  public Result run(CompactionLease.Held held) throws IOException {
    Table iceberg = table.table();
    if (table.wal().shared()) {
      table.refresh();
    } else {
      iceberg.refresh();
    }
    if (!PropertyUtil.propertyAsBoolean(
        iceberg.properties(), TableProperties.GC_ENABLED, TableProperties.GC_ENABLED_DEFAULT)) {
      String why = "gc.enabled is false on the table";
      LOG.info("maintenance table={} skipped: {}", table.name(), why);
      return new Result(0, 0, 0, 0, 0, why);
    }
    long now = clock.millis();
    // Read before expiry commits: a file another reference holds is kept by both steps.
    Map<String, String> shared = sharedFiles(iceberg);
    SnapshotExpiry.Outcome expiry =
        SnapshotExpiry.run(
            table.name(), iceberg, policy, walGrace, now, held::stillHeld, shared);
    if (expiry.snapshots() > 0) {
      iceberg.refresh();
    }
    OrphanFiles.Outcome orphans =
        OrphanFiles.run(
            table.name(), iceberg, table.wal().location(),
            now - policy.orphanMinAge().toMillis(), policy.maxDeletesPerRun(), held::stillHeld,
            shared);
    if (orphans.skipped() != null) {
      LOG.warn("orphan removal table={} incomplete: {}", table.name(), orphans.skipped());
    }
    int wal = 0;
    if (held.stillHeld()) {
      wal = WalCleanup.run(table.wal(), WalCleanup.markAsOf(iceberg, now - walGrace.toMillis()));
    }
    Result result =
        new Result(
            expiry.snapshots(), expiry.files(), orphans.deleted(), orphans.keptYoung(), wal,
            orphans.skipped());
    LOG.info(
        "maintenance table={} expired_snapshots={} expired_files={} orphans={} young_orphans={}"
            + " wal_segments={}",
        table.name(), result.expiredSnapshots(), result.expiredFiles(), result.orphanFiles(),
        result.youngOrphans(), result.walSegments());
    return result;
  }

  /**
   * The files the table's other states reference (other Nessie branches and tags), by path;
   * those whose table lies elsewhere are left out unread.
   */
  private Map<String, String> sharedFiles(Table iceberg) {
    List<Table> others = new ArrayList<>();
    for (Table other : otherHeads.get()) {
      if (OrphanFiles.overlaps(iceberg, other)) {
        others.add(other);
      }
    }
    if (others.isEmpty()) {
      return Map.of();
    }
    Map<String, String> files = OrphanFiles.reachable(others);
    LOG.info(
        "maintenance table={}: {} other references hold {} files of it", table.name(),
        others.size(), files.size());
    return files;
  }
}

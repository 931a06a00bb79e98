package io.icegate.storage.maintenance;

import io.icegate.storage.table.LakeTable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.iceberg.ExpireSnapshots;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.util.PropertyUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expires a table's old snapshots through Iceberg's {@code ExpireSnapshots}, which commits the
 * table without them and then deletes the manifest lists, manifests and data files only they
 * referenced. Snapshots within the retention stay, so time travel to them keeps working, and so
 * do branches and tags (Iceberg's own ref rules).
 *
 * <p>Two of our snapshots are kept whatever their age, because the lake reads them:
 *
 * <ul>
 *   <li>the newest ancestor that records the compaction mark ({@link
 *       LakeTable#COMPACTED_THROUGH}): a later snapshot that does not move the mark (a backfill
 *       rewrite, another engine's commit) finds it by walking to that ancestor, and without it
 *       the WAL would take compacted segments for live ones;
 *   <li>the newest ancestor committed at least the WAL's grace period ago, and everything after
 *       it: the sweep of retired segments reads its mark ({@code LakeTable.compactedThroughAsOf}).
 * </ul>
 *
 * Both only ever hold back expiry by one compaction interval or so.
 */
final class SnapshotExpiry {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotExpiry.class);

  /** What one expiry did: snapshots removed from the table, files deleted with them. */
  record Outcome(int snapshots, int files) {
    static final Outcome NOTHING = new Outcome(0, 0);
  }

  private SnapshotExpiry() {}

  /**
   * The commit time below which snapshots may go: now minus the retention, held back so that
   * the two snapshots above stay.
   */
  static long cutoffMillis(Table table, long nowMillis, Duration maxAge, Duration walGrace) {
    long cutoff = nowMillis - maxAge.toMillis();
    Snapshot marked = null;
    Snapshot settled = null;
    for (Snapshot s = table.currentSnapshot(); s != null; s = parent(table, s)) {
      Map<String, String> summary = s.summary();
      if (marked == null && summary != null && summary.containsKey(LakeTable.COMPACTED_THROUGH)) {
        marked = s;
      }
      if (settled == null && s.timestampMillis() <= nowMillis - walGrace.toMillis()) {
        settled = s;
      }
      if (marked != null && settled != null) {
        break;
      }
    }
    if (marked != null) {
      cutoff = Math.min(cutoff, marked.timestampMillis());
    }
    if (settled != null) {
      cutoff = Math.min(cutoff, settled.timestampMillis());
    }
    return cutoff;
  }

  /**
   * Expires what {@code policy} lets go (a table's own {@code history.expire.*} properties win
   * over it, but a snapshot is never expired younger than {@code walGrace}: a query planned on
   * it may still be reading its files). Commits nothing when nothing would be expired, so an idle table gets no new
   * metadata file per run.
   */
  static Outcome run(
      String name, Table table, MaintenancePolicy policy, Duration walGrace, long nowMillis,
      BooleanSupplier leaseHeld) {
    return run(name, table, policy, walGrace, nowMillis, leaseHeld, Map.of());
  }

  /**
   * As above, never deleting a file in {@code stillReferenced} (by path, as {@link
   * OrphanFiles#reachable(List)} gives them: the files other Nessie branches and tags hold):
   * the snapshots go from this branch's metadata, their files stay while another reference
   * needs them, and become orphans (deleted by orphan removal) once none does.
   */
  static Outcome run(
      String name, Table table, MaintenancePolicy policy, Duration walGrace, long nowMillis,
      BooleanSupplier leaseHeld, Map<String, String> stillReferenced) {
    if (table.currentSnapshot() == null) {
      return Outcome.NOTHING;
    }
    Map<String, String> props = table.properties();
    long maxAgeMillis =
        PropertyUtil.propertyAsLong(
            props, TableProperties.MAX_SNAPSHOT_AGE_MS, policy.maxSnapshotAge().toMillis());
    Duration maxAge = Duration.ofMillis(Math.max(maxAgeMillis, walGrace.toMillis()));
    int minKeep =
        PropertyUtil.propertyAsInt(
            props, TableProperties.MIN_SNAPSHOTS_TO_KEEP, policy.minSnapshotsToKeep());
    long cutoff = cutoffMillis(table, nowMillis, maxAge, walGrace);
    boolean anyOlder = false;
    for (Snapshot s : table.snapshots()) {
      anyOlder |= s.timestampMillis() < cutoff;
    }
    if (!anyOlder) {
      return Outcome.NOTHING;
    }
    AtomicInteger deleted = new AtomicInteger();
    ExpireSnapshots expire =
        table
            .expireSnapshots()
            .expireOlderThan(cutoff)
            .retainLast(Math.max(1, minKeep))
            .deleteWith(
                path -> {
                  if (stillReferenced.containsKey(OrphanFiles.Location.of(path).path())) {
                    return; // another Nessie reference's table reads it
                  }
                  try {
                    table.io().deleteFile(path);
                    deleted.incrementAndGet();
                  } catch (NotFoundException e) {
                    // Deleted by an earlier run that was killed after its commit: fine.
                  }
                });
    List<Snapshot> removed = expire.apply(); // what would go, without committing
    int expired = removed.size();
    if (expired <= 0) {
      return Outcome.NOTHING;
    }
    if (!leaseHeld.getAsBoolean()) {
      LOG.warn("snapshot expiry table={} abandoned: the lease ran out before the commit", name);
      return Outcome.NOTHING;
    }
    expire.commit();
    LOG.info(
        "snapshots expired table={} snapshots={} files_deleted={} older_than_ms={}",
        name, expired, deleted.get(), cutoff);
    return new Outcome(expired, deleted.get());
  }

  private static Snapshot parent(Table table, Snapshot s) {
    return s.parentId() == null ? null : table.snapshot(s.parentId());
  }
}

package io.icegate.storage.maintenance;

import java.time.Duration;
import java.util.Objects;

/**
 * How much history a table keeps and how careful clean-up is.
 *
 * @param maxSnapshotAge snapshots older than this are expired (and their files no retained
 *     snapshot references deleted); time travel reaches back this far. Iceberg's table property
 *     {@code history.expire.max-snapshot-age-ms} on a table wins over it
 * @param minSnapshotsToKeep the current snapshot and its ancestors kept whatever their age
 *     (Iceberg's {@code history.expire.min-snapshots-to-keep} on a table wins over it)
 * @param orphanMinAge a file no snapshot references is deleted only once it is older than this:
 *     a compaction, backfill or another engine's commit writes its files before it commits them,
 *     so a young unreferenced file may be one about to be committed
 * @param maxDeletesPerRun orphan files one run deletes at most per table (the rest next run)
 */
public record MaintenancePolicy(
    Duration maxSnapshotAge, int minSnapshotsToKeep, Duration orphanMinAge, int maxDeletesPerRun) {

  /** Iceberg's own defaults: snapshots kept 5 days (at least 1), orphans older than 3 days. */
  public static final MaintenancePolicy DEFAULT =
      new MaintenancePolicy(Duration.ofDays(5), 1, Duration.ofDays(3), 10_000);

  public MaintenancePolicy {
    Objects.requireNonNull(maxSnapshotAge, "maxSnapshotAge");
    Objects.requireNonNull(orphanMinAge, "orphanMinAge");
    if (minSnapshotsToKeep < 1) {
      throw new IllegalArgumentException(
          "at least one snapshot is kept, got " + minSnapshotsToKeep);
    }
    if (maxSnapshotAge.isNegative() || orphanMinAge.isNegative() || maxDeletesPerRun < 1) {
      throw new IllegalArgumentException("maintenance ages must not be negative");
    }
  }
}

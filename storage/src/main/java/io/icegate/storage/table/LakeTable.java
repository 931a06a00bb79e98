package io.icegate.storage.table;

import io.icegate.storage.wal.WalSegment;
import io.icegate.storage.wal.WalStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;

/**
 * One table as queries see it: the committed Iceberg snapshot plus the WAL segments not yet in
 * it. The two change together — a compaction's commit and the retirement of the segments it
 * compacted happen under one lock — so a {@link View} is a single point in time: every record is
 * in exactly one of its two parts.
 *
 * <p>With a shared WAL (S3) other replicas write segments and commit compactions too. A view
 * then first refreshes, at most once per {@code refreshInterval}: the table from the catalog
 * (its snapshot and mark), then the WAL listing above that mark — in that order, so the listing
 * can only be newer than the snapshot, and segments the snapshot already holds are cut off by
 * its mark.
 */
public final class LakeTable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LakeTable.class);
  /** Snapshot summary key: every WAL segment numbered up to this value is in the snapshot. */
  public static final String COMPACTED_THROUGH = "icegate.wal.compacted-through";

  private final String name;
  private final Table table;
  private final WalStore wal;
  private final Duration refreshInterval;
  private final Clock clock;
  private final java.util.function.Consumer<Throwable> catalogFailed;
  private long refreshedAtMillis; // 0: the first view refreshes

  public LakeTable(String name, Table table, WalStore wal) {
    this(name, table, wal, Duration.ofSeconds(1), Clock.systemUTC());
  }

  public LakeTable(
      String name, Table table, WalStore wal, Duration refreshInterval, Clock clock) {
    this(name, table, wal, refreshInterval, clock, e -> { });
  }

  /**
   * As above; {@code catalogFailed} hears of every failed catalog read of the query path (the
   * lake's {@link io.icegate.storage.catalog.CatalogHealth} then probes the catalog).
   */
  public LakeTable(
      String name, Table table, WalStore wal, Duration refreshInterval, Clock clock,
      java.util.function.Consumer<Throwable> catalogFailed) {
    this.catalogFailed = catalogFailed;
    this.name = name;
    this.table = table;
    this.wal = wal;
    this.refreshInterval = refreshInterval;
    this.clock = clock;
  }

  /** A consistent picture: the snapshot (null while the table is empty) and the newer segments. */
  public record View(Snapshot snapshot, long compactedThrough, List<WalSegment> segments) {}

  public String name() {
    return name;
  }

  public Table table() {
    return table;
  }

  public Schema schema() {
    return table.schema();
  }

  public WalStore wal() {
    return wal;
  }

  /** The current view; with a shared WAL, refreshed if older than the refresh interval. */
  public synchronized View view() {
    if (wal.shared() && clock.millis() - refreshedAtMillis >= refreshInterval.toMillis()) {
      refreshForQueries();
    }
    Snapshot snapshot = table.currentSnapshot();
    long mark = compactedThrough(table, snapshot);
    List<WalSegment> segments = new ArrayList<>();
    for (WalSegment segment : wal.allSegments()) {
      if (segment.sequence() > mark) {
        segments.add(segment);
      }
    }
    return new View(snapshot, mark, segments);
  }

  /**
   * As {@link #refresh()}, but a catalog that cannot be reached does not fail the query: the
   * table state read last is kept and only the WAL is listed again. That view is still
   * consistent — while the catalog is down no compaction can commit, and segments an earlier
   * compaction retired stay in the store for the query timeout plus a minute after it — so
   * queries keep being answered through a catalog outage (an object store outage does fail
   * them: the data is there).
   */
  private void refreshForQueries() {
    try {
      table.refresh();
    } catch (RuntimeException e) {
      LOG.warn("catalog unreachable, table {} served as last read: {}", name, e.toString());
      catalogFailed.accept(e);
    }
    try {
      wal.refresh(compactedThrough(table, table.currentSnapshot()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    refreshedAtMillis = clock.millis();
  }

  /** Reads the table from the catalog, then lists the WAL above its mark. */
  public synchronized void refresh() {
    table.refresh();
    try {
      wal.refresh(compactedThrough(table, table.currentSnapshot()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    refreshedAtMillis = clock.millis();
  }

  /**
   * Commits {@code files} as one snapshot recording that WAL segments up to {@code through} are
   * in it, then retires those segments. Returns the retired segments, whose files the caller
   * deletes once no query can still be reading them.
   *
   * <p>The commit is validated against {@code base}, the snapshot the compaction started from:
   * if any data was committed since (another replica's compaction, whose lease expired under
   * it), Iceberg refuses the commit with a {@code ValidationException} and nothing changes —
   * the lease keeps compactions apart, this makes sure two never both land.
   */
  public synchronized List<WalSegment> commitCompaction(
      List<DataFile> files, long through, Snapshot base) {
    OverwriteFiles commit = table.newOverwrite();
    files.forEach(commit::addFile);
    if (base != null) {
      commit.validateFromSnapshot(base.snapshotId());
    }
    commit
        .conflictDetectionFilter(Expressions.alwaysTrue())
        .validateNoConflictingData()
        .set(COMPACTED_THROUGH, Long.toString(through))
        .commit();
    return wal.retire(through);
  }

  /**
   * The mark of the newest snapshot committed at least {@code age} ago: segments at or below it
   * left the WAL long enough ago that no query still reads them.
   */
  public synchronized long compactedThroughAsOf(Duration age) {
    long cutoff = clock.millis() - age.toMillis();
    Snapshot s = table.currentSnapshot();
    while (s != null && s.timestampMillis() > cutoff) {
      s = s.parentId() == null ? null : table.snapshot(s.parentId());
    }
    return compactedThrough(table, s);
  }

  /**
   * The compaction mark of {@code snapshot}: recorded by the newest compaction among it and its
   * ancestors (other writers, such as maintenance rewrites, don't move it), or 0 before any.
   */
  public static long compactedThrough(Table table, Snapshot snapshot) {
    for (Snapshot s = snapshot; s != null;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      Map<String, String> summary = s.summary();
      String value = summary == null ? null : summary.get(COMPACTED_THROUGH);
      if (value != null) {
        return Long.parseLong(value);
      }
    }
    return 0;
  }
}

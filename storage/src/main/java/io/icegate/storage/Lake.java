package io.icegate.storage;

import io.icegate.storage.catalog.LakeCatalog;
import io.icegate.storage.compaction.CompactionLease;
import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.compaction.ObjectStoreLease;
import io.icegate.storage.objectstore.S3Connection;
import io.icegate.storage.scan.TableScanner;
import io.icegate.storage.table.LakeTable;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.wal.ObjectStoreWal;
import io.icegate.storage.wal.WalDirectory;
import io.icegate.storage.wal.WalStore;
import io.icegate.storage.wal.WalWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage layer as the rest of the system sees it: the catalog with the tables, the WAL
 * writers that ingest appends to, and the scanner queries read through. One per process.
 */
public final class Lake implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Lake.class);

  private final LakeCatalog catalog;
  private final S3Connection s3;
  private final WalWriter logsWal;
  private final TableScanner scanner;
  private final Compactor logsCompactor;

  private Lake(
      LakeCatalog catalog, S3Connection s3, WalWriter logsWal, TableScanner scanner,
      Compactor logsCompactor) {
    this.catalog = catalog;
    this.s3 = s3;
    this.logsWal = logsWal;
    this.scanner = scanner;
    this.logsCompactor = logsCompactor;
  }

  /** Moves the WAL segments that are due into the Iceberg tables. */
  public Compactor.Result compact() throws IOException {
    return logsCompactor.compact();
  }

  /**
   * Opens the lake in {@code dataDir} on local disk with the embedded catalog, recovering the
   * WAL. {@code walMaxDelay} bounds how long an append waits for others to share its segment.
   */
  public static Lake openLocal(Path dataDir, Duration walMaxDelay) throws IOException {
    return openLocal(dataDir, walMaxDelay, Compactor.Policy.DEFAULT);
  }

  /** As {@link #openLocal(Path, Duration)}, with the given compaction policy. */
  public static Lake openLocal(Path dataDir, Duration walMaxDelay, Compactor.Policy compaction)
      throws IOException {
    return openLocal(dataDir, walMaxDelay, compaction, Duration.ofMinutes(5));
  }

  /**
   * As {@link #openLocal(Path, Duration, Compactor.Policy)}; a client's retry of a request is
   * recognised for {@code dedupeWindow} after its ack.
   */
  public static Lake openLocal(
      Path dataDir, Duration walMaxDelay, Compactor.Policy compaction, Duration dedupeWindow)
      throws IOException {
    LakeConfig local = LakeConfig.local(dataDir);
    return open(
        local
            .withWal(walMaxDelay, local.walListInterval())
            .withCompaction(compaction, dedupeWindow, local.compactionLeaseTtl()));
  }

  /**
   * Opens the lake {@code config} describes: connects the catalog (creating the tables on first
   * start) and recovers the WAL from local disk or from the bucket. Segments are compacted only
   * once older than the dedupe window (the fingerprints live in their footers), whatever the
   * policy says.
   */
  public static Lake open(LakeConfig config) throws IOException {
    Compactor.Policy compaction = config.compaction();
    if (compaction.minAge().compareTo(config.dedupeWindow()) < 0) {
      compaction =
          new Compactor.Policy(
              config.dedupeWindow(), compaction.maxInputBytes(), compaction.retireGrace());
    }
    S3Connection s3 =
        config.storage() instanceof LakeConfig.Storage.S3 settings
            ? S3Connection.open(settings)
            : null;
    LakeCatalog catalog = null;
    try {
      catalog = LakeCatalog.open(config, s3);
      Table logsTable = catalog.logs();
      Clock clock = Clock.systemUTC();
      // Segments the last compaction committed but did not get to delete are dropped on open.
      long compactedThrough = LakeTable.compactedThrough(logsTable, logsTable.currentSnapshot());
      WalStore logsDir;
      CompactionLease lease;
      if (s3 == null) {
        logsDir =
            WalDirectory.open(
                config.dataDir().resolve("wal").resolve(LogsTable.NAME), compactedThrough);
        lease = CompactionLease.exclusiveProcess();
      } else {
        String walPrefix = s3.settings().key("wal/" + LogsTable.NAME + "/");
        logsDir =
            ObjectStoreWal.open(
                s3,
                walPrefix,
                logsTable.io(),
                compactedThrough,
                () -> {
                  logsTable.refresh();
                  return LakeTable.compactedThrough(logsTable, logsTable.currentSnapshot());
                },
                clock);
        lease =
            new ObjectStoreLease(
                s3, walPrefix + "_compaction.lease", config.compactionLeaseTtl(), clock);
      }
      LakeTable logs =
          new LakeTable(LogsTable.NAME, logsTable, logsDir, config.walListInterval(), clock);
      // The catalog assigned the table's field ids when it created it; WAL segments must carry
      // those ids, so they are written with the table's schema, not our definition of it.
      Schema logsSchema = logsTable.schema();
      WalWriter logsWal =
          new WalWriter(
              logsDir, logsSchema, LogsTable.TIMESTAMP, config.walMaxDelay(), 65_536,
              config.dedupeWindow());
      TableScanner scanner = new TableScanner(Map.of(LogsTable.NAME, logs));
      Compactor compactor = new Compactor(logs, compaction, lease, clock);
      LOG.info(
          "lake open catalog={} storage={} table={} wal={}",
          config.catalog(), config.storage(), logsTable.location(), logsDir.location());
      return new Lake(catalog, s3, logsWal, scanner, compactor);
    } catch (IOException | RuntimeException e) {
      if (catalog != null) {
        catalog.close();
      }
      if (s3 != null) {
        s3.close();
      }
      throw e;
    }
  }

  public WalWriter logsWal() {
    return logsWal;
  }

  public TableScanner scanner() {
    return scanner;
  }

  /** Flushes everything accepted into the WAL, then closes the catalog. */
  @Override
  public void close() throws IOException {
    try {
      logsWal.close();
      logsCompactor.deleteAllRetired();
    } finally {
      try {
        catalog.close();
      } finally {
        if (s3 != null) {
          s3.close();
        }
      }
    }
  }
}

package io.icegate.storage;

import io.icegate.storage.catalog.EmbeddedCatalog;
import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.scan.TableScanner;
import io.icegate.storage.table.LakeTable;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.wal.WalDirectory;
import io.icegate.storage.wal.WalWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.iceberg.Schema;

/**
 * The storage layer as the rest of the system sees it: the catalog with the tables, the WAL
 * writers that ingest appends to, and the scanner queries read through. One per process.
 */
public final class Lake implements AutoCloseable {
  private final EmbeddedCatalog catalog;
  private final WalWriter logsWal;
  private final TableScanner scanner;
  private final Compactor logsCompactor;

  private Lake(
      EmbeddedCatalog catalog, WalWriter logsWal, TableScanner scanner, Compactor logsCompactor) {
    this.catalog = catalog;
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
   * recognised for {@code dedupeWindow} after its ack. Segments are compacted only once older
   * than that window (the fingerprints live in their footers), whatever the policy says.
   */
  public static Lake openLocal(
      Path dataDir, Duration walMaxDelay, Compactor.Policy compaction, Duration dedupeWindow)
      throws IOException {
    if (compaction.minAge().compareTo(dedupeWindow) < 0) {
      compaction =
          new Compactor.Policy(dedupeWindow, compaction.maxInputBytes(), compaction.retireGrace());
    }
    EmbeddedCatalog catalog = EmbeddedCatalog.open(dataDir);
    try {
      // Segments the last compaction committed but did not get to delete are dropped on open.
      LakeTable probe = new LakeTable(LogsTable.NAME, catalog.logs(), null);
      long compactedThrough = probe.compactedThrough(catalog.logs().currentSnapshot());
      WalDirectory logsDir =
          WalDirectory.open(dataDir.resolve("wal").resolve(LogsTable.NAME), compactedThrough);
      LakeTable logs = new LakeTable(LogsTable.NAME, catalog.logs(), logsDir);
      // The catalog assigned the table's field ids when it created it; WAL segments must carry
      // those ids, so they are written with the table's schema, not our definition of it.
      Schema logsSchema = catalog.logs().schema();
      WalWriter logsWal =
          new WalWriter(
              logsDir, logsSchema, LogsTable.TIMESTAMP, walMaxDelay, 65_536, dedupeWindow);
      TableScanner scanner = new TableScanner(Map.of(LogsTable.NAME, logs));
      Compactor compactor = new Compactor(logs, compaction, Clock.systemUTC());
      return new Lake(catalog, logsWal, scanner, compactor);
    } catch (IOException | RuntimeException e) {
      catalog.close();
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
      catalog.close();
    }
  }
}

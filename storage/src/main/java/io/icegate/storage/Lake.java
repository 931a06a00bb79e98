package io.icegate.storage;

import io.icegate.storage.catalog.EmbeddedCatalog;
import io.icegate.storage.scan.TableScanner;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.wal.WalDirectory;
import io.icegate.storage.wal.WalWriter;
import java.io.IOException;
import java.nio.file.Path;
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

  private Lake(EmbeddedCatalog catalog, WalWriter logsWal, TableScanner scanner) {
    this.catalog = catalog;
    this.logsWal = logsWal;
    this.scanner = scanner;
  }

  /**
   * Opens the lake in {@code dataDir} on local disk with the embedded catalog, recovering the
   * WAL. {@code walMaxDelay} bounds how long an append waits for others to share its segment.
   */
  public static Lake openLocal(Path dataDir, Duration walMaxDelay) throws IOException {
    EmbeddedCatalog catalog = EmbeddedCatalog.open(dataDir);
    try {
      WalDirectory logsDir = WalDirectory.open(dataDir.resolve("wal").resolve(LogsTable.NAME));
      // The catalog assigned the table's field ids when it created it; WAL segments must carry
      // those ids, so they are written with the table's schema, not our definition of it.
      Schema logsSchema = catalog.logs().schema();
      WalWriter logsWal =
          new WalWriter(logsDir, logsSchema, LogsTable.TIMESTAMP, walMaxDelay, 65_536);
      TableScanner scanner =
          new TableScanner(
              Map.of(LogsTable.NAME, logsSchema), Map.of(LogsTable.NAME, logsDir));
      return new Lake(catalog, logsWal, scanner);
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
    } finally {
      catalog.close();
    }
  }
}

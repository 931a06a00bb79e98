package io.icegate.storage;

import io.icegate.storage.catalog.CatalogHealth;
import io.icegate.storage.catalog.LakeCatalog;
import io.icegate.storage.compaction.CompactionLease;
import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.compaction.ObjectStoreLease;
import io.icegate.storage.maintenance.MaintenancePolicy;
import io.icegate.storage.maintenance.TableMaintenance;
import io.icegate.storage.objectstore.S3Connection;
import io.icegate.storage.scan.TableScanner;
import io.icegate.storage.table.LakeTable;
import io.icegate.storage.table.EventsTable;
import io.icegate.storage.table.LakeTables;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.table.MetricsTable;
import io.icegate.storage.table.SpansTable;
import io.icegate.storage.table.TableDefinition;
import io.icegate.storage.wal.ObjectStoreWal;
import io.icegate.storage.wal.WalDirectory;
import io.icegate.storage.wal.WalStore;
import io.icegate.storage.wal.WalWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage layer as the rest of the system sees it: the catalog with the four tables
 * ({@code logs}, {@code spans}, {@code metrics}, {@code events}), one WAL writer and one compactor
 * per table, and the scanner queries read through. One per process.
 *
 * <p>Each table has its own WAL ({@code wal/<table>} on disk, {@code wal/<table>/} in the bucket),
 * so its own group commit, segment numbering, compaction mark, compaction lease and dedupe index:
 * a request fingerprint is claimed per table, and a request that writes two tables (a log record
 * with an event name goes to {@code logs} and {@code events}) is deduplicated in each.
 */
public final class Lake implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Lake.class);

  /** One table's parts. */
  private record Part(LakeTable table, WalWriter wal, Compactor compactor) {}

  private final LakeCatalog catalog;
  private final S3Connection s3;
  private final Map<String, Part> parts;
  private final TableScanner scanner;
  private final MaintenancePolicy maintenance;
  private final CatalogHealth catalogHealth;

  private Lake(
      LakeCatalog catalog, S3Connection s3, Map<String, Part> parts,
      MaintenancePolicy maintenance, CatalogHealth catalogHealth) {
    this.catalog = catalog;
    this.catalogHealth = catalogHealth;
    this.s3 = s3;
    this.parts = parts;
    this.maintenance = maintenance;
    Map<String, LakeTable> tables = new LinkedHashMap<>();
    parts.forEach((name, part) -> tables.put(name, part.table()));
    this.scanner = new TableScanner(tables);
  }

  /**
   * Moves the WAL segments that are due into the Iceberg tables, table by table. The result adds
   * up the tables' results, seed rows backfilled included ({@link Compactor.Result#NOTHING} if
   * no table had anything due); its mark is the highest any table reached — see {@link #compact(String)} for one table's.
   */
  public Compactor.Result compact() throws IOException {
    Compactor.Result total = Compactor.Result.NOTHING;
    for (String table : parts.keySet()) {
      Compactor.Result r = compact(table);
      if (r.segments() > 0 || r.seedRows() > 0) {
        total =
            new Compactor.Result(
                total.segments() + r.segments(),
                total.rows() + r.rows(),
                total.files() + r.files(),
                Math.max(total.compactedThrough(), r.compactedThrough()),
                total.seedRows() + r.seedRows());
      }
    }
    return total;
  }

  /** Compacts one table's due segments. */
  public Compactor.Result compact(String table) throws IOException {
    Compactor.Result result;
    try {
      result = part(table).compactor().compact();
    } catch (IOException | RuntimeException e) {
      catalogHealth.failed(e);
      throw e;
    }
    if (result.segments() > 0) {
      catalogHealth.succeeded(); // it committed through the catalog
    }
    return result;
  }

  /**
   * Whether the catalog answers, as last probed (every {@link LakeConfig#catalogProbeInterval},
   * and at once after a failed catalog operation): ingest consults it instead of the catalog.
   */
  public CatalogHealth catalogHealth() {
    return catalogHealth;
  }

  /**
   * Maintains every table in turn ({@link #maintain(String)}); the results added up. A table
   * that fails does not keep the others from being maintained; its failure is thrown after.
   */
  public TableMaintenance.Result maintain() throws IOException {
    TableMaintenance.Result total = TableMaintenance.Result.NOTHING;
    IOException failure = null;
    for (String table : parts.keySet()) {
      try {
        total = total.plus(maintain(table));
      } catch (IOException | RuntimeException e) {
        IOException wrapped =
            e instanceof IOException io ? io : new IOException("maintenance of " + table, e);
        if (failure == null) {
          failure = wrapped;
        } else {
          failure.addSuppressed(wrapped);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
    return total;
  }

  /**
   * Expires the table's old snapshots, deletes its orphan files and its WAL segments compacted
   * longer ago than the grace period ({@link TableMaintenance}), holding the table's compaction
   * lease; nothing done (and {@code skipped} says why) if another replica holds it.
   */
  public TableMaintenance.Result maintain(String table) throws IOException {
    return maintain(table, Clock.systemUTC());
  }

  /**
   * As {@link #maintain(String)}, with every age measured from {@code clock}'s now (a later
   * clock ages files and snapshots without waiting).
   */
  public TableMaintenance.Result maintain(String table, Clock clock) throws IOException {
    Part part = part(table);
    Compactor compactor = part.compactor();
    TableMaintenance.Result result =
        compactor.underLease(
            held ->
                new TableMaintenance(
                        part.table(), maintenance, compactor.policy().retireGrace(), clock,
                        () -> catalog.otherReferenceHeads(table))
                    .run(held));
    return result != null
        ? result
        : new TableMaintenance.Result(
            0, 0, 0, 0, 0, "another replica holds the table's compaction lease");
  }

  /** The maintenance policy in force (after {@link #open}'s floors). */
  public MaintenancePolicy maintenancePolicy() {
    return maintenance;
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
    Compactor.Policy compaction = config.compaction().withAgeFloor(config.dedupeWindow());
    MaintenancePolicy maintenance = maintenanceFloors(config, compaction);
    S3Connection s3 =
        config.storage() instanceof LakeConfig.Storage.S3 settings
            ? S3Connection.open(settings)
            : null;
    LakeCatalog catalog = null;
    CatalogHealth health = null;
    Map<String, Part> parts = new LinkedHashMap<>();
    try {
      catalog = LakeCatalog.open(config, s3);
      health =
          CatalogHealth.start(
              catalog::probe, config.catalogProbeInterval(), String.valueOf(config.catalog()));
      Clock clock = Clock.systemUTC();
      for (TableDefinition definition : LakeTables.ALL) {
        parts.put(
            definition.name(),
            openPart(
                config, s3, catalog.table(definition.name()), definition, compaction, clock,
                health));
      }
      LOG.info(
          "lake open catalog={} storage={} tables={}",
          config.catalog(), config.storage(), parts.keySet());
      return new Lake(catalog, s3, parts, maintenance, health);
    } catch (IOException | RuntimeException e) {
      parts.values().forEach(p -> p.wal().close());
      if (health != null) {
        health.close();
      }
      if (catalog != null) {
        catalog.close();
      }
      if (s3 != null) {
        s3.close();
      }
      throw e;
    }
  }

  /**
   * The maintenance policy with its two floors: snapshots are kept at least as long as retired
   * WAL segments (the query timeout and a margin: a query planned on a snapshot reads its files),
   * and an unreferenced file is young for at least a lease's length (a compaction writes its
   * files and commits them within one lease).
   */
  private static MaintenancePolicy maintenanceFloors(
      LakeConfig config, Compactor.Policy compaction) {
    MaintenancePolicy p = config.maintenance();
    Duration maxAge = max(p.maxSnapshotAge(), compaction.retireGrace());
    Duration orphanAge = max(p.orphanMinAge(), config.compactionLeaseTtl());
    if (!maxAge.equals(p.maxSnapshotAge()) || !orphanAge.equals(p.orphanMinAge())) {
      LOG.warn(
          "maintenance ages raised to their floors: snapshot max age {} (retire grace), orphan"
              + " min age {} (compaction lease)", maxAge, orphanAge);
    }
    return new MaintenancePolicy(
        maxAge, p.minSnapshotsToKeep(), orphanAge, p.maxDeletesPerRun());
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /**
   * One table's WAL, its table recovered and its mark applied: the catalog assigned the table's
   * field ids when it created it, so WAL segments are written with the table's schema, not our
   * definition of it.
   */
  private static Part openPart(
      LakeConfig config, S3Connection s3, Table table, TableDefinition definition,
      Compactor.Policy compaction, Clock clock, CatalogHealth health) throws IOException {
    String name = definition.name();
    // Segments the last compaction committed but did not get to delete are dropped on open.
    long compactedThrough = LakeTable.compactedThrough(table, table.currentSnapshot());
    WalStore store;
    CompactionLease lease;
    if (s3 == null) {
      store = WalDirectory.open(config.dataDir().resolve("wal").resolve(name), compactedThrough);
      lease = CompactionLease.exclusiveProcess();
    } else {
      String walPrefix = s3.settings().key("wal/" + name + "/");
      store =
          ObjectStoreWal.open(
              s3,
              walPrefix,
              table.io(),
              compactedThrough,
              () -> {
                try {
                  table.refresh();
                } catch (RuntimeException e) {
                  health.failed(e);
                  throw e;
                }
                return LakeTable.compactedThrough(table, table.currentSnapshot());
              },
              clock);
      lease =
          new ObjectStoreLease(
              s3, walPrefix + "_compaction.lease", config.compactionLeaseTtl(), clock);
    }
    LakeTable lakeTable =
        new LakeTable(name, table, store, config.walListInterval(), clock, health::failed);
    Schema schema = table.schema();
    WalWriter wal =
        new WalWriter(
            store, schema, TableDefinition.TIMESTAMP, config.walMaxDelay(), 65_536,
            config.dedupeWindow());
    LOG.info("table {} at {} wal={}", name, table.location(), store.location());
    return new Part(lakeTable, wal, new Compactor(lakeTable, compaction, lease, clock));
  }

  private Part part(String table) {
    Part part = parts.get(table);
    if (part == null) {
      throw new IllegalArgumentException("unknown table " + table);
    }
    return part;
  }

  /** The table called {@code table} (see {@link LakeTables}): its Iceberg table and WAL store. */
  public LakeTable table(String table) {
    return part(table).table();
  }

  /** The WAL writer of the {@code logs} table. */
  public WalWriter logsWal() {
    return wal(LogsTable.NAME);
  }

  /** The WAL writer of the {@code spans} table. */
  public WalWriter spansWal() {
    return wal(SpansTable.NAME);
  }

  /** The WAL writer of the {@code metrics} table. */
  public WalWriter metricsWal() {
    return wal(MetricsTable.NAME);
  }

  /** The WAL writer of the {@code events} table. */
  public WalWriter eventsWal() {
    return wal(EventsTable.NAME);
  }

  /** The WAL writer of the table called {@code table} (see {@link LakeTables}). */
  public WalWriter wal(String table) {
    return part(table).wal();
  }

  /** The scanner over all four tables. */
  public TableScanner scanner() {
    return scanner;
  }

  /** Flushes everything accepted into the WAL, then closes the catalog. */
  @Override
  public void close() throws IOException {
    catalogHealth.close();
    try {
      // Every WAL drains even if another's retired-segment clean-up fails.
      IOException failure = null;
      for (Part part : parts.values()) {
        part.wal().close();
      }
      for (Part part : parts.values()) {
        try {
          part.compactor().deleteAllRetired();
        } catch (IOException e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
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

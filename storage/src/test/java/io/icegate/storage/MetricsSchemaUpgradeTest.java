package io.icegate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.protocol.prometheus.RemoteWriteRequest;
import io.icegate.storage.catalog.SchemaUpgrade;
import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.ingest.BatchResult;
import io.icegate.storage.ingest.MetricsBatchBuilder;
import io.icegate.storage.table.LakeTable;
import io.icegate.storage.table.MetricsTable;
import io.icegate.storage.wal.WalDirectory;
import io.icegate.storage.wal.WalWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lake whose {@code metrics} table an older IceGate created (without the float-count columns)
 * and wrote — one compacted data file, one WAL segment — opened by this version: the columns are
 * added once, with the ids a new table has, the old rows read them as null, the new rows carry
 * fractional counts, and compaction and a second open keep it so.
 */
class MetricsSchemaUpgradeTest {
  private static final long T0_MS = 1_700_000_000_000L;
  private static final long MS = 1_000_000L;
  private static final TableIdentifier ID =
      TableIdentifier.of(OldMetricsTable.NAMESPACE, MetricsTable.NAME);

  @TempDir Path dir;
  private final RootAllocator allocator = new RootAllocator();

  @AfterEach
  void empty() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  @Test
  void anOldMetricsTableGetsTheFloatCountColumnsOnOpenAndKeepsItsRows() throws Exception {
    // Given the old version's lake: its table, a compacted file and a segment still in the WAL.
    try (JdbcCatalog catalog = SeedLake.catalog(dir)) {
      Table old = OldMetricsTable.create(catalog);
      WalDirectory store = WalDirectory.open(dir.resolve("wal").resolve(MetricsTable.NAME));
      try (WalWriter wal =
          new WalWriter(store, old.schema(), MetricsTable.TIMESTAMP, Duration.ofMillis(1), 1024)) {
        appendAsOldVersion(wal, OldMetricsTable.integerHistogram(T0_MS));
        Compactor.Result compacted =
            new Compactor(new LakeTable(MetricsTable.NAME, old, store), ScannedRows.NOW,
                Clock.systemUTC()).compact();
        assertThat(compacted.rows()).isEqualTo(1);
        appendAsOldVersion(wal, OldMetricsTable.integerHistogram(T0_MS + 60_000));
      }
      assertThat(catalog.loadTable(ID).schema().findField(MetricsTable.COUNT_DOUBLE)).isNull();
    }

    String metadataAfterUpgrade;
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), ScannedRows.NOW, Duration.ZERO)) {
      Table table = lake.table(MetricsTable.NAME).table();
      // Iceberg's addColumn numbers from the last id (63), a list before its element: the ids a
      // table created by this version has.
      assertThat(OldMetricsTable.NEW_COLUMNS)
          .extracting(name -> table.schema().findField(name).fieldId())
          .containsExactly(64, 65, 66, 68, 70);
      assertThat(table.schema().asStruct()).isEqualTo(MetricsTable.SCHEMA.asStruct());
      assertThat(table.schemas()).as("the old schema and one upgrade").hasSize(2);
      metadataAfterUpgrade = metadataLocation(table);

      // When this version writes a float histogram with fractional counts.
      append(lake, OldMetricsTable.fractionalHistogram(T0_MS + 120_000));

      assertUpgradedRows(ScannedRows.scan(lake, allocator, MetricsTable.NAME, "fake"));
      assertThat(lake.compact(MetricsTable.NAME).rows()).as("the old segment and the new one")
          .isEqualTo(2);
      assertUpgradedRows(ScannedRows.scan(lake, allocator, MetricsTable.NAME, "fake"));
      metadataAfterUpgrade = metadataLocation(lake.table(MetricsTable.NAME).table());
    }
    // A second open finds nothing to add and commits nothing.
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), ScannedRows.NOW, Duration.ZERO)) {
      Table table = lake.table(MetricsTable.NAME).table();
      assertThat(metadataLocation(table)).isEqualTo(metadataAfterUpgrade);
      assertThat(table.schemas()).hasSize(2);
      assertUpgradedRows(ScannedRows.scan(lake, allocator, MetricsTable.NAME, "fake"));
    }
  }

  @Test
  void twoReplicasUpgradingTheSameTableAtOnceAddTheColumnsOnce() throws Exception {
    try (JdbcCatalog catalog = SeedLake.catalog(dir)) {
      OldMetricsTable.create(catalog);
      // Both replicas loaded the old table before either committed.
      Table first = catalog.loadTable(ID);
      Table second = catalog.loadTable(ID);

      SchemaUpgrade.addMissingColumns(first, MetricsTable.DEFINITION);
      // The second one's commit conflicts; it reads the table again and finds nothing missing.
      Table upgraded = SchemaUpgrade.addMissingColumns(second, MetricsTable.DEFINITION);

      assertThat(upgraded.schema().asStruct()).isEqualTo(MetricsTable.SCHEMA.asStruct());
      Table reloaded = catalog.loadTable(ID);
      assertThat(reloaded.schemas()).as("the old schema and one upgrade").hasSize(2);
      assertThat(reloaded.schema().asStruct()).isEqualTo(MetricsTable.SCHEMA.asStruct());
      assertThat(SchemaUpgrade.missingColumns(reloaded, MetricsTable.DEFINITION)).isEmpty();
    }
  }

  /**
   * Hand-worked: the integer histogram (span (1, 2), deltas 1, 1) is Prometheus buckets 1 → 1
   * and 2 → 2, OTLP offset 0; the fractional one has buckets 0.5 and 0.75 and zero count 0.25,
   * held rounded half up in the integer columns (1, 1, 0; count 1.5 → 2).
   */
  private static void assertUpgradedRows(List<Map<String, Object>> rows) {
    assertThat(rows).hasSize(3);
    for (long t : new long[] {T0_MS, T0_MS + 60_000}) {
      assertThat(one(rows, t * MS))
          .as("written by the old version at " + t)
          .containsEntry(MetricsTable.COUNT, 3L)
          .containsEntry(MetricsTable.POSITIVE_OFFSET, 0)
          .containsEntry(MetricsTable.POSITIVE_BUCKET_COUNTS, List.of(1L, 2L))
          .containsEntry(MetricsTable.COUNT_DOUBLE, null)
          .containsEntry(MetricsTable.ZERO_COUNT_DOUBLE, null)
          .containsEntry(MetricsTable.BUCKET_COUNTS_DOUBLE, null)
          .containsEntry(MetricsTable.POSITIVE_BUCKET_COUNTS_DOUBLE, null)
          .containsEntry(MetricsTable.NEGATIVE_BUCKET_COUNTS_DOUBLE, null);
    }
    assertThat(one(rows, (T0_MS + 120_000) * MS))
        .containsEntry(MetricsTable.COUNT_DOUBLE, 1.5)
        .containsEntry(MetricsTable.COUNT, 2L)
        .containsEntry(MetricsTable.ZERO_COUNT_DOUBLE, 0.25)
        .containsEntry(MetricsTable.ZERO_COUNT, 0L)
        .containsEntry(MetricsTable.POSITIVE_OFFSET, 0)
        .containsEntry(MetricsTable.POSITIVE_BUCKET_COUNTS_DOUBLE, List.of(0.5, 0.75))
        .containsEntry(MetricsTable.POSITIVE_BUCKET_COUNTS, List.of(1L, 1L))
        .containsEntry(MetricsTable.NEGATIVE_BUCKET_COUNTS_DOUBLE, List.of());
  }

  private static Map<String, Object> one(List<Map<String, Object>> rows, long timestamp) {
    List<Map<String, Object>> found =
        rows.stream().filter(r -> Long.valueOf(timestamp).equals(r.get(MetricsTable.TIMESTAMP)))
            .toList();
    assertThat(found).as("row at " + timestamp).hasSize(1);
    return found.get(0);
  }

  private void appendAsOldVersion(WalWriter wal, RemoteWriteRequest.Histogram h)
      throws Exception {
    BatchResult built =
        MetricsBatchBuilder.build(OldMetricsTable.request("rpc_seconds", h), "fake", 1, allocator);
    assertThat(built.rejected()).isZero();
    wal.append("fake", OldMetricsTable.withoutNewColumns(built.batch())).get();
  }

  private void append(Lake lake, RemoteWriteRequest.Histogram h) throws Exception {
    BatchResult built =
        MetricsBatchBuilder.build(OldMetricsTable.request("rpc_seconds", h), "fake", 1, allocator);
    assertThat(built.rejected()).isZero();
    lake.metricsWal().append("fake", built.batch()).get();
  }

  private static String metadataLocation(Table table) {
    return ((HasTableOperations) table).operations().current().metadataFileLocation();
  }
}

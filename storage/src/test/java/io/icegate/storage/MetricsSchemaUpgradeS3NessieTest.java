package io.icegate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.catalog.SchemaUpgrade;
import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.ingest.BatchResult;
import io.icegate.storage.ingest.MetricsBatchBuilder;
import io.icegate.storage.objectstore.S3Connection;
import io.icegate.storage.servers.ObjectStoreServers;
import io.icegate.storage.table.MetricsTable;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.RootAllocator;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.nessie.NessieCatalog;
import org.apache.iceberg.parquet.Parquet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The float-count columns added on open to an old {@code metrics} table in Nessie, its data file
 * in S3: two replicas opening the lake at the same moment, and two stale views of the table
 * upgrading one after the other, end with the columns added once.
 */
@ExtendWith(ObjectStoreServers.class)
class MetricsSchemaUpgradeS3NessieTest {
  private static final long T0_MS = 1_700_000_000_000L;
  private static final long MS = 1_000_000L;
  private static final Compactor.Policy NOW =
      new Compactor.Policy(Duration.ZERO, 64L << 20, Duration.ZERO);
  private static final TableIdentifier ID =
      TableIdentifier.of(OldMetricsTable.NAMESPACE, MetricsTable.NAME);

  private static ObjectStoreServers.Endpoints servers;

  @TempDir Path dir;
  private RootAllocator allocator;
  private String branch;
  private LakeConfig.Storage.S3 storage;

  @BeforeAll
  static void servers(ObjectStoreServers.Endpoints endpoints) {
    servers = endpoints;
  }

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    branch = servers.newBranch("upgrade");
    storage = servers.freshStorage();
  }

  @AfterEach
  void tearDown() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  private LakeConfig config(String replica) {
    return LakeConfig.local(dir.resolve(replica))
        .withCatalog(new LakeConfig.Catalog.Nessie(servers.nessieApiV2(), branch, null))
        .withStorage(storage)
        .withWal(Duration.ofMillis(1), Duration.ZERO)
        .withCompaction(NOW, Duration.ZERO, Duration.ofMinutes(10));
  }

  @Test
  void twoReplicasOpeningAnOldLakeAtOnceAddTheColumnsOnce() throws Exception {
    try (NessieCatalog catalog = nessie()) {
      Table old = OldMetricsTable.create(catalog);
      appendOldFile(old, oldRow(T0_MS), T0_MS * MS);
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    Lake first = null;
    Lake second = null;
    try {
      Callable<Lake> open1 = () -> Lake.open(config("replica-1"));
      Callable<Lake> open2 = () -> Lake.open(config("replica-2"));
      Future<Lake> a = pool.submit(open1);
      Future<Lake> b = pool.submit(open2);
      first = a.get();
      second = b.get();

      for (Lake lake : List.of(first, second)) {
        assertThat(lake.table(MetricsTable.NAME).table().schema().asStruct())
            .isEqualTo(MetricsTable.SCHEMA.asStruct());
      }
      try (NessieCatalog catalog = nessie()) {
        assertThat(catalog.loadTable(ID).schemas()).as("the old schema and one upgrade")
            .hasSize(2);
      }

      BatchResult built = MetricsBatchBuilder.build(
          OldMetricsTable.request("rpc_seconds",
              OldMetricsTable.fractionalHistogram(T0_MS + 60_000)),
          "fake", 1, allocator);
      first.metricsWal().append("fake", built.batch()).get();
      assertThat(second.compact(MetricsTable.NAME).rows()).isEqualTo(1);

      List<Map<String, Object>> rows =
          ScannedRows.scan(second, allocator, MetricsTable.NAME, "fake");
      assertThat(rows).hasSize(2);
      Map<String, Object> before = one(rows, T0_MS * MS);
      assertThat(before)
          .as("the old version's data file reads the new columns as null")
          .containsEntry(MetricsTable.COUNT, 3L)
          .containsEntry(MetricsTable.POSITIVE_BUCKET_COUNTS, List.of(1L, 2L))
          .containsEntry(MetricsTable.COUNT_DOUBLE, null)
          .containsEntry(MetricsTable.POSITIVE_BUCKET_COUNTS_DOUBLE, null);
      assertThat(one(rows, (T0_MS + 60_000) * MS))
          .containsEntry(MetricsTable.COUNT_DOUBLE, 1.5)
          .containsEntry(MetricsTable.ZERO_COUNT_DOUBLE, 0.25)
          .containsEntry(MetricsTable.POSITIVE_BUCKET_COUNTS_DOUBLE, List.of(0.5, 0.75));
    } finally {
      if (first != null) {
        first.close();
      }
      if (second != null) {
        second.close();
      }
      pool.shutdownNow();
    }
  }

  @Test
  void aStaleViewUpgradingAfterAnotherFindsTheColumnsThere() throws Exception {
    try (NessieCatalog catalog = nessie()) {
      OldMetricsTable.create(catalog);
      Table first = catalog.loadTable(ID);
      Table second = catalog.loadTable(ID);

      SchemaUpgrade.addMissingColumns(first, MetricsTable.DEFINITION);
      Table upgraded = SchemaUpgrade.addMissingColumns(second, MetricsTable.DEFINITION);

      assertThat(upgraded.schema().asStruct()).isEqualTo(MetricsTable.SCHEMA.asStruct());
      assertThat(catalog.loadTable(ID).schemas()).hasSize(2);
    }
  }

  private NessieCatalog nessie() throws Exception {
    Map<String, String> props = new HashMap<>();
    try (S3Connection s3 = S3Connection.open(storage)) {
      props.putAll(s3.fileIoProperties());
    }
    props.put(CatalogProperties.URI, servers.nessieApiV2().toString());
    props.put("ref", branch);
    props.put("client-api-version", "2");
    props.put(CatalogProperties.WAREHOUSE_LOCATION, storage.uri("warehouse"));
    NessieCatalog catalog = new NessieCatalog();
    catalog.setConf(new Configuration());
    catalog.initialize("icegate", props);
    return catalog;
  }

  /** An integer native histogram row as the old version wrote it (see integerHistogram). */
  private static Record oldRow(long millis) {
    Record r = GenericRecord.create(OldMetricsTable.SCHEMA);
    LocalDateTime time = LocalDateTime.ofEpochSecond(
        Math.floorDiv(millis, 1000), (int) Math.floorMod(millis, 1000) * 1_000_000,
        ZoneOffset.UTC);
    String labels = "{job=\"api\"}";
    r.setField(MetricsTable.TENANT_ID, "fake");
    r.setField(MetricsTable.SERVICE_NAME, "api");
    r.setField(MetricsTable.TIMESTAMP, time);
    r.setField(MetricsTable.INGESTED_TIMESTAMP, time);
    r.setField(MetricsTable.METRIC_NAME, "rpc_seconds");
    r.setField(MetricsTable.METRIC_TYPE, MetricsTable.EXPONENTIAL_HISTOGRAM);
    r.setField(MetricsTable.AGGREGATION_TEMPORALITY, MetricsTable.CUMULATIVE);
    r.setField(MetricsTable.DATA_POINT_ATTRIBUTES, Map.of("job", "api"));
    r.setField(MetricsTable.COUNT, 3L);
    r.setField(MetricsTable.SUM, 6.0);
    r.setField(MetricsTable.SCALE, 0);
    r.setField(MetricsTable.ZERO_COUNT, 0L);
    r.setField(MetricsTable.ZERO_THRESHOLD, 0.001);
    r.setField(MetricsTable.POSITIVE_OFFSET, 0);
    r.setField(MetricsTable.POSITIVE_BUCKET_COUNTS, List.of(1L, 2L));
    r.setField(MetricsTable.NEGATIVE_OFFSET, 0);
    r.setField(MetricsTable.NEGATIVE_BUCKET_COUNTS, List.of());
    r.setField(MetricsTable.FLAGS, 0);
    r.setField(MetricsTable.RESOURCE_ATTRIBUTES, Map.of());
    r.setField(MetricsTable.SCOPE_ATTRIBUTES, Map.of());
    r.setField(MetricsTable.SERIES_LABELS, labels);
    r.setField(MetricsTable.SERIES_ID, MetricsTable.seriesId(labels));
    return r;
  }

  /**
   * Writes {@code row} as one data file of {@code table} with Iceberg's generic writer and
   * appends it. Iceberg's record wrapper does not convert a {@code timestamp_ns} value for the
   * partition key, so the key is made from a copy holding the time as nanoseconds.
   */
  private static void appendOldFile(Table table, Record row, long nanos) throws Exception {
    Record forKey = row.copy();
    forKey.setField(MetricsTable.TIMESTAMP, nanos);
    PartitionKey key = new PartitionKey(table.spec(), table.schema());
    key.partition(forKey);
    String location = table.locationProvider().newDataLocation(
        table.spec(), key, UUID.randomUUID() + ".parquet");
    DataWriter<Record> writer =
        Parquet.writeData(table.io().newOutputFile(location))
            .schema(table.schema())
            .createWriterFunc(GenericParquetWriter::create)
            .withSpec(table.spec())
            .withPartition(key)
            .build();
    try (writer) {
      writer.write(row);
    }
    table.newAppend().appendFile(writer.toDataFile()).commit();
  }

  private static Map<String, Object> one(List<Map<String, Object>> rows, long timestamp) {
    List<Map<String, Object>> found =
        rows.stream().filter(r -> Long.valueOf(timestamp).equals(r.get(MetricsTable.TIMESTAMP)))
            .toList();
    assertThat(found).as("row at " + timestamp).hasSize(1);
    return found.get(0);
  }
}

package io.icegate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.catalog.SeedTables;
import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.objectstore.S3Connection;
import io.icegate.storage.servers.ObjectStoreServers;
import io.icegate.storage.table.LogsTable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.arrow.memory.RootAllocator;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.BaseTransaction;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.NullOrder;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.nessie.NessieCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed backfill where production runs it: the seed's {@code logs} table in Nessie with its
 * data file in S3 (S3Mock), the lake opened on both, the rewrite done by compaction under the
 * object-store lease, the swap committed through Nessie, and a second process seeing the result.
 */
@ExtendWith(ObjectStoreServers.class)
class SeedBackfillS3NessieTest {
  private static final long T0 = 1_700_000_000_123_456_000L;
  private static final Compactor.Policy NOW =
      new Compactor.Policy(Duration.ZERO, 64L << 20, Duration.ZERO);

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
    branch = servers.newBranch("seed");
    storage = servers.freshStorage();
  }

  @AfterEach
  void tearDown() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  private LakeConfig config() {
    return LakeConfig.local(dir)
        .withCatalog(new LakeConfig.Catalog.Nessie(servers.nessieApiV2(), branch, null))
        .withStorage(storage)
        .withWal(Duration.ofMillis(1), Duration.ofSeconds(1))
        .withCompaction(NOW, Duration.ZERO, Duration.ofMinutes(10));
  }

  @Test
  void theSeedsLogsInNessieAndS3GetTheirStreamLabelsUnderTheLease() throws Exception {
    writeSeedLogs();
    try (Lake lake = Lake.open(config())) {
      assertThat(lake.compact(LogsTable.NAME).seedRows()).isEqualTo(2);
      assertThat(lake.compact(LogsTable.NAME)).isEqualTo(Compactor.Result.NOTHING);
    }
    try (Lake lake = Lake.open(config())) {
      Table table = lake.table(LogsTable.NAME).table();
      assertThat(table.properties()).doesNotContainKey(SeedTables.BACKFILL_PENDING);
      List<Map<String, Object>> rows = ScannedRows.scan(lake, allocator, LogsTable.NAME, "acme");
      assertThat(rows)
          .extracting(r -> r.get(LogsTable.BODY) + " " + r.get(LogsTable.TIMESTAMP) + " "
              + r.get(LogsTable.STREAM_LABELS))
          .containsExactlyInAnyOrder(
              "first line " + T0 + " {k8s_pod_name=\"pod-1\", service_name=\"checkout\"}",
              "second line " + (T0 + 5_000) + " {k8s_pod_name=\"pod-1\", service_name=\"checkout\"}");
      // The seed's file is swapped out for the rewrite, in the bucket.
      assertThat(lake.scanner().plan(LakeRows.everything("acme")).files())
          .singleElement()
          .satisfies(f -> assertThat(f.file().location())
              .startsWith("s3://" + ObjectStoreServers.BUCKET + "/" + storage.prefix() + "/")
              .contains("seed-backfill-"));
    }
  }

  /** The seed's logs table in the test's Nessie branch, its one file in the bucket. */
  private void writeSeedLogs() throws Exception {
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
    try {
      catalog.createNamespace(SeedLake.NAMESPACE);
      TableIdentifier id = TableIdentifier.of(SeedLake.NAMESPACE, "logs");
      BaseTransaction create =
          (BaseTransaction) catalog.buildTable(id, SeedLake.LOGS).createTransaction();
      TableMetadata metadata =
          TableMetadata.buildFromEmpty(2)
              .assignUUID()
              .setLocation(create.currentMetadata().location())
              .setCurrentSchema(SeedLake.LOGS, SeedLake.LOGS.highestFieldId())
              .setDefaultPartitionSpec(
                  PartitionSpec.builderFor(SeedLake.LOGS).identity("tenant_id")
                      .day("timestamp", "timestamp_day").build())
              .setDefaultSortOrder(
                  SortOrder.builderFor(SeedLake.LOGS).asc("service_name", NullOrder.NULLS_FIRST)
                      .desc("timestamp", NullOrder.NULLS_FIRST).build())
              .setProperties(Map.of("write.format.default", "parquet"))
              .build();
      create.underlyingOps().commit(null, metadata);
      Table table = catalog.loadTable(id);
      List<Record> rows = new ArrayList<>();
      rows.add(row(T0 / 1000, "first line"));
      rows.add(row(T0 / 1000 + 5, "second line"));
      SeedLake.append(table, rows);
    } finally {
      catalog.close();
    }
  }

  private static Record row(long micros, String body) {
    Record r = GenericRecord.create(SeedLake.LOGS);
    r.setField("tenant_id", "acme");
    r.setField("service_name", "checkout");
    r.setField("timestamp", SeedLake.time(micros));
    r.setField("observed_timestamp", SeedLake.time(micros));
    r.setField("ingested_timestamp", SeedLake.time(micros + 1));
    r.setField("body", body);
    r.setField("resource_attributes", Map.of("k8s.pod.name", "pod-1"));
    r.setField("scope_attributes", Map.of());
    r.setField("log_attributes", Map.of());
    return r;
  }
}

package io.icegate.engine;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;
import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.engine.logql.LogQueryEngine;
import io.icegate.engine.logql.LogQueryRange;
import io.icegate.engine.metrics.MetricsQueryEngine;
import io.icegate.engine.promql.PromQLEngine;
import io.icegate.engine.promql.QueryResult;
import io.icegate.logql.LogQL;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.protocol.loki.Direction;
import io.icegate.protocol.loki.LokiEntry;
import io.icegate.protocol.loki.LokiStream;
import io.icegate.storage.Lake;
import io.icegate.storage.compaction.Compactor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.arrow.memory.RootAllocator;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.BaseTransaction;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LogQL and PromQL selectors written for our own rows select the rows a seed Rust IceGate wrote,
 * once compaction has rewritten its files (storage's {@code SeedBackfill}). The seed's {@code
 * logs} table is built as NOTES.md §1.1 defines it, and its {@code metrics} table with the §1.4
 * columns a gauge fills (ids, names and types the seed's; the columns left out join as null, as
 * any column a file lacks); rows are stored as the seed's transforms store them: microseconds,
 * {@code service.name} (and {@code service.instance.id}) moved from the resource map into their
 * columns, the metric's OTLP name as sent. Expected labels and names are hand-derived from
 * Loki's and Prometheus's OTLP mappings.
 */
class SeedLakeQueryTest {
  private static final Namespace NAMESPACE = Namespace.of("icegate");
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long SECOND = 1_000_000_000L;

  private static Types.MapType strings(int key, int value) {
    return Types.MapType.ofRequired(key, value, Types.StringType.get(), Types.StringType.get());
  }

  private static final Schema SEED_LOGS =
      new Schema(
          required(1, "tenant_id", Types.StringType.get()),
          optional(2, "service_name", Types.StringType.get()),
          required(3, "timestamp", Types.TimestampType.withoutZone()),
          required(4, "observed_timestamp", Types.TimestampType.withoutZone()),
          required(5, "ingested_timestamp", Types.TimestampType.withoutZone()),
          optional(6, "trace_id", Types.FixedType.ofLength(16)),
          optional(7, "span_id", Types.FixedType.ofLength(8)),
          optional(8, "severity_text", Types.StringType.get()),
          optional(9, "body", Types.StringType.get()),
          required(13, "resource_attributes", strings(14, 15)),
          required(16, "scope_attributes", strings(17, 18)),
          required(19, "log_attributes", strings(20, 21)));

  private static final Schema SEED_METRICS =
      new Schema(
          required(1, "tenant_id", Types.StringType.get()),
          optional(2, "service_name", Types.StringType.get()),
          optional(3, "service_instance_id", Types.StringType.get()),
          required(4, "timestamp", Types.TimestampType.withoutZone()),
          required(6, "ingested_timestamp", Types.TimestampType.withoutZone()),
          required(7, "metric_name", Types.StringType.get()),
          required(8, "metric_type", Types.StringType.get()),
          optional(10, "unit", Types.StringType.get()),
          required(13, "data_point_attributes", strings(32, 33)),
          optional(14, "value_double", Types.DoubleType.get()),
          optional(30, "flags", Types.IntegerType.get()),
          required(53, "resource_attributes", strings(54, 55)),
          required(56, "scope_attributes", strings(57, 58)));

  @TempDir Path dir;
  private final RootAllocator root = new RootAllocator();

  @AfterEach
  void allocatorIsEmpty() {
    assertThat(root.getAllocatedMemory()).as("Arrow memory left after the query").isZero();
    root.close();
  }

  @Test
  void logqlStreamSelectorsMatchTheSeedsRowsAfterCompaction() throws Exception {
    JdbcCatalog catalog = catalog();
    try {
      Table logs = createSeedTable(catalog, "logs", SEED_LOGS);
      append(logs, List.of(
          logRow("checkout", Map.of("k8s.pod.name", "pod-1", "host.name", "h1"), 0, "GET /cart"),
          logRow("checkout", Map.of("k8s.pod.name", "pod-1", "host.name", "h1"), 1, "POST /pay"),
          // No service.name: Loki's discovery names the stream after its container.
          logRow(null, Map.of("k8s.container.name", "worker"), 2, "job done")));
    } finally {
      catalog.close();
    }

    try (Lake lake = open()) {
      LogQueryEngine engine =
          new LogQueryEngine(lake.scanner(), root, 64L << 20, Duration.ofSeconds(30));
      // Before the rewrite the seed's rows have no stream labels: nothing selects them.
      assertThat(select(engine, "{service_name=\"checkout\"}")).isEmpty();

      lake.compact();

      List<LokiStream> checkout = select(engine, "{service_name=\"checkout\"}");
      assertThat(checkout).hasSize(1);
      assertThat(checkout.get(0).labels())
          .containsEntry("service_name", "checkout")
          .containsEntry("k8s_pod_name", "pod-1");
      assertThat(checkout.get(0).entries())
          .containsExactly(
              new LokiEntry(T0 + SECOND, "POST /pay"), new LokiEntry(T0, "GET /cart"));
      assertThat(select(engine, "{k8s_pod_name=\"pod-1\"} |= \"pay\""))
          .flatExtracting(LokiStream::entries)
          .extracting(LokiEntry::line)
          .containsExactly("POST /pay");
      List<LokiStream> worker = select(engine, "{service_name=\"worker\"}");
      assertThat(worker).flatExtracting(LokiStream::entries).extracting(LokiEntry::line)
          .containsExactly("job done");
      assertThat(worker.get(0).labels()).containsEntry("k8s_container_name", "worker");
    }
  }

  @Test
  void promqlSelectorsMatchTheSeedsPointsByTheirPrometheusNames() throws Exception {
    JdbcCatalog catalog = catalog();
    try {
      Table metrics = createSeedTable(catalog, "metrics", SEED_METRICS);
      List<Record> rows = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Record r = GenericRecord.create(SEED_METRICS);
        r.setField("tenant_id", "fake");
        r.setField("service_name", "checkout");
        r.setField("service_instance_id", "i-1");
        r.setField("timestamp", time((T0 + i * 15 * SECOND) / 1000));
        r.setField("ingested_timestamp", time((T0 + i * 15 * SECOND) / 1000 + 5));
        r.setField("metric_name", "system.memory.usage");
        r.setField("metric_type", "gauge");
        r.setField("unit", "By");
        r.setField("data_point_attributes", Map.of("http.method", "GET"));
        r.setField("value_double", 1.5e9 + i);
        r.setField("flags", 0);
        r.setField("resource_attributes", Map.of("service.namespace", "shop"));
        r.setField("scope_attributes", Map.of());
        rows.add(r);
      }
      append(metrics, rows);
    } finally {
      catalog.close();
    }

    try (Lake lake = open()) {
      MetricsQueryEngine engine =
          new MetricsQueryEngine(
              lake.scanner(), root, 64L << 20, Duration.ofSeconds(30),
              PromQLEngine.Options.DEFAULT);
      long at = (T0 + 40 * SECOND) / 1_000_000;
      assertThat(instant(engine, "system_memory_usage_bytes", at).samples()).isEmpty();

      lake.compact();

      QueryResult.VectorResult v = instant(engine, "system_memory_usage_bytes", at);
      assertThat(v.samples()).hasSize(1);
      // Prometheus's OTLP translation: unit By → _bytes, job = namespace/name, instance.
      assertThat(v.samples().get(0).labels().toMap())
          .isEqualTo(
              Map.of("__name__", "system_memory_usage_bytes", "job", "shop/checkout",
                  "instance", "i-1", "http_method", "GET"));
      assertThat(v.samples().get(0).value()).isEqualTo(1.5e9 + 2);
      assertThat(
              instant(engine, "count_over_time(system_memory_usage_bytes{job=\"shop/checkout\"}[1m])",
                  at).samples().get(0).value())
          .isEqualTo(3);
    }
  }

  private Lake open() throws Exception {
    return Lake.openLocal(
        dir, Duration.ofMillis(1), new Compactor.Policy(Duration.ZERO, 64L << 20, Duration.ZERO),
        Duration.ZERO);
  }

  private List<LokiStream> select(LogQueryEngine engine, String query) {
    var range = new LogQueryRange("fake", T0, T0 + 60 * SECOND, 100, Direction.BACKWARD);
    return engine.select((LogSelectorExpr) LogQL.parse(query), range, () -> false).streams();
  }

  private static QueryResult.VectorResult instant(
      MetricsQueryEngine engine, String query, long atMillis) {
    return (QueryResult.VectorResult) engine.instant("fake", query, atMillis, () -> false);
  }

  private static Record logRow(
      String service, Map<String, String> resource, int second, String body) {
    long micros = (T0 + second * SECOND) / 1000;
    Record r = GenericRecord.create(SEED_LOGS);
    r.setField("tenant_id", "fake");
    r.setField("service_name", service);
    r.setField("timestamp", time(micros));
    r.setField("observed_timestamp", time(micros));
    r.setField("ingested_timestamp", time(micros + 1));
    r.setField("body", body);
    r.setField("resource_attributes", resource);
    r.setField("scope_attributes", Map.of());
    r.setField("log_attributes", Map.of());
    return r;
  }

  private static LocalDateTime time(long micros) {
    return LocalDateTime.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), (int) Math.floorMod(micros, 1_000_000L) * 1000,
        ZoneOffset.UTC);
  }

  /** The embedded catalog of a lake in {@link #dir}, as {@code Lake.openLocal} opens it. */
  private JdbcCatalog catalog() throws Exception {
    JdbcCatalog catalog = new JdbcCatalog();
    catalog.setConf(new Configuration());
    Map<String, String> props = new HashMap<>();
    props.put(CatalogProperties.URI, "jdbc:sqlite:" + dir.resolve("catalog.db").toAbsolutePath());
    Files.createDirectories(dir.resolve("warehouse"));
    props.put(
        CatalogProperties.WAREHOUSE_LOCATION,
        dir.resolve("warehouse").toAbsolutePath().toUri().toString());
    props.put("jdbc.schema-version", "V1");
    catalog.initialize("icegate", props);
    catalog.createNamespace(NAMESPACE);
    return catalog;
  }

  /** As the seed creates a table: format v2, its own field ids, tenant + day partitions. */
  private static Table createSeedTable(JdbcCatalog catalog, String name, Schema schema) {
    TableIdentifier id = TableIdentifier.of(NAMESPACE, name);
    BaseTransaction create = (BaseTransaction) catalog.buildTable(id, schema).createTransaction();
    TableMetadata metadata =
        TableMetadata.buildFromEmpty(2)
            .assignUUID()
            .setLocation(create.currentMetadata().location())
            .setCurrentSchema(schema, schema.highestFieldId())
            .setDefaultPartitionSpec(
                PartitionSpec.builderFor(schema).identity("tenant_id")
                    .day("timestamp", "timestamp_day").build())
            .setDefaultSortOrder(SortOrder.unsorted())
            .setProperties(Map.of("write.format.default", "parquet"))
            .build();
    create.underlyingOps().commit(null, metadata);
    return catalog.loadTable(id);
  }

  private static void append(Table table, List<Record> records) throws Exception {
    PartitionKey key = new PartitionKey(table.spec(), table.schema());
    key.partition(new InternalRecordWrapper(table.schema().asStruct()).wrap(records.get(0)));
    String location =
        table.locationProvider().newDataLocation(table.spec(), key, UUID.randomUUID() + ".parquet");
    DataWriter<Record> writer =
        Parquet.writeData(table.io().newOutputFile(location))
            .schema(table.schema())
            .createWriterFunc(GenericParquetWriter::create)
            .withSpec(table.spec())
            .withPartition(key)
            .overwrite()
            .build();
    try (writer) {
      records.forEach(writer::write);
    }
    table.newAppend().appendFile(writer.toDataFile()).commit();
  }
}

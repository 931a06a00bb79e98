package io.icegate.storage;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.BaseTransaction;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.NullOrder;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;

/**
 * A lake as the seed's Rust IceGate leaves it, built through the Iceberg API in the embedded
 * catalog our lake opens: its tables exactly as its {@code crates/icegate-common/src/schema.rs}
 * defines them (transcribed in shared/reference/icegate/NOTES.md §1.1–1.4: field ids, microsecond
 * timestamps, format v2, {@code identity(tenant_id)} + {@code day(timestamp)}, its sort orders),
 * and data files written as it writes them (its column ids, microseconds).
 */
final class SeedLake {
  static final Namespace NAMESPACE = Namespace.of("icegate");

  private static Types.MapType strings(int key, int value) {
    return Types.MapType.ofRequired(key, value, Types.StringType.get(), Types.StringType.get());
  }

  private static Types.TimestampType micros() {
    return Types.TimestampType.withoutZone();
  }

  /** NOTES.md §1.1. */
  static final Schema LOGS =
      new Schema(
          required(1, "tenant_id", Types.StringType.get()),
          optional(2, "service_name", Types.StringType.get()),
          required(3, "timestamp", micros()),
          required(4, "observed_timestamp", micros()),
          required(5, "ingested_timestamp", micros()),
          optional(6, "trace_id", Types.FixedType.ofLength(16)),
          optional(7, "span_id", Types.FixedType.ofLength(8)),
          optional(8, "severity_text", Types.StringType.get()),
          optional(9, "body", Types.StringType.get()),
          required(13, "resource_attributes", strings(14, 15)),
          required(16, "scope_attributes", strings(17, 18)),
          required(19, "log_attributes", strings(20, 21)));

  /** NOTES.md §1.2 (events element 23, links element 31). */
  static final Schema SPANS =
      new Schema(
          required(1, "tenant_id", Types.StringType.get()),
          optional(2, "service_name", Types.StringType.get()),
          required(3, "trace_id", Types.FixedType.ofLength(16)),
          required(4, "span_id", Types.FixedType.ofLength(8)),
          optional(5, "parent_span_id", Types.FixedType.ofLength(8)),
          required(6, "timestamp", micros()),
          required(7, "end_timestamp", micros()),
          required(8, "ingested_timestamp", micros()),
          required(9, "duration_micros", Types.LongType.get()),
          optional(10, "trace_state", Types.StringType.get()),
          required(11, "name", Types.StringType.get()),
          optional(12, "kind", Types.IntegerType.get()),
          optional(13, "status_code", Types.IntegerType.get()),
          optional(14, "status_message", Types.StringType.get()),
          required(15, "resource_attributes", strings(16, 17)),
          optional(18, "flags", Types.IntegerType.get()),
          optional(19, "dropped_attributes_count", Types.IntegerType.get()),
          optional(20, "dropped_events_count", Types.IntegerType.get()),
          optional(21, "dropped_links_count", Types.IntegerType.get()),
          optional(22, "events",
              Types.ListType.ofRequired(23, Types.StructType.of(
                  required(24, "timestamp", micros()),
                  required(25, "name", Types.StringType.get()),
                  required(26, "attributes", strings(27, 28)),
                  required(29, "dropped_attributes_count", Types.IntegerType.get())))),
          optional(30, "links",
              Types.ListType.ofRequired(31, Types.StructType.of(
                  required(32, "trace_id", Types.FixedType.ofLength(16)),
                  required(33, "span_id", Types.FixedType.ofLength(8)),
                  optional(34, "trace_state", Types.StringType.get()),
                  required(35, "attributes", strings(36, 37)),
                  required(38, "dropped_attributes_count", Types.IntegerType.get()),
                  optional(39, "flags", Types.IntegerType.get())))),
          required(40, "span_attributes", strings(41, 42)),
          required(43, "scope_attributes", strings(44, 45)));

  /** NOTES.md §1.3. */
  static final Schema EVENTS =
      new Schema(
          required(1, "tenant_id", Types.StringType.get()),
          optional(2, "service_name", Types.StringType.get()),
          required(3, "timestamp", micros()),
          required(4, "observed_timestamp", micros()),
          required(5, "ingested_timestamp", micros()),
          required(6, "event_domain", Types.StringType.get()),
          required(7, "event_name", Types.StringType.get()),
          optional(8, "trace_id", Types.FixedType.ofLength(16)),
          optional(9, "span_id", Types.FixedType.ofLength(8)),
          required(13, "resource_attributes", strings(14, 15)),
          required(16, "scope_attributes", strings(17, 18)),
          required(19, "log_attributes", strings(20, 21)));

  /** Quantile struct (36, 37) and exemplar struct (38–43), NOTES.md §1.4. */
  static final Types.StructType QUANTILE =
      Types.StructType.of(
          required(36, "quantile", Types.DoubleType.get()),
          required(37, "value", Types.DoubleType.get()));

  static final Types.StructType EXEMPLAR =
      Types.StructType.of(
          optional(38, "timestamp", micros()),
          optional(39, "value_double", Types.DoubleType.get()),
          optional(40, "value_int", Types.LongType.get()),
          optional(41, "span_id", Types.FixedType.ofLength(8)),
          optional(42, "trace_id", Types.FixedType.ofLength(16)),
          required(43, "attributes", strings(34, 35)));

  /** NOTES.md §1.4 (list elements 44–49 required, as schema.rs's list_element(.., true)). */
  static final Schema METRICS =
      new Schema(
          required(1, "tenant_id", Types.StringType.get()),
          optional(2, "service_name", Types.StringType.get()),
          optional(3, "service_instance_id", Types.StringType.get()),
          required(4, "timestamp", micros()),
          optional(5, "start_timestamp", micros()),
          required(6, "ingested_timestamp", micros()),
          required(7, "metric_name", Types.StringType.get()),
          required(8, "metric_type", Types.StringType.get()),
          optional(9, "description", Types.StringType.get()),
          optional(10, "unit", Types.StringType.get()),
          optional(11, "aggregation_temporality", Types.StringType.get()),
          optional(12, "is_monotonic", Types.BooleanType.get()),
          required(13, "data_point_attributes", strings(32, 33)),
          optional(14, "value_double", Types.DoubleType.get()),
          optional(15, "value_int", Types.LongType.get()),
          optional(16, "count", Types.LongType.get()),
          optional(17, "sum", Types.DoubleType.get()),
          optional(18, "min", Types.DoubleType.get()),
          optional(19, "max", Types.DoubleType.get()),
          optional(20, "bucket_counts", Types.ListType.ofRequired(44, Types.LongType.get())),
          optional(21, "explicit_bounds", Types.ListType.ofRequired(45, Types.DoubleType.get())),
          optional(22, "scale", Types.IntegerType.get()),
          optional(23, "zero_count", Types.LongType.get()),
          optional(24, "zero_threshold", Types.DoubleType.get()),
          optional(25, "positive_offset", Types.IntegerType.get()),
          optional(26, "positive_bucket_counts",
              Types.ListType.ofRequired(46, Types.LongType.get())),
          optional(27, "negative_offset", Types.IntegerType.get()),
          optional(28, "negative_bucket_counts",
              Types.ListType.ofRequired(47, Types.LongType.get())),
          optional(29, "quantile_values", Types.ListType.ofRequired(48, QUANTILE)),
          optional(30, "flags", Types.IntegerType.get()),
          optional(31, "exemplars", Types.ListType.ofRequired(49, EXEMPLAR)),
          optional(50, "metadata", strings(51, 52)),
          required(53, "resource_attributes", strings(54, 55)),
          required(56, "scope_attributes", strings(57, 58)));

  private SeedLake() {}

  /** The embedded catalog of a lake in {@code dir}, as {@code Lake.openLocal(dir)} opens it. */
  static JdbcCatalog catalog(Path dir) throws Exception {
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
    if (!catalog.namespaceExists(NAMESPACE)) {
      catalog.createNamespace(NAMESPACE);
    }
    return catalog;
  }

  /** The seed's table {@code name} (logs, spans, events or metrics), empty, with its ids. */
  static Table create(JdbcCatalog catalog, String name) {
    Schema schema =
        switch (name) {
          case "logs" -> LOGS;
          case "spans" -> SPANS;
          case "events" -> EVENTS;
          case "metrics" -> METRICS;
          default -> throw new IllegalArgumentException(name);
        };
    SortOrder.Builder sort = SortOrder.builderFor(schema);
    switch (name) {
      case "spans" -> sort.asc("trace_id", NullOrder.NULLS_FIRST);
      case "metrics" ->
          sort.asc("metric_name", NullOrder.NULLS_FIRST)
              .asc("service_name", NullOrder.NULLS_FIRST)
              .asc("service_instance_id", NullOrder.NULLS_FIRST);
      default -> sort.asc("service_name", NullOrder.NULLS_FIRST);
    }
    sort.desc("timestamp", NullOrder.NULLS_FIRST);
    return create(
        catalog, name, schema,
        PartitionSpec.builderFor(schema).identity("tenant_id")
            .day("timestamp", "timestamp_day").build(),
        sort.build(), schema.highestFieldId());
  }

  /** As the seed creates a table: format v2, its ids (buildTable().create() would renumber). */
  static Table create(
      JdbcCatalog catalog, String name, Schema schema, PartitionSpec spec, SortOrder sort,
      int lastColumnId) {
    TableIdentifier id = TableIdentifier.of(NAMESPACE, name);
    BaseTransaction create = (BaseTransaction) catalog.buildTable(id, schema).createTransaction();
    TableMetadata metadata =
        TableMetadata.buildFromEmpty(2)
            .assignUUID()
            .setLocation(create.currentMetadata().location())
            .setCurrentSchema(schema, lastColumnId)
            .setDefaultPartitionSpec(spec)
            .setDefaultSortOrder(sort)
            .setProperties(
                Map.of("write.format.default", "parquet",
                    "write.parquet.compression-codec", "zstd"))
            .build();
    create.underlyingOps().commit(null, metadata);
    return catalog.loadTable(id);
  }

  /**
   * Writes {@code records} (one partition: tenant and day of the first) as one data file with
   * the seed table's column ids and appends it, as the seed's Shifter does.
   */
  static DataFile append(Table table, List<Record> records) throws Exception {
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
    DataFile file = writer.toDataFile();
    table.newAppend().appendFile(file).commit();
    return file;
  }

  /** A microsecond timestamp as the generic writer takes it. */
  static LocalDateTime time(long micros) {
    return LocalDateTime.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), (int) Math.floorMod(micros, 1_000_000L) * 1000,
        ZoneOffset.UTC);
  }
}

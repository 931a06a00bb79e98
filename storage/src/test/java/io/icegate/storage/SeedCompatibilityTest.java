package io.icegate.storage;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;
import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.catalog.SeedTables;
import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.scan.ScanRequest;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.table.MetricsTable;
import io.icegate.storage.table.SpansTable;
import java.nio.charset.StandardCharsets;
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
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
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
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.CloseableIterator;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lake the seed's Rust IceGate wrote stays readable by ours. The seed's {@code logs} table is
 * built here exactly as its {@code crates/icegate-common/src/schema.rs} defines it (transcribed in
 * shared/reference/icegate/NOTES.md §1.1: field ids 1–9 and 13–21, microsecond timestamps, format
 * v2, {@code identity(tenant_id)} + {@code day(timestamp)}, sort {@code service_name ASC,
 * timestamp DESC}) through the Iceberg API with those very ids, in the embedded catalog our lake
 * opens; one data file is written as the seed writes it (its column ids, microseconds). Then
 * {@link Lake} opens the directory and {@code TableScanner} reads the rows: times in nanoseconds
 * (micros × 1000, hand-computed below), columns the seed lacks as null, a time-range scan still
 * finding the file, and new rows written and compacted next to the old ones.
 */
class SeedCompatibilityTest {
  private static final Namespace NAMESPACE = Namespace.of("icegate");
  private static final Compactor.Policy NOW =
      new Compactor.Policy(Duration.ZERO, 64L << 20, Duration.ofHours(1));

  /** 2023-11-14T22:13:20.123456Z in microseconds, and the same instant in nanoseconds. */
  private static final long T_MICROS = 1_700_000_000_123_456L;
  private static final long T_NANOS = 1_700_000_000_123_456_000L;

  @TempDir Path dir;
  private RootAllocator allocator;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  @Test
  void aLogsTableTheSeedWroteIsReadWithNanosecondTimesAndItsFieldIds() throws Exception {
    writeSeedLake();

    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), NOW, Duration.ZERO)) {
      Schema adopted = lake.scanner().schema(LogsTable.NAME);
      // Same ids, nanosecond type; our extra columns joined as optional.
      assertThat(adopted.findField(3).name()).isEqualTo("timestamp");
      assertThat(adopted.findField(3).type()).isEqualTo(Types.TimestampNanoType.withoutZone());
      assertThat(adopted.findField(13).name()).isEqualTo("resource_attributes");
      assertThat(adopted.findField(20).name()).isEqualTo("key");
      assertThat(adopted.findField("severity_number").isOptional()).isTrue();

      // Flat columns: the vectorized reader.
      List<String> flat =
          rows(lake, new ScanRequest(LogsTable.NAME, "acme", Long.MIN_VALUE, Long.MAX_VALUE,
              List.of("timestamp", "observed_timestamp", "service_name", "severity_text",
                  "body", "severity_number", "stream_labels", "trace_id")));
      assertThat(flat)
          .containsExactlyInAnyOrder(
              T_NANOS + "|" + (T_NANOS + 1000) + "|checkout|INFO|first line|null|null|"
                  + "0102030405060708090a0b0c0d0e0f10",
              (T_NANOS + 5000) + "|" + (T_NANOS + 6000) + "|checkout|ERROR|second line|null|null"
                  + "|null");

      // With maps: the row reader.
      List<String> nested =
          rows(lake, new ScanRequest(LogsTable.NAME, "acme", Long.MIN_VALUE, Long.MAX_VALUE,
              List.of("timestamp", "body", "resource_attributes", "log_attributes")));
      assertThat(nested)
          .containsExactlyInAnyOrder(
              T_NANOS + "|first line|{k8s.pod.name=pod-1}|{user=ann}",
              (T_NANOS + 5000) + "|second line|{k8s.pod.name=pod-1}|{}");

      // Time ranges: Iceberg's file pruning sees the seed's file in nanoseconds (rows are
      // filtered later, by the engine's operators).
      assertThat(
              lake.scanner().plan(new ScanRequest(LogsTable.NAME, "acme", T_NANOS - 1, T_NANOS + 1,
                  List.of("body"))).files())
          .hasSize(1);
      assertThat(
              lake.scanner().plan(new ScanRequest(LogsTable.NAME, "acme", T_NANOS + 5001,
                  T_NANOS + 20_000_000_000L, List.of("body"))).files())
          .isEmpty();
      assertThat(
              lake.scanner().plan(new ScanRequest(LogsTable.NAME, "acme", T_NANOS - 20_000_000_000L,
                  T_NANOS, List.of("body"))).files())
          .isEmpty();

      // Row groups are skipped by the same time range (vectorized and row reader alike).
      assertThat(
              rows(lake, new ScanRequest(LogsTable.NAME, "acme", T_NANOS - 1, T_NANOS + 1,
                  List.of("timestamp", "body"))))
          .contains(T_NANOS + "|first line");
      assertThat(
              rows(lake, new ScanRequest(LogsTable.NAME, "acme", T_NANOS - 1, T_NANOS + 1,
                  List.of("timestamp", "body", "log_attributes"))))
          .contains(T_NANOS + "|first line|{user=ann}");

      // Our writes land beside the seed's rows and compact with them.
      LakeRows.append(lake, allocator, "acme", "checkout", T_NANOS + 7, "ours", null);
      lake.compact();
      assertThat(LakeRows.bodies(lake, allocator, "acme"))
          .containsExactlyInAnyOrder("first line", "second line", "ours");
    }

    // Reopening changes nothing more (the bounds are scaled once).
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), NOW, Duration.ZERO)) {
      assertThat(
              lake.scanner().plan(new ScanRequest(LogsTable.NAME, "acme", T_NANOS + 4999,
                  T_NANOS + 5001, List.of("body"))).files())
          .hasSize(1);
      assertThat(LakeRows.bodies(lake, allocator, "acme"))
          .containsExactlyInAnyOrder("first line", "second line", "ours");
    }
  }

  @Test
  void newTablesKeepTheFieldIdsWeGiveThem() throws Exception {
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1))) {
      for (var expected : List.of(LogsTable.SCHEMA, SpansTable.SCHEMA, MetricsTable.SCHEMA)) {
        String name =
            expected == LogsTable.SCHEMA ? LogsTable.NAME
                : expected == SpansTable.SCHEMA ? SpansTable.NAME : MetricsTable.NAME;
        assertThat(lake.scanner().schema(name).sameSchema(expected)).as(name).isTrue();
      }
      // The seed's ids, from NOTES.md §1.1 and §1.2, by hand.
      assertThat(lake.scanner().schema(LogsTable.NAME).findField("log_attributes").fieldId())
          .isEqualTo(19);
      assertThat(lake.scanner().schema(SpansTable.NAME).findField("span_attributes").fieldId())
          .isEqualTo(40);
    }
  }


  @Test
  void theSeedsSpansTableIsAdoptedWithItsIdsAndNestedTimesInNanoseconds() throws Exception {
    JdbcCatalog catalog = SeedLake.catalog(dir);
    try {
      SeedLake.create(catalog, "spans", SeedLake.SPANS,
          PartitionSpec.builderFor(SeedLake.SPANS).identity("tenant_id")
              .day("timestamp", "timestamp_day").build(),
          SortOrder.builderFor(SeedLake.SPANS).asc("trace_id", NullOrder.NULLS_FIRST)
              .desc("timestamp", NullOrder.NULLS_FIRST).build(),
          45);
    } finally {
      catalog.close();
    }
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), NOW, Duration.ZERO)) {
      Schema adopted = lake.scanner().schema(SpansTable.NAME);
      assertThat(adopted.findField(6).type()).isEqualTo(Types.TimestampNanoType.withoutZone());
      assertThat(adopted.findField(24).name()).isEqualTo("timestamp");
      assertThat(adopted.findField(24).type()).isEqualTo(Types.TimestampNanoType.withoutZone());
      assertThat(adopted.findField(40).name()).isEqualTo("span_attributes");
      // The seed's duration in micros stays (its files have it); ours joins, optional.
      assertThat(adopted.findField(9).name()).isEqualTo("duration_micros");
      assertThat(adopted.findField("duration_nanos").isOptional()).isTrue();
    }
  }

  /** The seed's logs table, one file of two rows, in the embedded catalog our lake opens. */
  private void writeSeedLake() throws Exception {
    JdbcCatalog catalog = SeedLake.catalog(dir);
    try {
      Table table =
          SeedLake.create(catalog, "logs", SeedLake.LOGS,
              PartitionSpec.builderFor(SeedLake.LOGS).identity("tenant_id")
                  .day("timestamp", "timestamp_day").build(),
              SortOrder.builderFor(SeedLake.LOGS).asc("service_name", NullOrder.NULLS_FIRST)
                  .desc("timestamp", NullOrder.NULLS_FIRST).build(),
              21);
      assertThat(table.schema().findField("log_attributes").fieldId()).isEqualTo(19);
      assertThat(table.schema().findField("timestamp").type())
          .isEqualTo(Types.TimestampType.withoutZone());

      List<Record> records = new ArrayList<>();
      records.add(
          seedRow(T_MICROS, "INFO", "first line",
              new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
              Map.of("user", "ann")));
      records.add(seedRow(T_MICROS + 5, "ERROR", "second line", null, Map.of()));
      PartitionKey key = new PartitionKey(table.spec(), table.schema());
      key.partition(new InternalRecordWrapper(table.schema().asStruct()).wrap(records.get(0)));
      String location = table.locationProvider().newDataLocation(
          table.spec(), key, UUID.randomUUID() + ".parquet");
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
      assertThat(table.properties()).doesNotContainKey(SeedTables.PENDING);
    } finally {
      catalog.close();
    }
  }

  private static Record seedRow(
      long micros, String severity, String body, byte[] traceId, Map<String, String> attrs) {
    Record r = GenericRecord.create(SeedLake.LOGS);
    r.setField("tenant_id", "acme");
    r.setField("service_name", "checkout");
    r.setField("timestamp", SeedLake.time(micros));
    r.setField("observed_timestamp", SeedLake.time(micros + 1));
    r.setField("ingested_timestamp", SeedLake.time(micros + 2));
    r.setField("trace_id", traceId);
    r.setField("severity_text", severity);
    r.setField("body", body);
    r.setField("resource_attributes", Map.of("k8s.pod.name", "pod-1"));
    r.setField("scope_attributes", Map.of());
    r.setField("log_attributes", attrs);
    return r;
  }

  /** Each row's columns joined by {@code |}, in request order. */
  private List<String> rows(Lake lake, ScanRequest request) throws Exception {
    List<String> out = new ArrayList<>();
    try (CloseableIterator<VectorSchemaRoot> it = lake.scanner().open(request, allocator)) {
      while (it.hasNext()) {
        try (VectorSchemaRoot batch = it.next()) {
          for (int i = 0; i < batch.getRowCount(); i++) {
            List<String> cells = new ArrayList<>();
            for (String column : request.columns()) {
              cells.add(cell(batch.getVector(column), i));
            }
            out.add(String.join("|", cells));
          }
        }
      }
    }
    return out;
  }

  private static String cell(FieldVector vector, int i) {
    if (vector.isNull(i)) {
      return "null";
    }
    Object value = vector.getObject(i);
    if (value instanceof byte[] bytes) {
      return java.util.HexFormat.of().formatHex(bytes);
    }
    if (value instanceof org.apache.arrow.vector.util.Text text) {
      return text.toString();
    }
    if (value instanceof LocalDateTime t) {
      return Long.toString(
          t.toEpochSecond(ZoneOffset.UTC) * 1_000_000_000L + t.getNano());
    }
    if (value instanceof List<?> entries) {
      // A map: list of {key, value} structs.
      Map<String, String> map = new java.util.TreeMap<>();
      for (Object entry : entries) {
        Map<?, ?> kv = (Map<?, ?>) entry;
        map.put(String.valueOf(kv.get("key")), String.valueOf(kv.get("value")));
      }
      return map.toString();
    }
    return String.valueOf(value).replace(StandardCharsets.UTF_8.name(), "");
  }
}

package io.icegate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.compaction.ColumnarCompaction;
import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.table.EventsTable;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.table.MetricsTable;
import io.icegate.storage.table.SpansTable;
import io.icegate.storage.table.TableDefinition;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.arrow.memory.RootAllocator;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The columnar compaction against Iceberg's own writer: the same segments go into two lakes, one
 * compacted through Iceberg's generic reader, comparator and writer (the record path, {@link
 * Compactor#RECORD_PATH_PROPERTY}), the other through the column path. Their files must read
 * back equal, row for row and in order, through Iceberg's generic reader and through our scan,
 * and carry the same Iceberg metrics (counts, null and NaN counts, bounds of every column). The
 * rows are random over every column of every table ({@link RandomBatches}), with many ties in
 * the sort keys, several tenants and days. Real parts throughout: local WAL, catalog and files.
 */
class ColumnarCompactionTest {
  private static final Compactor.Policy NOW =
      new Compactor.Policy(Duration.ZERO, 64L << 20, Duration.ofHours(1));

  @TempDir Path dir;
  private RootAllocator allocator;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(Compactor.RECORD_PATH_PROPERTY);
    assertThat(allocator.getAllocatedMemory()).as("leaked Arrow memory").isZero();
    allocator.close();
  }

  @Test
  void logsCompactAsIcebergsWriterCompactsThem() throws Exception {
    compare(LogsTable.NAME, LogsTable.SCHEMA, 6, 700);
  }

  @Test
  void spansCompactAsIcebergsWriterCompactsThem() throws Exception {
    compare(SpansTable.NAME, SpansTable.SCHEMA, 6, 500);
  }

  @Test
  void metricsOfEveryPointTypeCompactAsIcebergsWriterCompactsThem() throws Exception {
    compare(MetricsTable.NAME, MetricsTable.SCHEMA, 6, 500);
  }

  @Test
  void eventsCompactAsIcebergsWriterCompactsThem() throws Exception {
    compare(EventsTable.NAME, EventsTable.SCHEMA, 6, 500);
  }

  @Test
  void aPartitionLargerThanOneWrittenBatchKeepsItsOrder() throws Exception {
    // 40 000 rows of one tenant: each day's file is written in several sorted batches.
    compare(LogsTable.NAME, LogsTable.SCHEMA, 2, 20_000);
  }

  @Test
  void tablesWithWriteSettingsTheColumnWriterLacksGoThroughIcebergsWriter() throws Exception {
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), NOW, Duration.ZERO)) {
      for (String name : List.of(
          LogsTable.NAME, SpansTable.NAME, MetricsTable.NAME, EventsTable.NAME)) {
        assertThat(ColumnarCompaction.supports(lake.table(name).table())).as(name).isTrue();
      }
      Table logs = lake.table(LogsTable.NAME).table();
      logs.updateProperties().set("write.parquet.bloom-filter-enabled.column.body", "true")
          .commit();
      assertThat(ColumnarCompaction.supports(logs)).isFalse();
      logs.updateProperties().remove("write.parquet.bloom-filter-enabled.column.body").commit();
      logs.updateProperties().set(TableProperties.PARQUET_COMPRESSION, "gzip").commit();
      assertThat(ColumnarCompaction.supports(logs)).isFalse();

      // Compaction still runs, through the record path, and writes what the table asks for.
      lake.wal(LogsTable.NAME).append("acme",
          RandomBatches.batch(LogsTable.SCHEMA, "acme", 50, new Random(1), allocator)).get();
      assertThat(lake.compact(LogsTable.NAME).rows()).isEqualTo(50);
      for (DataFile file : files(logs).values()) {
        try (var reader = org.apache.parquet.hadoop.ParquetFileReader.open(
            io.icegate.storage.parquet.IcebergParquetFiles.input(
                logs.io().newInputFile(file.location())))) {
          assertThat(reader.getRowGroups().get(0).getColumns().get(0).getCodec())
              .isEqualTo(org.apache.parquet.hadoop.metadata.CompressionCodecName.GZIP);
        }
      }
    }
  }

  private void compare(String table, Schema schema, int segments, int rows) throws Exception {
    Map<String, List<List<Object>>> byRecords;
    Map<String, DataFile> recordFiles;
    Map<String, List<List<Object>>> byColumns;
    Map<String, DataFile> columnFiles;
    Map<String, List<Map<String, Object>>> scannedRecords;
    Map<String, List<Map<String, Object>>> scannedColumns;
    String[] tenants = {"acme", "zeta"};
    try (Lake records = Lake.openLocal(dir.resolve("records"), Duration.ofMillis(1), NOW,
            Duration.ZERO);
        Lake columns = Lake.openLocal(dir.resolve("columns"), Duration.ofMillis(1), NOW,
            Duration.ZERO)) {
      Random random = new Random(table.hashCode() + rows);
      for (int s = 0; s < segments; s++) {
        String tenant = tenants[s % tenants.length];
        long seed = random.nextLong();
        records.wal(table).append(tenant,
            RandomBatches.batch(schema, tenant, rows, new Random(seed), allocator)).get();
        columns.wal(table).append(tenant,
            RandomBatches.batch(schema, tenant, rows, new Random(seed), allocator)).get();
      }
      System.setProperty(Compactor.RECORD_PATH_PROPERTY, "true");
      Compactor.Result old = records.compact(table);
      System.clearProperty(Compactor.RECORD_PATH_PROPERTY);
      Compactor.Result result = columns.compact(table);

      assertThat(result.rows()).isEqualTo((long) segments * rows).isEqualTo(old.rows());
      // Two tenants, and times spread over three days: one file per (tenant, day).
      assertThat(result.files()).isEqualTo(old.files()).isEqualTo(6);
      recordFiles = files(records.table(table).table());
      columnFiles = files(columns.table(table).table());
      byRecords = read(records.table(table).table(), recordFiles);
      byColumns = read(columns.table(table).table(), columnFiles);
      scannedRecords = new TreeMap<>();
      scannedColumns = new TreeMap<>();
      for (String tenant : tenants) {
        scannedRecords.putAll(byDay(tenant, ScannedRows.scan(records, allocator, table, tenant)));
        scannedColumns.putAll(byDay(tenant, ScannedRows.scan(columns, allocator, table, tenant)));
      }
    }

    assertThat(byColumns.keySet()).isEqualTo(byRecords.keySet()).hasSize(6);
    long total = 0;
    for (String partition : byRecords.keySet()) {
      List<List<Object>> expected = byRecords.get(partition);
      total += expected.size();
      List<List<Object>> actual = byColumns.get(partition);
      assertThat(actual).as("rows of %s", partition).hasSameSizeAs(expected);
      for (int i = 0; i < expected.size(); i++) {
        assertThat(actual.get(i)).as("row %s of %s", i, partition).isEqualTo(expected.get(i));
      }
      assertSameMetrics(schema, partition, recordFiles.get(partition), columnFiles.get(partition));
      DataFile written = columnFiles.get(partition);
      assertThat(written.fileSizeInBytes()).as("size of %s", partition)
          .isEqualTo(java.nio.file.Files.size(localPath(written.location())));
      assertThat(written.splitOffsets()).as("row groups of %s", partition).isNotEmpty();
    }
    assertThat(total).isEqualTo((long) segments * rows);

    assertThat(scannedColumns.keySet()).isEqualTo(scannedRecords.keySet()).hasSize(6);
    for (String partition : scannedRecords.keySet()) {
      List<Map<String, Object>> expected = scannedRecords.get(partition);
      List<Map<String, Object>> actual = scannedColumns.get(partition);
      assertThat(actual).as("scanned rows of %s", partition).hasSameSizeAs(expected);
      for (int i = 0; i < expected.size(); i++) {
        assertThat(actual.get(i)).as("scanned row %s of %s", i, partition)
            .isEqualTo(expected.get(i));
      }
    }
  }

  private static void assertSameMetrics(
      Schema schema, String partition, DataFile expected, DataFile actual) {
    String what = "metrics of " + partition;
    assertThat(actual.recordCount()).as(what).isEqualTo(expected.recordCount());
    assertThat(actual.valueCounts()).as(what).isEqualTo(expected.valueCounts());
    assertThat(actual.nullValueCounts()).as(what).isEqualTo(expected.nullValueCounts());
    assertThat(actual.nanValueCounts()).as(what).isEqualTo(expected.nanValueCounts());
    assertThat(actual.lowerBounds()).as(what).isEqualTo(expected.lowerBounds());
    assertThat(actual.upperBounds()).as(what).isEqualTo(expected.upperBounds());
    assertThat(actual.sortOrderId()).as(what).isEqualTo(expected.sortOrderId());
    assertThat(actual.specId()).as(what).isEqualTo(expected.specId());
    assertThat(actual.partition().toString()).as(what)
        .isEqualTo(expected.partition().toString());
    // Not vacuous: the time column, the tenant and every top-level column carry counts and the
    // time column bounds (what pruning and our scan's time bounds read).
    int timestamp = schema.findField(TableDefinition.TIMESTAMP).fieldId();
    assertThat(actual.lowerBounds()).as(what).containsKey(timestamp);
    assertThat(actual.upperBounds()).as(what).containsKey(timestamp);
    for (Types.NestedField column : schema.columns()) {
      if (column.type().isPrimitiveType()) {
        assertThat(actual.valueCounts()).as(what).containsKey(column.fieldId());
      }
      if (column.type().typeId() == org.apache.iceberg.types.Type.TypeID.DOUBLE) {
        assertThat(actual.nanValueCounts()).as(what).containsKey(column.fieldId());
      }
    }
  }

  private static Path localPath(String location) {
    return location.startsWith("file:") ? Path.of(java.net.URI.create(location)) : Path.of(location);
  }

  /** The table's data files by partition. */
  private static Map<String, DataFile> files(Table iceberg) throws Exception {
    Map<String, DataFile> out = new TreeMap<>();
    try (CloseableIterable<FileScanTask> tasks = iceberg.newScan().includeColumnStats().planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        assertThat(out.put(file.partition().toString(), file)).isNull();
      }
    }
    return out;
  }

  /** Each file's rows through Iceberg's generic reader, in file order, as plain values. */
  private static Map<String, List<List<Object>>> read(Table iceberg, Map<String, DataFile> files)
      throws Exception {
    Schema schema = iceberg.schema();
    Map<String, List<List<Object>>> out = new TreeMap<>();
    for (var entry : files.entrySet()) {
      List<List<Object>> rows = new ArrayList<>();
      try (CloseableIterable<Record> records =
          Parquet.read(iceberg.io().newInputFile(entry.getValue().location()))
              .project(schema)
              .createReaderFunc(fs -> GenericParquetReaders.buildReader(schema, fs))
              .build()) {
        for (Record record : records) {
          rows.add(plain(record));
        }
      }
      out.put(entry.getKey(), rows);
    }
    return out;
  }

  /** A scan's rows grouped by tenant and day (one file each), each group in scan order. */
  private static Map<String, List<Map<String, Object>>> byDay(
      String tenant, List<Map<String, Object>> rows) {
    Map<String, List<Map<String, Object>>> out = new TreeMap<>();
    for (Map<String, Object> row : rows) {
      long day = Math.floorDiv((Long) row.get(TableDefinition.TIMESTAMP), RandomBatches.DAY);
      out.computeIfAbsent(tenant + "/" + day, k -> new ArrayList<>()).add(row);
    }
    return out;
  }

  /**
   * A record as plain values: structs as lists, maps as ordered entry lists, bytes as hex, and
   * doubles by their bits (so -0.0, 0.0 and NaN are told apart and NaN equals itself).
   */
  private static List<Object> plain(Record record) {
    List<Object> out = new ArrayList<>(record.size());
    for (int i = 0; i < record.size(); i++) {
      out.add(plainValue(record.get(i)));
    }
    return out;
  }

  private static Object plainValue(Object value) {
    if (value instanceof Record record) {
      return plain(record);
    } else if (value instanceof Map<?, ?> map) {
      List<Object> entries = new ArrayList<>();
      for (var entry : map.entrySet()) {
        entries.add(List.of(plainValue(entry.getKey()), plainValue(entry.getValue())));
      }
      return entries;
    } else if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      for (Object element : list) {
        out.add(plainValue(element));
      }
      return out;
    } else if (value instanceof ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return HexFormat.of().formatHex(bytes);
    } else if (value instanceof byte[] bytes) {
      return HexFormat.of().formatHex(bytes);
    } else if (value instanceof Double d) {
      return "double:" + Long.toHexString(Double.doubleToRawLongBits(d));
    } else if (value == null) {
      return "null";
    }
    return value;
  }
}

package io.icegate.storage.parquet;

import static io.icegate.storage.OtlpLogs.attr;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.ingest.SpansBatchBuilder;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.table.SpansTable;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.Files;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The column-at-a-time writer against parquet-java's own record writer ({@link
 * ArrowParquetWriter#writeRows}) on the same batches: Iceberg's generic Parquet reader must read
 * the same rows from both files (nulls, empty and null maps and lists, lists of structs holding
 * maps), and each column chunk must carry the same encodings, dictionary and statistics.
 */
class ColumnBatchWriterTest {
  private static final long T0 = 1_700_000_000_000_000_000L;

  @TempDir Path dir;
  private int files;

  @Test
  void logsReadBackAsFromParquetJavasRecordWriter() throws Exception {
    try (RootAllocator allocator = new RootAllocator()) {
      List<VectorSchemaRoot> batches = new ArrayList<>();
      try {
        for (int b = 0; b < 3; b++) {
          batches.add(LogsBatchBuilder.build(logs(b), "tenant-" + (b % 2), T0, allocator).batch());
        }
        assertSameFiles(LogsTable.SCHEMA, batches, 3 * 700);
      } finally {
        batches.forEach(VectorSchemaRoot::close);
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void nestedSpanColumnsReadBackAsFromParquetJavasRecordWriter() throws Exception {
    try (RootAllocator allocator = new RootAllocator()) {
      List<VectorSchemaRoot> batches = new ArrayList<>();
      try {
        batches.add(SpansBatchBuilder.build(spans(0), "t", T0, allocator).batch());
        batches.add(SpansBatchBuilder.build(spans(1), "t", T0, allocator).batch());
        assertSameFiles(SpansTable.SCHEMA, batches, 2 * 50);
      } finally {
        batches.forEach(VectorSchemaRoot::close);
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void remoteWriteSamplesReadBackAsFromParquetJavasRecordWriter() throws Exception {
    var labels = List.of(
        new io.icegate.protocol.prometheus.RemoteWriteRequest.Label("__name__", "rw_requests_total"),
        new io.icegate.protocol.prometheus.RemoteWriteRequest.Label("job", "agent"));
    var series = new io.icegate.protocol.prometheus.RemoteWriteRequest.TimeSeries(
        labels,
        List.of(new io.icegate.protocol.prometheus.RemoteWriteRequest.Sample(5, 1_700_000_000_000L),
            new io.icegate.protocol.prometheus.RemoteWriteRequest.Sample(7, 1_700_000_015_000L)),
        List.of(), List.of());
    var request = new io.icegate.protocol.prometheus.RemoteWriteRequest(List.of(series), List.of());
    var other = new io.icegate.protocol.prometheus.RemoteWriteRequest(List.of(
        new io.icegate.protocol.prometheus.RemoteWriteRequest.TimeSeries(
            List.of(new io.icegate.protocol.prometheus.RemoteWriteRequest.Label(
                    "__name__", "queue_depth"),
                new io.icegate.protocol.prometheus.RemoteWriteRequest.Label("job", "shop")),
            List.of(new io.icegate.protocol.prometheus.RemoteWriteRequest.Sample(
                42, 1_700_000_001_000L)),
            List.of(), List.of())), List.of());
    try (RootAllocator allocator = new RootAllocator()) {
      List<VectorSchemaRoot> batches = new ArrayList<>();
      try {
        batches.add(io.icegate.storage.ingest.MetricsBatchBuilder.build(other, "t", T0, allocator)
            .batch());
        batches.add(io.icegate.storage.ingest.MetricsBatchBuilder.build(request, "t", T0 + 1,
            allocator).batch());
        assertSameFiles(io.icegate.storage.table.MetricsTable.SCHEMA, batches.subList(1, 2), 2);
        assertSameFiles(io.icegate.storage.table.MetricsTable.SCHEMA, batches, 3);
      } finally {
        batches.forEach(VectorSchemaRoot::close);
      }
    }
  }

  @Test
  void slicesAndRowGroupsKeepEveryRowInOrder() throws Exception {
    // Row groups of 8 KiB (compressed, as parquet-java counts them) and pages of 4 KiB: many
    // flushes, pages split inside batches.
    var small = new ArrowParquetWriter.Options(8 * 1024, 4 * 1024,
        ArrowParquetWriter.Options.WAL.codec(), 1);
    try (RootAllocator allocator = new RootAllocator()) {
      List<VectorSchemaRoot> batches = new ArrayList<>();
      try {
        for (int b = 0; b < 4; b++) {
          batches.add(LogsBatchBuilder.build(logs(b), "t", T0, allocator).batch());
        }
        Path columns = dir.resolve("small-columns.parquet");
        Path rows = dir.resolve("small-rows.parquet");
        ArrowParquetWriter.write(LogsTable.SCHEMA, batches, new LocalOutputFile(columns),
            Map.of(), small);
        ArrowParquetWriter.writeRows(LogsTable.SCHEMA, batches, new LocalOutputFile(rows),
            Map.of(), small);
        List<Object> read = read(LogsTable.SCHEMA, columns);
        assertThat(read).hasSize(4 * 700).isEqualTo(read(LogsTable.SCHEMA, rows));
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(columns))) {
          assertThat(reader.getFooter().getBlocks()).hasSizeGreaterThan(1);
        }
      } finally {
        batches.forEach(VectorSchemaRoot::close);
      }
    }
  }

  @Test
  void aDictionaryThatOutgrowsItsPageFallsBackToPlainAndKeepsEveryValue() throws Exception {
    // The first page (20,000 rows, parquet-java's row limit) repeats one line, so the body
    // column starts with a dictionary that pays; then 3,000 distinct lines of ~400 bytes (1.2 MB)
    // outgrow the 1 MiB dictionary page.
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    for (int i = 0; i < 23_000; i++) {
      String line = i < 20_000 ? "the same line" : "distinct " + i + " " + "y".repeat(390);
      scope.addLogRecords(LogRecord.newBuilder()
          .setTimeUnixNano(T0 + i)
          .setBody(AnyValue.newBuilder().setStringValue(line)));
    }
    ExportLogsServiceRequest request = ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(attr("service.name", "s")))
            .addScopeLogs(scope))
        .build();
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot batch =
            LogsBatchBuilder.build(request, "t", T0, allocator).batch()) {
      Path columns = dir.resolve("fallback-columns.parquet");
      Path rows = dir.resolve("fallback-rows.parquet");
      ArrowParquetWriter.write(LogsTable.SCHEMA, List.of(batch), new LocalOutputFile(columns),
          Map.of(), ArrowParquetWriter.Options.WAL);
      ArrowParquetWriter.writeRows(LogsTable.SCHEMA, List.of(batch), new LocalOutputFile(rows),
          Map.of(), ArrowParquetWriter.Options.WAL);
      List<Object> read = read(LogsTable.SCHEMA, columns);
      assertThat(read).hasSize(23_000).isEqualTo(read(LogsTable.SCHEMA, rows));
      try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(columns))) {
        ColumnChunkMetaData body = reader.getFooter().getBlocks().get(0).getColumns().stream()
            .filter(c -> c.getPath().toDotString().equals(LogsTable.BODY))
            .findFirst().orElseThrow();
        assertThat(body.getEncodings())
            .contains(org.apache.parquet.column.Encoding.PLAIN_DICTIONARY,
                org.apache.parquet.column.Encoding.PLAIN);
      }
    }
  }

  @Test
  void mapColumnsOverManyPagesAndADictionaryFallbackWithinARowReadBackWhole() throws Exception {
    // 4,000 records with 0 to 39 attributes each (78,000 entries: more than one page of level
    // entries). The first 1,000 records' values repeat, so the value column starts with a
    // dictionary that pays; the rest are distinct and ~45 bytes (2.6 MB, past the 1 MiB
    // dictionary page), so it leaves the dictionary in the middle of some record's map.
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    for (int i = 0; i < 4_000; i++) {
      LogRecord.Builder r = LogRecord.newBuilder()
          .setTimeUnixNano(T0 + i)
          .setBody(AnyValue.newBuilder().setStringValue("line " + i));
      for (int a = 0; a < i % 40; a++) {
        r.addAttributes(attr("key." + a,
            i < 1_000 ? "common " + a : "value " + i + "/" + a + " " + "z".repeat(30)));
      }
      scope.addLogRecords(r);
    }
    ExportLogsServiceRequest request = ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(attr("service.name", "s")))
            .addScopeLogs(scope))
        .build();
    try (RootAllocator allocator = new RootAllocator()) {
      try (VectorSchemaRoot batch = LogsBatchBuilder.build(request, "t", T0, allocator).batch()) {
        Path columns = dir.resolve("maps-columns.parquet");
        Path rows = dir.resolve("maps-rows.parquet");
        ArrowParquetWriter.write(LogsTable.SCHEMA, List.of(batch), new LocalOutputFile(columns),
            Map.of(), ArrowParquetWriter.Options.WAL);
        ArrowParquetWriter.writeRows(LogsTable.SCHEMA, List.of(batch), new LocalOutputFile(rows),
            Map.of(), ArrowParquetWriter.Options.WAL);
        List<Object> read = read(LogsTable.SCHEMA, columns);
        assertThat(read).hasSize(4_000).isEqualTo(read(LogsTable.SCHEMA, rows));
        @SuppressWarnings("unchecked")
        Map<String, Object> last = (Map<String, Object>) read.get(3_999);
        @SuppressWarnings("unchecked")
        Map<Object, Object> lastAttributes = (Map<Object, Object>) last.get(LogsTable.LOG_ATTRIBUTES);
        assertThat(lastAttributes).hasSize(3_999 % 40)
            .containsEntry("key.38", "value 3999/38 " + "z".repeat(30));
        // The scans' columnar reader, maps included.
        assertThat(readColumnar(LogsTable.SCHEMA, columns)).hasSize(4_000)
            .isEqualTo(readColumnar(LogsTable.SCHEMA, rows));
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(columns))) {
          ColumnChunkMetaData values = reader.getFooter().getBlocks().get(0).getColumns().stream()
              .filter(c -> c.getPath().toDotString().startsWith(LogsTable.LOG_ATTRIBUTES)
                  && c.getPath().toDotString().endsWith("value"))
              .findFirst().orElseThrow();
          assertThat(values.getEncodings())
              .contains(org.apache.parquet.column.Encoding.PLAIN_DICTIONARY,
                  org.apache.parquet.column.Encoding.PLAIN);
          assertThat(values.getValueCount()).isEqualTo(78_000 + 100); // 100 empty maps
        }
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void attributeMapsEmptyInATableFilesRowGroupsAreReadWithoutTheirPages() throws Exception {
    // 6,000 records, record attributes on the first 60 only: as compaction writes a table file
    // (statistics on every column), small row groups, most of them without one attribute.
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    for (int i = 0; i < 6_000; i++) {
      LogRecord.Builder r = LogRecord.newBuilder()
          .setTimeUnixNano(T0 + i)
          .setBody(AnyValue.newBuilder().setStringValue("line " + i + " " + Long.toHexString(
              new java.util.SplittableRandom(i).nextLong())));
      if (i < 60) {
        r.addAttributes(attr("k" + i % 3, "v" + i));
      }
      scope.addLogRecords(r);
    }
    ExportLogsServiceRequest request = ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(attr("service.name", "s")))
            .addScopeLogs(scope))
        .build();
    Path file = dir.resolve("table-file.parquet");
    var settings = new ArrowParquetWriter.FileSettings(
        new ArrowParquetWriter.Options(16 * 1024, 4 * 1024,
            org.apache.parquet.hadoop.metadata.CompressionCodecName.ZSTD, 1),
        64 * 1024, 500, true);
    try (RootAllocator allocator = new RootAllocator()) {
      try (VectorSchemaRoot batch = LogsBatchBuilder.build(request, "t", T0, allocator).batch();
          ArrowParquetWriter.FileWriter writer = ArrowParquetWriter.open(
              LogsTable.SCHEMA, new LocalOutputFile(file), Map.of(), settings)) {
        writer.write(batch);
        writer.finish();
      }
      int groups;
      try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
        groups = reader.getFooter().getBlocks().size();
      }
      assertThat(groups).as("several row groups").isGreaterThan(3);
      var input = Files.localInput(file.toFile());
      var split = io.icegate.storage.scan.ScanSplit.whole(
          new io.icegate.storage.scan.ScanFile(input, input.getLength(), false));
      Schema maps = LogsTable.SCHEMA.select(LogsTable.RESOURCE_ATTRIBUTES,
          LogsTable.SCOPE_ATTRIBUTES, LogsTable.LOG_ATTRIBUTES);
      var always = org.apache.iceberg.expressions.Expressions.alwaysTrue();
      ColumnarArrowReader ours = ColumnarArrowReader.open(split, maps, always, allocator, 1000);
      List<List<Object>> read = ColumnarArrowReaderTest.rows(() -> ours);
      assertThat(read).hasSize(6_000).isEqualTo(ColumnarArrowReaderTest.rows(
          () -> RecordArrowReader.open(split, maps, always, allocator, 1000)));
      assertThat(read.get(59).get(2)).isEqualTo(List.of(Map.of("key", "k2", "value", "v59")));
      assertThat(read.get(60).get(2)).isEqualTo(List.of());
      // Scope attributes are empty in every row group, record attributes in all but the first.
      assertThat(ours.valuelessChunks()).isEqualTo(2 * groups - 1);
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  private void assertSameFiles(Schema schema, List<VectorSchemaRoot> batches, int rows)
      throws Exception {
    Path columns = dir.resolve("columns-" + files + ".parquet");
    Path records = dir.resolve("records-" + files++ + ".parquet");
    Map<String, String> footer = Map.of("k", "v");
    ArrowParquetWriter.write(schema, batches, new LocalOutputFile(columns), footer,
        ArrowParquetWriter.Options.WAL);
    ArrowParquetWriter.writeRows(schema, batches, new LocalOutputFile(records), footer,
        ArrowParquetWriter.Options.WAL);
    List<Object> fromColumns = read(schema, columns);
    assertThat(fromColumns).hasSize(rows).isEqualTo(read(schema, records));
    // The scans' own columnar reader (flat columns) reads the same from both.
    List<String> flat = schema.columns().stream()
        .filter(f -> f.type().isPrimitiveType()).map(f -> f.name()).toList();
    Schema flatSchema = schema.select(flat);
    assertThat(readColumnar(flatSchema, columns)).hasSize(rows)
        .isEqualTo(readColumnar(flatSchema, records));
    try (ParquetFileReader c = ParquetFileReader.open(new LocalInputFile(columns));
        ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(records))) {
      assertThat(c.getFooter().getFileMetaData().getKeyValueMetaData()).containsEntry("k", "v");
      assertThat(c.getFooter().getFileMetaData().getSchema())
          .isEqualTo(r.getFooter().getFileMetaData().getSchema());
      BlockMetaData cb = c.getFooter().getBlocks().get(0);
      BlockMetaData rb = r.getFooter().getBlocks().get(0);
      assertThat(cb.getRowCount()).isEqualTo(rb.getRowCount());
      for (int i = 0; i < rb.getColumns().size(); i++) {
        ColumnChunkMetaData cc = cb.getColumns().get(i);
        ColumnChunkMetaData rc = rb.getColumns().get(i);
        String path = rc.getPath().toDotString();
        assertThat(cc.getPath()).isEqualTo(rc.getPath());
        assertThat(cc.getCodec()).as(path).isEqualTo(rc.getCodec());
        assertThat(cc.getEncodings()).as(path).isEqualTo(rc.getEncodings());
        assertThat(cc.hasDictionaryPage()).as(path).isEqualTo(rc.hasDictionaryPage());
        assertThat(cc.getValueCount()).as(path).isEqualTo(rc.getValueCount());
        assertThat(cc.getStatistics()).as(path).isEqualTo(rc.getStatistics());
      }
    }
  }

  private static List<Object> readColumnar(Schema schema, Path file) throws Exception {
    var input = Files.localInput(file.toFile());
    var split = io.icegate.storage.scan.ScanSplit.whole(
        new io.icegate.storage.scan.ScanFile(input, input.getLength(), false));
    List<Object> rows = new ArrayList<>();
    try (RootAllocator allocator = new RootAllocator();
        ColumnarArrowReader reader = ColumnarArrowReader.open(
            split, schema, org.apache.iceberg.expressions.Expressions.alwaysTrue(), allocator,
            1000)) {
      assertThat(reader).as("the columnar reader reads " + file).isNotNull();
      while (reader.hasNext()) {
        try (VectorSchemaRoot batch = reader.next()) {
          for (int r = 0; r < batch.getRowCount(); r++) {
            List<Object> row = new ArrayList<>();
            for (var v : batch.getFieldVectors()) {
              row.add(plain(v.getObject(r)));
            }
            rows.add(row);
          }
        }
      }
    }
    return rows;
  }

  /** Every row as plain Java values, binary as hex, so two files' rows compare with equals. */
  private static List<Object> read(Schema schema, Path file) throws Exception {
    List<Object> rows = new ArrayList<>();
    try (CloseableIterable<Record> records =
        Parquet.read(Files.localInput(file.toFile()))
            .project(schema)
            .createReaderFunc(type -> GenericParquetReaders.buildReader(schema, type))
            .build()) {
      for (Record record : records) {
        rows.add(plain(record));
      }
    }
    return rows;
  }

  private static Object plain(Object value) {
    if (value instanceof Record record) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (var field : record.struct().fields()) {
        out.put(field.name(), plain(record.getField(field.name())));
      }
      return out;
    } else if (value instanceof byte[] bytes) {
      return HexFormat.of().formatHex(bytes);
    } else if (value instanceof ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return HexFormat.of().formatHex(bytes);
    } else if (value instanceof List<?> list) {
      return list.stream().map(ColumnBatchWriterTest::plain).toList();
    } else if (value instanceof Map<?, ?> map) {
      Map<Object, Object> out = new TreeMap<>();
      map.forEach((k, v) -> out.put(plain(k), plain(v)));
      return out;
    }
    return value;
  }

  /** 700 records: some with trace ids, severities, attributes, event names; some with none. */
  private static ExportLogsServiceRequest logs(int b) {
    ScopeLogs.Builder scope =
        ScopeLogs.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName("scope-" + b).setVersion("1"));
    for (int i = 0; i < 700; i++) {
      LogRecord.Builder r =
          LogRecord.newBuilder()
              .setTimeUnixNano(T0 + b * 1_000_000L + i)
              .setBody(AnyValue.newBuilder().setStringValue("line " + b + " " + i + " x".repeat(i % 7)));
      if (i % 3 == 0) {
        r.setTraceId(ByteString.copyFrom(new byte[16]))
            .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) i}));
      }
      if (i % 4 != 0) {
        r.setSeverityText(i % 4 == 1 ? "INFO" : "ERROR").setSeverityNumberValue(9 + i % 4);
      }
      for (int a = 0; a < i % 4; a++) {
        r.addAttributes(attr("k" + a, "v" + (i % 11)));
      }
      if (i % 50 == 0) {
        r.setEventName("event-" + i);
      }
      scope.addLogRecords(r);
    }
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder()
                    .addAttributes(attr("service.name", "svc-" + b))
                    .addAttributes(attr("env", b % 2 == 0 ? "dev" : "prod")))
                .addScopeLogs(scope))
        .build();
  }

  /** 50 spans: events (some with attributes), links, parents, statuses, or none of them. */
  private static ExportTraceServiceRequest spans(int b) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < 50; i++) {
      byte[] trace = new byte[16];
      trace[0] = (byte) (b + 1);
      trace[15] = (byte) i;
      byte[] span = {1, 1, 1, 1, 1, 1, (byte) b, (byte) (i + 1)};
      Span.Builder s =
          Span.newBuilder()
              .setTraceId(ByteString.copyFrom(trace))
              .setSpanId(ByteString.copyFrom(span))
              .setName("op-" + (i % 5))
              .setStartTimeUnixNano(T0 + i)
              .setEndTimeUnixNano(T0 + i + 100);
      if (i % 2 == 0) {
        s.setParentSpanId(ByteString.copyFrom(new byte[] {9, 9, 9, 9, 9, 9, 9, (byte) i}));
      }
      for (int e = 0; e < i % 3; e++) {
        Span.Event.Builder event =
            Span.Event.newBuilder().setTimeUnixNano(T0 + i + e).setName("ev" + e);
        for (int a = 0; a < e; a++) {
          event.addAttributes(attr("ea" + a, "x" + i));
        }
        s.addEvents(event);
      }
      if (i % 5 == 1) {
        s.addLinks(Span.Link.newBuilder()
            .setTraceId(ByteString.copyFrom(trace))
            .setSpanId(ByteString.copyFrom(new byte[] {2, 2, 2, 2, 2, 2, 2, (byte) i}))
            .setTraceState(i % 2 == 1 ? "a=b" : "")
            .addAttributes(attr("link", "l" + i)));
      }
      if (i % 4 == 3) {
        s.addAttributes(attr("http.method", "GET"));
      }
      scope.addSpans(s);
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(attr("service.name", "s")))
                .addScopeSpans(scope))
        .build();
  }
}

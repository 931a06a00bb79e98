package io.icegate.storage.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.scan.RowFilter;
import io.icegate.storage.scan.ScanFile;
import io.icegate.storage.scan.ScanSplit;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterator;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ColumnarArrowReader} must read exactly what Iceberg's vectorized reader reads (the
 * reference here, {@link ParquetArrowReader}) — every type the tables use, nulls, dictionary pages
 * that fall back to plain ones mid-chunk, many pages and row groups, splits and row-group
 * filters — and must decline the files it cannot read rather than misread them.
 */
class ColumnarArrowReaderTest {
  private static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.optional(2, "name", Types.StringType.get()),
          Types.NestedField.required(3, "ts", Types.TimestampNanoType.withZone()),
          Types.NestedField.optional(4, "score", Types.DoubleType.get()),
          Types.NestedField.optional(5, "flag", Types.BooleanType.get()),
          Types.NestedField.optional(6, "small", Types.IntegerType.get()),
          Types.NestedField.optional(7, "fixed", Types.FixedType.ofLength(8)),
          Types.NestedField.optional(8, "bin", Types.BinaryType.get()),
          Types.NestedField.optional(9, "day", Types.DateType.get()),
          Types.NestedField.optional(10, "ratio", Types.FloatType.get()),
          Types.NestedField.required(11, "service", Types.StringType.get()),
          Types.NestedField.optional(12, "uuid", Types.UUIDType.get()),
          Types.NestedField.optional(13, "micros", Types.TimestampType.withoutZone()),
          Types.NestedField.optional(
              14, "attrs",
              Types.MapType.ofOptional(15, 16, Types.StringType.get(), Types.StringType.get())),
          Types.NestedField.required(
              17, "labels",
              Types.MapType.ofRequired(18, 19, Types.StringType.get(), Types.StringType.get())));
  private static final Schema FLAT = SCHEMA.select(
      SCHEMA.columns().stream().filter(c -> c.type().isPrimitiveType()).map(c -> c.name())
          .toList());
  private static final Schema MAPS = SCHEMA.select("attrs", "labels");
  private static final int ROWS = 30_000;
  private static final long T0 = 1_700_000_000_000_000_000L;

  @TempDir Path dir;
  private final BufferAllocator allocator = new RootAllocator();

  @AfterEach
  void allocatorEmpty() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  @Test
  void readsEveryTypeAsIcebergsReaderDoes() throws Exception {
    InputFile file = writeIceberg(dir.resolve("all.parquet"));
    assertThat(rowGroupStarts(file)).as("several row groups").hasSizeGreaterThan(2);
    assertThat(encodings(file, "name"))
        .as("a dictionary that overflows into plain pages")
        .contains(org.apache.parquet.column.Encoding.PLAIN_DICTIONARY,
            org.apache.parquet.column.Encoding.PLAIN);
    assertThat(encodings(file, "service")).doesNotContain(org.apache.parquet.column.Encoding.PLAIN);
    ScanSplit whole = ScanSplit.whole(new ScanFile(file, file.getLength(), false));

    List<List<Object>> ours = readOurs(whole, FLAT, Expressions.alwaysTrue());
    List<List<Object>> iceberg = readIceberg(whole, FLAT, Expressions.alwaysTrue());
    assertThat(ours).hasSize(ROWS);
    assertThat(ours).isEqualTo(iceberg);
    // Spot values computed from the generator, not from either reader.
    assertThat(ours.get(7).get(0)).isEqualTo(7L);
    assertThat(ours.get(7).get(10)).isEqualTo("svc-" + (7 % 5));
    assertThat(ours.get(7).get(2)).isEqualTo(T0 + 7 * 1_000_003L);
    assertThat(ours.stream().filter(r -> r.get(1) == null).count()).isEqualTo(ROWS / 7 + 1);
  }

  @Test
  void aDataFilesFooterIsReadOncePerSplitAndSharedByLaterReads() throws Exception {
    InputFile file = writeIceberg(dir.resolve("footer.parquet"));
    List<Long> starts = rowGroupStarts(file);
    assertThat(starts).as("several row groups").hasSizeGreaterThan(2);
    ScanFile data = new ScanFile(file, file.getLength(), false, starts);
    ScanSplit whole = ScanSplit.whole(data);
    ScanSplit second = new ScanSplit(data, starts.get(1), starts.get(2) - starts.get(1));

    long before = FooterCache.reads();
    List<List<Object>> first = readOurs(whole, FLAT, Expressions.alwaysTrue());
    assertThat(readOurs(whole, FLAT, Expressions.alwaysTrue())).isEqualTo(first);
    assertThat(first).isEqualTo(readIceberg(whole, FLAT, Expressions.alwaysTrue()));
    assertThat(FooterCache.reads() - before).as("one footer read for two reads").isEqualTo(1);

    // A split keeps a footer of its own row groups only: its rows are the second group's.
    List<List<Object>> part = readOurs(second, FLAT, Expressions.alwaysTrue());
    assertThat(readOurs(second, FLAT, Expressions.alwaysTrue())).isEqualTo(part);
    assertThat(part).isEqualTo(readIceberg(second, FLAT, Expressions.alwaysTrue()));
    assertThat(part).isNotEmpty().hasSizeLessThan(first.size());
    assertThat(first).containsSubsequence(part);
    assertThat(FooterCache.reads() - before).isEqualTo(2);

    // A WAL segment's footer is read every time and never kept.
    ScanSplit wal = ScanSplit.whole(new ScanFile(file, file.getLength(), true));
    assertThat(readOurs(wal, FLAT, Expressions.alwaysTrue())).isEqualTo(first);
    assertThat(FooterCache.reads() - before).isEqualTo(2);
  }

  @Test
  void rowGroupBuffersLentAgainAcrossReadersOnTwoThreadsNeverMixTheirPages() throws Exception {
    InputFile file = writeIceberg(dir.resolve("pooled.parquet"));
    assertThat(rowGroupStarts(file)).as("several row groups").hasSizeGreaterThan(2);
    ScanSplit whole = ScanSplit.whole(new ScanFile(file, file.getLength(), false));
    List<List<Object>> iceberg = readIceberg(whole, FLAT, Expressions.alwaysTrue());
    long reusedBefore = ChunkBufferPool.SHARED.reused();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      List<java.util.concurrent.Future<List<List<Object>>>> reads = new java.util.ArrayList<>();
      for (int i = 0; i < 6; i++) {
        reads.add(pool.submit(() -> readOurs(whole, FLAT, Expressions.alwaysTrue())));
      }
      for (var read : reads) {
        assertThat(read.get()).isEqualTo(iceberg);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(ChunkBufferPool.SHARED.reused() - reusedBefore)
        .as("chunk buffers handed back by one row group are lent to the next")
        .isGreaterThan(0);
  }

  @Test
  void readsStringMapsAsIcebergsRowReaderDoes() throws Exception {
    InputFile file = writeIceberg(dir.resolve("maps.parquet"));
    ScanSplit whole = ScanSplit.whole(new ScanFile(file, file.getLength(), false));
    List<List<Object>> ours = readOurs(whole, SCHEMA, Expressions.alwaysTrue());
    List<List<Object>> rowReader =
        rows(() -> RecordArrowReader.open(whole, MAPS, Expressions.alwaysTrue(), allocator, 1000));
    assertThat(ours).hasSize(ROWS);
    assertThat(ours.stream().map(r -> r.subList(r.size() - 2, r.size())).toList())
        .isEqualTo(rowReader);
    // Null map, empty map, a null value, many entries — from the generator.
    assertThat(ours.get(0).get(13)).isNull();
    assertThat(ours.get(1).get(13)).isEqualTo(List.of());
    assertThat(ours.get(3).get(13))
        .isEqualTo(List.of(Map.of("key", "k0", "value", "v3-0"), Map.of("key", "k1")));
    assertThat(ours.get(5).get(14)).isEqualTo(List.of(Map.of("key", "service", "value", "svc-0")));
  }

  @Test
  void aRowFilterKeepsItsRowsAndTheOtherColumnsAreReadForThemOnly() throws Exception {
    InputFile file = writeIceberg(dir.resolve("late.parquet"));
    ScanSplit whole = ScanSplit.whole(new ScanFile(file, file.getLength(), false));
    try (ParquetFileReader reader = ParquetFileReader.open(IcebergParquetFiles.input(file))) {
      var attrs =
          reader.getRowGroups().get(0).getColumns().stream()
              .filter(c -> c.getPath().toDotString().startsWith("attrs"))
              .findFirst()
              .orElseThrow();
      assertThat(reader.readOffsetIndex(attrs).getPageCount())
          .as("map pages whose offset index lets a skip pass over them whole")
          .isGreaterThan(3);
    }
    List<List<Object>> all = readOurs(whole, SCHEMA, Expressions.alwaysTrue());
    int id = 0;
    int name = 1;
    // Every third row of alternate runs of 2,500: whole batches of 1,000 are rejected too.
    java.util.function.LongPredicate rule = i -> (i / 2500) % 2 == 0 && i % 3 == 0;
    RowFilter byIdAndName = filter(List.of("name", "id"), (batch, r) ->
        rule.test(((org.apache.arrow.vector.BigIntVector) batch.getVector("id")).get(r))
            && !batch.getVector("name").isNull(r));
    List<List<Object>> kept = readFiltered(whole, SCHEMA, byIdAndName);
    List<List<Object>> expected =
        all.stream().filter(r -> rule.test((Long) r.get(id)) && r.get(name) != null).toList();
    assertThat(expected).hasSizeBetween(ROWS / 8, ROWS / 4);
    assertThat(kept).isEqualTo(expected);

    // A filter on a dictionary-encoded string and a map column; every other row of one service.
    RowFilter byServiceAndLabels = filter(List.of("service", "labels", "id"), (batch, r) ->
        batch.getVector("service").getObject(r).toString().equals("svc-2")
            && ((org.apache.arrow.vector.complex.MapVector) batch.getVector("labels"))
                .getObject(r).size() == 1
            && ((org.apache.arrow.vector.BigIntVector) batch.getVector("id")).get(r) % 2 == 0);
    assertThat(readFiltered(whole, SCHEMA, byServiceAndLabels))
        .isEqualTo(all.stream()
            .filter(r -> r.get(10).equals("svc-2") && (Long) r.get(id) % 2 == 0).toList());

    assertThat(readFiltered(whole, SCHEMA, filter(List.of("id"), (batch, r) -> true)))
        .isEqualTo(all);
    assertThat(readFiltered(whole, SCHEMA, filter(List.of("ts"), (batch, r) -> false))).isEmpty();
  }

  @Test
  void lateColumnsTheFilterCallsUnneededAreSteppedOverAsNulls() throws Exception {
    InputFile file = writeIceberg(dir.resolve("unneeded.parquet"));
    ScanSplit whole = ScanSplit.whole(new ScanFile(file, file.getLength(), false));
    List<List<Object>> all = readOurs(whole, SCHEMA, Expressions.alwaysTrue());
    java.util.Set<Long> nulled = new java.util.HashSet<>();
    RowFilter evenIds = new RowFilter() {
      @Override
      public List<String> columns() {
        return List.of("id");
      }

      @Override
      public int select(VectorSchemaRoot batch, boolean[] selected) {
        var ids = (org.apache.arrow.vector.BigIntVector) batch.getVector("id");
        int count = 0;
        for (int r = 0; r < batch.getRowCount(); r++) {
          selected[r] = ids.get(r) % 2 == 0;
          count += selected[r] ? 1 : 0;
        }
        return count;
      }

      @Override
      public java.util.Set<String> unneededLate(
          VectorSchemaRoot batch, boolean[] selected, int count) {
        var ids = (org.apache.arrow.vector.BigIntVector) batch.getVector("id");
        if (ids.get(0) / 1000 % 2 != 0) {
          return java.util.Set.of();
        }
        for (int r = 0; r < batch.getRowCount(); r++) {
          nulled.add(ids.get(r));
        }
        return java.util.Set.of("attrs", "name");
      }
    };
    List<List<Object>> kept = readFiltered(whole, SCHEMA, evenIds);
    List<List<Object>> expected = new ArrayList<>();
    for (List<Object> row : all) {
      if ((Long) row.get(0) % 2 == 0) {
        List<Object> copy = new ArrayList<>(row);
        if (nulled.contains((Long) row.get(0))) {
          copy.set(1, null); // name
          copy.set(13, null); // attrs
        }
        expected.add(copy);
      }
    }
    assertThat(nulled).isNotEmpty().hasSizeLessThan(ROWS);
    assertThat(kept).isEqualTo(expected);
  }

  @Test
  void aRowFilterBoundSkipsTheRowGroupsItsStatisticsRuleOut() throws Exception {
    InputFile file = writeIceberg(dir.resolve("bound.parquet"));
    ScanSplit whole = ScanSplit.whole(new ScanFile(file, file.getLength(), false));
    // Ids ascend through the file: a row group's first id is the rows before it.
    List<Long> firstIds = new ArrayList<>();
    try (ParquetFileReader reader = ParquetFileReader.open(IcebergParquetFiles.input(file))) {
      long rows = 0;
      for (var group : reader.getRowGroups()) {
        firstIds.add(rows);
        rows += group.getRowCount();
      }
    }
    assertThat(firstIds).as("several row groups").hasSizeGreaterThan(2);
    long cutoff = firstIds.get(firstIds.size() - 1) + 1; // inside the last row group
    java.util.Set<Long> seen = new java.util.HashSet<>();
    RowFilter newestOnly = new RowFilter() {
      @Override
      public List<String> columns() {
        return List.of("id");
      }

      @Override
      public int select(VectorSchemaRoot batch, boolean[] selected) {
        var ids = (org.apache.arrow.vector.BigIntVector) batch.getVector("id");
        int count = 0;
        for (int r = 0; r < batch.getRowCount(); r++) {
          seen.add(ids.get(r));
          selected[r] = ids.get(r) >= cutoff;
          count += selected[r] ? 1 : 0;
        }
        return count;
      }

      @Override
      public ColumnBound bound() {
        return new ColumnBound() {
          @Override
          public String column() {
            return "id";
          }

          @Override
          public boolean mayKeep(long min, long max) {
            return max >= cutoff;
          }
        };
      }
    };
    List<List<Object>> kept = readFiltered(whole, SCHEMA, newestOnly);
    assertThat(kept).hasSize((int) (ROWS - cutoff));
    assertThat(kept.get(0).get(0)).isEqualTo(cutoff);
    // Only the last row group reached the filter: the others were skipped unread.
    assertThat(seen).hasSize((int) (ROWS - firstIds.get(firstIds.size() - 1)));
    assertThat(java.util.Collections.min(seen)).isEqualTo(firstIds.get(firstIds.size() - 1));

    // A bound that tightens while the reader runs (oldest first: keep ids <= 500, known only
    // after the first batch): every later batch is ruled out by its bound column alone, and
    // never reaches the filter.
    seen.clear();
    long[] upTo = {Long.MAX_VALUE};
    RowFilter oldestFirst = new RowFilter() {
      @Override
      public List<String> columns() {
        return List.of("name", "id");
      }

      @Override
      public int select(VectorSchemaRoot batch, boolean[] selected) {
        var ids = (org.apache.arrow.vector.BigIntVector) batch.getVector("id");
        int count = 0;
        for (int r = 0; r < batch.getRowCount(); r++) {
          seen.add(ids.get(r));
          selected[r] = ids.get(r) <= 500;
          count += selected[r] ? 1 : 0;
        }
        upTo[0] = 500;
        return count;
      }

      @Override
      public ColumnBound bound() {
        return new ColumnBound() {
          @Override
          public String column() {
            return "id";
          }

          @Override
          public boolean mayKeep(long min, long max) {
            return min <= upTo[0];
          }
        };
      }
    };
    List<List<Object>> all = readOurs(whole, SCHEMA, Expressions.alwaysTrue());
    assertThat(readFiltered(whole, SCHEMA, oldestFirst))
        .isEqualTo(all.stream().filter(r -> (long) r.get(0) <= 500).toList());
    assertThat(seen).hasSize(1000); // one batch of 1,000 rows
  }

  @Test
  void aBatchTheFiltersFirstPartRulesOutIsSkippedBeforeItsOtherColumns() throws Exception {
    InputFile file = writeIceberg(dir.resolve("staged.parquet"));
    ScanSplit whole = ScanSplit.whole(new ScanFile(file, file.getLength(), false));
    // Keep ids in [2,500, 3,200) and [11,000, 11,010) whose name is set: the first part (ids
    // only) rules out every batch of 1,000 rows but four; only those reach select.
    java.util.function.LongPredicate inRange =
        id -> (id >= 2_500 && id < 3_200) || (id >= 11_000 && id < 11_010);
    List<Long> firstBatches = new ArrayList<>();
    List<Long> selectedBatches = new ArrayList<>();
    List<Long> passed = new ArrayList<>();
    RowFilter staged = new RowFilter() {
      @Override
      public List<String> columns() {
        return List.of("id", "name");
      }

      @Override
      public int firstColumns() {
        return 1;
      }

      @Override
      public boolean anyFirst(VectorSchemaRoot batch) {
        assertThat(batch.getSchema().getFields()).hasSize(1);
        var ids = (org.apache.arrow.vector.BigIntVector) batch.getVector("id");
        firstBatches.add(ids.get(0));
        for (int r = 0; r < batch.getRowCount(); r++) {
          if (inRange.test(ids.get(r))) {
            passed.add(ids.get(0));
            return true;
          }
        }
        return false;
      }

      @Override
      public int select(VectorSchemaRoot batch, boolean[] selected) {
        var ids = (org.apache.arrow.vector.BigIntVector) batch.getVector("id");
        var names = batch.getVector("name");
        selectedBatches.add(ids.get(0));
        int count = 0;
        for (int r = 0; r < batch.getRowCount(); r++) {
          selected[r] = inRange.test(ids.get(r)) && !names.isNull(r);
          count += selected[r] ? 1 : 0;
        }
        return count;
      }
    };
    List<List<Object>> all = readOurs(whole, SCHEMA, Expressions.alwaysTrue());
    // Every other column of the kept rows equals the unfiltered read: the skipped batches'
    // values were passed over in step, across pages and row groups.
    assertThat(readFiltered(whole, SCHEMA, staged))
        .isNotEmpty()
        .isEqualTo(all.stream()
            .filter(r -> inRange.test((long) r.get(0)) && r.get(1) != null)
            .toList());
    // Batches of up to 1,000 rows, cut at row-group ends: all seen by the first part, only the
    // few holding kept ids by select.
    assertThat(firstBatches).hasSizeGreaterThanOrEqualTo(ROWS / 1000);
    assertThat(selectedBatches).isEqualTo(passed).hasSizeBetween(3, 5);
  }

  @Test
  void valuesWithoutTheRequiredBytesReachTheFilterEmptyAndUncopied() throws Exception {
    Path path = dir.resolve("lines.parquet");
    MessageType type =
        org.apache.parquet.schema.Types.buildMessage()
            .required(PrimitiveTypeName.INT64).id(1).named("n")
            .required(PrimitiveTypeName.BINARY)
            .as(LogicalTypeAnnotation.stringType()).id(2).named("line")
            .named("lines");
    // Rows ending in 'z' are followed by a row of 113 bytes, whose length prefix starts with
    // 'q' (0x71): "zq" then spans a value's end, which must not count as a match of either.
    java.util.function.IntFunction<String> line = i -> switch (i % 10) {
      case 3 -> "row " + i + " has zq inside";
      case 4 -> "zq";
      case 5 -> "row " + i + " ends with z";
      case 6 -> "x".repeat(113);
      case 7 -> "row " + i + " ends with zq";
      default -> "filler " + i;
    };
    int rows = 5_000;
    SimpleGroupFactory groups = new SimpleGroupFactory(type);
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new LocalOutputFile(path))
            .withType(type)
            .withCompressionCodec(CompressionCodecName.ZSTD)
            .withDictionaryEncoding(false)
            .withPageSize(2048)
            .build()) {
      for (int i = 0; i < rows; i++) {
        writer.write(groups.newGroup().append("n", (long) i).append("line", line.apply(i)));
      }
    }
    Schema schema =
        new Schema(
            Types.NestedField.required(1, "n", Types.LongType.get()),
            Types.NestedField.required(2, "line", Types.StringType.get()));
    InputFile file = org.apache.iceberg.Files.localInput(path.toFile());
    ScanSplit whole = ScanSplit.whole(new ScanFile(file, file.getLength(), false));
    List<String> seen = new ArrayList<>();
    RowFilter containsZq = new RowFilter() {
      @Override
      public List<String> columns() {
        return List.of("line");
      }

      @Override
      public byte[] requiredBytes(String column) {
        return column.equals("line") ? "zq".getBytes(java.nio.charset.StandardCharsets.UTF_8) : null;
      }

      @Override
      public int select(VectorSchemaRoot batch, boolean[] selected) {
        var lines = (org.apache.arrow.vector.VarCharVector) batch.getVector("line");
        int count = 0;
        for (int r = 0; r < batch.getRowCount(); r++) {
          String value = new String(lines.get(r), java.nio.charset.StandardCharsets.UTF_8);
          seen.add(value);
          selected[r] = value.contains("zq");
          count += selected[r] ? 1 : 0;
        }
        return count;
      }
    };
    List<List<Object>> expected = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      if (line.apply(i).contains("zq")) {
        expected.add(List.of((long) i, line.apply(i)));
      }
    }
    assertThat(readFiltered(whole, schema, containsZq)).isEqualTo(expected);
    // Every row reached the filter; only the values holding the bytes were copied.
    assertThat(seen).hasSize(rows);
    assertThat(seen.stream().filter(v -> !v.isEmpty()).toList())
        .hasSize(expected.size())
        .allSatisfy(v -> assertThat(v).contains("zq"));
    // Batches far smaller than a page: each page's search result carries over batch to batch.
    ColumnarArrowReader small =
        ColumnarArrowReader.open(whole, schema, Expressions.alwaysTrue(), allocator, 7);
    assertThat(rows(() -> small.filtered(containsZq))).isEqualTo(expected);
  }

  @Test
  void dictionaryEntriesFailingTheEntryTestReachTheFilterAsItsReplacement() throws Exception {
    Path path = dir.resolve("streams.parquet");
    MessageType type =
        org.apache.parquet.schema.Types.buildMessage()
            .required(PrimitiveTypeName.INT64).id(1).named("n")
            .optional(PrimitiveTypeName.BINARY)
            .as(LogicalTypeAnnotation.stringType()).id(2).named("stream")
            .named("streams");
    // Runs of 7 rows per stream, 40 streams over and over, every 13th row null: dictionary-
    // encoded pages (the writer's default) of a low-cardinality column.
    java.util.function.IntFunction<String> stream =
        i -> i % 13 == 0 ? null : "{job=\"j" + (i / 7) % 40 + "\"}";
    int rows = 6_000;
    SimpleGroupFactory groups = new SimpleGroupFactory(type);
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new LocalOutputFile(path))
            .withType(type)
            .withDictionaryEncoding(true)
            .withPageSize(1024)
            .withRowGroupSize(64 * 1024L)
            .build()) {
      for (int i = 0; i < rows; i++) {
        Group g = groups.newGroup().append("n", (long) i);
        if (stream.apply(i) != null) {
          g.append("stream", stream.apply(i));
        }
        writer.write(g);
      }
    }
    Schema schema =
        new Schema(
            Types.NestedField.required(1, "n", Types.LongType.get()),
            Types.NestedField.optional(2, "stream", Types.StringType.get()));
    InputFile file = org.apache.iceberg.Files.localInput(path.toFile());
    ScanSplit whole = ScanSplit.whole(new ScanFile(file, file.getLength(), false));
    java.util.function.Predicate<String> wanted =
        v -> v.equals("{job=\"j3\"}") || v.equals("{job=\"j17\"}");
    List<String> tested = java.util.Collections.synchronizedList(new ArrayList<>());
    List<String> seen = new ArrayList<>();
    RowFilter twoStreams = new RowFilter() {
      @Override
      public List<String> columns() {
        return List.of("stream");
      }

      @Override
      public EntryTest entryTest(String column) {
        return column.equals("stream") ? new EntryTest(v -> {
          tested.add(v);
          return wanted.test(v);
        }, "{}") : null;
      }

      @Override
      public int select(VectorSchemaRoot batch, boolean[] selected) {
        var streams = (org.apache.arrow.vector.VarCharVector) batch.getVector("stream");
        int count = 0;
        for (int r = 0; r < batch.getRowCount(); r++) {
          String value = streams.isNull(r)
              ? null : new String(streams.get(r), java.nio.charset.StandardCharsets.UTF_8);
          seen.add(value);
          selected[r] = value != null && wanted.test(value);
          count += selected[r] ? 1 : 0;
        }
        return count;
      }
    };
    List<List<Object>> expected = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      if (stream.apply(i) != null && wanted.test(stream.apply(i))) {
        expected.add(List.of((long) i, stream.apply(i)));
      }
    }
    assertThat(expected).hasSizeGreaterThan(200);
    assertThat(readFiltered(whole, schema, twoStreams)).isEqualTo(expected);
    // Every row reached the filter; the values of the other streams came as the replacement,
    // nulls as nulls.
    assertThat(seen).hasSize(rows);
    assertThat(seen.stream().filter(v -> v != null && !v.equals("{}")).toList())
        .hasSize(expected.size())
        .allSatisfy(v -> assertThat(wanted.test(v)).isTrue());
    assertThat(seen.stream().filter(java.util.Objects::isNull).count())
        .isEqualTo(java.util.stream.IntStream.range(0, rows).filter(i -> i % 13 == 0).count());
    // The test ran once per dictionary entry (per row group's dictionary), not once per row.
    assertThat(tested).hasSizeLessThan(rows / 10).contains("{job=\"j5\"}");
  }

  interface RowRule {
    boolean keep(VectorSchemaRoot batch, int row);
  }

  static RowFilter filter(List<String> columns, RowRule rule) {
    return new RowFilter() {
      @Override
      public List<String> columns() {
        return columns;
      }

      @Override
      public int select(VectorSchemaRoot batch, boolean[] selected) {
        assertThat(batch.getSchema().getFields().stream().map(f -> f.getName()).toList())
            .isEqualTo(columns);
        int count = 0;
        for (int r = 0; r < batch.getRowCount(); r++) {
          selected[r] = rule.keep(batch, r);
          count += selected[r] ? 1 : 0;
        }
        return count;
      }
    };
  }

  private List<List<Object>> readFiltered(ScanSplit split, Schema schema, RowFilter filter)
      throws Exception {
    ColumnarArrowReader reader =
        ColumnarArrowReader.open(split, schema, Expressions.alwaysTrue(), allocator, 1000);
    assertThat(reader).as("our reader reads this file").isNotNull();
    return rows(() -> reader.filtered(filter));
  }

  @Test
  void projectionsAndColumnsMissingFromTheFile() throws Exception {
    InputFile file = writeIceberg(dir.resolve("proj.parquet"));
    ScanSplit whole = ScanSplit.whole(new ScanFile(file, file.getLength(), false));
    Schema evolved =
        new Schema(
            Types.NestedField.optional(2, "name", Types.StringType.get()),
            Types.NestedField.optional(99, "added_later", Types.StringType.get()),
            Types.NestedField.required(1, "id", Types.LongType.get()));
    List<List<Object>> ours = readOurs(whole, evolved, Expressions.alwaysTrue());
    assertThat(ours).isEqualTo(readIceberg(whole, evolved, Expressions.alwaysTrue()));
    assertThat(ours).allSatisfy(row -> assertThat(row.get(1)).isNull());
    assertThat(ours.get(3).get(2)).isEqualTo(3L);
  }

  @Test
  void splitsAndRowGroupFiltersChooseTheRowGroupsIcebergChooses() throws Exception {
    InputFile file = writeIceberg(dir.resolve("split.parquet"));
    List<Long> starts = rowGroupStarts(file);
    ScanFile scanFile = new ScanFile(file, file.getLength(), false, starts);
    Expression filter =
        Expressions.and(
            Expressions.greaterThanOrEqual("id", 9_000L), Expressions.lessThan("id", 21_000L));
    Expression byDictionary = Expressions.equal("service", "svc-3");
    List<List<Object>> all = new ArrayList<>();
    for (int i = 0; i < starts.size(); i++) {
      long end = i + 1 < starts.size() ? starts.get(i + 1) : file.getLength();
      ScanSplit split = new ScanSplit(scanFile, starts.get(i), end - starts.get(i));
      for (Expression e : List.of(Expressions.alwaysTrue(), filter, byDictionary)) {
        assertThat(readOurs(split, FLAT, e)).isEqualTo(readIceberg(split, FLAT, e));
      }
      // With the maps, the row groups chosen are the row reader's too (the filter's columns
      // join its projection, as in TableScanner).
      Schema mapsAndFilter = SCHEMA.select("id", "service", "attrs", "labels");
      assertThat(readOurs(split, mapsAndFilter, filter))
          .isEqualTo(
              rows(() -> RecordArrowReader.open(split, mapsAndFilter, filter, allocator, 1000)));
      all.addAll(readOurs(split, SCHEMA, Expressions.alwaysTrue()));
    }
    assertThat(all).hasSize(ROWS);
    assertThat(all.get(ROWS - 1).get(0)).isEqualTo((long) ROWS - 1);
    ScanSplit whole = ScanSplit.whole(scanFile);
    List<List<Object>> filtered = readOurs(whole, SCHEMA, filter);
    // Whole row groups are kept or skipped, so fewer rows than the file but all matches.
    assertThat(filtered.size()).isLessThan(ROWS);
    assertThat(filtered.stream().filter(r -> (long) r.get(0) >= 9_000 && (long) r.get(0) < 21_000))
        .hasSize(12_000);
  }

  @Test
  void readsDataPageV2WithDictionaries() throws Exception {
    Path path = dir.resolve("v2.parquet");
    writeV2(path, i -> "level-" + (i % 4));
    InputFile file = org.apache.iceberg.Files.localInput(path.toFile());
    Schema schema =
        new Schema(
            Types.NestedField.required(1, "n", Types.LongType.get()),
            Types.NestedField.optional(2, "level", Types.StringType.get()));
    ScanSplit whole = ScanSplit.whole(new ScanFile(file, file.getLength(), false));
    try (ColumnarArrowReader reader =
        ColumnarArrowReader.open(whole, schema, Expressions.alwaysTrue(), allocator, 1000)) {
      assertThat(reader).as("v2 pages with dictionaries are ours to read").isNotNull();
    }
    List<List<Object>> ours = readOurs(whole, schema, Expressions.alwaysTrue());
    assertThat(ours).isEqualTo(readIceberg(whole, schema, Expressions.alwaysTrue()));
    assertThat(ours.get(5)).containsExactly(5L % 3, null);
    assertThat(ours.get(6)).containsExactly(6L % 3, "level-2");
  }

  @Test
  void declinesEncodingsItDoesNotRead() throws Exception {
    Path path = dir.resolve("delta.parquet");
    // Unique strings overflow the dictionary; v2 then falls back to DELTA_BYTE_ARRAY.
    writeV2(path, i -> "unique-value-" + i + "-" + Long.toHexString(i * 0x9E3779B97F4A7C15L));
    InputFile file = org.apache.iceberg.Files.localInput(path.toFile());
    Schema schema =
        new Schema(
            Types.NestedField.required(1, "n", Types.LongType.get()),
            Types.NestedField.optional(2, "level", Types.StringType.get()));
    ScanSplit whole = ScanSplit.whole(new ScanFile(file, file.getLength(), false));
    assertThat(ColumnarArrowReader.open(whole, schema, Expressions.alwaysTrue(), allocator, 1000))
        .isNull();
  }

  @Test
  void declinesATypePromotion() throws Exception {
    InputFile file = writeIceberg(dir.resolve("promote.parquet"));
    Schema promoted = new Schema(Types.NestedField.optional(6, "small", Types.LongType.get()));
    ScanSplit whole = ScanSplit.whole(new ScanFile(file, file.getLength(), false));
    assertThat(ColumnarArrowReader.open(whole, promoted, Expressions.alwaysTrue(), allocator, 1000))
        .isNull();
  }

  private InputFile writeIceberg(Path path) throws Exception {
    SplittableRandom random = new SplittableRandom(42);
    try (FileAppender<Record> out =
        Parquet.write(org.apache.iceberg.Files.localOutput(path.toFile()))
            .schema(SCHEMA)
            .createWriterFunc(GenericParquetWriter::create)
            .set("write.parquet.page-size-bytes", "4096")
            .set("write.parquet.row-group-size-bytes", "400000")
            .set("write.parquet.page-row-limit", "300")
            .set("write.parquet.dict-size-bytes", "16384")
            .set("write.parquet.compression-codec", "zstd")
            .build()) {
      for (int i = 0; i < ROWS; i++) {
        Record r = GenericRecord.create(SCHEMA);
        r.setField("id", (long) i);
        // Half repeat (the first pages are worth a dictionary), half unique (it then overflows
        // and the chunk's later pages are plain).
        String name =
            i % 2 == 0 ? "name-" + (i % 40) : "name-" + random.nextInt(1_000_000) + "-" + i;
        r.setField("name", i % 7 == 0 ? null : name);
        r.setField(
            "ts",
            OffsetDateTime.ofInstant(
                Instant.ofEpochSecond(0, T0 + i * 1_000_003L), ZoneOffset.UTC));
        r.setField("score", i % 11 == 0 ? null : random.nextDouble() * 1000);
        r.setField("flag", i % 13 == 0 ? null : random.nextBoolean());
        r.setField("small", i % 5 == 0 ? null : random.nextInt(100));
        r.setField("fixed", i % 3 == 0 ? null : bytes(random, 8));
        r.setField("bin", i % 4 == 0 ? null : ByteBuffer.wrap(bytes(random, random.nextInt(40))));
        r.setField("day", i % 9 == 0 ? null : LocalDate.ofEpochDay(19_000 + i % 50));
        r.setField("ratio", i % 6 == 0 ? null : (float) random.nextDouble());
        r.setField("service", "svc-" + (i % 5));
        r.setField("uuid", i % 8 == 0 ? null : new UUID(random.nextLong(), random.nextLong()));
        r.setField(
            "micros",
            i % 10 == 0 ? null : java.time.LocalDateTime.of(2024, 1, 1, 0, 0).plusNanos(i * 1000L));
        Map<String, String> attrs = null;
        if (i % 17 != 0) {
          attrs = new java.util.LinkedHashMap<>();
          for (int k = 0; k < (i - 1) % 17; k++) {
            attrs.put("k" + k, k % 2 == 1 ? null : "v" + i + "-" + k);
          }
        }
        r.setField("attrs", attrs);
        r.setField("labels", Map.of("service", "svc-" + (i % 5)));
        out.add(r);
      }
    }
    return org.apache.iceberg.Files.localInput(path.toFile());
  }

  private static byte[] bytes(SplittableRandom random, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) random.nextInt(256);
    }
    return b;
  }

  private static void writeV2(Path path, java.util.function.IntFunction<String> level)
      throws Exception {
    MessageType schema =
        org.apache.parquet.schema.Types.buildMessage()
            .required(PrimitiveTypeName.INT64).id(1).named("n")
            .optional(PrimitiveTypeName.BINARY)
            .as(LogicalTypeAnnotation.stringType()).id(2).named("level")
            .named("v2");
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new LocalOutputFile(path))
            .withType(schema)
            .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_2_0)
            .withCompressionCodec(CompressionCodecName.ZSTD)
            .withPageSize(2048)
            .withDictionaryPageSize(4096)
            .build()) {
      for (int i = 0; i < 20_000; i++) {
        Group g = groups.newGroup().append("n", (long) (i % 3));
        if (i % 5 != 0) {
          g.append("level", level.apply(i));
        }
        writer.write(g);
      }
    }
  }

  private static List<Long> rowGroupStarts(InputFile file) throws Exception {
    try (ParquetFileReader reader = ParquetFileReader.open(IcebergParquetFiles.input(file))) {
      return reader.getRowGroups().stream().map(BlockMetaData::getStartingPos).toList();
    }
  }

  private static java.util.Set<org.apache.parquet.column.Encoding> encodings(
      InputFile file, String column) throws Exception {
    try (ParquetFileReader reader = ParquetFileReader.open(IcebergParquetFiles.input(file))) {
      java.util.Set<org.apache.parquet.column.Encoding> all = new java.util.HashSet<>();
      for (BlockMetaData group : reader.getRowGroups()) {
        group.getColumns().stream()
            .filter(c -> c.getPath().toDotString().equals(column))
            .forEach(c -> all.addAll(c.getEncodings()));
      }
      return all;
    }
  }

  private List<List<Object>> readOurs(ScanSplit split, Schema schema, Expression filter)
      throws Exception {
    ColumnarArrowReader reader = ColumnarArrowReader.open(split, schema, filter, allocator, 1000);
    assertThat(reader).as("our reader reads this file").isNotNull();
    return rows(() -> reader);
  }

  private List<List<Object>> readIceberg(ScanSplit split, Schema schema, Expression filter)
      throws Exception {
    return rows(() -> ParquetArrowReader.open(split, schema, filter, allocator, 1000));
  }

  static List<List<Object>> rows(Supplier<CloseableIterator<VectorSchemaRoot>> open)
      throws Exception {
    List<List<Object>> rows = new ArrayList<>();
    try (CloseableIterator<VectorSchemaRoot> it = open.get()) {
      while (it.hasNext()) {
        try (VectorSchemaRoot batch = it.next()) {
          for (int r = 0; r < batch.getRowCount(); r++) {
            List<Object> row = new ArrayList<>();
            for (FieldVector v : batch.getFieldVectors()) {
              row.add(plain(v.getObject(r)));
            }
            rows.add(row);
          }
        }
      }
    }
    return rows;
  }

  static Object plain(Object value) {
    if (value instanceof List<?> list) {
      return list.stream().map(ColumnarArrowReaderTest::plain).toList();
    }
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> out = new java.util.TreeMap<>();
      map.forEach((k, v) -> out.put(plain(k), plain(v)));
      return out;
    }
    if (value instanceof byte[] b) {
      return HexFormat.of().formatHex(b);
    }
    if (value instanceof org.apache.arrow.vector.util.Text t) {
      return t.toString();
    }
    if (value instanceof java.time.LocalDateTime t) {
      return t.toString();
    }
    return value;
  }
}

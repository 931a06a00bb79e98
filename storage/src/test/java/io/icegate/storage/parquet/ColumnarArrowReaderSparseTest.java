package io.icegate.storage.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.scan.ScanFile;
import io.icegate.storage.scan.ScanSplit;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Columns that hold no value in most rows — maps empty in every row, or in all but a few, null
 * versus empty maps, all-null strings and numbers — over many pages and row groups: {@link
 * ColumnarArrowReader} must read them as Iceberg's row reader does, and answer the row groups
 * whose statistics show no value without reading their pages.
 */
class ColumnarArrowReaderSparseTest {
  private static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.required(
              2, "empty",
              Types.MapType.ofRequired(3, 4, Types.StringType.get(), Types.StringType.get())),
          Types.NestedField.required(
              5, "sparse",
              Types.MapType.ofRequired(6, 7, Types.StringType.get(), Types.StringType.get())),
          Types.NestedField.optional(
              8, "nullable",
              Types.MapType.ofOptional(9, 10, Types.StringType.get(), Types.StringType.get())),
          Types.NestedField.optional(11, "never", Types.StringType.get()),
          Types.NestedField.optional(12, "rare", Types.LongType.get()),
          Types.NestedField.optional(13, "none", Types.LongType.get()));
  private static final int ROWS = 30_000;

  @TempDir Path dir;
  private final BufferAllocator allocator = new RootAllocator();
  private ScanSplit whole;
  private int groups;

  @BeforeEach
  void write() throws Exception {
    InputFile file = writeSparse(dir.resolve("sparse.parquet"));
    whole = ScanSplit.whole(new ScanFile(file, file.getLength(), false));
    try (ParquetFileReader reader = ParquetFileReader.open(IcebergParquetFiles.input(file))) {
      groups = reader.getRowGroups().size();
    }
  }

  @AfterEach
  void allocatorEmpty() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  /** An entry in row {@code i} of the map {@code sparse}: in its first and last 3,000 rows. */
  private static boolean sparseEntries(int i) {
    return (i < 3_000 || i >= ROWS - 3_000) && i % 997 == 5;
  }

  @Test
  void emptyAndMostlyEmptyColumnsReadAsIcebergsRowReaderDoes() throws Exception {
    assertThat(groups).as("several row groups").isGreaterThan(4);
    List<List<Object>> ours = readOurs(SCHEMA);
    assertThat(ours).hasSize(ROWS);
    assertThat(ours).isEqualTo(ColumnarArrowReaderTest.rows(
        () -> RecordArrowReader.open(whole, SCHEMA, Expressions.alwaysTrue(), allocator, 1000)));
    // From the generator: empty everywhere; entries only where it put them; null, empty and
    // full optional maps; strings and numbers null but where set.
    assertThat(ours).allSatisfy(r -> assertThat(r.get(1)).isEqualTo(List.of()));
    assertThat(ours.get(5).get(2))
        .isEqualTo(List.of(Map.of("key", "a", "value", "5"), Map.of("key", "b", "value", "x")));
    assertThat(ours.stream().filter(r -> !((List<?>) r.get(2)).isEmpty()).count())
        .isEqualTo(java.util.stream.IntStream.range(0, ROWS).filter(i -> sparseEntries(i)).count());
    assertThat(ours.get(3).get(3)).isNull();
    assertThat(ours.get(4).get(3)).isEqualTo(List.of());
    assertThat(ours.get(2_002).get(3)).isEqualTo(List.of(Map.of("key", "n", "value", "2002")));
    assertThat(ours.get(2_004).get(3)).isNull();
    assertThat(ours).allSatisfy(r -> assertThat(r.get(4)).isNull());
    assertThat(ours.get(5_007).get(5)).isEqualTo(5_007L);
    assertThat(ours.stream().filter(r -> r.get(5) != null).count()).isEqualTo(6);
    assertThat(ours).allSatisfy(r -> assertThat(r.get(6)).isNull());
  }

  @Test
  void rowGroupsWhoseStatisticsShowNoValueAreAnsweredWithoutTheirPages() throws Exception {
    // A required map empty in every row, and all-null columns: every row group.
    assertThat(valuelessChunks(SCHEMA.select("empty"))).isEqualTo(groups);
    assertThat(valuelessChunks(SCHEMA.select("never", "none"))).isEqualTo(2 * groups);
    // Entries in the first and last row groups only.
    assertThat(valuelessChunks(SCHEMA.select("sparse"))).isBetween(1, groups - 2);
    // An optional map's statistics can't tell its null maps from its empty ones.
    assertThat(valuelessChunks(SCHEMA.select("nullable"))).isZero();
    assertThat(valuelessChunks(SCHEMA.select("id"))).isZero();
    // Six values: the row groups without one hold none.
    assertThat(valuelessChunks(SCHEMA.select("rare"))).isBetween(groups - 6, groups - 1);
  }

  @Test
  void rowsKeptByAFilterReadTheirMapsAmongEmptyOnes() throws Exception {
    List<List<Object>> all = readOurs(SCHEMA);
    // Runs of kept and dropped rows, and single rows kept: the rows with entries among them.
    java.util.function.LongPredicate rule = i -> (i / 700) % 3 == 0 || i % 997 == 5 || i % 7 == 2;
    ColumnarArrowReader reader =
        ColumnarArrowReader.open(whole, SCHEMA, Expressions.alwaysTrue(), allocator, 1000);
    List<List<Object>> kept = ColumnarArrowReaderTest.rows(
        () -> reader.filtered(ColumnarArrowReaderTest.filter(List.of("id"),
            (batch, r) -> rule.test(((BigIntVector) batch.getVector("id")).get(r)))));
    List<List<Object>> expected = all.stream().filter(r -> rule.test((Long) r.get(0))).toList();
    assertThat(expected).hasSizeBetween(ROWS / 3, ROWS / 2);
    assertThat(kept).isEqualTo(expected);
    assertThat(kept.stream().filter(r -> !((List<?>) r.get(2)).isEmpty()).count()).isPositive();
  }

  private int valuelessChunks(Schema projection) throws Exception {
    ColumnarArrowReader reader =
        ColumnarArrowReader.open(whole, projection, Expressions.alwaysTrue(), allocator, 1000);
    assertThat(reader).isNotNull();
    long rows = 0;
    try (reader) {
      while (reader.hasNext()) {
        try (var batch = reader.next()) {
          rows += batch.getRowCount();
        }
      }
    }
    assertThat(rows).isEqualTo(ROWS);
    return reader.valuelessChunks();
  }

  private List<List<Object>> readOurs(Schema schema) throws Exception {
    ColumnarArrowReader reader =
        ColumnarArrowReader.open(whole, schema, Expressions.alwaysTrue(), allocator, 1000);
    assertThat(reader).as("our reader reads this file").isNotNull();
    return ColumnarArrowReaderTest.rows(() -> reader);
  }

  private static InputFile writeSparse(Path path) throws Exception {
    try (FileAppender<Record> out =
        Parquet.write(org.apache.iceberg.Files.localOutput(path.toFile()))
            .schema(SCHEMA)
            .createWriterFunc(GenericParquetWriter::create)
            .set("write.parquet.page-size-bytes", "2048")
            .set("write.parquet.row-group-size-bytes", "12000")
            .set("write.parquet.row-group-check-max-record-count", "500")
            .set("write.parquet.page-row-limit", "700")
            .set("write.parquet.compression-codec", "zstd")
            .build()) {
      for (int i = 0; i < ROWS; i++) {
        Record r = GenericRecord.create(SCHEMA);
        r.setField("id", (long) i);
        r.setField("empty", Map.of());
        Map<String, String> sparse = new LinkedHashMap<>();
        if (sparseEntries(i)) {
          sparse.put("a", Integer.toString(i));
          sparse.put("b", "x");
        }
        r.setField("sparse", sparse);
        Map<String, String> nullable = null;
        if (i % 1000 == 2) {
          nullable = Map.of("n", Integer.toString(i));
        } else if (i % 3 != 0) {
          nullable = Map.of();
        }
        r.setField("nullable", nullable);
        r.setField("never", null);
        r.setField("rare", i % 5000 == 7 ? (long) i : null);
        r.setField("none", null);
        out.add(r);
      }
    }
    return org.apache.iceberg.Files.localInput(path.toFile());
  }
}

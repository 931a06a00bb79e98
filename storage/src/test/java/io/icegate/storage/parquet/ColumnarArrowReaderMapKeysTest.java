package io.icegate.storage.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.scan.RowFilter;
import io.icegate.storage.scan.ScanFile;
import io.icegate.storage.scan.ScanSplit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A filter that names the only map keys its consumer reads ({@link RowFilter#mapKeys}): the
 * reader leaves the other entries out, and what remains must be exactly the full read's entries
 * of those keys, in order — over dictionary-encoded keys, keys whose dictionary overflowed into
 * plain pages, null values, null and empty maps, and value pages that end elsewhere than the key
 * pages. The expected maps are the full read's, cut by the same rule in the test.
 */
class ColumnarArrowReaderMapKeysTest {
  private static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.required(
              2, "few",
              Types.MapType.ofOptional(3, 4, Types.StringType.get(), Types.StringType.get())),
          Types.NestedField.optional(
              5, "many",
              Types.MapType.ofOptional(6, 7, Types.StringType.get(), Types.StringType.get())));
  private static final int ROWS = 20_000;
  private static final List<String> FEW_KEYS =
      List.of("service.name", "host.name", "status", "k8s.pod.name", "region", "status.code");

  @TempDir Path dir;
  private final BufferAllocator allocator = new RootAllocator();
  private ScanSplit whole;
  private InputFile file;

  @BeforeEach
  void write() throws Exception {
    file = writeMaps(dir.resolve("maps.parquet"));
    whole = ScanSplit.whole(new ScanFile(file, file.getLength(), false));
  }

  @AfterEach
  void allocatorEmpty() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  @Test
  void onlyTheNamedKeysEntriesAreReadInOrderAmongKeptRows() throws Exception {
    // The file has what the test means to cover: dictionary keys in one map, plain in the other.
    try (ParquetFileReader reader = ParquetFileReader.open(IcebergParquetFiles.input(file))) {
      assertThat(reader.getRowGroups()).as("several row groups").hasSizeGreaterThan(2);
      ColumnChunkMetaData manyKeys = reader.getRowGroups().get(0).getColumns().stream()
          .filter(c -> c.getPath().toDotString().equals("many.key_value.key"))
          .findFirst().orElseThrow();
      assertThat(manyKeys.getEncodings()).contains(Encoding.PLAIN);
    }
    Predicate<String> wanted = k -> k.startsWith("status") || k.equals("key-7") || k.isEmpty();
    java.util.function.LongPredicate rule = i -> (i / 500) % 3 != 1 || i % 11 == 0;

    List<List<Object>> all = ColumnarArrowReaderTest.rows(() ->
        open().filtered(filter(rule, null)));
    List<List<Object>> cut = ColumnarArrowReaderTest.rows(() ->
        open().filtered(filter(rule, wanted)));

    List<List<Object>> expected = new ArrayList<>();
    for (List<Object> row : all) {
      List<Object> r = new ArrayList<>(row);
      r.set(1, only(row.get(1), wanted));
      r.set(2, only(row.get(2), wanted));
      expected.add(r);
    }
    assertThat(all).hasSizeBetween(ROWS / 2, ROWS);
    assertThat(cut).isEqualTo(expected);
    // The rule keeps entries of both maps, null values among them; the others are gone.
    assertThat(cut.stream().mapToInt(r -> ((List<?>) r.get(1)).size()).sum()).isPositive();
    assertThat(cut.stream().mapToInt(r -> r.get(2) == null ? 0 : ((List<?>) r.get(2)).size())
        .sum()).isPositive();
    assertThat(cut.stream().flatMap(r -> ((List<?>) r.get(1)).stream())
        .anyMatch(e -> ((Map<?, ?>) e).get("value") == null)).isTrue();
    assertThat(all.stream().mapToInt(r -> ((List<?>) r.get(1)).size()).sum())
        .isGreaterThan(2 * cut.stream().mapToInt(r -> ((List<?>) r.get(1)).size()).sum());
  }

  @Test
  void aMapTheFilterReadsKeepsEveryEntry() throws Exception {
    // "few" read by the filter itself: its entries must all be there for the rule and after it.
    Predicate<String> wanted = k -> k.equals("region");
    RowFilter reading = new RowFilter() {
      @Override
      public List<String> columns() {
        return List.of("id", "few");
      }

      @Override
      public int select(VectorSchemaRoot batch, boolean[] selected) {
        for (int r = 0; r < batch.getRowCount(); r++) {
          selected[r] = true;
        }
        return batch.getRowCount();
      }

      @Override
      public Predicate<String> mapKeys(String column) {
        return wanted;
      }
    };
    List<List<Object>> cut = ColumnarArrowReaderTest.rows(() -> open().filtered(reading));
    List<List<Object>> all = ColumnarArrowReaderTest.rows(this::open);
    assertThat(cut).hasSize(ROWS);
    for (int i = 0; i < ROWS; i += 97) {
      assertThat(cut.get(i).get(1)).isEqualTo(all.get(i).get(1));
      assertThat(cut.get(i).get(2)).isEqualTo(only(all.get(i).get(2), wanted));
    }
  }

  private ColumnarArrowReader open() {
    ColumnarArrowReader reader =
        ColumnarArrowReader.open(whole, SCHEMA, Expressions.alwaysTrue(), allocator, 1000);
    assertThat(reader).as("our reader reads this file").isNotNull();
    return reader;
  }

  private static RowFilter filter(java.util.function.LongPredicate rule, Predicate<String> keys) {
    RowFilter rows = ColumnarArrowReaderTest.filter(List.of("id"),
        (batch, r) -> rule.test(((BigIntVector) batch.getVector("id")).get(r)));
    return new RowFilter() {
      @Override
      public List<String> columns() {
        return rows.columns();
      }

      @Override
      public int select(VectorSchemaRoot batch, boolean[] selected) {
        return rows.select(batch, selected);
      }

      @Override
      public Predicate<String> mapKeys(String column) {
        return keys;
      }
    };
  }

  /** A read map (a list of key/value entries, or null) cut to the entries of wanted keys. */
  private static Object only(Object map, Predicate<String> wanted) {
    if (map == null) {
      return null;
    }
    return ((List<?>) map).stream()
        .filter(e -> wanted.test((String) ((Map<?, ?>) e).get("key")))
        .toList();
  }

  private static InputFile writeMaps(Path path) throws Exception {
    try (FileAppender<Record> out =
        Parquet.write(org.apache.iceberg.Files.localOutput(path.toFile()))
            .schema(SCHEMA)
            .createWriterFunc(GenericParquetWriter::create)
            .set("write.parquet.page-size-bytes", "4096")
            .set("write.parquet.dict-size-bytes", "2048")
            .set("write.parquet.row-group-size-bytes", "200000")
            .set("write.parquet.row-group-check-max-record-count", "500")
            .set("write.parquet.compression-codec", "zstd")
            .build()) {
      for (int i = 0; i < ROWS; i++) {
        Record r = GenericRecord.create(SCHEMA);
        r.setField("id", (long) i);
        Map<String, String> few = new LinkedHashMap<>();
        for (int k = 0; k < FEW_KEYS.size(); k++) {
          if ((i + k) % 4 != 0) {
            // Values of many lengths (the value pages end elsewhere), some null.
            few.put(FEW_KEYS.get(k), (i + k) % 13 == 0 ? null : "v" + "x".repeat((i * k) % 40) + i);
          }
        }
        r.setField("few", few);
        Map<String, String> many = null;
        if (i % 9 != 4) {
          many = new LinkedHashMap<>();
          for (int k = 0; k < i % 5; k++) {
            many.put("key-" + ((i * 31 + k * 7) % 9_000), "w" + i + "-" + k);
          }
          if (i % 6 == 1) {
            many.put("status", Integer.toString(i));
          }
        }
        r.setField("many", many);
        out.add(r);
      }
    }
    return org.apache.iceberg.Files.localInput(path.toFile());
  }
}

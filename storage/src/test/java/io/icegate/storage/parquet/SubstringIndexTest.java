package io.icegate.storage.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.scan.RowFilter;
import io.icegate.storage.scan.ScanFile;
import io.icegate.storage.scan.ScanSplit;
import io.icegate.storage.table.ArrowSchemas;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.Files;
import org.apache.iceberg.Schema;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link SubstringIndex} may only rule a row group out when no value in it contains the needle
 * — checked against the values themselves, for the hashed and the exact bitmaps — and a file
 * carrying one stays a valid Parquet file that skips exactly the row groups without the needle.
 */
class SubstringIndexTest {
  private static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "n", Types.LongType.get()),
          Types.NestedField.optional(2, "line", Types.StringType.get()));

  @TempDir Path dir;
  private final BufferAllocator allocator = new RootAllocator();

  @AfterEach
  void allocatorEmpty() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  @Test
  void aNeedleInAGroupIsNeverRuledOutAndAnAbsentTrigramRulesOut() {
    SplittableRandom random = new SplittableRandom(7);
    // Group 0: few distinct trigrams (a hashed bitmap); group 1: random bytes, more distinct
    // trigrams than a hashed bitmap holds sparsely (the exact 2^24-bit set).
    List<List<byte[]>> groups = List.of(values(random, 2_000, "abcdef ", 40), randomBytes(random));
    SubstringIndex.Builder builder = new SubstringIndex.Builder();
    for (int g = 0; g < groups.size(); g++) {
      for (byte[] value : groups.get(g)) {
        builder.add(value, 0, value.length);
      }
      builder.endRowGroup(100L * (g + 1));
    }
    SubstringIndex index = SubstringIndex.parse(builder.toBytes());
    assertThat(index.rowGroups()).isEqualTo(2);
    assertThat(index.bits(100)).isLessThan(24);
    assertThat(index.bits(200)).isEqualTo(24);
    for (int g = 0; g < groups.size(); g++) {
      long start = 100L * (g + 1);
      for (int probe = 0; probe < 2_000; probe++) {
        byte[] value = groups.get(g).get(random.nextInt(groups.get(g).size()));
        if (value.length < 3) {
          continue;
        }
        int from = random.nextInt(value.length - 2);
        int to = from + 3 + random.nextInt(Math.min(20, value.length - from - 2));
        byte[] needle = java.util.Arrays.copyOfRange(value, from, to);
        assertThat(index.mayContain(start, needle)).as("needle taken from group %d", g).isTrue();
      }
    }
    // Group 0's alphabet has no 'z': every needle with one is ruled out there.
    assertThat(index.mayContain(100, bytes("abz"))).isFalse();
    assertThat(index.mayContain(100, bytes("zzz-never-there"))).isFalse();
    // A needle across two values' boundary is not a trigram of either.
    SubstringIndex.Builder pair = new SubstringIndex.Builder();
    pair.add(bytes("xxab"), 0, 4);
    pair.add(bytes("cdxx"), 0, 4);
    pair.endRowGroup(4);
    SubstringIndex boundary = SubstringIndex.parse(pair.toBytes());
    assertThat(boundary.mayContain(4, bytes("abcd"))).isFalse();
    assertThat(boundary.mayContain(4, bytes("xab"))).isTrue();
    // A damaged blob is refused, not misread.
    byte[] blob = pair.toBytes();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> SubstringIndex.parse(java.util.Arrays.copyOf(blob, blob.length - 1)))
        .isInstanceOf(IllegalArgumentException.class);
    blob[0] ^= 1;
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SubstringIndex.parse(blob))
        .isInstanceOf(IllegalArgumentException.class);
    // Short needles and row groups the index does not cover answer "maybe".
    assertThat(index.mayContain(100, bytes("zz"))).isTrue();
    assertThat(index.mayContain(999, bytes("zzz"))).isTrue();
  }

  @Test
  void aFileWithTheIndexSkipsTheRowGroupsWithoutTheNeedleAndStaysValidParquet() throws Exception {
    int rows = 20_000;
    int needleRow = 13_579;
    Path path = dir.resolve("indexed.parquet");
    ArrowParquetWriter.FileSettings settings =
        ArrowParquetWriter.FileSettings.forTable(
            Map.of(
                TableProperties.PARQUET_COMPRESSION, "zstd",
                TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES, "16384",
                TableProperties.PARQUET_PAGE_SIZE_BYTES, "4096"));
    try (ArrowParquetWriter.FileWriter writer =
            ArrowParquetWriter.open(
                SCHEMA, ArrowParquetWriter.output(Files.localOutput(path.toFile())), Map.of(),
                settings)
                .indexSubstrings("line");
        VectorSchemaRoot batch = VectorSchemaRoot.create(ArrowSchemas.of(SCHEMA), allocator)) {
      for (int from = 0; from < rows; from += 1_000) {
        batch.allocateNew();
        BigIntVector n = (BigIntVector) batch.getVector("n");
        VarCharVector line = (VarCharVector) batch.getVector("line");
        for (int i = 0; i < 1_000; i++) {
          n.setSafe(i, from + i);
          if ((from + i) % 97 == 0) {
            line.setNull(i);
          } else {
            line.setSafe(i, bytes(line(from + i, needleRow)));
          }
        }
        batch.setRowCount(1_000);
        writer.write(batch);
      }
      writer.finish();
    }
    InputFile file = Files.localInput(path.toFile());
    List<BlockMetaData> groups;
    try (ParquetFileReader footer = ParquetFileReader.open(IcebergParquetFiles.input(file))) {
      groups = footer.getRowGroups();
      assertThat(footer.getFooter().getFileMetaData().getKeyValueMetaData())
          .containsKey(SubstringIndex.KEY);
    }
    assertThat(groups).as("several row groups").hasSizeGreaterThan(4);

    // Iceberg's own reader reads every row: the index's bytes disturb nothing.
    long read = 0;
    try (CloseableIterable<Record> records =
        Parquet.read(file)
            .project(SCHEMA)
            .createReaderFunc(type -> GenericParquetReaders.buildReader(SCHEMA, type))
            .build()) {
      for (Record record : records) {
        long i = (Long) record.getField("n");
        Object line = record.getField("line");
        assertThat(line).isEqualTo(i % 97 == 0 ? null : line((int) i, needleRow));
        read++;
      }
    }
    assertThat(read).isEqualTo(rows);

    // The whole file: one row group is read, the rest skipped by the index.
    long indexReads = FooterCache.substringIndexReads();
    ScanSplit whole = ScanSplit.whole(new ScanFile(file, file.getLength(), false));
    ColumnarArrowReader reader =
        ColumnarArrowReader.open(whole, SCHEMA, Expressions.alwaysTrue(), allocator, 1000)
            .filtered(contains("needle-xyz"));
    assertThat(rowsOf(reader)).containsExactly((long) needleRow);
    assertThat(reader.substringSkipped()).isEqualTo(groups.size() - 1);

    // A needle in every group skips none; one in no group skips all.
    ColumnarArrowReader every =
        ColumnarArrowReader.open(whole, SCHEMA, Expressions.alwaysTrue(), allocator, 1000)
            .filtered(contains("row 1"));
    assertThat(rowsOf(every)).isNotEmpty();
    ColumnarArrowReader none =
        ColumnarArrowReader.open(whole, SCHEMA, Expressions.alwaysTrue(), allocator, 1000)
            .filtered(contains("qqq"));
    assertThat(rowsOf(none)).isEmpty();
    assertThat(none.substringSkipped()).isEqualTo(groups.size());

    // Two line filters: the page search takes the longer needle, which is in every group; the
    // shorter one, in one group only, still rules out the others.
    ColumnarArrowReader both =
        ColumnarArrowReader.open(whole, SCHEMA, Expressions.alwaysTrue(), allocator, 1000)
            .filtered(containsAll("level=info msg=handled", "needle-xyz"));
    assertThat(rowsOf(both)).containsExactly((long) needleRow);
    assertThat(both.substringSkipped()).isEqualTo(groups.size() - 1);

    // A split of the row groups after the first finds its own entries by their offsets.
    long splitStart = groups.get(1).getStartingPos();
    ScanSplit rest =
        new ScanSplit(new ScanFile(file, file.getLength(), false), splitStart,
            file.getLength() - splitStart);
    ColumnarArrowReader split =
        ColumnarArrowReader.open(rest, SCHEMA, Expressions.alwaysTrue(), allocator, 1000)
            .filtered(contains("needle-xyz"));
    assertThat(rowsOf(split)).containsExactly((long) needleRow);
    assertThat(split.substringSkipped()).isEqualTo(groups.size() - 2);
    // Five readers of the file, its index blob read from it once (FooterCache keeps it).
    assertThat(FooterCache.substringIndexReads() - indexReads).isEqualTo(1);
  }

  private static String line(int i, int needleRow) {
    return "row " + i + " level=info msg=handled" + (i == needleRow ? " needle-xyz" : "");
  }

  private List<Long> rowsOf(ColumnarArrowReader reader) {
    List<Long> kept = new ArrayList<>();
    try (reader) {
      while (reader.hasNext()) {
        try (VectorSchemaRoot batch = reader.next()) {
          BigIntVector n = (BigIntVector) batch.getVector("n");
          for (int r = 0; r < batch.getRowCount(); r++) {
            kept.add(n.get(r));
          }
        }
      }
    }
    return kept;
  }

  /**
   * Keeps the rows whose line contains every one of {@code needles}; requiredBytes gives the
   * first, allRequiredBytes all of them.
   */
  private static RowFilter containsAll(String... needles) {
    return new RowFilter() {
      @Override
      public List<String> columns() {
        return List.of("line");
      }

      @Override
      public byte[] requiredBytes(String column) {
        return column.equals("line") ? bytes(needles[0]) : null;
      }

      @Override
      public List<byte[]> allRequiredBytes(String column) {
        return column.equals("line")
            ? java.util.Arrays.stream(needles).map(SubstringIndexTest::bytes).toList()
            : List.of();
      }

      @Override
      public int select(VectorSchemaRoot batch, boolean[] selected) {
        VarCharVector lines = (VarCharVector) batch.getVector("line");
        int count = 0;
        for (int r = 0; r < batch.getRowCount(); r++) {
          String line = lines.isNull(r) ? null : new String(lines.get(r), StandardCharsets.UTF_8);
          selected[r] =
              line != null && java.util.Arrays.stream(needles).allMatch(line::contains);
          count += selected[r] ? 1 : 0;
        }
        return count;
      }
    };
  }

  /** Keeps the rows whose line contains {@code needle}, and says so through requiredBytes. */
  private static RowFilter contains(String needle) {
    return new RowFilter() {
      @Override
      public List<String> columns() {
        return List.of("line");
      }

      @Override
      public byte[] requiredBytes(String column) {
        return column.equals("line") ? bytes(needle) : null;
      }

      @Override
      public int select(VectorSchemaRoot batch, boolean[] selected) {
        VarCharVector lines = (VarCharVector) batch.getVector("line");
        int count = 0;
        for (int r = 0; r < batch.getRowCount(); r++) {
          selected[r] = !lines.isNull(r)
              && new String(lines.get(r), StandardCharsets.UTF_8).contains(needle);
          count += selected[r] ? 1 : 0;
        }
        return count;
      }
    };
  }

  private static List<byte[]> values(SplittableRandom random, int count, String alphabet,
      int maxLength) {
    List<byte[]> values = new ArrayList<>();
    for (int v = 0; v < count; v++) {
      byte[] value = new byte[random.nextInt(maxLength)];
      for (int i = 0; i < value.length; i++) {
        value[i] = (byte) alphabet.charAt(random.nextInt(alphabet.length()));
      }
      values.add(value);
    }
    return values;
  }

  /** 8 MiB of random bytes in 1 KiB values: millions of distinct trigrams. */
  private static List<byte[]> randomBytes(SplittableRandom random) {
    List<byte[]> values = new ArrayList<>();
    for (int v = 0; v < 8 * 1024; v++) {
      byte[] value = new byte[1024];
      random.nextBytes(value);
      values.add(value);
    }
    return values;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}

package io.icegate.storage.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.table.ArrowSchemas;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.Files;
import org.apache.iceberg.Schema;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.FileAppender;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The column writer (compaction's) must honour {@code write.parquet.row-group-size-bytes} as
 * Iceberg's writer does — it counts finished pages compressed — so that compacted files have the
 * row groups the table asks for. Compressible log lines make the difference show: counted
 * uncompressed, the groups came out several times smaller.
 */
class RowGroupSizeTest {
  private static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "n", Types.LongType.get()),
          Types.NestedField.optional(2, "line", Types.StringType.get()));
  private static final String[] WORDS = {
    "request", "handled", "upstream", "cache", "miss", "retry", "latency", "query", "user"
  };
  private static final Map<String, String> PROPERTIES =
      Map.of(
          TableProperties.PARQUET_COMPRESSION, "zstd",
          TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES, Integer.toString(256 << 10),
          // Pages far smaller than a group, as 1 MiB pages are in 16 MiB groups: most of a
          // group's bytes are in finished (compressed) pages when its size is measured.
          TableProperties.PARQUET_PAGE_SIZE_BYTES, Integer.toString(8 << 10));
  private static final int ROWS = 60_000;

  @TempDir Path dir;

  @Test
  void rowGroupsAreAsLargeAsIcebergsWriterMakesThem() throws Exception {
    Path icebergFile = dir.resolve("iceberg.parquet");
    try (FileAppender<Record> out =
        Parquet.write(Files.localOutput(icebergFile.toFile()))
            .schema(SCHEMA)
            .createWriterFunc(GenericParquetWriter::create)
            .setAll(PROPERTIES)
            .build()) {
      SplittableRandom random = new SplittableRandom(3);
      for (int i = 0; i < ROWS; i++) {
        Record record = GenericRecord.create(SCHEMA);
        record.setField("n", (long) i);
        record.setField("line", line(random, i));
        out.add(record);
      }
    }
    Path ourFile = dir.resolve("ours.parquet");
    try (RootAllocator allocator = new RootAllocator();
        ArrowParquetWriter.FileWriter writer =
            ArrowParquetWriter.open(
                SCHEMA, ArrowParquetWriter.output(Files.localOutput(ourFile.toFile())), Map.of(),
                ArrowParquetWriter.FileSettings.forTable(PROPERTIES));
        VectorSchemaRoot batch = VectorSchemaRoot.create(ArrowSchemas.of(SCHEMA), allocator)) {
      SplittableRandom random = new SplittableRandom(3);
      for (int from = 0; from < ROWS; from += 5_000) {
        batch.allocateNew();
        BigIntVector n = (BigIntVector) batch.getVector("n");
        VarCharVector line = (VarCharVector) batch.getVector("line");
        for (int i = 0; i < 5_000; i++) {
          n.setSafe(i, from + i);
          line.setSafe(i, line(random, from + i).getBytes(StandardCharsets.UTF_8));
        }
        batch.setRowCount(5_000);
        writer.write(batch);
      }
      writer.finish();
    }
    int theirs = rowGroups(icebergFile);
    int ours = rowGroups(ourFile);
    assertThat(theirs).as("Iceberg's writer makes several row groups").isGreaterThan(3);
    assertThat((double) ours / theirs).as("ours %d, Iceberg's %d", ours, theirs)
        .isBetween(0.7, 1.4);
  }

  private static int rowGroups(Path file) throws Exception {
    try (ParquetFileReader reader =
        ParquetFileReader.open(IcebergParquetFiles.input(Files.localInput(file.toFile())))) {
      return reader.getRowGroups().size();
    }
  }

  private static String line(SplittableRandom random, int i) {
    StringBuilder text = new StringBuilder("level=info n=").append(i);
    for (int w = 0; w < 30; w++) {
      text.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
    }
    return text.toString();
  }
}

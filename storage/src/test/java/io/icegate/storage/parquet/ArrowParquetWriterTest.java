package io.icegate.storage.parquet;

import static io.icegate.storage.OtlpLogs.attr;
import static io.icegate.storage.OtlpLogs.line;
import static io.icegate.storage.OtlpLogs.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.table.LogsTable;
import io.opentelemetry.proto.logs.v1.LogRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the WAL's Parquet looks like: columns whose values are mostly distinct (log lines, event
 * times) are written plain, without a dictionary Parquet would discard, and log lines without
 * min/max; repeated columns (tenant, stream labels, attribute keys) keep their dictionaries, and
 * times keep the statistics that prune time ranges.
 */
class ArrowParquetWriterTest {
  private static final long T0 = 1_700_000_000_000_000_000L;

  @TempDir Path dir;

  @Test
  void mostlyDistinctColumnsArePlainAndRepeatedOnesDictionaryEncoded() throws Exception {
    List<LogRecord> records = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      records.add(line(T0 + i * 1000L, "line number " + i).toBuilder()
          .addAttributes(attr("path", "/p" + (i % 3)))
          .build());
    }
    Path file = dir.resolve("segment.parquet");
    try (RootAllocator allocator = new RootAllocator()) {
      var built = LogsBatchBuilder.build(
          request("svc", records.toArray(LogRecord[]::new)), "tenant", T0, allocator);
      try (VectorSchemaRoot batch = built.batch()) {
        ArrowParquetWriter.write(LogsTable.SCHEMA, List.of(batch), new LocalOutputFile(file),
            Map.of(), ArrowParquetWriter.Options.WAL);
      }
    }
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      assertThat(reader.getRecordCount()).isEqualTo(400);
      var block = reader.getFooter().getBlocks().get(0);
      assertThat(column(block.getColumns(), LogsTable.BODY).getEncodings())
          .doesNotContain(Encoding.PLAIN_DICTIONARY, Encoding.RLE_DICTIONARY);
      assertThat(column(block.getColumns(), LogsTable.BODY).getStatistics().hasNonNullValue())
          .isFalse();
      ColumnChunkMetaData timestamp = column(block.getColumns(), LogsTable.TIMESTAMP);
      assertThat(timestamp.getEncodings())
          .doesNotContain(Encoding.PLAIN_DICTIONARY, Encoding.RLE_DICTIONARY);
      assertThat((Long) timestamp.getStatistics().genericGetMin()).isEqualTo(T0);
      assertThat((Long) timestamp.getStatistics().genericGetMax()).isEqualTo(T0 + 399_000L);
      for (String repeated : List.of(LogsTable.TENANT_ID, LogsTable.STREAM_LABELS)) {
        assertThat(column(block.getColumns(), repeated).hasDictionaryPage())
            .as(repeated).isTrue();
      }
      // Tenants keep min/max (they prune row groups); attribute keys and values inside maps
      // never prune, and keep none.
      assertThat(column(block.getColumns(), LogsTable.TENANT_ID).getStatistics().hasNonNullValue())
          .isTrue();
      for (String nested : List.of(LogsTable.LOG_ATTRIBUTES + ".key_value.key",
          LogsTable.LOG_ATTRIBUTES + ".key_value.value")) {
        assertThat(column(block.getColumns(), nested).getStatistics().hasNonNullValue())
            .as(nested).isFalse();
      }
    }
  }

  private static ColumnChunkMetaData column(List<ColumnChunkMetaData> columns, String name) {
    return columns.stream()
        .filter(c -> c.getPath().toDotString().equals(name))
        .findFirst()
        .orElseThrow();
  }
}

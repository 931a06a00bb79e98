package io.icegate.storage;

import static io.icegate.storage.OtlpLogs.line;
import static io.icegate.storage.OtlpLogs.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.scan.ScanPlan;
import io.icegate.storage.scan.ScanRequest;
import io.icegate.storage.scan.ScanSplit;
import io.icegate.storage.table.LogsTable;
import io.opentelemetry.proto.logs.v1.LogRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.io.CloseableIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compacted file is cut at its row groups for parallel reading: the splits, read one by one,
 * must give back every row of the file exactly once, in the file's order.
 */
class ScanSplitTest {
  private static final long T0 = 1_700_000_000_000_000_000L;

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
  void rowGroupSplitsTogetherReadEveryRowOnceInOrder() throws Exception {
    try (Lake lake = lakeWithRowGroupsOf(256 << 10)) {
      SplittableRandom random = new SplittableRandom(7);
      LogRecord[] lines = new LogRecord[3000];
      for (int i = 0; i < lines.length; i++) {
        StringBuilder body = new StringBuilder(i + ":");
        for (int j = 0; j < 1000; j++) {
          body.append((char) ('a' + random.nextInt(26)));
        }
        lines[i] = line(T0 + i, body.toString());
      }
      var built = LogsBatchBuilder.build(request("svc", lines), "fake", T0, allocator);
      lake.logsWal().append("fake", built.batch()).get();
      lake.compact();

      ScanRequest request =
          new ScanRequest(LogsTable.NAME, "fake", Long.MIN_VALUE, Long.MAX_VALUE,
              List.of(LogsTable.BODY));
      ScanPlan plan = lake.scanner().plan(request);
      assertThat(plan.files()).hasSize(1);
      List<ScanSplit> splits = lake.scanner().splits(plan);
      assertThat(splits).hasSizeGreaterThan(3);

      List<String> whole = bodies(lake.scanner().open(request, plan, allocator));
      List<String> pieced = new ArrayList<>();
      for (ScanSplit split : splits) {
        List<String> part = bodies(lake.scanner().open(request, List.of(split), allocator));
        assertThat(part).as("split at %d", split.start()).isNotEmpty();
        pieced.addAll(part);
      }
      assertThat(whole).hasSize(lines.length);
      assertThat(pieced).isEqualTo(whole);
    }
  }

  @Test
  void nestedAndFlatColumnsReadInStepAcrossRowGroupsAndSkippedRowGroups() throws Exception {
    try (Lake lake = lakeWithRowGroupsOf(128 << 10)) {
      SplittableRandom random = new SplittableRandom(11);
      LogRecord[] lines = new LogRecord[4000];
      for (int i = 0; i < lines.length; i++) {
        StringBuilder body = new StringBuilder(i + ":");
        for (int j = 0; j < 500; j++) {
          body.append((char) ('a' + random.nextInt(26)));
        }
        lines[i] =
            line(T0 + i, body.toString()).toBuilder()
                .addAttributes(
                    io.opentelemetry.proto.common.v1.KeyValue.newBuilder()
                        .setKey("row")
                        .setValue(
                            io.opentelemetry.proto.common.v1.AnyValue.newBuilder()
                                .setStringValue(Integer.toString(i))))
                .build();
      }
      var built = LogsBatchBuilder.build(request("svc", lines), "fake", T0, allocator);
      lake.logsWal().append("fake", built.batch()).get();
      lake.compact();

      // A time range inside the file: row groups before and after it are skipped by statistics.
      long from = T0 + 1500;
      long to = T0 + 2500;
      ScanRequest request =
          new ScanRequest(LogsTable.NAME, "fake", from, to,
              List.of(LogsTable.TIMESTAMP, LogsTable.BODY, LogsTable.LOG_ATTRIBUTES));
      ScanPlan plan = lake.scanner().plan(request);
      assertThat(lake.scanner().splits(plan)).hasSizeGreaterThan(3);
      int rows = 0;
      int inRange = 0;
      try (CloseableIterator<VectorSchemaRoot> it = lake.scanner().open(request, plan, allocator)) {
        while (it.hasNext()) {
          try (VectorSchemaRoot batch = it.next()) {
            assertThat(batch.getSchema().getFields().stream().map(f -> f.getName()))
                .containsExactly(LogsTable.TIMESTAMP, LogsTable.BODY, LogsTable.LOG_ATTRIBUTES);
            VarCharVector body = (VarCharVector) batch.getVector(LogsTable.BODY);
            var attributes = batch.getVector(LogsTable.LOG_ATTRIBUTES);
            for (int i = 0; i < batch.getRowCount(); i++) {
              String text = new String(body.get(i), StandardCharsets.UTF_8);
              String row = text.substring(0, text.indexOf(':'));
              assertThat(attributes.getObject(i).toString())
                  .as("attributes of row %s", row)
                  .contains("\"value\":\"" + row + "\"");
              int n = Integer.parseInt(row);
              if (n >= 1500 && n < 2500) {
                inRange++;
              }
              rows++;
            }
          }
        }
      }
      assertThat(inRange).isEqualTo(1000);
      assertThat(rows).as("row groups outside the range were skipped").isLessThan(lines.length);
    }
  }

  @Test
  void aRowFilterKeepsTheSameRowsWithOurReaderAndWithIcebergs() throws Exception {
    try (Lake lake = lakeWithRowGroupsOf(128 << 10)) {
      LogRecord[] lines = new LogRecord[4000];
      for (int i = 0; i < lines.length; i++) {
        lines[i] =
            line(T0 + i, i + ": " + "x".repeat(200 + i % 50)).toBuilder()
                .addAttributes(
                    io.opentelemetry.proto.common.v1.KeyValue.newBuilder()
                        .setKey("row")
                        .setValue(
                            io.opentelemetry.proto.common.v1.AnyValue.newBuilder()
                                .setStringValue(Integer.toString(i))))
                .build();
      }
      var built = LogsBatchBuilder.build(request("svc", lines), "fake", T0, allocator);
      lake.logsWal().append("fake", built.batch()).get();
      lake.compact();
      ScanRequest request =
          new ScanRequest(LogsTable.NAME, "fake", Long.MIN_VALUE, Long.MAX_VALUE,
              List.of(LogsTable.TIMESTAMP, LogsTable.BODY, LogsTable.LOG_ATTRIBUTES));
      List<ScanSplit> splits = lake.scanner().splits(lake.scanner().plan(request));
      // Rows whose number is a multiple of 7, and none of 1000..2999 (whole batches rejected).
      java.util.function.IntPredicate keep = n -> n % 7 == 0 && (n < 1000 || n >= 3000);
      io.icegate.storage.scan.RowFilter filter =
          new io.icegate.storage.scan.RowFilter() {
            @Override
            public List<String> columns() {
              return List.of(LogsTable.BODY);
            }

            @Override
            public int select(VectorSchemaRoot batch, boolean[] selected) {
              VarCharVector body = (VarCharVector) batch.getVector(0);
              int count = 0;
              for (int i = 0; i < batch.getRowCount(); i++) {
                String text = new String(body.get(i), StandardCharsets.UTF_8);
                selected[i] = keep.test(Integer.parseInt(text.substring(0, text.indexOf(':'))));
                count += selected[i] ? 1 : 0;
              }
              return count;
            }
          };
      List<Integer> expected =
          java.util.stream.IntStream.range(0, lines.length).filter(keep).boxed().toList();
      // Rows come in the file's sort order (newest first); compare them as sorted lists.
      assertThat(keptRows(lake.scanner().open(request, splits, allocator, filter)))
          .isEqualTo(expected);
      System.setProperty(io.icegate.storage.scan.TableScanner.ICEBERG_READER_PROPERTY, "true");
      try {
        assertThat(keptRows(lake.scanner().open(request, splits, allocator, filter)))
            .as("Iceberg's readers, cut after reading")
            .isEqualTo(expected);
      } finally {
        System.clearProperty(io.icegate.storage.scan.TableScanner.ICEBERG_READER_PROPERTY);
      }
    }
  }

  /** The row numbers of the kept rows, each checked against its time and attributes. */
  private static List<Integer> keptRows(CloseableIterator<VectorSchemaRoot> it) throws Exception {
    List<Integer> out = new ArrayList<>();
    try (it) {
      while (it.hasNext()) {
        try (VectorSchemaRoot batch = it.next()) {
          VarCharVector body = (VarCharVector) batch.getVector(LogsTable.BODY);
          var time = (org.apache.arrow.vector.TimeStampVector) batch.getVector(LogsTable.TIMESTAMP);
          var attributes = batch.getVector(LogsTable.LOG_ATTRIBUTES);
          for (int i = 0; i < batch.getRowCount(); i++) {
            String text = new String(body.get(i), StandardCharsets.UTF_8);
            int n = Integer.parseInt(text.substring(0, text.indexOf(':')));
            assertThat(time.get(i)).isEqualTo(T0 + n);
            assertThat(attributes.getObject(i).toString()).contains("\"value\":\"" + n + "\"");
            out.add(n);
          }
        }
      }
    }
    out.sort(null);
    return out;
  }

  /** A lake that compacts at once, with small row groups so a few megabytes make many. */
  private Lake lakeWithRowGroupsOf(int bytes) throws Exception {
    Lake lake =
        Lake.openLocal(
            dir, Duration.ofMillis(1), new Compactor.Policy(Duration.ZERO, 64L << 20,
                Duration.ZERO), Duration.ZERO);
    lake.table(LogsTable.NAME).table().updateProperties()
        .set(TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES, Integer.toString(bytes))
        .commit();
    return lake;
  }

  private static List<String> bodies(CloseableIterator<VectorSchemaRoot> it) throws Exception {
    List<String> out = new ArrayList<>();
    try (it) {
      while (it.hasNext()) {
        try (VectorSchemaRoot batch = it.next()) {
          VarCharVector body = (VarCharVector) batch.getVector(LogsTable.BODY);
          for (int i = 0; i < batch.getRowCount(); i++) {
            out.add(new String(body.get(i), StandardCharsets.UTF_8));
          }
        }
      }
    }
    return out;
  }
}

package io.icegate.storage;

import static io.icegate.storage.OtlpLogs.attr;
import static io.icegate.storage.OtlpLogs.line;
import static io.icegate.storage.OtlpLogs.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.parquet.IcebergParquetFiles;
import io.icegate.storage.scan.RowFilter;
import io.icegate.storage.scan.ScanFile;
import io.icegate.storage.scan.ScanPlan;
import io.icegate.storage.scan.ScanRequest;
import io.icegate.storage.scan.ScanSplit;
import io.icegate.storage.scan.TableScanner;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.wal.RowRanges;
import io.opentelemetry.proto.logs.v1.LogRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.io.CloseableIterator;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scan drops exactly the rows at a file's excluded positions (a WAL segment's copies of
 * requests another segment holds), whichever reader reads it, across batch and row-group
 * boundaries, and when the request's time range, a row filter or its bound would otherwise
 * skip row groups or batches (a file with exclusions is read whole, so positions stay right).
 * Each row's body starts with its number and its attributes carry it too, so a row that comes
 * out of step with its neighbours' columns is caught.
 */
class ExcludedRowsScanTest {
  private static final long T0 = 1_700_000_000_000_000_000L;

  @TempDir Path dir;
  private RootAllocator allocator;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(TableScanner.ICEBERG_READER_PROPERTY);
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  @Test
  void rangesAcrossRowGroupsAreDroppedByEveryReaderWithAndWithoutSkips() throws Exception {
    try (Lake lake = lakeWithRowGroupsOf(128 << 10)) {
      append(lake, 4000, 300);
      lake.compact();
      ScanRequest all =
          new ScanRequest(LogsTable.NAME, "fake", Long.MIN_VALUE, Long.MAX_VALUE,
              List.of(LogsTable.TIMESTAMP, LogsTable.BODY, LogsTable.LOG_ATTRIBUTES));
      ScanPlan plan = lake.scanner().plan(all);
      assertThat(plan.files()).hasSize(1);
      ScanFile file = plan.files().get(0);
      long[] groupStarts = rowGroupStarts(file);
      assertThat(groupStarts.length).as("row groups").isGreaterThan(4);
      // The file's rows in file order (the compacted file is sorted, newest first).
      List<Integer> byPosition = rows(lake.scanner().open(all, plan, allocator));
      assertThat(byPosition).hasSize(4000);

      // Around the first boundary; all of the third row group and a row either side; the last
      // row of the file.
      long b1 = groupStarts[1];
      long b2 = groupStarts[2];
      long b3 = groupStarts[3];
      RowRanges excluded =
          RowRanges.of(
              List.of(new long[] {b1 - 5, 10}, new long[] {b2 - 1, b3 - b2 + 2},
                  new long[] {3999, 1}));
      List<Integer> expected = new ArrayList<>();
      for (int p = 0; p < byPosition.size(); p++) {
        if (!(p >= b1 - 5 && p < b1 + 5) && !(p >= b2 - 1 && p <= b3) && p != 3999) {
          expected.add(byPosition.get(p));
        }
      }
      assertThat(expected).hasSize(4000 - 10 - (int) (b3 - b2 + 2) - 1);
      ScanFile withCopies = withExcluded(file, excluded);
      List<ScanSplit> splits = lake.scanner().splits(new ScanPlan(List.of(withCopies), 0));
      assertThat(splits).as("read whole").containsExactly(ScanSplit.whole(withCopies));

      assertThat(rows(lake.scanner().open(all, splits, allocator))).isEqualTo(expected);

      // A time range that skips row groups when the file has no exclusions: only the rows in
      // range are asked for, and none of the excluded ones comes back.
      ScanRequest middle =
          new ScanRequest(LogsTable.NAME, "fake", T0 + 1500, T0 + 2500, all.columns());
      List<Integer> inRange = expected.stream().filter(n -> n >= 1500 && n < 2500).toList();
      List<Integer> read = rows(lake.scanner().open(middle, splits, allocator));
      assertThat(read.stream().filter(n -> n >= 1500 && n < 2500).toList()).isEqualTo(inRange);
      assertThat(read).isSubsetOf(expected);

      // A row filter with a bound on the timestamp (a top-N's cut-off): multiples of 3 from
      // row 2000 on; its bound would skip the row groups of older rows.
      IntPredicate keep = n -> n % 3 == 0 && n >= 2000;
      RowFilter filter = new NumberFilter(keep, T0 + 2000);
      List<Integer> kept = expected.stream().filter(keep::test).toList();
      assertThat(rows(lake.scanner().open(all, splits, allocator, filter))).isEqualTo(kept);

      // Iceberg's vectorized reader with the row reader for the attribute map, in step.
      System.setProperty(TableScanner.ICEBERG_READER_PROPERTY, "true");
      assertThat(rows(lake.scanner().open(all, splits, allocator))).isEqualTo(expected);
      assertThat(rows(lake.scanner().open(all, splits, allocator, filter))).isEqualTo(kept);
    }
  }

  @Test
  void rangesAcrossBatchesOfOneRowGroupAreDropped() throws Exception {
    try (Lake lake = lakeWithRowGroupsOf(128 << 10)) {
      // One WAL segment, one row group, rows in append order: 10000 rows make three batches
      // (4096 rows each) of the scan.
      append(lake, 10_000, 10);
      ScanRequest all =
          new ScanRequest(LogsTable.NAME, "fake", Long.MIN_VALUE, Long.MAX_VALUE,
              List.of(LogsTable.TIMESTAMP, LogsTable.BODY, LogsTable.LOG_ATTRIBUTES));
      ScanPlan plan = lake.scanner().plan(all);
      assertThat(plan.files()).hasSize(1);
      assertThat(plan.files().get(0).wal()).isTrue();
      assertThat(rowGroupStarts(plan.files().get(0))).containsExactly(0);
      // 4090..4099 across the first batch boundary; 8000..8201 across the second; row 0.
      ScanFile withCopies =
          withExcluded(
              plan.files().get(0),
              RowRanges.of(
                  List.of(new long[] {4090, 10}, new long[] {8000, 202}, new long[] {0, 1})));
      List<Integer> expected = new ArrayList<>();
      for (int n = 1; n < 10_000; n++) {
        if (!(n >= 4090 && n < 4100) && !(n >= 8000 && n < 8202)) {
          expected.add(n);
        }
      }
      List<ScanSplit> splits = lake.scanner().splits(new ScanPlan(List.of(withCopies), 0));

      assertThat(rows(lake.scanner().open(all, splits, allocator))).isEqualTo(expected);
      IntPredicate keep = n -> n % 2 == 1 && n >= 4000;
      assertThat(rows(lake.scanner().open(all, splits, allocator, new NumberFilter(keep, T0 + 4000))))
          .isEqualTo(expected.stream().filter(keep::test).toList());
      System.setProperty(TableScanner.ICEBERG_READER_PROPERTY, "true");
      assertThat(rows(lake.scanner().open(all, splits, allocator))).isEqualTo(expected);
    }
  }

  /** Keeps the rows whose number passes {@code keep}; bounds the timestamp from below. */
  private record NumberFilter(IntPredicate keep, long minTimestamp) implements RowFilter {
    @Override
    public List<String> columns() {
      return List.of(LogsTable.TIMESTAMP, LogsTable.BODY);
    }

    @Override
    public int select(VectorSchemaRoot batch, boolean[] selected) {
      VarCharVector body = (VarCharVector) batch.getVector(1);
      int count = 0;
      for (int i = 0; i < batch.getRowCount(); i++) {
        selected[i] = keep.test(number(body, i));
        count += selected[i] ? 1 : 0;
      }
      return count;
    }

    @Override
    public ColumnBound bound() {
      return new ColumnBound() {
        @Override
        public String column() {
          return LogsTable.TIMESTAMP;
        }

        @Override
        public boolean mayKeep(long min, long max) {
          return max >= minTimestamp;
        }
      };
    }
  }

  private static ScanFile withExcluded(ScanFile file, RowRanges excluded) {
    return new ScanFile(
        file.file(), file.bytes(), file.wal(), file.splitOffsets(), file.minTimestampNanos(),
        file.maxTimestampNanos(), excluded);
  }

  /** Where each row group starts, as a row position. */
  private static long[] rowGroupStarts(ScanFile file) throws Exception {
    try (ParquetFileReader reader =
        ParquetFileReader.open(IcebergParquetFiles.input(file.file()))) {
      List<BlockMetaData> groups = reader.getRowGroups();
      long[] starts = new long[groups.size()];
      long row = 0;
      for (int g = 0; g < starts.length; g++) {
        starts[g] = row;
        row += groups.get(g).getRowCount();
      }
      return starts;
    }
  }

  /** {@code rows} lines numbered 0.., each about {@code bodyBytes} long, in one request. */
  private void append(Lake lake, int rows, int bodyBytes) throws Exception {
    LogRecord[] lines = new LogRecord[rows];
    for (int i = 0; i < rows; i++) {
      lines[i] =
          line(T0 + i, i + ":" + Integer.toHexString(i * 31).repeat(bodyBytes / 4 + 1))
              .toBuilder()
              .addAttributes(attr("row", Integer.toString(i)))
              .build();
    }
    var built = LogsBatchBuilder.build(request("svc", lines), "fake", T0, allocator);
    lake.logsWal().append("fake", built.batch()).get();
  }

  private static int number(VarCharVector body, int i) {
    String text = new String(body.get(i), StandardCharsets.UTF_8);
    return Integer.parseInt(text.substring(0, text.indexOf(':')));
  }

  /** The row numbers a scan returns, in order, each checked against its time and attributes. */
  private static List<Integer> rows(CloseableIterator<VectorSchemaRoot> it) throws Exception {
    List<Integer> out = new ArrayList<>();
    try (it) {
      while (it.hasNext()) {
        try (VectorSchemaRoot batch = it.next()) {
          VarCharVector body = (VarCharVector) batch.getVector(LogsTable.BODY);
          TimeStampVector time = (TimeStampVector) batch.getVector(LogsTable.TIMESTAMP);
          var attributes = batch.getVector(LogsTable.LOG_ATTRIBUTES);
          for (int i = 0; i < batch.getRowCount(); i++) {
            int n = number(body, i);
            assertThat(time.get(i)).isEqualTo(T0 + n);
            assertThat(attributes.getObject(i).toString()).contains("\"value\":\"" + n + "\"");
            out.add(n);
          }
        }
      }
    }
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
}

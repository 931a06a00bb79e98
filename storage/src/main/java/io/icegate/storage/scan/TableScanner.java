package io.icegate.storage.scan;

import io.icegate.storage.parquet.ColumnarArrowReader;
import io.icegate.storage.parquet.ParquetArrowReader;
import io.icegate.storage.parquet.RecordArrowReader;
import io.icegate.storage.table.ArrowSelection;
import io.icegate.storage.table.LakeTable;
import io.icegate.storage.table.TableDefinition;
import io.icegate.storage.wal.RowRanges;
import io.icegate.storage.wal.WalSegment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.expressions.InclusiveMetricsEvaluator;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.CloseableIterator;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Reads a table for a query as Arrow batches: the committed Iceberg files of one snapshot, pruned
 * by partition and column statistics, followed by the WAL segments not yet compacted into that
 * snapshot, pruned by their time bounds — one consistent point in time (see {@link LakeTable}).
 * Rows are not filtered here; the engine's filter operator does that. Flat columns are read by
 * a vectorized reader (ours, {@code ColumnarArrowReader}, or Iceberg's for files ours does not
 * read); ours also reads string maps (the attribute columns); other nested columns (maps, lists, structs) by the row reader ({@code
 * RecordArrowReader}), into the same Arrow shape the ingest builders produce. A projection with
 * both reads each split with both readers in step, so the row reader handles only the nested
 * columns.
 */
public final class TableScanner {
  private static final int BATCH_ROWS = 4096;
  /** System property: {@code true} reads flat columns with Iceberg's vectorized reader only. */
  public static final String ICEBERG_READER_PROPERTY = "icegate.scan.iceberg-reader";

  private final Map<String, LakeTable> tables;

  public TableScanner(Map<String, LakeTable> tables) {
    this.tables = Map.copyOf(tables);
  }

  /** The table's schema, for planning. */
  public Schema schema(String table) {
    return table(table).schema();
  }

  private LakeTable table(String name) {
    LakeTable table = tables.get(name);
    if (table == null) {
      throw new IllegalArgumentException("unknown table " + name);
    }
    return table;
  }

  /**
   * True when every row a scan of {@code table} returns belongs to the request's tenant: every
   * partition spec the table ever had partitions by {@code identity(tenant_id)}, so each data
   * file holds one tenant and planning keeps only the tenant's files; WAL segments are per
   * tenant. Filters may then skip comparing the tenant row by row.
   */
  public boolean tenantExact(String table) {
    LakeTable lakeTable = table(table);
    org.apache.iceberg.Schema schema = lakeTable.table().schema();
    return lakeTable.table().specs().values().stream()
        .allMatch(
            spec ->
                spec.fields().stream()
                    .anyMatch(
                        f ->
                            f.transform().isIdentity()
                                && schema.findField(f.sourceId()) != null
                                && schema.findField(f.sourceId()).name()
                                    .equals(TableDefinition.TENANT_ID)));
  }

  /** The files {@code request} reads, after pruning. */
  public ScanPlan plan(ScanRequest request) {
    LakeTable table = table(request.table());
    LakeTable.View view = table.view();
    List<ScanFile> files = new ArrayList<>();
    long pruned = 0;
    if (view.snapshot() != null) {
      // The tenant's files of this snapshot are listed once (manifests read, with their column
      // statistics) and kept until the snapshot changes; each request keeps those its bounds and
      // equalities may match, by the same statistics test Iceberg's planning applies.
      InclusiveMetricsEvaluator matches =
          new InclusiveMetricsEvaluator(table.table().schema(), filter(request));
      Types.NestedField time = table.table().schema().findField(TableDefinition.TIMESTAMP);
      for (DataFile file : tenantFiles(request.table(), table, view.snapshot().snapshotId(),
          request.tenant())) {
        if (!matches.eval(file)) {
          continue;
        }
        files.add(
            new ScanFile(
                table.table().io().newInputFile(file.location()),
                file.fileSizeInBytes(),
                false,
                file.splitOffsets(),
                bound(file.lowerBounds(), time, Long.MIN_VALUE),
                bound(file.upperBounds(), time, Long.MAX_VALUE)));
      }
      String total = view.snapshot().summary().get("total-data-files");
      if (total != null) {
        pruned += Math.max(0, Long.parseLong(total) - files.size());
      }
    }
    for (WalSegment segment : view.segments()) {
      if (segment.tenant().equals(request.tenant())
          && segment.overlaps(request.startNanos(), request.endNanos())) {
        files.add(
            new ScanFile(
                table.wal().newInputFile(segment), segment.bytes(), true, List.of(),
                segment.minTimestampNanos(), segment.maxTimestampNanos(),
                segment.excludedRows()));
      } else if (segment.tenant().equals(request.tenant())) {
        pruned++;
      }
    }
    return new ScanPlan(files, pruned);
  }

  /** A table's data files of one tenant in one snapshot, with their column statistics. */
  private record TenantFiles(long snapshotId, List<DataFile> files) {}

  /** Per table and tenant: the files of the snapshot last planned. */
  private final Map<String, TenantFiles> tenantFiles = new ConcurrentHashMap<>();

  /** The data files of {@code tenant} in {@code snapshotId}, listed once per snapshot. */
  private List<DataFile> tenantFiles(
      String tableName, LakeTable table, long snapshotId, String tenant) {
    String key = tableName + '\u0000' + tenant;
    TenantFiles known = tenantFiles.get(key);
    if (known != null && known.snapshotId() == snapshotId) {
      return known.files();
    }
    List<DataFile> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks =
        table.table().newScan().useSnapshot(snapshotId)
            .filter(Expressions.equal(TableDefinition.TENANT_ID, tenant))
            .includeColumnStats()
            .planFiles()) {
      for (FileScanTask task : tasks) {
        files.add(task.file());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<DataFile> listed = List.copyOf(files);
    // A newer snapshot's list replaces an older one's, never the other way round.
    tenantFiles.merge(key, new TenantFiles(snapshotId, listed),
        (old, fresh) -> isNewer(table, fresh.snapshotId(), old.snapshotId()) ? fresh : old);
    return listed;
  }

  private static boolean isNewer(LakeTable table, long candidate, long current) {
    org.apache.iceberg.Snapshot a = table.table().snapshot(candidate);
    org.apache.iceberg.Snapshot b = table.table().snapshot(current);
    return a == null || b == null || a.sequenceNumber() >= b.sequenceNumber();
  }

  /**
   * A data file's recorded bound of the nanosecond {@code timestamp} column, or {@code unknown}
   * (no such column, no bound, or another unit).
   */
  private static long bound(
      Map<Integer, java.nio.ByteBuffer> bounds, Types.NestedField time, long unknown) {
    if (time == null || bounds == null || time.type().typeId() != Type.TypeID.TIMESTAMP_NANO) {
      return unknown;
    }
    java.nio.ByteBuffer value = bounds.get(time.fieldId());
    if (value == null) {
      return unknown;
    }
    Object decoded = Conversions.fromByteBuffer(time.type(), value);
    return decoded instanceof Long nanos ? nanos : unknown;
  }

  private static Expression projectedFilter(ScanRequest request) {
    Expression filter = Expressions.alwaysTrue();
    if (request.columns().contains(TableDefinition.TENANT_ID)) {
      filter = Expressions.equal(TableDefinition.TENANT_ID, request.tenant());
    }
    if (request.columns().contains(TableDefinition.TIMESTAMP)) {
      filter = Expressions.and(filter, timeFilter(request));
    }
    for (var e : request.equalities().entrySet()) {
      if (request.columns().contains(e.getKey())) {
        filter = Expressions.and(filter, Expressions.equal(e.getKey(), e.getValue()));
      }
    }
    return filter;
  }

  /** The columns {@link #projectedFilter} may name. */
  private static java.util.Set<String> filterColumns(ScanRequest request) {
    java.util.Set<String> columns = new java.util.HashSet<>(request.equalities().keySet());
    columns.add(TableDefinition.TENANT_ID);
    columns.add(TableDefinition.TIMESTAMP);
    return columns;
  }

  private static Expression filter(ScanRequest request) {
    Expression filter =
        Expressions.and(
            Expressions.equal(TableDefinition.TENANT_ID, request.tenant()), timeFilter(request));
    for (var e : request.equalities().entrySet()) {
      filter = Expressions.and(filter, Expressions.equal(e.getKey(), e.getValue()));
    }
    return filter;
  }

  private static Expression timeFilter(ScanRequest request) {
    Expression filter = Expressions.alwaysTrue();
    if (request.startNanos() != Long.MIN_VALUE) {
      filter =
          Expressions.and(
              filter,
              Expressions.greaterThanOrEqual(
                  TableDefinition.TIMESTAMP, TimestampLiterals.nanos(request.startNanos())));
    }
    if (request.endNanos() != Long.MAX_VALUE) {
      filter =
          Expressions.and(
              filter,
              Expressions.lessThan(
                  TableDefinition.TIMESTAMP, TimestampLiterals.nanos(request.endNanos())));
    }
    return filter;
  }

  /**
   * The planned files cut at their row groups, in plan order: the units a parallel scan hands
   * to its threads. A file without recorded row-group offsets (a WAL segment) is one split, and
   * so is a file with excluded rows (their positions count from its first row).
   */
  public List<ScanSplit> splits(ScanPlan plan) {
    List<ScanSplit> splits = new ArrayList<>();
    for (ScanFile file : plan.files()) {
      List<Long> offsets = file.splitOffsets();
      if (offsets.size() < 2 || !file.excludedRows().isEmpty()) {
        splits.add(ScanSplit.whole(file));
        continue;
      }
      for (int i = 0; i < offsets.size(); i++) {
        long start = offsets.get(i);
        long end = i + 1 < offsets.size() ? offsets.get(i + 1) : file.bytes();
        splits.add(new ScanSplit(file, start, end - start));
      }
    }
    return splits;
  }

  /**
   * Opens a planned scan. Each batch is owned by the caller and allocated from {@code
   * allocator}; closing the iterator releases whatever file is open.
   */
  public CloseableIterator<VectorSchemaRoot> open(
      ScanRequest request, ScanPlan plan, BufferAllocator allocator) {
    return open(request, plan.files().stream().map(ScanSplit::whole).toList(), allocator);
  }

  /** Opens the given splits of a planned scan, read one after another in their order. */
  public CloseableIterator<VectorSchemaRoot> open(
      ScanRequest request, List<ScanSplit> splits, BufferAllocator allocator) {
    return open(request, splits, allocator, null);
  }

  /**
   * As {@link #open(ScanRequest, List, BufferAllocator)}, returning only the rows {@code
   * rowFilter} keeps (all when it is null). Where our columnar reader reads the split, the columns
   * the filter does not read are decoded for the kept rows only ({@link
   * ColumnarArrowReader#filtered}); elsewhere whole batches are read and then cut.
   *
   * <p>A file's {@link ScanFile#excludedRows} are dropped before the row filter sees them. Such
   * a file (a WAL segment holding another replica's copy of a request, which is rare) is read
   * whole, without skipping row groups by statistics or bound, so that the readers return every
   * row in file order and positions are counted as they come.
   */
  public CloseableIterator<VectorSchemaRoot> open(
      ScanRequest request, List<ScanSplit> splits, BufferAllocator allocator,
      RowFilter rowFilter) {
    Schema projection = schema(request.table()).select(request.columns());
    // Row-group skipping binds the filter to the projection: use the bounds it can see.
    Expression filter = projectedFilter(request);
    Iterator<ScanSplit> remaining = List.copyOf(splits).iterator();
    // The vectorized reader reads flat columns only; nested ones go through the row reader.
    List<String> flatColumns = new ArrayList<>();
    List<String> nestedColumns = new ArrayList<>();
    for (var column : projection.columns()) {
      (column.type().isPrimitiveType() ? flatColumns : nestedColumns).add(column.name());
    }
    Schema flat = projection.select(flatColumns);
    // Row-group skipping binds the filter to each reader's projection, so the row reader also
    // reads the columns the filter names: both readers then skip exactly the same row groups.
    List<String> rowReaderColumns = new ArrayList<>(nestedColumns);
    java.util.Set<String> filterColumns = filterColumns(request);
    for (String column : flatColumns) {
      if (filterColumns.contains(column)) {
        rowReaderColumns.add(column);
      }
    }
    Schema nested = projection.select(rowReaderColumns);
    List<String> order = projection.columns().stream().map(c -> c.name()).toList();
    return new CloseableIterator<>() {
      private CloseableIterator<VectorSchemaRoot> current;

      @Override
      public boolean hasNext() {
        while (current == null || !current.hasNext()) {
          if (current != null) {
            close();
          }
          if (!remaining.hasNext()) {
            return false;
          }
          ScanSplit split = remaining.next();
          RowRanges excluded = split.file().excludedRows();
          if (!excluded.isEmpty() && !split.isWholeFile()) {
            throw new IllegalArgumentException("a file with excluded rows is read whole");
          }
          Expression rowGroups = excluded.isEmpty() ? filter : Expressions.alwaysTrue();
          ColumnarArrowReader whole =
              nestedColumns.isEmpty() || Boolean.getBoolean(ICEBERG_READER_PROPERTY)
                  ? null
                  : ColumnarArrowReader.open(split, projection, rowGroups, allocator, BATCH_ROWS);
          if (whole != null) {
            current = whole; // string maps: our reader reads them too
          } else if (nestedColumns.isEmpty()) {
            current = openFlat(split, projection, rowGroups, allocator);
          } else if (flatColumns.isEmpty()) {
            current = RecordArrowReader.open(split, projection, rowGroups, allocator, BATCH_ROWS);
          } else {
            current =
                new ZippedReader(
                    openFlat(split, flat, rowGroups, allocator),
                    RecordArrowReader.open(split, nested, rowGroups, allocator, BATCH_ROWS),
                    order);
          }
          if (!excluded.isEmpty()) {
            current = new ExcludingReader(current, excluded, allocator);
          }
          if (rowFilter != null) {
            current =
                current instanceof ColumnarArrowReader columnar
                    ? columnar.filtered(rowFilter)
                    : new FilteringReader(current, rowFilter, allocator);
          }
        }
        return true;
      }

      @Override
      public VectorSchemaRoot next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return current.next();
      }

      @Override
      public void close() {
        if (current != null) {
          try {
            current.close();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          current = null;
        }
      }
    };
  }

  /**
   * A reader of flat columns: ours where the file allows ({@link ColumnarArrowReader}), else
   * Iceberg's vectorized reader. The system property {@value #ICEBERG_READER_PROPERTY} set to
   * {@code true} always picks Iceberg's, to compare the two.
   */
  private static CloseableIterator<VectorSchemaRoot> openFlat(
      ScanSplit split, Schema columns, Expression filter, BufferAllocator allocator) {
    if (!Boolean.getBoolean(ICEBERG_READER_PROPERTY)) {
      ColumnarArrowReader reader =
          ColumnarArrowReader.open(split, columns, filter, allocator, BATCH_ROWS);
      if (reader != null) {
        return reader;
      }
    }
    return ParquetArrowReader.open(split, columns, filter, allocator, BATCH_ROWS);
  }

  /**
   * One split read by two readers batch for batch, its columns in {@code order}: {@code flat}
   * (its flat columns) sets each batch's length, {@code nested} (the rest) is cut to it. Both
   * must read the same row groups in the same order.
   */
  public static CloseableIterator<VectorSchemaRoot> zip(
      CloseableIterator<VectorSchemaRoot> flat, RecordArrowReader nested, List<String> order) {
    return new ZippedReader(flat, nested, order);
  }

  /**
   * Reads one split's flat columns with the vectorized reader and its nested columns with the row
   * reader, batch for batch: both skip the same row groups (same split, same filter), and each
   * row batch is cut to the length of the vectorized batch it joins.
   */
  private static final class ZippedReader implements CloseableIterator<VectorSchemaRoot> {
    private final CloseableIterator<VectorSchemaRoot> flat;
    private final RecordArrowReader nested;
    private final List<String> order;

    ZippedReader(CloseableIterator<VectorSchemaRoot> flat, RecordArrowReader nested, List<String> order) {
      this.flat = flat;
      this.nested = nested;
      this.order = order;
    }

    @Override
    public boolean hasNext() {
      return flat.hasNext();
    }

    @Override
    public VectorSchemaRoot next() {
      VectorSchemaRoot left = flat.next();
      VectorSchemaRoot right;
      try {
        right = nested.next(left.getRowCount());
      } catch (RuntimeException | Error e) {
        left.close();
        throw e;
      }
      if (right.getRowCount() != left.getRowCount()) {
        left.close();
        right.close();
        throw new IllegalStateException(
            "row reader out of step with the vectorized reader: " + right.getRowCount()
                + " rows against " + left.getRowCount());
      }
      List<org.apache.arrow.vector.FieldVector> vectors = new ArrayList<>(order.size());
      for (String name : order) {
        var vector = left.getVector(name);
        vectors.add(vector != null ? vector : right.getVector(name));
      }
      for (var vector : right.getFieldVectors()) {
        if (left.getVector(vector.getName()) != null) {
          vector.close(); // a filter column the row reader read only to skip alike
        }
      }
      VectorSchemaRoot root = new VectorSchemaRoot(vectors);
      root.setRowCount(left.getRowCount());
      return root;
    }

    @Override
    public void close() {
      try {
        flat.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        nested.close();
      }
    }
  }

  /**
   * A reader that makes its batches from another's, holding the next one ({@link #pending})
   * that {@link #hasNext} prepares; it hands that batch on and closes what it still holds.
   */
  private abstract static class LookaheadReader implements CloseableIterator<VectorSchemaRoot> {
    final CloseableIterator<VectorSchemaRoot> input;
    VectorSchemaRoot pending;

    LookaheadReader(CloseableIterator<VectorSchemaRoot> input) {
      this.input = input;
    }

    @Override
    public VectorSchemaRoot next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      VectorSchemaRoot batch = pending;
      pending = null;
      return batch;
    }

    @Override
    public void close() throws IOException {
      if (pending != null) {
        pending.close();
        pending = null;
      }
      input.close();
    }
  }

  /**
   * Drops the rows at excluded positions from another reader's batches. The reader must return
   * every row of the file in order (no row group skipped): positions are counted batch by batch.
   */
  private static final class ExcludingReader extends LookaheadReader {
    private final RowRanges excluded;
    private final BufferAllocator allocator;
    private long position; // of the next batch's first row
    private boolean[] keep = new boolean[0];

    ExcludingReader(
        CloseableIterator<VectorSchemaRoot> input, RowRanges excluded, BufferAllocator allocator) {
      super(input);
      this.excluded = excluded;
      this.allocator = allocator;
    }

    @Override
    public boolean hasNext() {
      while (pending == null && input.hasNext()) {
        VectorSchemaRoot batch = input.next();
        int rows = batch.getRowCount();
        if (keep.length < rows) {
          keep = new boolean[rows];
        }
        int kept = excluded.keep(position, rows, keep);
        position += rows;
        if (kept == rows) {
          pending = batch;
        } else {
          try (batch) {
            if (kept > 0) {
              pending = ArrowSelection.select(batch, keep, kept, allocator);
            }
          }
        }
      }
      return pending != null;
    }
  }

  /** Cuts each batch of another reader to the rows a {@link RowFilter} keeps. */
  private static final class FilteringReader extends LookaheadReader {
    private final RowFilter rowFilter;
    private final BufferAllocator allocator;
    private boolean[] selected = new boolean[0];

    FilteringReader(
        CloseableIterator<VectorSchemaRoot> input, RowFilter rowFilter,
        BufferAllocator allocator) {
      super(input);
      this.rowFilter = rowFilter;
      this.allocator = allocator;
    }

    @Override
    public boolean hasNext() {
      while (pending == null && input.hasNext()) {
        try (VectorSchemaRoot batch = input.next()) {
          int rows = batch.getRowCount();
          if (selected.length < rows) {
            selected = new boolean[rows];
          }
          List<org.apache.arrow.vector.FieldVector> read = new ArrayList<>();
          for (String column : rowFilter.columns()) {
            read.add(batch.getVector(column));
          }
          VectorSchemaRoot first = new VectorSchemaRoot(read);
          first.setRowCount(rows);
          int count = rowFilter.select(first, selected);
          if (count == rows) {
            pending = cutTo(batch, rows); // hand the vectors over, the batch closes empty
          } else if (count > 0) {
            pending = ArrowSelection.select(batch, selected, count, allocator);
          }
        }
      }
      return pending != null;
    }

    private VectorSchemaRoot cutTo(VectorSchemaRoot batch, int rows) {
      List<org.apache.arrow.vector.FieldVector> moved = new ArrayList<>();
      for (var vector : batch.getFieldVectors()) {
        var copy = vector.getField().createVector(allocator);
        vector.makeTransferPair(copy).transfer();
        moved.add(copy);
      }
      VectorSchemaRoot root = new VectorSchemaRoot(moved);
      root.setRowCount(rows);
      return root;
    }
  }

  /** Plans and opens in one step. */
  public CloseableIterator<VectorSchemaRoot> open(ScanRequest request, BufferAllocator allocator) {
    return open(request, plan(request), allocator);
  }
}

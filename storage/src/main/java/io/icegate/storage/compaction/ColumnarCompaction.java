package io.icegate.storage.compaction;

import io.icegate.storage.parquet.ArrowParquetWriter;
import io.icegate.storage.parquet.ColumnarArrowReader;
import io.icegate.storage.parquet.RecordArrowReader;
import io.icegate.storage.scan.ScanFile;
import io.icegate.storage.scan.ScanSplit;
import io.icegate.storage.scan.TableScanner;
import io.icegate.storage.table.ArrowSchemas;
import io.icegate.storage.wal.RowRanges;
import io.icegate.storage.wal.WalSegment;
import io.icegate.storage.wal.WalStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.DoubleFieldMetrics;
import org.apache.iceberg.FieldMetrics;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SchemaParser;
import org.apache.iceberg.SortField;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterator;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;

/**
 * WAL segments into data files without row objects: each segment is read into Arrow batches
 * (our column reader; Iceberg's row reader only for list and struct columns, which ours does not
 * read), every row gets its partition from Iceberg's own {@link PartitionKey} over a view of the
 * row, each partition's rows are put in the table's sort order by comparing the Arrow values
 * directly ({@link SortKeys}), and the rows are copied in that order into batches of {@value
 * #WRITE_ROWS} that the column writer ({@link ArrowParquetWriter#open}) writes one at a time. The
 * data file's metrics are made by Iceberg from the written footer, as its own writer makes them.
 *
 * <p>What it writes reads back, row for row and in the same order, as what {@link
 * RecordCompaction} writes from the same segments, with the same Iceberg metrics: the sort is
 * Iceberg's (same transforms, direction, null order; ties keep the segments' row order, as the
 * stable sort of the record path does), the Parquet file is the table's schema with its field
 * ids, codec, row-group, page and dictionary sizes, and statistics on every column.
 *
 * <p>Memory: the segments' rows as Arrow vectors (their uncompressed size; a run reads at most
 * {@code Policy.maxInputBytes} of compressed segments), heap copies of their offsets and validity
 * and of the sort columns, plus one output batch and its heap copy in the writer. Every buffer comes from one allocator and is released before {@link #write}
 * returns.
 */
public final class ColumnarCompaction {
  /** Rows per batch read from a segment. */
  static final int READ_ROWS = 1 << 16;

  /**
   * Table property naming the top-level string column whose trigrams compacted files index for
   * line filters; empty for none (default: {@code body} where the table has it).
   */
  public static final String SUBSTRING_INDEX_PROPERTY = "icegate.substring-index.column";

  /** Rows per sorted batch handed to the writer. */
  static final int WRITE_ROWS = 1 << 14;

  /**
   * The Parquet write properties this path follows ({@link ArrowParquetWriter.FileSettings});
   * a table with any other {@code write.parquet.*} property is left to Iceberg's writer. The
   * row-group check counts only tune when Iceberg's writer measures its buffer.
   */
  private static final java.util.Set<String> FOLLOWED =
      java.util.Set.of(
          org.apache.iceberg.TableProperties.PARQUET_COMPRESSION,
          org.apache.iceberg.TableProperties.PARQUET_COMPRESSION_LEVEL,
          org.apache.iceberg.TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES,
          org.apache.iceberg.TableProperties.PARQUET_PAGE_SIZE_BYTES,
          org.apache.iceberg.TableProperties.PARQUET_PAGE_ROW_LIMIT,
          org.apache.iceberg.TableProperties.PARQUET_DICT_SIZE_BYTES,
          org.apache.iceberg.TableProperties.PARQUET_ROW_GROUP_CHECK_MIN_RECORD_COUNT,
          org.apache.iceberg.TableProperties.PARQUET_ROW_GROUP_CHECK_MAX_RECORD_COUNT);

  private ColumnarCompaction() {}

  /**
   * True when this path can write the table: ZSTD (the column writer's only codec), column types
   * the column writer writes, and partition and sort sources that are top-level columns.
   */
  public static boolean supports(Table iceberg) {
    Schema schema = iceberg.schema();
    for (String property : iceberg.properties().keySet()) {
      if (property.startsWith("write.parquet.") && !FOLLOWED.contains(property)) {
        return false; // bloom filters, per-column settings, …: Iceberg's writer honours them
      }
    }
    ArrowParquetWriter.FileSettings settings;
    try {
      settings = ArrowParquetWriter.FileSettings.forTable(iceberg.properties());
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (settings.options().codec()
        != org.apache.parquet.hadoop.metadata.CompressionCodecName.ZSTD) {
      return false;
    }
    if (!ArrowParquetWriter.canWrite(ArrowSchemas.of(schema))) {
      return false;
    }
    for (PartitionField field : iceberg.spec().fields()) {
      if (topLevel(schema, field.sourceId()) < 0) {
        return false;
      }
    }
    for (SortField field : iceberg.sortOrder().fields()) {
      if (topLevel(schema, field.sourceId()) < 0) {
        return false;
      }
    }
    return true;
  }

  /** The position of field {@code id} among the schema's top-level primitive columns, or -1. */
  private static int topLevel(Schema schema, int id) {
    List<Types.NestedField> columns = schema.columns();
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).fieldId() == id) {
        return columns.get(i).type().isPrimitiveType() ? i : -1;
      }
    }
    return -1;
  }

  /** As {@link #write(Table, WalStore, List, BufferAllocator)} with an allocator of its own. */
  public static List<DataFile> write(Table iceberg, WalStore wal, List<WalSegment> segments)
      throws IOException {
    try (RootAllocator allocator = new RootAllocator()) {
      return write(iceberg, wal, segments, allocator);
    }
  }

  /**
   * Writes one data file per partition of {@code segments}' rows, each in the table's sort order;
   * the files are not committed. Buffers come from {@code allocator} and are all released.
   */
  public static List<DataFile> write(
      Table iceberg, WalStore wal, List<WalSegment> segments, BufferAllocator allocator)
      throws IOException {
    if (!supports(iceberg)) {
      throw new IllegalArgumentException(
          "table " + iceberg.name() + " needs the record path (codec, types or transforms)");
    }
    try (Input input = new Input(iceberg.schema(), iceberg.spec())) {
      for (WalSegment segment : segments) {
        input.read(wal, segment, allocator);
      }
      SortKeys keys = new SortKeys(iceberg.schema(), iceberg.sortOrder(), input.batches);
      RowGather gather = new RowGather();
      List<DataFile> files = new ArrayList<>(input.partitions.size());
      for (int p = 0; p < input.partitions.size(); p++) {
        long[] refs = input.rows.get(p).toArray();
        keys.sort(refs);
        files.add(
            writeFile(iceberg, input.partitions.get(p), input.batches, refs, gather, allocator));
      }
      return files;
    }
  }

  /**
   * The segments' rows as Arrow batches, and for each partition (in order of first appearance)
   * its rows as references: batch number in the high 32 bits, row in the low, so references
   * grow in the segments' row order.
   */
  private static final class Input implements AutoCloseable {
    final Schema schema;
    final List<VectorSchemaRoot> batches = new ArrayList<>();
    final List<StructLike> partitions = new ArrayList<>();
    final List<LongList> rows = new ArrayList<>();
    private final PartitionKey key;
    private final Map<PartitionKey, Integer> ids = new HashMap<>();
    private final ArrowRow view = new ArrowRow();
    private final Schema columnar;
    private final Schema nested;

    Input(Schema schema, PartitionSpec spec) {
      this.schema = schema;
      this.key = new PartitionKey(spec, schema);
      // Our reader reads primitives and string maps; Iceberg's row reader the rest.
      List<String> flat = new ArrayList<>();
      List<String> other = new ArrayList<>();
      for (Types.NestedField column : schema.columns()) {
        (readsColumnar(column.type()) ? flat : other).add(column.name());
      }
      this.columnar = schema.select(flat);
      this.nested = other.isEmpty() ? null : schema.select(other);
    }

    private static boolean readsColumnar(Type type) {
      if (type.isPrimitiveType()) {
        return true;
      }
      return type instanceof Types.MapType map
          && map.keyType().typeId() == Type.TypeID.STRING
          && map.valueType().typeId() == Type.TypeID.STRING;
    }

    /** Reads every row of one segment, in order, and files it under its partition. */
    void read(WalStore wal, WalSegment segment, BufferAllocator allocator) throws IOException {
      try (CloseableIterator<VectorSchemaRoot> reader = open(wal, segment, allocator)) {
        long position = 0; // the row's position within the segment
        // Rows that copy a request a lower-numbered segment holds (another replica took it too).
        RowRanges copied = segment.excludedRows();
        while (reader.hasNext()) {
          VectorSchemaRoot batch = reader.next();
          int number = batches.size();
          batches.add(batch);
          view.batch(batch);
          int count = batch.getRowCount();
          for (int row = 0; row < count; row++, position++) {
            if (copied.contains(position)) {
              continue;
            }
            view.row(row);
            key.partition(view);
            Integer id = ids.get(key);
            if (id == null) {
              id = partitions.size();
              PartitionKey copy = key.copy();
              ids.put(copy, id);
              partitions.add(copy);
              rows.add(new LongList());
            }
            rows.get(id).add(((long) number << 32) | row);
          }
        }
      }
    }

    /** The segment's batches with every column of the table's schema, in the schema's order. */
    private CloseableIterator<VectorSchemaRoot> open(
        WalStore wal, WalSegment segment, BufferAllocator allocator) {
      ScanSplit split = ScanSplit.whole(new ScanFile(wal.newInputFile(segment), -1, true));
      if (nested == null) {
        ColumnarArrowReader whole =
            ColumnarArrowReader.open(split, schema, Expressions.alwaysTrue(), allocator, READ_ROWS);
        if (whole != null) {
          return whole;
        }
      } else {
        ColumnarArrowReader flat =
            ColumnarArrowReader.open(
                split, columnar, Expressions.alwaysTrue(), allocator, READ_ROWS);
        if (flat != null) {
          // Both read every row group of the segment in order, so their batches line up.
          return TableScanner.zip(flat,
              RecordArrowReader.open(split, nested, Expressions.alwaysTrue(), allocator,
                  READ_ROWS),
              schema.columns().stream().map(Types.NestedField::name).toList());
        }
      }
      // A segment our reader cannot read (another writer's encodings): Iceberg's row reader.
      return RecordArrowReader.open(split, schema, Expressions.alwaysTrue(), allocator, READ_ROWS);
    }

    @Override
    public void close() {
      for (VectorSchemaRoot batch : batches) {
        batch.close();
      }
      batches.clear();
    }
  }

  /**
   * The column a compacted file carries a substring index of ({@link
   * io.icegate.storage.parquet.SubstringIndex}): the table property {@value
   * #SUBSTRING_INDEX_PROPERTY} (empty for none), by default the {@code body} column of a table
   * that has a top-level string one (logs, events). Null for none.
   */
  static String substringIndexColumn(Table iceberg) {
    String column = iceberg.properties().get(SUBSTRING_INDEX_PROPERTY);
    if (column == null) {
      column = "body";
    }
    if (column.isBlank()) {
      return null;
    }
    org.apache.iceberg.types.Types.NestedField field = iceberg.schema().findField(column);
    return field != null
            && iceberg.schema().columns().contains(field)
            && field.type().typeId() == org.apache.iceberg.types.Type.TypeID.STRING
        ? column
        : null;
  }

  private static DataFile writeFile(
      Table iceberg, StructLike partition, List<VectorSchemaRoot> batches, long[] refs,
      RowGather gather, BufferAllocator allocator) throws IOException {
    Schema schema = iceberg.schema();
    PartitionSpec spec = iceberg.spec();
    String name = FileFormat.PARQUET.addExtension("compacted-" + UUID.randomUUID());
    String location = iceberg.locationProvider().newDataLocation(spec, partition, name);
    OutputFile out = iceberg.io().newOutputFile(location);
    org.apache.arrow.vector.types.pojo.Schema arrow = ArrowSchemas.of(schema);
    DoubleColumns doubles = new DoubleColumns(schema);
    ParquetMetadata footer;
    long length;
    try (ArrowParquetWriter.FileWriter writer =
        ArrowParquetWriter.open(
            schema, ArrowParquetWriter.output(out),
            Map.of("iceberg.schema", SchemaParser.toJson(schema)),
            ArrowParquetWriter.FileSettings.forTable(iceberg.properties()))) {
      String indexed = substringIndexColumn(iceberg);
      if (indexed != null) {
        writer.indexSubstrings(indexed);
      }
      for (int from = 0; from < refs.length; from += WRITE_ROWS) {
        int to = Math.min(refs.length, from + WRITE_ROWS);
        try (VectorSchemaRoot sorted = gather.rows(arrow, batches, refs, from, to, allocator)) {
          doubles.add(sorted);
          writer.write(sorted);
        }
      }
      footer = writer.finish();
      length = writer.length();
    }
    Metrics metrics =
        ParquetUtil.footerMetrics(footer, doubles.metrics(), MetricsConfig.forTable(iceberg));
    return DataFiles.builder(spec)
        .withFormat(FileFormat.PARQUET)
        .withPath(location)
        .withPartition(partition)
        .withFileSizeInBytes(length)
        .withMetrics(metrics)
        .withSplitOffsets(ParquetUtil.getSplitOffsets(footer))
        .withSortOrder(iceberg.sortOrder())
        .build();
  }

  /**
   * The metrics of top-level double columns that Iceberg's writer takes from the values rather
   * than the footer: NaN counts, and bounds that leave NaN out. Made with Iceberg's own builder
   * over the same values in the same order, and counted as its optional-value writer counts.
   */
  private static final class DoubleColumns {
    private final List<String> names = new ArrayList<>();
    private final List<DoubleFieldMetrics.Builder> builders = new ArrayList<>();
    private final List<Integer> ids = new ArrayList<>();
    private final List<long[]> nulls = new ArrayList<>();

    DoubleColumns(Schema schema) {
      for (Types.NestedField column : schema.columns()) {
        if (column.type().typeId() == Type.TypeID.DOUBLE) {
          names.add(column.name());
          ids.add(column.fieldId());
          builders.add(new DoubleFieldMetrics.Builder(column.fieldId()));
          nulls.add(new long[1]);
        }
      }
    }

    void add(VectorSchemaRoot batch) {
      for (int c = 0; c < names.size(); c++) {
        Float8Vector vector = (Float8Vector) batch.getVector(names.get(c));
        DoubleFieldMetrics.Builder builder = builders.get(c);
        int rows = batch.getRowCount();
        long missing = 0;
        for (int i = 0; i < rows; i++) {
          if (vector.isNull(i)) {
            missing++;
          } else {
            builder.addValue(vector.get(i));
          }
        }
        nulls.get(c)[0] += missing;
      }
    }

    java.util.stream.Stream<FieldMetrics<?>> metrics() {
      List<FieldMetrics<?>> out = new ArrayList<>();
      for (int c = 0; c < names.size(); c++) {
        FieldMetrics<Double> values = builders.get(c).build();
        long missing = nulls.get(c)[0];
        out.add(
            new FieldMetrics<>(
                ids.get(c), values.valueCount() + missing, missing, values.nanValueCount(),
                values.lowerBound(), values.upperBound(), Types.DoubleType.get()));
      }
      return out.stream();
    }
  }

  /** A growable array of row references. */
  static final class LongList {
    private long[] values = new long[64];
    private int size;

    void add(long value) {
      if (size == values.length) {
        values = java.util.Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    long[] toArray() {
      return java.util.Arrays.copyOf(values, size);
    }
  }
}

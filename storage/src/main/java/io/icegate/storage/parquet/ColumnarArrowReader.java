package io.icegate.storage.parquet;

import io.icegate.storage.scan.ByteSearch;
import io.icegate.storage.scan.RowFilter;
import io.icegate.storage.scan.ScanSplit;
import io.icegate.storage.table.ArrowSelection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.iceberg.Schema;
import io.icegate.storage.table.ArrowSchemas;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.io.CloseableIterator;
import org.apache.iceberg.parquet.ParquetBloomRowGroupFilter;
import org.apache.iceberg.parquet.ParquetDictionaryRowGroupFilter;
import org.apache.iceberg.parquet.ParquetMetricsRowGroupFilter;
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.statistics.LongStatistics;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Our own vectorized reader for the primitive and string-map columns of one Parquet split, used
 * in place of Iceberg's where it applies. Iceberg's vectorized reader copies each plain-encoded
 * string into its Arrow vector one value at a time through a checked, growing setter, and its
 * ZSTD pages go through a streaming decoder. This reader decompresses a page in one call ({@link
 * PageDecompressors}) and decodes it at once: levels and dictionary ids in bulk ({@link
 * HybridDecoder}), fixed-width values with one memory copy per run of present values, strings
 * straight from the page bytes into a buffer that is grown, not checked, per value.
 *
 * <p>It reads what the project's writers produce — PLAIN and dictionary encodings, data page v1
 * and v2, required and optional primitive columns and {@code map<string, string>} columns (the
 * attribute maps, which Iceberg's vectorized reader can't read at all and its row reader reads a
 * record object at a time), resolved by Iceberg field id, missing columns as nulls — and {@link
 * #open} answers {@code null} for anything else (other encodings, lists, structs, other maps,
 * type promotions, microsecond files under a nanosecond column, files without field ids) so the
 * caller uses Iceberg's readers. Row groups are chosen exactly as Iceberg's
 * readers choose them (split range, then statistics, dictionary and bloom filters on the same
 * expression), so it can run in step with the row reader for nested columns.
 */
public final class ColumnarArrowReader implements CloseableIterator<VectorSchemaRoot> {
  private static final Set<Encoding> ENCODINGS =
      EnumSet.of(
          Encoding.PLAIN,
          Encoding.PLAIN_DICTIONARY,
          Encoding.RLE_DICTIONARY,
          Encoding.RLE,
          Encoding.BIT_PACKED);
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private final ParquetFileReader reader;
  /** The row group being read, whose chunk buffers go back to the pool when it is done. */
  private PageReadStore currentGroup;
  private final List<BlockMetaData> rowGroups;
  private final boolean[] skip;
  private final List<Field> fields;
  /** One per projected column; {@code null} where the file lacks the column (all nulls). */
  private final ColumnReader[] columns;
  private final BufferAllocator target;
  private final int batchRows;
  /** The file, for reading its {@link SubstringIndex}; null where the reader was not opened. */
  private org.apache.parquet.io.InputFile input;
  private int nextRowGroup;
  private int substringSkipped;
  private long rowsLeftInGroup;
  private boolean closed;
  // Late materialization (see filtered): the filter, the projected columns it reads, the rest.
  private RowFilter rowFilter;
  private int[] early;
  private int[] late;
  /** The projected column the filter's bound is on, read before the others; -1 without one. */
  private int boundAt = -1;
  private boolean[] selected = new boolean[0];
  /** The next batch, read ahead by hasNext (a filter may reject whole batches). */
  private VectorSchemaRoot pending;

  private ColumnarArrowReader(
      ParquetFileReader reader,
      boolean[] skip,
      List<Field> fields,
      ColumnReader[] columns,
      BufferAllocator target,
      int batchRows) {
    this.reader = reader;
    this.rowGroups = reader.getRowGroups();
    this.skip = skip;
    this.fields = fields;
    this.columns = columns;
    this.target = target;
    this.batchRows = batchRows;
  }

  /**
   * Opens {@code split} for the flat columns of {@code projection}, skipping row groups whose
   * statistics, dictionaries or bloom filters show no row can match {@code filter}; {@code null}
   * when the file has anything this reader does not read (then nothing stays open).
   */
  public static ColumnarArrowReader open(
      ScanSplit split, Schema projection, Expression filter, BufferAllocator target,
      int batchRows) {
    PlainParquetConfiguration configuration = new PlainParquetConfiguration();
    ParquetReadOptions.Builder options =
        ParquetReadOptions.builder(configuration)
            .withAllocator(ChunkBufferPool.SHARED)
            .withCodecFactory(
                new PageDecompressors(
                    () -> ParquetReadOptions.builder(configuration).build().getCodecFactory()));
    if (!split.isWholeFile()) {
      options.withRange(split.start(), split.start() + split.length());
    }
    ParquetFileReader reader;
    org.apache.parquet.io.InputFile input = IcebergParquetFiles.input(split.file().file());
    try {
      reader = ParquetFileReader.open(input, options.build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      ColumnarArrowReader result = resolve(reader, projection, filter, target, batchRows);
      if (result == null) {
        reader.close();
      } else {
        result.input = input;
      }
      return result;
    } catch (IOException e) {
      closeQuietly(reader, e);
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      closeQuietly(reader, e);
      throw e;
    }
  }

  private static void closeQuietly(ParquetFileReader reader, Throwable cause) {
    try {
      reader.close();
    } catch (IOException | RuntimeException suppressed) {
      cause.addSuppressed(suppressed);
    }
  }

  private static ColumnarArrowReader resolve(
      ParquetFileReader reader, Schema projection, Expression filter, BufferAllocator target,
      int batchRows) throws IOException {
    MessageType fileSchema = reader.getFileMetaData().getSchema();
    if (!ParquetSchemaUtil.hasIds(fileSchema)) {
      return null;
    }
    List<Types.NestedField> projected = projection.columns();
    ColumnReader[] columns = new ColumnReader[projected.size()];
    List<org.apache.parquet.schema.Type> requested = new ArrayList<>();
    for (int i = 0; i < columns.length; i++) {
      Types.NestedField field = projected.get(i);
      org.apache.parquet.schema.Type stored = fieldById(fileSchema, field.fieldId());
      if (stored == null) {
        continue; // added after this file was written: nulls
      }
      if (stored.isRepetition(org.apache.parquet.schema.Type.Repetition.REPEATED)) {
        return null;
      }
      if (stored.isPrimitive()) {
        if (!readable(field.type(), stored.asPrimitiveType())) {
          return null;
        }
        columns[i] = new Column(fileSchema.getColumnDescription(new String[] {stored.getName()}));
      } else {
        columns[i] = stringMap(fileSchema, field, stored.asGroupType());
        if (columns[i] == null) {
          return null;
        }
      }
      requested.add(stored);
    }
    Expression rowGroupFilter = MicrosTolerantFilter.widenOrKeep(filter, projection);
    List<BlockMetaData> rowGroups = reader.getRowGroups();
    boolean[] skip = new boolean[rowGroups.size()];
    ParquetMetricsRowGroupFilter stats = null;
    ParquetDictionaryRowGroupFilter dictionaries = null;
    ParquetBloomRowGroupFilter blooms = null;
    if (rowGroupFilter != null) {
      stats = new ParquetMetricsRowGroupFilter(projection, rowGroupFilter, true);
      dictionaries = new ParquetDictionaryRowGroupFilter(projection, rowGroupFilter, true);
      blooms = new ParquetBloomRowGroupFilter(projection, rowGroupFilter, true);
    }
    for (int g = 0; g < skip.length; g++) {
      BlockMetaData group = rowGroups.get(g);
      boolean read =
          rowGroupFilter == null
              || (stats.shouldRead(fileSchema, group)
                  && dictionaries.shouldRead(fileSchema, group, reader.getDictionaryReader(group))
                  && blooms.shouldRead(
                      fileSchema, group, reader.getBloomFilterDataReader(group)));
      skip[g] = !read;
      if (read && !encodingsReadable(group, columns)) {
        return null;
      }
    }
    reader.setRequestedSchema(new MessageType(fileSchema.getName(), requested));
    List<Field> fields = ArrowSchemas.of(projection).getFields();
    return new ColumnarArrowReader(reader, skip, fields, columns, target, batchRows);
  }

  private static org.apache.parquet.schema.Type fieldById(MessageType schema, int id) {
    for (org.apache.parquet.schema.Type field : schema.getFields()) {
      if (field.getId() != null && field.getId().intValue() == id) {
        return field;
      }
    }
    return null;
  }

  private static boolean encodingsReadable(BlockMetaData group, ColumnReader[] columns) {
    for (ColumnReader column : columns) {
      if (column == null) {
        continue;
      }
      for (Column leaf : column.leaves()) {
        for (ColumnChunkMetaData chunk : group.getColumns()) {
          if (java.util.Arrays.equals(chunk.getPath().toArray(), leaf.descriptor.getPath())
              && !ENCODINGS.containsAll(chunk.getEncodings())) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /**
   * A reader of a {@code map<string, string>} column stored as Parquet's MAP (a repeated group of
   * a required key and a value), or {@code null} for any other nested shape.
   */
  private static MapColumn stringMap(
      MessageType fileSchema, Types.NestedField field, org.apache.parquet.schema.GroupType stored) {
    if (!(field.type() instanceof Types.MapType map)
        || map.keyType().typeId() != Type.TypeID.STRING
        || map.valueType().typeId() != Type.TypeID.STRING
        || stored.getFieldCount() != 1
        || stored.getType(0).isPrimitive()
        || !stored.getType(0).isRepetition(org.apache.parquet.schema.Type.Repetition.REPEATED)) {
      return null;
    }
    org.apache.parquet.schema.GroupType entries = stored.getType(0).asGroupType();
    if (entries.getFieldCount() != 2) {
      return null;
    }
    org.apache.parquet.schema.Type key = entries.getType(0);
    org.apache.parquet.schema.Type value = entries.getType(1);
    if (!key.isPrimitive() || !value.isPrimitive()
        || key.getId() == null || key.getId().intValue() != map.keyId()
        || value.getId() == null || value.getId().intValue() != map.valueId()
        || !key.isRepetition(org.apache.parquet.schema.Type.Repetition.REQUIRED)
        || value.isRepetition(org.apache.parquet.schema.Type.Repetition.REPEATED)
        || !readable(Types.StringType.get(), key.asPrimitiveType())
        || !readable(Types.StringType.get(), value.asPrimitiveType())) {
      return null;
    }
    String[] base = {stored.getName(), entries.getName()};
    return new MapColumn(
        new Column(fileSchema.getColumnDescription(new String[] {base[0], base[1], key.getName()})),
        new Column(
            fileSchema.getColumnDescription(new String[] {base[0], base[1], value.getName()})));
  }

  /** True when the stored column holds {@code type}'s values as Iceberg's reader reads them. */
  private static boolean readable(Type type, PrimitiveType stored) {
    PrimitiveTypeName physical = stored.getPrimitiveTypeName();
    LogicalTypeAnnotation logical = stored.getLogicalTypeAnnotation();
    switch (type.typeId()) {
      case STRING:
        return physical == PrimitiveTypeName.BINARY
            && (logical == null
                || logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                || logical instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
                || logical instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation);
      case BINARY:
        return physical == PrimitiveTypeName.BINARY && logical == null;
      case FIXED:
        return physical == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY
            && stored.getTypeLength() == ((Types.FixedType) type).length()
            && logical == null;
      case UUID:
        return physical == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY
            && stored.getTypeLength() == 16;
      case BOOLEAN:
        return physical == PrimitiveTypeName.BOOLEAN;
      case INTEGER:
        return physical == PrimitiveTypeName.INT32 && plainInteger(logical, 32);
      case LONG:
        return physical == PrimitiveTypeName.INT64 && plainInteger(logical, 64);
      case FLOAT:
        return physical == PrimitiveTypeName.FLOAT;
      case DOUBLE:
        return physical == PrimitiveTypeName.DOUBLE;
      case DATE:
        return physical == PrimitiveTypeName.INT32
            && logical instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation;
      case TIMESTAMP:
        return physical == PrimitiveTypeName.INT64
            && logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts
            && ts.getUnit() == LogicalTypeAnnotation.TimeUnit.MICROS;
      case TIMESTAMP_NANO:
        return physical == PrimitiveTypeName.INT64
            && logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts
            && ts.getUnit() == LogicalTypeAnnotation.TimeUnit.NANOS;
      default:
        return false;
    }
  }

  private static boolean plainInteger(LogicalTypeAnnotation logical, int bits) {
    return logical == null
        || (logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i
            && i.getBitWidth() == bits
            && i.isSigned());
  }

  /**
   * Makes this reader return only the rows {@code filter} keeps. The columns the filter reads are
   * decoded first, for every row; the others only for the kept rows — their values for the rest
   * are skipped in the page, never copied — and not at all for a batch the filter rejects whole.
   */
  public ColumnarArrowReader filtered(RowFilter filter) {
    List<String> names = fields.stream().map(Field::getName).toList();
    List<String> wanted = filter.columns();
    int[] first = new int[wanted.size()];
    for (int i = 0; i < first.length; i++) {
      first[i] = names.indexOf(wanted.get(i));
      if (first[i] < 0) {
        throw new IllegalArgumentException("filter column " + wanted.get(i) + " not projected");
      }
    }
    List<Integer> rest = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      if (!wanted.contains(names.get(i))) {
        rest.add(i);
      }
    }
    this.rowFilter = filter;
    this.early = first;
    this.late = rest.stream().mapToInt(Integer::intValue).toArray();
    RowFilter.ColumnBound bound = filter.bound();
    this.boundAt = bound == null ? -1 : names.indexOf(bound.column());
    for (int i : first) {
      byte[] needle = filter.requiredBytes(names.get(i));
      if (needle != null && needle.length > 0 && columns[i] instanceof Column column
          && column.physical == PrimitiveTypeName.BINARY) {
        column.required = new ByteSearch(needle);
        skipBySubstringIndex(column.descriptor.getPath()[0], needle);
      }
    }
    return this;
  }

  /**
   * Marks the row groups not read yet that the file's {@link SubstringIndex} of {@code column}
   * shows to hold no value containing {@code needle} (a row filter's required bytes) as skipped.
   * A file without an index of that column, or an index that can't be read, skips nothing.
   */
  private void skipBySubstringIndex(String column, byte[] needle) {
    if (input == null || needle.length < 3) {
      return;
    }
    SubstringIndex.Location location =
        SubstringIndex.Location.parse(
            reader.getFooter().getFileMetaData().getKeyValueMetaData().get(SubstringIndex.KEY));
    if (location == null || !location.column().equals(column)) {
      return;
    }
    SubstringIndex index;
    byte[] blob = new byte[location.length()];
    try (org.apache.parquet.io.SeekableInputStream in = input.newStream()) {
      in.seek(location.offset());
      in.readFully(blob);
      index = SubstringIndex.parse(blob);
    } catch (IOException | IllegalArgumentException e) {
      return; // an unreadable index only costs the pruning
    }
    try {
      for (int g = nextRowGroup; g < rowGroups.size(); g++) {
        if (!skip[g] && !index.mayContain(rowGroups.get(g).getStartingPos(), needle)) {
          skip[g] = true;
          substringSkipped++;
        }
      }
    } catch (IllegalArgumentException e) {
      // a corrupt bitmap: the row groups from there on are read
    }
  }

  /** Row groups {@link #filtered} skipped by the file's substring index. */
  public int substringSkipped() {
    return substringSkipped;
  }

  @Override
  public boolean hasNext() {
    while (pending == null) {
      if (!nextRowGroupIfNeeded()) {
        return false;
      }
      int rows = (int) Math.min(batchRows, rowsLeftInGroup);
      pending = rowFilter == null ? readAll(rows) : readFiltered(rows);
    }
    return true;
  }

  /**
   * Hands the current row group's chunk buffers back to {@link ChunkBufferPool}. Every page of it
   * that was read has been inflated or copied by then; its unread pages are never read.
   */
  private void releaseRowGroup() {
    if (currentGroup != null) {
      PageReadStore done = currentGroup;
      currentGroup = null;
      done.close();
    }
  }

  /** Moves to the next row group to read when the current one is done; false at the end. */
  private boolean nextRowGroupIfNeeded() {
    if (closed) {
      return false;
    }
    while (rowsLeftInGroup == 0) {
      if (nextRowGroup >= rowGroups.size()) {
        return false;
      }
      int group = nextRowGroup++;
      releaseRowGroup();
      if (skip[group] || outsideBound(rowGroups.get(group))) {
        reader.skipNextRowGroup();
        continue;
      }
      PageReadStore pages;
      try {
        pages = reader.readNextRowGroup();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (pages == null) {
        return false;
      }
      currentGroup = pages;
      for (ColumnReader column : columns) {
        if (column != null) {
          column.start(pages);
          if (column instanceof MapColumn map) {
            map.indexPages(reader, rowGroups.get(group));
          }
        }
      }
      rowsLeftInGroup = pages.getRowCount();
    }
    return true;
  }

  /**
   * Whether the row filter's bound, as it stands now, rules out every row of {@code group} by
   * the bounded column's statistics. Only 8-byte integer columns in the reader's own unit
   * (this reader refuses files whose time unit differs from the table's) are checked.
   */
  private boolean outsideBound(BlockMetaData group) {
    RowFilter.ColumnBound bound = rowFilter == null ? null : rowFilter.bound();
    if (bound == null) {
      return false;
    }
    int index = -1;
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).getName().equals(bound.column())) {
        index = i;
      }
    }
    if (index < 0 || !(columns[index] instanceof Column column)
        || column.physical != PrimitiveTypeName.INT64) {
      return false;
    }
    for (ColumnChunkMetaData chunk : group.getColumns()) {
      if (java.util.Arrays.equals(chunk.getPath().toArray(), column.descriptor.getPath())) {
        Statistics<?> stats = chunk.getStatistics();
        if (stats == null || stats.isEmpty() || !stats.hasNonNullValue()
            || !(stats instanceof LongStatistics longs)) {
          return false;
        }
        return !bound.mayKeep(longs.getMin(), longs.getMax());
      }
    }
    return false;
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

  private VectorSchemaRoot readAll(int rows) {
    FieldVector[] vectors = new FieldVector[columns.length];
    try {
      for (int i = 0; i < columns.length; i++) {
        vectors[i] = read(i, rows, null, rows);
      }
    } catch (RuntimeException | Error e) {
      closeAll(vectors);
      throw e;
    }
    rowsLeftInGroup -= rows;
    return root(vectors, rows);
  }

  /**
   * Reads the filter's columns, asks the filter, then reads the other columns for the kept rows
   * only; {@code null} when it keeps none (their values are skipped).
   */
  private VectorSchemaRoot readFiltered(int rows) {
    FieldVector[] vectors = new FieldVector[columns.length];
    try {
      if (selected.length < rows) {
        selected = new boolean[rows];
      }
      if (boundAt >= 0) {
        // The bound's column first: a batch it rules out whole (a top-N's cut-off passed by
        // another thread meanwhile) is skipped before any other column is decoded.
        vectors[boundAt] = read(boundAt, rows, null, rows);
        if (!mayKeep(rowFilter.bound(), vectors[boundAt], rows)) {
          return skipRest(vectors, rows);
        }
      }
      int firstCount = rowFilter.firstColumns();
      if (firstCount > 0) {
        // The predicate's cheap part next: a batch it rules out whole is skipped before the
        // filter's wide columns are decoded (or their pages inflated).
        List<FieldVector> firstPart = new ArrayList<>(firstCount);
        for (int k = 0; k < firstCount; k++) {
          int i = early[k];
          if (vectors[i] == null) {
            vectors[i] = read(i, rows, null, rows);
          }
          firstPart.add(vectors[i]);
        }
        VectorSchemaRoot part = new VectorSchemaRoot(firstPart);
        part.setRowCount(rows);
        if (!rowFilter.anyFirst(part)) {
          return skipRest(vectors, rows);
        }
      }
      List<FieldVector> firstVectors = new ArrayList<>(early.length);
      for (int i : early) {
        if (vectors[i] == null) {
          vectors[i] = read(i, rows, null, rows);
        }
        firstVectors.add(vectors[i]);
      }
      int count;
      VectorSchemaRoot first = new VectorSchemaRoot(firstVectors);
      first.setRowCount(rows);
      count = rowFilter.select(first, selected);
      if (count == 0) {
        for (int i : late) {
          if (columns[i] != null) {
            columns[i].read(null, rows, selected, 0);
          }
        }
        closeAll(vectors);
        rowsLeftInGroup -= rows;
        return null;
      }
      boolean all = count == rows;
      java.util.Set<String> unneeded = rowFilter.unneededLate(first, selected, count);
      for (int i : late) {
        if (!unneeded.isEmpty() && unneeded.contains(fields.get(i).getName())) {
          // Not needed for these rows: stepped over unread, given as nulls.
          if (columns[i] != null) {
            columns[i].read(null, rows, null, 0);
          }
          vectors[i] = nulls(i, count);
        } else {
          vectors[i] = read(i, rows, all ? null : selected, count);
        }
      }
      if (!all) {
        for (int i : early) {
          FieldVector kept = fields.get(i).createVector(target);
          try {
            ArrowSelection.select(vectors[i], rows, selected, count, kept);
          } catch (RuntimeException | Error e) {
            kept.close();
            throw e;
          }
          vectors[i].close();
          vectors[i] = kept;
        }
      }
      rowsLeftInGroup -= rows;
      return root(vectors, count);
    } catch (RuntimeException | Error e) {
      closeAll(vectors);
      throw e;
    }
  }

  /**
   * Ends a batch ruled out before the whole filter ran: the columns not read yet are skipped
   * (their values passed over in the page, a page covered by skips never inflated), those read
   * are released; always null.
   */
  private VectorSchemaRoot skipRest(FieldVector[] vectors, int rows) {
    java.util.Arrays.fill(selected, 0, rows, false);
    for (int i = 0; i < columns.length; i++) {
      if (vectors[i] == null && columns[i] != null) {
        columns[i].read(null, rows, selected, 0);
      }
    }
    closeAll(vectors);
    rowsLeftInGroup -= rows;
    return null;
  }

  /**
   * Whether {@code bound} may keep a row of this batch of its column: false only when every
   * value is present and the range they span is ruled out.
   */
  private static boolean mayKeep(RowFilter.ColumnBound bound, FieldVector values, int rows) {
    if (!(values instanceof org.apache.arrow.vector.BaseFixedWidthVector fixed)
        || fixed.getTypeWidth() != Long.BYTES
        || fixed.getNullCount() > 0
        || rows == 0) {
      return true;
    }
    org.apache.arrow.memory.ArrowBuf data = fixed.getDataBuffer();
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < rows; i++) {
      long v = data.getLong((long) i * Long.BYTES);
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return bound.mayKeep(min, max);
  }

  /**
   * Column {@code i}'s next {@code rows} values as a new vector of {@code count} values: all of
   * them when {@code keep} is null, else those whose {@code keep} flag is set.
   */
  private FieldVector read(int i, int rows, boolean[] keep, int count) {
    FieldVector vector = fields.get(i).createVector(target);
    try {
      if (columns[i] == null) {
        vector.setValueCount(count);
      } else {
        columns[i].read(vector, rows, keep, count);
      }
      return vector;
    } catch (RuntimeException | Error e) {
      vector.close();
      throw e;
    }
  }

  /** Column {@code i} as {@code count} nulls. */
  private FieldVector nulls(int i, int count) {
    FieldVector vector = fields.get(i).createVector(target);
    try {
      vector.setValueCount(count);
      return vector;
    } catch (RuntimeException | Error e) {
      vector.close();
      throw e;
    }
  }

  private static VectorSchemaRoot root(FieldVector[] vectors, int rows) {
    VectorSchemaRoot root = new VectorSchemaRoot(java.util.Arrays.asList(vectors));
    root.setRowCount(rows);
    return root;
  }

  private static void closeAll(FieldVector[] vectors) {
    for (FieldVector vector : vectors) {
      if (vector != null) {
        vector.close();
      }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (pending != null) {
      pending.close();
      pending = null;
    }
    releaseRowGroup();
    try {
      reader.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads one projected column, batch by batch, through the row groups. */
  private interface ColumnReader {
    /** The Parquet leaf columns it reads. */
    List<Column> leaves();

    /** Starts the next row group. */
    void start(PageReadStore pages);

    /**
     * Reads the next {@code rows} rows into the freshly created {@code vector}: all of them when
     * {@code keep} is null, else only those whose flag is set ({@code count} of them), skipping
     * the others' values. A null {@code vector} skips all {@code rows}.
     */
    void read(FieldVector vector, int rows, boolean[] keep, int count);
  }

  /**
   * A {@code map<string, string>}: its key and value leaves read level by level in step (they
   * share repetition levels; their pages may end at different places), straight into the map's
   * offsets and the entries' key and value vectors.
   */
  private static final class MapColumn implements ColumnReader {
    private final Column keys;
    private final Column values;

    MapColumn(Column keys, Column values) {
      this.keys = keys;
      this.values = values;
    }

    @Override
    public List<Column> leaves() {
      return List.of(keys, values);
    }

    @Override
    public void start(PageReadStore pages) {
      keys.start(pages);
      values.start(pages);
    }

    /**
     * Reads the leaves' offset indexes (where the file has them), so that runs of skipped rows
     * pass over whole pages without inflating them: a repeated leaf's page header counts levels,
     * not rows, but the index gives each page's first row.
     */
    void indexPages(ParquetFileReader reader, BlockMetaData group) {
      keys.indexPages(reader, group);
      values.indexPages(reader, group);
    }

    @Override
    public void read(FieldVector vector, int rows, boolean[] keep, int count) {
      org.apache.arrow.vector.complex.MapVector map =
          (org.apache.arrow.vector.complex.MapVector) vector;
      org.apache.arrow.vector.complex.StructVector entries = null;
      BaseVariableWidthVector keyVector = null;
      BaseVariableWidthVector valueVector = null;
      if (map != null) {
        map.setInitialCapacity(count);
        map.allocateNew();
        entries = (org.apache.arrow.vector.complex.StructVector) map.getDataVector();
        keyVector = (BaseVariableWidthVector) entries.getChildByOrdinal(0);
        valueVector = (BaseVariableWidthVector) entries.getChildByOrdinal(1);
      }
      int entryDefinition = keys.maxDefinition;
      int entry = 0;
      int out = 0;
      for (int row = 0; row < rows; row++) {
        if (map == null || (keep != null && !keep[row])) {
          // A run of rows not written: each leaf steps over them on its own, level runs at once.
          int end = row + 1;
          while (end < rows && (map == null || !keep[end])) {
            end++;
          }
          keys.skipRows(end - row);
          values.skipRows(end - row);
          row = end - 1;
          continue;
        }
        keys.ensureLevel();
        values.ensureLevel();
        if (keys.repetition() != 0) {
          throw new IllegalStateException("map " + keys.descriptor + " out of record step");
        }
        int start = entry;
        boolean present = keys.definition() >= entryDefinition - 1;
        do {
          values.ensureLevel();
          if (keys.definition() == entryDefinition) {
            entries.setIndexDefined(entry);
            keys.appendString(keyVector, entry);
            if (values.definition() == values.maxDefinition) {
              values.appendString(valueVector, entry);
            } else {
              valueVector.setNull(entry);
            }
            entry++;
          }
          keys.advanceLevel();
          values.advanceLevel();
        } while (keys.hasLevel() && keys.repetition() != 0);
        if (present) {
          map.startNewValue(out);
          map.endValue(out, entry - start);
        } else {
          map.setNull(out);
        }
        out++;
        keys.rowAt++;
        values.rowAt++;
      }
      if (map != null) {
        keyVector.setValueCount(entry);
        valueVector.setValueCount(entry);
        entries.setValueCount(entry);
        map.setValueCount(count);
      }
    }
  }

  /** One column's cursor through the pages of the current row group. */
  private static final class Column implements ColumnReader {
    final ColumnDescriptor descriptor;
    final PrimitiveTypeName physical;
    /** Bytes per value for fixed-width physical types; 0 for BYTE_ARRAY and BOOLEAN. */
    final int width;
    final int maxDefinition;
    final int maxRepetition;

    private PageReader pages;
    // The dictionary of the current column chunk: fixed-width values back to back, or strings
    // back to back with their start offsets (count + 1 entries).
    private byte[] dictionary;
    /** An 8-byte column's dictionary as longs: one array load and one store per value. */
    private long[] dictionaryLongs;
    private int[] dictionaryOffsets;

    /**
     * Bytes every value the filter keeps contains ({@link RowFilter#requiredBytes}), or null: a
     * plain value without them is read as an empty string, and not copied.
     */
    ByteSearch required;
    /**
     * Where {@link #required} next occurs in the current page, at or after where it was last
     * searched from: -1 for nowhere, {@code Integer.MIN_VALUE} before the page's first search.
     * Kept across batches, so a page is searched once however many batches it spans.
     */
    private int pageHit = Integer.MIN_VALUE;

    // The current page.
    private int pageValuesLeft;
    /**
     * Rows of a flat column skipped whole and not yet stepped over: consecutive skipped batches
     * add up here, so that the pages they cover entirely are passed over uninflated even when a
     * page spans several batches.
     */
    private int deferredRows;
    private int[] definitions = new int[0];
    private int[] repetitions = new int[0];
    private int definitionAt;
    private boolean dictionaryEncoded;
    private int[] ids = new int[0];
    private int idAt;
    private byte[] data;
    private int dataAt;
    /** Bit position of the next PLAIN boolean. */
    private long bitAt;
    // The string bytes and rows of the previous batch, to size the next one's buffer.
    private long lastBytes;
    private int lastRows;
    // For a repeated leaf: the chunk's offset index (null if none), the data pages read so far,
    // the rows passed so far, and the row group's row count.
    private org.apache.parquet.internal.column.columnindex.OffsetIndex offsetIndex;
    private int pageOrdinal;
    long rowAt;
    private long groupRows;

    Column(ColumnDescriptor descriptor) {
      this.descriptor = descriptor;
      this.physical = descriptor.getPrimitiveType().getPrimitiveTypeName();
      this.width =
          switch (physical) {
            case INT32, FLOAT -> 4;
            case INT64, DOUBLE -> 8;
            case INT96 -> 12;
            case FIXED_LEN_BYTE_ARRAY -> descriptor.getPrimitiveType().getTypeLength();
            default -> 0;
          };
      this.maxDefinition = descriptor.getMaxDefinitionLevel();
      this.maxRepetition = descriptor.getMaxRepetitionLevel();
    }

    @Override
    public List<Column> leaves() {
      return List.of(this);
    }

    @Override
    public void start(PageReadStore store) {
      start(store.getPageReader(descriptor));
    }

    void start(PageReader pageReader) {
      this.pages = pageReader;
      this.pageValuesLeft = 0;
      this.deferredRows = 0;
      this.offsetIndex = null;
      this.pageOrdinal = 0;
      this.rowAt = 0;
      this.dictionary = null;
      this.dictionaryLongs = null;
      this.dictionaryOffsets = null;
      DictionaryPage page = pageReader.readDictionaryPage();
      if (page != null) {
        loadDictionary(page);
      }
    }

    void indexPages(ParquetFileReader reader, BlockMetaData group) {
      groupRows = group.getRowCount();
      for (ColumnChunkMetaData chunk : group.getColumns()) {
        if (java.util.Arrays.equals(chunk.getPath().toArray(), descriptor.getPath())) {
          try {
            offsetIndex = reader.readOffsetIndex(chunk);
          } catch (IOException | RuntimeException e) {
            offsetIndex = null; // no index: skip level by level
          }
          return;
        }
      }
    }

    private void loadDictionary(DictionaryPage page) {
      if (page.getEncoding() != Encoding.PLAIN && page.getEncoding() != Encoding.PLAIN_DICTIONARY) {
        throw new UnsupportedOperationException(
            "dictionary page encoding " + page.getEncoding() + " in " + descriptor);
      }
      byte[] bytes = bytes(page.getBytes());
      int count = page.getDictionarySize();
      if (physical == PrimitiveTypeName.BINARY) {
        // Strip the length prefixes: values back to back, with offsets.
        int[] offsets = new int[count + 1];
        byte[] values = new byte[Math.max(0, bytes.length - 4 * count)];
        int in = 0;
        int out = 0;
        for (int i = 0; i < count; i++) {
          int length = (int) INT_LE.get(bytes, in);
          offsets[i] = out;
          System.arraycopy(bytes, in + 4, values, out, length);
          in += 4 + length;
          out += length;
        }
        offsets[count] = out;
        dictionary = values;
        dictionaryOffsets = offsets;
      } else {
        dictionary = bytes;
        if (width == 8) {
          dictionaryLongs = new long[count];
          for (int i = 0; i < count; i++) {
            dictionaryLongs[i] = (long) LONG_LE.get(bytes, i * 8);
          }
        }
      }
    }

    private static byte[] bytes(org.apache.parquet.bytes.BytesInput input) {
      try {
        return input.toByteArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void nextPage() {
      load(nextDataPage());
    }

    /** The chunk's next page, counted; the row group's end here is an error in the file. */
    private DataPage nextDataPage() {
      DataPage page = pages.readPage();
      if (page == null) {
        throw new IllegalStateException("column " + descriptor + " ended before its row group");
      }
      pageOrdinal++;
      return page;
    }

    /** Loads the next page of the chunk; false at its end. */
    private boolean loadPage() {
      DataPage page = pages.readPage();
      if (page == null) {
        return false;
      }
      pageOrdinal++;
      load(page);
      return true;
    }

    /** Makes {@code page} the current page: its levels decoded, its values ready to read. */
    private void load(DataPage page) {
      int values = page.getValueCount();
      Encoding encoding;
      int valuesFrom;
      if (page instanceof DataPageV1 v1) {
        data = bytes(v1.getBytes());
        pageHit = Integer.MIN_VALUE;
        valuesFrom = 0;
        if (maxRepetition > 0) {
          if (v1.getRlEncoding() != Encoding.RLE) {
            throw new UnsupportedOperationException(
                "repetition level encoding " + v1.getRlEncoding() + " in " + descriptor);
          }
          int length = (int) INT_LE.get(data, 0);
          repetitions = levels(repetitions, data, 4, 4 + length, values, maxRepetition);
          valuesFrom = 4 + length;
        }
        if (maxDefinition > 0) {
          if (v1.getDlEncoding() != Encoding.RLE) {
            throw new UnsupportedOperationException(
                "definition level encoding " + v1.getDlEncoding() + " in " + descriptor);
          }
          int length = (int) INT_LE.get(data, valuesFrom);
          definitions =
              levels(definitions, data, valuesFrom + 4, valuesFrom + 4 + length, values,
                  maxDefinition);
          valuesFrom += 4 + length;
        }
        encoding = v1.getValueEncoding();
      } else {
        DataPageV2 v2 = (DataPageV2) page;
        if (maxRepetition > 0) {
          byte[] levels = bytes(v2.getRepetitionLevels());
          repetitions = levels(repetitions, levels, 0, levels.length, values, maxRepetition);
        }
        if (maxDefinition > 0) {
          byte[] levels = bytes(v2.getDefinitionLevels());
          definitions = levels(definitions, levels, 0, levels.length, values, maxDefinition);
        }
        data = bytes(v2.getData());
        pageHit = Integer.MIN_VALUE;
        valuesFrom = 0;
        encoding = v2.getDataEncoding();
      }
      definitionAt = 0;
      pageValuesLeft = values;
      switch (encoding) {
        case PLAIN -> {
          dictionaryEncoded = false;
          dataAt = valuesFrom;
          bitAt = (long) valuesFrom * 8;
        }
        case PLAIN_DICTIONARY, RLE_DICTIONARY -> {
          if (dictionary == null) {
            throw new IllegalStateException("dictionary-encoded page without a dictionary");
          }
          dictionaryEncoded = true;
          int present = maxDefinition > 0 ? countPresent(values) : values;
          ids = grow(ids, present + 8);
          int bitWidth = data[valuesFrom] & 0xFF;
          HybridDecoder.decode(data, valuesFrom + 1, data.length, bitWidth, ids, present);
          idAt = 0;
        }
        default ->
            throw new UnsupportedOperationException(
                "value encoding " + encoding + " in " + descriptor);
      }
    }

    private static int[] levels(
        int[] into, byte[] in, int from, int to, int values, int maxLevel) {
      int[] out = grow(into, values + 8);
      HybridDecoder.decode(
          in, from, to, 32 - Integer.numberOfLeadingZeros(maxLevel), out, values);
      return out;
    }

    // Level by level, for the leaves of a map.

    /** Loads a page if the current one is used up; the row group must have more levels. */
    void ensureLevel() {
      if (pageValuesLeft == 0) {
        nextPage();
      }
    }

    /** True while the chunk has levels left (loading the next page when needed). */
    boolean hasLevel() {
      return pageValuesLeft > 0 || loadPage();
    }

    int repetition() {
      return maxRepetition == 0 ? 0 : repetitions[definitionAt];
    }

    int definition() {
      return maxDefinition == 0 ? 0 : definitions[definitionAt];
    }

    void advanceLevel() {
      definitionAt++;
      pageValuesLeft--;
    }

    /** Writes the current level's string value at {@code index} of {@code vector}. */
    void appendString(BaseVariableWidthVector vector, int index) {
      if (dictionaryEncoded) {
        int id = ids[idAt++];
        int from = dictionaryOffsets[id];
        vector.setSafe(index, dictionary, from, dictionaryOffsets[id + 1] - from);
      } else {
        int length = (int) INT_LE.get(data, dataAt);
        vector.setSafe(index, data, dataAt + 4, length);
        dataAt += 4 + length;
      }
    }

    /**
     * Steps over the next {@code rows} whole rows of a repeated leaf: their levels counted in
     * bulk, their present values skipped in one go (dictionary ids) or by their lengths (plain
     * strings). Stops at the first level of the row after them, or at the chunk's end.
     */
    void skipRows(int rows) {
      int left = rows;
      while (true) {
        if (pageValuesLeft == 0
            && offsetIndex != null
            && pageOrdinal < offsetIndex.getPageCount()
            && offsetIndex.getFirstRowIndex(pageOrdinal) == rowAt) {
          // At a page boundary that is a row boundary, as the index says.
          if (left == 0) {
            return; // the next row starts the next page: leave it unread
          }
          long next =
              pageOrdinal + 1 < offsetIndex.getPageCount()
                  ? offsetIndex.getFirstRowIndex(pageOrdinal + 1)
                  : groupRows;
          if (next - rowAt <= left) {
            pages.readPage(); // every row of it skipped: never inflated nor decoded
            pageOrdinal++;
            left -= (int) (next - rowAt);
            rowAt = next;
            continue;
          }
        }
        if (pageValuesLeft == 0 && !loadPage()) {
          if (left > 0) {
            throw new IllegalStateException(
                "column " + descriptor + " ended before its row group");
          }
          return;
        }
        int i = definitionAt;
        int end = definitionAt + pageValuesLeft;
        int present = 0;
        while (i < end) {
          if (repetitions[i] == 0) {
            if (left == 0) {
              break;
            }
            left--;
            rowAt++;
          }
          if (definitions[i] == maxDefinition) {
            present++;
          }
          i++;
        }
        skipPresent(present);
        pageValuesLeft -= i - definitionAt;
        definitionAt = i;
        if (i < end) {
          return; // at the first level of the next row
        }
      }
    }

    private void skipPresent(int present) {
      if (dictionaryEncoded) {
        idAt += present;
      } else if (physical == PrimitiveTypeName.BOOLEAN) {
        bitAt += present;
      } else if (width > 0) {
        dataAt += present * width;
      } else {
        for (int i = 0; i < present; i++) {
          dataAt += 4 + (int) INT_LE.get(data, dataAt);
        }
      }
    }

    private int countPresent(int values) {
      int present = 0;
      for (int i = 0; i < values; i++) {
        if (definitions[i] == maxDefinition) {
          present++;
        }
      }
      return present;
    }

    private static int[] grow(int[] array, int size) {
      return array.length >= size ? array : new int[Math.max(size, array.length * 2)];
    }

    @Override
    public void read(FieldVector vector, int rows, boolean[] keep, int count) {
      if (vector == null && maxRepetition == 0) {
        deferredRows += rows;
        return;
      }
      if (deferredRows > 0) {
        skipDeferred();
      }
      if (vector instanceof BitVector bits) {
        bits.allocateNew(count);
      } else if (vector instanceof BaseFixedWidthVector fixed) {
        fixed.allocateNew(count);
      } else if (vector != null) {
        long estimate = lastRows == 0 ? count * 32L : lastBytes * count / lastRows * 9 / 8;
        ((BaseVariableWidthVector) vector).allocateNew(Math.max(64L, estimate), count);
      }
      int done = 0;
      int out = 0;
      int stringEnd = 0;
      while (done < rows) {
        if (pageValuesLeft == 0) {
          DataPage page = nextDataPage();
          if (maxRepetition == 0
              && page.getValueCount() <= rows - done
              && (vector == null
                  || (keep != null && noneKept(keep, done, page.getValueCount())))) {
            // A flat column's page holds one value (level) per row: a page all of whose rows
            // are skipped is passed over without inflating or decoding it.
            done += page.getValueCount();
            continue;
          }
          load(page);
        }
        int n = Math.min(rows - done, pageValuesLeft);
        if (vector == null) {
          skipValues(n);
        } else if (vector instanceof BitVector bits) {
          out = readBooleans(bits, out, n, keep, done);
        } else if (vector instanceof BaseFixedWidthVector fixed) {
          out = readFixed(fixed, out, n, keep, done);
        } else {
          long packed =
              readStrings((BaseVariableWidthVector) vector, out, n, keep, done, stringEnd);
          out = (int) (packed >>> 32);
          stringEnd = (int) packed;
        }
        definitionAt += n;
        pageValuesLeft -= n;
        done += n;
      }
      if (vector instanceof BaseVariableWidthVector strings) {
        strings.getOffsetBuffer()
            .setInt((long) count * BaseVariableWidthVector.OFFSET_WIDTH, stringEnd);
        strings.setLastSet(count - 1);
        if (count > 0) {
          lastBytes = (long) stringEnd * rows / count;
          lastRows = rows;
        }
      }
      if (vector != null) {
        vector.setValueCount(count);
      }
    }

    /** Steps over the rows skipped whole since the last read, whole pages without loading. */
    private void skipDeferred() {
      while (deferredRows > 0) {
        if (pageValuesLeft == 0) {
          DataPage page = nextDataPage();
          if (page.getValueCount() <= deferredRows) {
            deferredRows -= page.getValueCount();
            continue;
          }
          load(page);
        }
        int n = Math.min(deferredRows, pageValuesLeft);
        skipValues(n);
        definitionAt += n;
        pageValuesLeft -= n;
        deferredRows -= n;
      }
    }

    private static boolean noneKept(boolean[] keep, int from, int n) {
      for (int i = from; i < from + n; i++) {
        if (keep[i]) {
          return false;
        }
      }
      return true;
    }

    /** Steps over the next {@code n} levels' values of the current page. */
    private void skipValues(int n) {
      int present = 0;
      for (int i = 0; i < n; i++) {
        if (present(i)) {
          present++;
        }
      }
      skipPresent(present);
    }

    /**
     * The kept (all when {@code keep} is null) of the next {@code n} values, written from index
     * {@code out}; returns the next index. A run of plain values all present and all kept is one
     * memory copy.
     */
    private int readFixed(
        BaseFixedWidthVector vector, int out, int n, boolean[] keep, int keepAt) {
      if (vector.getTypeWidth() != width) {
        throw new IllegalStateException(
            "column " + descriptor + " is " + width + " bytes wide, its vector "
                + vector.getTypeWidth());
      }
      ArrowBuf values = vector.getDataBuffer();
      ArrowBuf validity = vector.getValidityBuffer();
      if (keep == null && !dictionaryEncoded && allPresent(n)) {
        values.setBytes((long) out * width, data, dataAt, (long) n * width);
        dataAt += n * width;
        setBits(validity, out, n);
        return out + n;
      }
      if (width == 8 && allPresent(n)) {
        return readLongs(values, validity, out, n, keep, keepAt);
      }
      for (int i = 0; i < n; i++) {
        boolean kept = keep == null || keep[keepAt + i];
        if (!present(i)) {
          if (kept) {
            out++;
          }
          continue;
        }
        if (dictionaryEncoded) {
          int id = ids[idAt++];
          if (kept && width == 8) {
            values.setLong((long) out * 8, dictionaryLongs[id]);
          } else if (kept) {
            values.setBytes((long) out * width, dictionary, id * width, width);
          }
        } else {
          if (kept && width == 8) {
            values.setLong((long) out * 8, (long) LONG_LE.get(data, dataAt));
          } else if (kept) {
            values.setBytes((long) out * width, data, dataAt, width);
          }
          dataAt += width;
        }
        if (kept) {
          BitVectorHelper.setBit(validity, out++);
        }
      }
      return out;
    }

    /**
     * {@link #readFixed} for 8-byte values all present (timestamps, doubles, ids; plain or from a
     * dictionary decoded to longs): stored straight to the buffer's memory, with the buffer's
     * room for the kept values checked once instead of per value, and the validity bits set in
     * one go.
     */
    private int readLongs(
        ArrowBuf values, ArrowBuf validity, int out, int n, boolean[] keep, int keepAt) {
      int kept = n;
      if (keep != null) {
        kept = 0;
        for (int i = 0; i < n; i++) {
          kept += keep[keepAt + i] ? 1 : 0;
        }
      }
      if ((long) (out + kept) * 8 > values.capacity()) {
        throw new IllegalStateException("vector too small for the values of " + descriptor);
      }
      long address = values.memoryAddress();
      int start = out;
      if (dictionaryEncoded) {
        long[] dictionary = dictionaryLongs;
        int[] id = ids;
        int at = idAt;
        for (int i = 0; i < n; i++) {
          long value = dictionary[id[at++]];
          if (keep == null || keep[keepAt + i]) {
            MemoryUtil.putLong(address + (long) out++ * 8, value);
          }
        }
        idAt = at;
      } else {
        byte[] page = data;
        int at = dataAt;
        if (at + (long) n * 8 > page.length) {
          throw new IllegalStateException("values past the end of their page in " + descriptor);
        }
        for (int i = 0; i < n; i++) {
          if (keep == null || keep[keepAt + i]) {
            MemoryUtil.putLong(address + (long) out++ * 8, (long) LONG_LE.get(page, at));
          }
          at += 8;
        }
        dataAt = at;
      }
      setBits(validity, start, out - start);
      return out;
    }

    /** As {@link #readFixed}, for PLAIN booleans (one bit each). */
    private int readBooleans(BitVector vector, int out, int n, boolean[] keep, int keepAt) {
      if (dictionaryEncoded) {
        throw new UnsupportedOperationException("dictionary-encoded booleans in " + descriptor);
      }
      ArrowBuf values = vector.getDataBuffer();
      ArrowBuf validity = vector.getValidityBuffer();
      for (int i = 0; i < n; i++) {
        boolean kept = keep == null || keep[keepAt + i];
        if (!present(i)) {
          if (kept) {
            out++;
          }
          continue;
        }
        if (kept) {
          if ((data[(int) (bitAt >>> 3)] & (1 << (bitAt & 7))) != 0) {
            BitVectorHelper.setBit(values, out);
          }
          BitVectorHelper.setBit(validity, out++);
        }
        bitAt++;
      }
      return out;
    }

    /**
     * The kept of the next {@code n} strings, written from index {@code out} and data byte {@code
     * end}; returns the next index (high 32 bits) and the new end (low 32 bits).
     */
    private long readStrings(
        BaseVariableWidthVector vector, int out, int n, boolean[] keep, int keepAt, int end) {
      if (keep == null && allPresent(n)) {
        if (dictionaryEncoded) {
          return readDictionaryStrings(vector, out, n, end);
        }
        return required == null
            ? readPlainStrings(vector, out, n, end)
            : readPlainStringsContaining(vector, out, n, end);
      }
      ArrowBuf offsets = vector.getOffsetBuffer();
      ArrowBuf validity = vector.getValidityBuffer();
      ArrowBuf values = vector.getDataBuffer();
      long capacity = values.capacity();
      for (int i = 0; i < n; i++) {
        boolean kept = keep == null || keep[keepAt + i];
        if (kept) {
          offsets.setInt((long) out * BaseVariableWidthVector.OFFSET_WIDTH, end);
        }
        if (!present(i)) {
          if (kept) {
            out++;
          }
          continue;
        }
        byte[] source;
        int from;
        int length;
        if (dictionaryEncoded) {
          int id = ids[idAt++];
          if (!kept) {
            continue;
          }
          source = dictionary;
          from = dictionaryOffsets[id];
          length = dictionaryOffsets[id + 1] - from;
        } else {
          source = data;
          length = (int) INT_LE.get(data, dataAt);
          from = dataAt + 4;
          dataAt = from + length;
          if (!kept) {
            continue;
          }
          if (required != null && required.indexOf(data, from, from + length) < 0) {
            length = 0; // the filter drops the row: an empty value fails it the same way
          }
        }
        if (end + (long) length > capacity) {
          while (end + (long) length > capacity) {
            vector.reallocDataBuffer();
            capacity = vector.getDataBuffer().capacity();
          }
          values = vector.getDataBuffer();
        }
        values.setBytes(end, source, from, length);
        end += length;
        BitVectorHelper.setBit(validity, out++);
      }
      return ((long) out << 32) | (end & 0xFFFFFFFFL);
    }

    /**
     * {@link #readStrings} for the common case of a log line column: every one of the {@code n}
     * values present, plain-encoded and kept. The page's length-prefixed values are copied
     * straight to the buffer's memory, offsets written without per-value bounds checks (the
     * offset buffer holds the vector's {@code count + 1} offsets, allocated for them), and the
     * validity bits set in one go.
     */
    private long readPlainStrings(BaseVariableWidthVector vector, int out, int n, int end) {
      long offsets = vector.getOffsetBuffer().memoryAddress();
      long capacity = vector.getDataBuffer().capacity();
      long values = vector.getDataBuffer().memoryAddress();
      byte[] page = data;
      int at = dataAt;
      for (int i = 0; i < n; i++) {
        int length = (int) INT_LE.get(page, at);
        at += 4;
        if (at + length > page.length || length < 0) {
          throw new IllegalStateException("string value past the end of its page in " + descriptor);
        }
        if (end + (long) length > capacity) {
          while (end + (long) length > capacity) {
            vector.reallocDataBuffer();
            capacity = vector.getDataBuffer().capacity();
          }
          values = vector.getDataBuffer().memoryAddress();
          offsets = vector.getOffsetBuffer().memoryAddress();
        }
        MemoryUtil.putInt(offsets + (long) (out + i) * BaseVariableWidthVector.OFFSET_WIDTH, end);
        MemoryUtil.copyToMemory(page, at, values + end, length);
        at += length;
        end += length;
      }
      dataAt = at;
      setBits(vector.getValidityBuffer(), out, n);
      return ((long) (out + n) << 32) | (end & 0xFFFFFFFFL);
    }

    /**
     * {@link #readStrings} for a dictionary-encoded label column read whole (a stream's labels,
     * the first part of a filter): every value present and kept. The data buffer is grown once
     * for the batch, then each value is copied from the dictionary without per-value checks.
     */
    private long readDictionaryStrings(BaseVariableWidthVector vector, int out, int n, int end) {
      int[] bounds = dictionaryOffsets;
      int[] page = ids;
      int first = idAt;
      long total = end;
      for (int i = 0; i < n; i++) {
        int id = page[first + i];
        total += bounds[id + 1] - bounds[id];
      }
      if (total > Integer.MAX_VALUE) {
        throw new IllegalStateException("batch of strings over 2 GiB in " + descriptor);
      }
      while (total > vector.getDataBuffer().capacity()) {
        vector.reallocDataBuffer();
      }
      long offsets = vector.getOffsetBuffer().memoryAddress();
      long values = vector.getDataBuffer().memoryAddress();
      byte[] source = dictionary;
      for (int i = 0; i < n; i++) {
        int id = page[first + i];
        int from = bounds[id];
        int length = bounds[id + 1] - from;
        MemoryUtil.putInt(offsets + (long) (out + i) * BaseVariableWidthVector.OFFSET_WIDTH, end);
        MemoryUtil.copyToMemory(source, from, values + end, length);
        end += length;
      }
      idAt = first + n;
      setBits(vector.getValidityBuffer(), out, n);
      return ((long) (out + n) << 32) | (end & 0xFFFFFFFFL);
    }

    /**
     * {@link #readPlainStrings} when the filter requires bytes in every value it keeps: the page
     * is searched once from the first value on, and only a value holding a match is copied; the
     * others become empty strings (present, so the filter drops them as it would the real ones).
     * A match is the first at or after a value's start; one that starts before it (in an earlier
     * value or a length prefix) is searched again from there, one that runs past the value's end
     * means the value holds none, since any later one would run past it too.
     */
    private long readPlainStringsContaining(
        BaseVariableWidthVector vector, int out, int n, int end) {
      long offsets = vector.getOffsetBuffer().memoryAddress();
      long capacity = vector.getDataBuffer().capacity();
      long values = vector.getDataBuffer().memoryAddress();
      byte[] page = data;
      int at = dataAt;
      int needle = required.length();
      int hit = pageHit;
      for (int i = 0; i < n; i++) {
        int length = (int) INT_LE.get(page, at);
        at += 4;
        if (at + length > page.length || length < 0) {
          throw new IllegalStateException("string value past the end of its page in " + descriptor);
        }
        if (hit != -1 && hit < at) {
          hit = required.indexOf(page, at, page.length);
        }
        MemoryUtil.putInt(offsets + (long) (out + i) * BaseVariableWidthVector.OFFSET_WIDTH, end);
        if (hit >= 0 && hit + needle <= at + length) {
          if (end + (long) length > capacity) {
            while (end + (long) length > capacity) {
              vector.reallocDataBuffer();
              capacity = vector.getDataBuffer().capacity();
            }
            values = vector.getDataBuffer().memoryAddress();
            offsets = vector.getOffsetBuffer().memoryAddress();
          }
          MemoryUtil.copyToMemory(page, at, values + end, length);
          end += length;
        }
        at += length;
      }
      dataAt = at;
      pageHit = hit;
      setBits(vector.getValidityBuffer(), out, n);
      return ((long) (out + n) << 32) | (end & 0xFFFFFFFFL);
    }

    private boolean present(int i) {
      return maxDefinition == 0 || definitions[definitionAt + i] == maxDefinition;
    }

    private boolean allPresent(int n) {
      if (maxDefinition == 0) {
        return true;
      }
      for (int i = 0; i < n; i++) {
        if (definitions[definitionAt + i] != maxDefinition) {
          return false;
        }
      }
      return true;
    }
    /** Sets validity bits {@code [from, from + n)}. */
    private static void setBits(ArrowBuf validity, int from, int n) {
      int i = from;
      int end = from + n;
      while (i < end && (i & 7) != 0) {
        BitVectorHelper.setBit(validity, i++);
      }
      int wholeBytes = (end - i) >>> 3;
      if (wholeBytes > 0) {
        validity.setOne(i >>> 3, wholeBytes);
        i += wholeBytes << 3;
      }
      while (i < end) {
        BitVectorHelper.setBit(validity, i++);
      }
    }
  }
}

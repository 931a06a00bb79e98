package io.icegate.storage.parquet;

import io.icegate.storage.scan.ByteSearch;
import io.icegate.storage.scan.RowFilter;
import io.icegate.storage.scan.ScanSplit;
import io.icegate.storage.table.ArrowSchemas;
import io.icegate.storage.table.ArrowSelection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.iceberg.Schema;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.io.CloseableIterator;
import org.apache.iceberg.parquet.ParquetBloomRowGroupFilter;
import org.apache.iceberg.parquet.ParquetDictionaryRowGroupFilter;
import org.apache.iceberg.parquet.ParquetMetricsRowGroupFilter;
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.statistics.LongStatistics;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
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
  /** The data file, where its substring index may be kept ({@link FooterCache}); null for WAL. */
  private FooterCache.FileKey fileKey;
  private int nextRowGroup;
  private int substringSkipped;
  private int valuelessChunks;
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
      reader = openReader(split, input, options.build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      ColumnarArrowReader result = resolve(reader, projection, filter, target, batchRows);
      if (result == null) {
        reader.close();
      } else {
        result.input = input;
        if (!split.file().wal()) {
          result.fileKey =
              new FooterCache.FileKey(split.file().file().location(), split.file().bytes());
        }
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

  /** A reader of {@code split}; a data file's footer comes from {@link FooterCache}. */
  private static ParquetFileReader openReader(
      ScanSplit split, org.apache.parquet.io.InputFile input, ParquetReadOptions options)
      throws IOException {
    if (split.file().wal()) {
      return ParquetFileReader.open(input, options);
    }
    FooterCache.Key key =
        new FooterCache.Key(
            split.file().file().location(), split.file().bytes(), split.start(), split.length());
    ParquetMetadata footer = FooterCache.get(key);
    if (footer == null) {
      ParquetFileReader reader = ParquetFileReader.open(input, options);
      FooterCache.put(key, reader.getFooter());
      return reader;
    }
    org.apache.parquet.io.SeekableInputStream stream = input.newStream();
    try {
      return new ParquetFileReader(input, footer, options, stream);
    } catch (IOException | RuntimeException e) {
      stream.close();
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
        columns[i] =
            new LeafColumn(fileSchema.getColumnDescription(new String[] {stored.getName()}));
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
      for (LeafColumn leaf : column.leaves()) {
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
        new LeafColumn(
            fileSchema.getColumnDescription(new String[] {base[0], base[1], key.getName()})),
        new LeafColumn(
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
    for (int i : late) {
      if (columns[i] instanceof MapColumn map) {
        map.keepKeys(filter.mapKeys(names.get(i)));
      }
    }
    RowFilter.ColumnBound bound = filter.bound();
    this.boundAt = bound == null ? -1 : names.indexOf(bound.column());
    for (int i : first) {
      RowFilter.EntryTest test = filter.entryTest(names.get(i));
      if (test != null && columns[i] instanceof LeafColumn column
          && column.physical == PrimitiveTypeName.BINARY) {
        column.entryTest = test;
      }
      byte[] needle = filter.requiredBytes(names.get(i));
      if (needle != null && needle.length > 0 && columns[i] instanceof LeafColumn column
          && column.physical == PrimitiveTypeName.BINARY) {
        column.required = new ByteSearch(needle);
        List<byte[]> needles = new ArrayList<>(filter.allRequiredBytes(names.get(i)));
        needles.add(needle);
        skipBySubstringIndex(column.descriptor.getPath()[0], needles);
      }
    }
    return this;
  }

  /**
   * Marks the row groups not read yet that the file's {@link SubstringIndex} of {@code column}
   * shows to hold no value containing one of {@code needles} (a row filter's required bytes, every
   * one of which a kept value contains) as skipped. A file without an index of that column, or an
   * index that can't be read, skips nothing.
   */
  private void skipBySubstringIndex(String column, List<byte[]> needles) {
    needles = needles.stream().filter(n -> n.length >= 3).toList();
    if (input == null || needles.isEmpty()) {
      return;
    }
    SubstringIndex.Location location =
        SubstringIndex.Location.parse(
            reader.getFooter().getFileMetaData().getKeyValueMetaData().get(SubstringIndex.KEY));
    if (location == null || !location.column().equals(column)) {
      return;
    }
    SubstringIndex index;
    try {
      index = SubstringIndex.parse(substringIndexBlob(location));
    } catch (IOException | IllegalArgumentException e) {
      return; // an unreadable index only costs the pruning
    }
    try {
      for (int g = nextRowGroup; g < rowGroups.size(); g++) {
        for (byte[] needle : needles) {
          if (!skip[g] && !index.mayContain(rowGroups.get(g).getStartingPos(), needle)) {
            skip[g] = true;
            substringSkipped++;
          }
        }
      }
    } catch (IllegalArgumentException e) {
      // a corrupt bitmap: the row groups from there on are read
    }
  }

  /** The file's index blob: kept by {@link FooterCache} for a data file, read for a segment. */
  private byte[] substringIndexBlob(SubstringIndex.Location location) throws IOException {
    byte[] blob = fileKey == null ? null : FooterCache.substringIndex(fileKey);
    if (blob != null && blob.length == location.length()) {
      return blob;
    }
    blob = new byte[location.length()];
    try (org.apache.parquet.io.SeekableInputStream in = input.newStream()) {
      in.seek(location.offset());
      in.readFully(blob);
    }
    if (fileKey != null) {
      FooterCache.putSubstringIndex(fileKey, blob);
    }
    return blob;
  }

  /**
   * Column chunks read so far whose statistics showed no value (see {@link
   * ColumnReader#valueless}): answered as nulls or empty maps, their pages never read.
   */
  public int valuelessChunks() {
    return valuelessChunks;
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
          column.start(pages, rowGroups.get(group), reader);
          if (column.valueless()) {
            valuelessChunks++;
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
    if (index < 0 || !(columns[index] instanceof LeafColumn column)
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

}

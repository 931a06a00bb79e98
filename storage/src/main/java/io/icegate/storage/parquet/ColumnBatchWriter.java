package io.icegate.storage.parquet;

import com.github.luben.zstd.ZstdCompressCtx;
import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Writes Arrow batches into parquet-java's column store one column at a time: for each slice of
 * a batch, every Parquet leaf column gets all of the slice's values in one loop (repetition and
 * definition levels computed from the Arrow offsets and validity), and only then are the rows
 * ended. Row-by-row writing through a record consumer walks the whole schema per row (start and
 * end every field and group, fill in the missing ones) and that bookkeeping cost as much as
 * encoding the values; here it is gone, and each column's loop stays on one encoder.
 *
 * <p>The file is the one parquet-java's record writer makes from the same settings: same
 * schema and field ids, encodings, dictionaries, statistics, page and row-group limits; pages are
 * ZSTD frames made with zstd-jni directly (one compression context per file), which any Parquet
 * ZSTD reader decodes.
 */
final class ColumnBatchWriter {
  /** Rows per column pass: bounds how far one column runs ahead of the page-size checks. */
  private static final int SLICE = 4096;

  /** Fewest rows between two measurements of a row group (Iceberg's writer's minimum). */
  private static final int MIN_SLICE = 100;

  private ColumnBatchWriter() {}

  static void write(
      MessageType type,
      ParquetProperties props,
      List<VectorSchemaRoot> batches,
      OutputFile out,
      Map<String, String> footerMetadata,
      ArrowParquetWriter.Options options)
      throws IOException {
    try (Session session = new Session(type, props, out, options, false)) {
      for (VectorSchemaRoot batch : batches) {
        session.add(batch);
      }
      session.finish(footerMetadata);
    }
  }

  /**
   * One file written batch by batch: {@link #add} encodes a batch into the open row group (and
   * flushes the group once it reaches the row-group size), {@link #finish} writes the last group
   * and the footer. {@link #write} is one session over a list of batches; compaction adds its
   * sorted batches one at a time, so only one of them is in memory.
   */
  static final class Session implements AutoCloseable {
    private final MessageType type;
    private final ParquetProperties props;
    private final ArrowParquetWriter.Options options;
    private final Zstd compressor;
    private final ParquetFileWriter file;
    private final boolean withinBatches;
    private final CapturedOutput output;
    private RowGroup group;
    /** The trigrams of one string column (see {@link #indexSubstrings}), or null. */
    private SubstringIndex.Builder substrings;
    private String substringColumn;

    /**
     * {@code withinBatches}: end a row group as soon as it reaches the row-group size, inside a
     * batch if need be, measuring it after slices sized as Iceberg's writer spaces its checks
     * (half the rows the group still has room for, 100 to {@value #SLICE}); otherwise (the WAL)
     * a group ends only after a whole batch.
     */
    Session(MessageType type, ParquetProperties props, OutputFile out,
        ArrowParquetWriter.Options options, boolean withinBatches) throws IOException {
      this.type = type;
      this.props = props;
      this.options = options;
      this.withinBatches = withinBatches;
      this.compressor = new Zstd(options.zstdLevel(), options.codec());
      this.output = new CapturedOutput(out);
      try {
        this.file =
            new ParquetFileWriter(
                output, type, ParquetFileWriter.Mode.CREATE, options.rowGroupBytes(), 0, null,
                props);
        file.start();
      } catch (IOException | RuntimeException e) {
        compressor.close();
        throw e;
      }
    }

    /**
     * Keeps a {@link SubstringIndex} of the top-level string column {@code column}, written into
     * the file by {@link #finish}. Before the first {@link #add}.
     */
    void indexSubstrings(String column) {
      if (group != null) {
        throw new IllegalStateException("rows already added");
      }
      this.substrings = new SubstringIndex.Builder();
      this.substringColumn = column;
    }

    /** Encodes every row of {@code batch}, in order; the caller keeps the batch. */
    void add(VectorSchemaRoot batch) throws IOException {
      if (group == null) {
        group = new RowGroup(type, props, compressor, batch);
      }
      List<Leaf> leaves = plan(type, batch);
      BaseVariableWidthVector indexed =
          substrings != null
                  && batch.getVector(substringColumn) instanceof BaseVariableWidthVector strings
              ? strings
              : null;
      int rows = batch.getRowCount();
      int from = 0;
      while (from < rows) {
        if (group == null) {
          group = new RowGroup(type, props, compressor, batch);
        }
        int to = Math.min(rows, from + (withinBatches ? nextSlice() : SLICE));
        for (int c = 0; c < leaves.size(); c++) {
          Node node = leaves.get(c).node;
          ColumnFlatPages flat = group.flat[c];
          if (flat != null) {
            if (node == ABSENT) {
              flat.appendNulls(to - from);
            } else if (node instanceof RepeatedNode map) {
              map.appendTo(flat, from, to);
            } else {
              ((LeafNode) node).values.appendTo(flat, from, to);
            }
            continue;
          }
          ColumnWriter writer = group.writers[c];
          for (int row = from; row < to; row++) {
            node.write(writer, row, 0, 0);
          }
        }
        if (group.store != null) {
          for (int row = from; row < to; row++) {
            group.store.endRecord();
          }
        }
        if (indexed != null) {
          substrings.add(indexed, from, to);
        }
        group.rows += to - from;
        from = to;
        if (withinBatches && group.bufferedBytes() >= options.rowGroupBytes()) {
          flushGroup();
        }
      }
      if (group != null && group.bufferedBytes() >= options.rowGroupBytes()) {
        flushGroup();
      }
    }

    /** Writes the open row group (ending its substring index entry first). */
    private void flushGroup() throws IOException {
      RowGroup full = group;
      group = null;
      if (substrings != null) {
        substrings.endRowGroup(file.getPos());
      }
      full.flush(file);
    }

    /** Rows to write before the open group's size is measured again. */
    private int nextSlice() {
      if (group.rows == 0) {
        return MIN_SLICE;
      }
      double perRow = (double) group.bufferedBytes() / group.rows;
      double room = options.rowGroupBytes() - group.bufferedBytes();
      long half = perRow <= 0 ? SLICE : (long) (room / perRow / 2);
      return (int) Math.max(MIN_SLICE, Math.min(SLICE, half));
    }

    /** Writes the open row group and the footer; the file's footer as written. */
    ParquetMetadata finish(Map<String, String> footerMetadata) throws IOException {
      if (group != null && group.rows > 0) {
        flushGroup();
      }
      Map<String, String> metadata = footerMetadata;
      if (substrings != null && substrings.hasRowGroups()) {
        // After the last row group, before the page indexes and footer that end() writes: no
        // Parquet reader looks at bytes the footer does not point to.
        byte[] blob = substrings.toBytes();
        long offset = file.getPos();
        output.stream().write(blob);
        metadata = new java.util.HashMap<>(footerMetadata);
        metadata.put(SubstringIndex.KEY,
            SubstringIndex.entry(substringColumn, offset, blob.length));
      }
      file.end(metadata);
      return file.getFooter();
    }

    /** The file's length so far: its final size once {@link #finish} returned. */
    long position() throws IOException {
      return file.getPos();
    }

    @Override
    public void close() throws IOException {
      try {
        if (group != null) {
          RowGroup open = group;
          group = null;
          open.close();
        }
      } finally {
        try {
          file.close();
        } finally {
          compressor.close();
        }
      }
    }
  }

  /**
   * One row group: top-level primitive columns and required string maps encoded straight into
   * pages ({@link ColumnFlatPages}), the other nested ones (lists, structs, other maps) through
   * parquet-java's column store; both into one page store, which lays the chunks out in schema
   * order.
   */
  private static final class RowGroup {
    final ColumnChunkPageWriteStore pages;
    final ColumnWriteStore store; // null when every column is flat
    final ColumnWriter[] writers; // by leaf column, null for flat ones
    final ColumnFlatPages[] flat; // by leaf column, null for nested ones
    long rows;

    RowGroup(MessageType type, ParquetProperties props, Zstd compressor, VectorSchemaRoot first) {
      pages =
          new ColumnChunkPageWriteStore(
              compressor, type, props.getAllocator(), props.getColumnIndexTruncateLength(),
              props.getPageWriteChecksumEnabled());
      List<ColumnDescriptor> columns = type.getColumns();
      writers = new ColumnWriter[columns.size()];
      flat = new ColumnFlatPages[columns.size()];
      List<Type> nested = new ArrayList<>();
      int leaf = 0;
      for (Type field : type.getFields()) {
        ColumnFlatPages.Kind kind = field.isPrimitive() ? flatKind(first.getVector(field.getName()))
            : null;
        if (kind != null) {
          ColumnDescriptor column = columns.get(leaf);
          flat[leaf] = new ColumnFlatPages(column, pages.getPageWriter(column), props, kind);
          leaf++;
        } else if (flatMap(field, first.getVector(field.getName()))) {
          for (int i = 0; i < 2; i++, leaf++) {
            ColumnDescriptor column = columns.get(leaf);
            flat[leaf] =
                new ColumnFlatPages(
                    column, pages.getPageWriter(column), props, ColumnFlatPages.Kind.BINARY);
          }
        } else {
          nested.add(field);
          leaf += field.isPrimitive() ? 1 : countLeaves(field.asGroupType());
        }
      }
      if (nested.isEmpty()) {
        store = null;
      } else {
        store = props.newColumnWriteStore(new MessageType(type.getName(), nested), pages, pages);
        for (int i = 0; i < writers.length; i++) {
          if (flat[i] == null) {
            writers[i] = store.getColumnWriter(columns.get(i));
          }
        }
      }
    }

    long bufferedBytes() {
      long bytes = store == null ? 0 : store.getBufferedSize();
      for (ColumnFlatPages f : flat) {
        if (f != null) {
          bytes += f.bufferedBytes();
        }
      }
      return bytes;
    }

    void flush(ParquetFileWriter file) throws IOException {
      try {
        file.startBlock(rows);
        for (ColumnFlatPages f : flat) {
          if (f != null) {
            f.finish();
          }
        }
        if (store != null) {
          store.flush();
        }
        pages.flushToFileWriter(file);
        file.endBlock();
      } finally {
        close();
      }
    }

    void close() {
      if (store != null) {
        store.close();
      }
      pages.close();
    }
  }

  /** How a top-level column is encoded straight into pages, or null to go through the store. */
  private static ColumnFlatPages.Kind flatKind(FieldVector vector) {
    if (vector instanceof VarCharVector || vector instanceof VarBinaryVector) {
      return ColumnFlatPages.Kind.BINARY;
    } else if (vector instanceof TimeStampVector || vector instanceof BigIntVector) {
      return ColumnFlatPages.Kind.INT64;
    } else if (vector instanceof IntVector) {
      return ColumnFlatPages.Kind.INT32;
    } else if (vector instanceof FixedSizeBinaryVector) {
      return ColumnFlatPages.Kind.FIXED;
    }
    return null;
  }

  /**
   * True for a required top-level map of required string (or binary) keys and values, such as
   * the attribute columns: its two leaf columns are encoded straight into pages too, which the
   * column store did one level pair and one value at a time.
   */
  private static boolean flatMap(Type field, FieldVector vector) {
    if (field.isPrimitive()
        || !field.isRepetition(Type.Repetition.REQUIRED)
        || !(field.getLogicalTypeAnnotation()
            instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation)
        || !(vector instanceof MapVector map)) {
      return false;
    }
    GroupType keyValue = field.asGroupType().getType(0).asGroupType();
    if (keyValue.getFieldCount() != 2) {
      return false;
    }
    StructVector entries = (StructVector) map.getDataVector();
    for (int i = 0; i < 2; i++) {
      Type leaf = keyValue.getType(i);
      if (!leaf.isPrimitive()
          || !leaf.isRepetition(Type.Repetition.REQUIRED)
          || leaf.asPrimitiveType().getPrimitiveTypeName()
              != org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY
          || flatKind((FieldVector) entries.getChildByOrdinal(i))
              != ColumnFlatPages.Kind.BINARY) {
        return false;
      }
    }
    return true;
  }

  /** ZSTD pages through zstd-jni, one context reused for every page of a file. */
  private static final class Zstd
      implements CompressionCodecFactory.BytesInputCompressor, AutoCloseable {
    private final ZstdCompressCtx context;
    private final CompressionCodecName codec;

    Zstd(int level, CompressionCodecName codec) {
      if (codec != CompressionCodecName.ZSTD) {
        throw new IllegalArgumentException("the column writer compresses with ZSTD only");
      }
      this.codec = codec;
      this.context = new ZstdCompressCtx();
      context.setLevel(level);
    }

    @Override
    public BytesInput compress(BytesInput bytes) throws IOException {
      return BytesInput.from(context.compress(bytes.toByteArray()));
    }

    @Override
    public CompressionCodecName getCodecName() {
      return codec;
    }

    @Override
    public void release() {}

    @Override
    public void close() {
      context.close();
    }
  }

  /** A Parquet leaf column and how its values and levels come out of one batch. */
  private record Leaf(ColumnDescriptor column, Node node) {}

  /**
   * The batch's part of every leaf column, in the schema's column order. A table column the batch
   * lacks (added to the table after the batch's code was written) is all null if the table allows
   * it; a batch column the table lacks is an error.
   */
  private static List<Leaf> plan(MessageType type, VectorSchemaRoot batch) {
    for (FieldVector vector : batch.getFieldVectors()) {
      if (!type.containsField(vector.getName())) {
        throw new IllegalArgumentException(
            "batch column " + vector.getName() + " is not in the table");
      }
    }
    List<Node> nodes = new ArrayList<>();
    for (Type field : type.getFields()) {
      FieldVector vector = batch.getVector(field.getName());
      if (vector == null) {
        if (field.isRepetition(Type.Repetition.REQUIRED)) {
          throw new IllegalArgumentException(
              "the batch has no column for the table's required column " + field.getName());
        }
        int leaves = field.isPrimitive() ? 1 : countLeaves(field.asGroupType());
        for (int i = 0; i < leaves; i++) {
          nodes.add(ABSENT);
        }
        continue;
      }
      collect(field, vector, 0, UnaryOperator.identity(), nodes);
    }
    List<ColumnDescriptor> columns = type.getColumns();
    if (columns.size() != nodes.size()) {
      throw new IllegalStateException(
          "planned " + nodes.size() + " leaf columns for " + columns.size());
    }
    List<Leaf> leaves = new ArrayList<>(nodes.size());
    for (int i = 0; i < nodes.size(); i++) {
      leaves.add(new Leaf(columns.get(i), nodes.get(i)));
    }
    return leaves;
  }

  private static int countLeaves(GroupType group) {
    int n = 0;
    for (Type t : group.getFields()) {
      n += t.isPrimitive() ? 1 : countLeaves(t.asGroupType());
    }
    return n;
  }

  /**
   * Adds the leaves under {@code type} (Arrow {@code vector}) in depth-first field order, the
   * order of {@link MessageType#getColumns}; {@code outer} wraps a leaf's node in its ancestors'.
   */
  private static void collect(
      Type type, FieldVector vector, int repetition, UnaryOperator<Node> outer, List<Node> out) {
    boolean optional = type.isRepetition(Type.Repetition.OPTIONAL);
    if (type.isPrimitive()) {
      out.add(outer.apply(new LeafNode(Values.of(vector), optional, type.getName())));
      return;
    }
    GroupType group = type.asGroupType();
    LogicalTypeAnnotation logical = group.getLogicalTypeAnnotation();
    if (logical instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation) {
      MapVector map = (MapVector) vector;
      GroupType keyValue = group.getType(0).asGroupType();
      StructVector entries = (StructVector) map.getDataVector();
      Repeated repeated = new Repeated(map, optional, repetition + 1);
      UnaryOperator<Node> inner = child -> outer.apply(repeated.over(child));
      for (int i = 0; i < keyValue.getFieldCount(); i++) {
        collect(keyValue.getType(i), (FieldVector) entries.getChildByOrdinal(i), repetition + 1,
            inner, out);
      }
    } else if (logical instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
      ListVector list = (ListVector) vector;
      GroupType repeatedGroup = group.getType(0).asGroupType();
      Repeated repeated = new Repeated(list, optional, repetition + 1);
      collect(repeatedGroup.getType(0), list.getDataVector(), repetition + 1,
          child -> outer.apply(repeated.over(child)), out);
    } else {
      StructVector struct = (StructVector) vector;
      byte[] validity = validity(struct);
      for (Type field : group.getFields()) {
        FieldVector child = (FieldVector) struct.getChild(field.getName());
        if (child == null) {
          throw new IllegalArgumentException("struct " + type.getName() + " has no field "
              + field.getName());
        }
        collect(field, child, repetition,
            c -> outer.apply(new StructNode(validity, optional, c)), out);
      }
    }
  }

  /** Writes one row's (or element's) part of a leaf column at the given levels. */
  private abstract static class Node {
    abstract void write(ColumnWriter w, int index, int repetition, int definition);
  }

  /** A column the batch does not have: null in every row. */
  private static final Node ABSENT =
      new Node() {
        @Override
        void write(ColumnWriter w, int index, int repetition, int definition) {
          w.writeNull(repetition, definition);
        }
      };

  private static final class LeafNode extends Node {
    final Values values;
    private final boolean optional;
    private final String name;

    LeafNode(Values values, boolean optional, String name) {
      this.values = values;
      this.optional = optional;
      this.name = name;
    }

    @Override
    void write(ColumnWriter w, int index, int repetition, int definition) {
      if (values.isNull(index)) {
        if (!optional) {
          throw new IllegalArgumentException("null in required column " + name);
        }
        w.writeNull(repetition, definition);
      } else {
        values.write(w, index, repetition, optional ? definition + 1 : definition);
      }
    }
  }

  private static final class StructNode extends Node {
    private final byte[] validity;
    private final boolean optional;
    private final Node child;

    StructNode(byte[] validity, boolean optional, Node child) {
      this.validity = validity;
      this.optional = optional;
      this.child = child;
    }

    @Override
    void write(ColumnWriter w, int index, int repetition, int definition) {
      if (optional && isNull(validity, index)) {
        w.writeNull(repetition, definition);
      } else {
        child.write(w, index, repetition, optional ? definition + 1 : definition);
      }
    }
  }

  /** A list's or map's offsets and validity, shared by the nodes of its leaf columns. */
  private static final class Repeated {
    final byte[] validity;
    final int[] offsets;
    final boolean optional;
    final int level;

    Repeated(FieldVector vector, boolean optional, int level) {
      this.validity = validity(vector);
      this.offsets = offsets(vector.getOffsetBuffer(), vector.getValueCount());
      this.optional = optional;
      this.level = level;
    }

    Node over(Node child) {
      return new RepeatedNode(this, child);
    }
  }

  /**
   * Parquet's three-level list and map layout: the optional outer group, the repeated group (one
   * per element; an empty list is a null at the outer group's level), then the element.
   */
  private static final class RepeatedNode extends Node {
    private final byte[] validity;
    private final int[] offsets;
    private final boolean optional;
    private final int level;
    private final Node child;

    RepeatedNode(Repeated repeated, Node child) {
      this.validity = repeated.validity;
      this.offsets = repeated.offsets;
      this.optional = repeated.optional;
      this.level = repeated.level;
      this.child = child;
    }

    @Override
    void write(ColumnWriter w, int index, int repetition, int definition) {
      if (isNull(validity, index)) {
        if (!optional) {
          throw new IllegalArgumentException("null list or map in a required column");
        }
        w.writeNull(repetition, definition);
        return;
      }
      int present = optional ? definition + 1 : definition;
      int start = offsets[index];
      int end = offsets[index + 1];
      if (start == end) {
        w.writeNull(repetition, present);
        return;
      }
      child.write(w, start, repetition, present + 1);
      for (int e = start + 1; e < end; e++) {
        child.write(w, e, level, present + 1);
      }
    }

    /** Rows {@code from} to {@code to} of a map column chosen by {@link #flatMap}. */
    void appendTo(ColumnFlatPages pages, int from, int to) throws IOException {
      if (!(child instanceof LeafNode leaf) || !(leaf.values instanceof VariableWidth values)) {
        throw new IllegalStateException("a flat map column needs string keys and values");
      }
      pages.appendRepeatedBinary(
          validity, offsets, values.validity, values.offsets, values.data, from, to);
    }
  }

  /** One Arrow leaf vector's values, copied to the heap (see {@link ArrowParquetWriter}). */
  private abstract static class Values {
    private final byte[] validity;

    Values(FieldVector vector) {
      this.validity = validity(vector);
    }

    final boolean isNull(int index) {
      return ColumnBatchWriter.isNull(validity, index);
    }

    abstract void write(ColumnWriter w, int index, int repetition, int definition);

    /** Rows {@code from} to {@code to} into a column encoded straight into pages. */
    void appendTo(ColumnFlatPages pages, int from, int to) throws IOException {
      throw new IllegalArgumentException(
          "a column of " + getClass().getSimpleName() + " values is not written flat");
    }

    static Values of(FieldVector vector) {
      if (vector instanceof VarCharVector || vector instanceof VarBinaryVector) {
        return new VariableWidth((BaseVariableWidthVector) vector);
      } else if (vector instanceof TimeStampVector || vector instanceof BigIntVector) {
        return new Int64((BaseFixedWidthVector) vector);
      } else if (vector instanceof IntVector v) {
        return new Int32(v);
      } else if (vector instanceof Float8Vector v) {
        return new Float64(v);
      } else if (vector instanceof BitVector v) {
        return new Bool(v);
      } else if (vector instanceof FixedSizeBinaryVector v) {
        return new FixedWidth(v);
      }
      throw new UnsupportedOperationException(
          "no Parquet column writer for Arrow type " + vector.getField().getType());
    }
  }

  private static final class VariableWidth extends Values {
    private final byte[] validity;
    private final int[] offsets;
    private final byte[] data;

    VariableWidth(BaseVariableWidthVector vector) {
      super(vector);
      validity = validity(vector);
      int count = vector.getValueCount();
      offsets = offsets(vector.getOffsetBuffer(), count);
      data = bytes(vector.getDataBuffer(), offsets[count]);
    }

    @Override
    void appendTo(ColumnFlatPages pages, int from, int to) throws IOException {
      pages.appendBinary(validity, offsets, data, from, to);
    }

    @Override
    void write(ColumnWriter w, int index, int repetition, int definition) {
      int start = offsets[index];
      w.write(Binary.fromConstantByteArray(data, start, offsets[index + 1] - start), repetition,
          definition);
    }
  }

  private static final class FixedWidth extends Values {
    private final byte[] validity;
    private final int width;
    private final byte[] data;

    FixedWidth(FixedSizeBinaryVector vector) {
      super(vector);
      validity = validity(vector);
      width = vector.getByteWidth();
      data = bytes(vector.getDataBuffer(), (long) width * vector.getValueCount());
    }

    @Override
    void appendTo(ColumnFlatPages pages, int from, int to) throws IOException {
      pages.appendFixed(validity, data, from, to);
    }

    @Override
    void write(ColumnWriter w, int index, int repetition, int definition) {
      w.write(Binary.fromConstantByteArray(data, index * width, width), repetition, definition);
    }
  }

  /** 64-bit values as their little-endian bytes, which is also Parquet's PLAIN layout. */
  private static final class Int64 extends Values {
    private final byte[] validity;
    private final byte[] data;

    Int64(BaseFixedWidthVector vector) {
      super(vector);
      validity = validity(vector);
      data = bytes(vector.getDataBuffer(), (long) vector.getValueCount() * 8);
    }

    @Override
    void write(ColumnWriter w, int index, int repetition, int definition) {
      w.write(ColumnFlatPages.longAt(data, index * 8), repetition, definition);
    }

    @Override
    void appendTo(ColumnFlatPages pages, int from, int to) throws IOException {
      pages.appendFixed(validity, data, from, to);
    }
  }

  private static final class Int32 extends Values {
    private final byte[] validity;
    private final byte[] data;

    Int32(IntVector vector) {
      super(vector);
      validity = validity(vector);
      data = bytes(vector.getDataBuffer(), (long) vector.getValueCount() * 4);
    }

    @Override
    void write(ColumnWriter w, int index, int repetition, int definition) {
      w.write(ColumnFlatPages.intAt(data, index * 4), repetition, definition);
    }

    @Override
    void appendTo(ColumnFlatPages pages, int from, int to) throws IOException {
      pages.appendFixed(validity, data, from, to);
    }
  }

  private static final class Float64 extends Values {
    private final Float8Vector vector;

    Float64(Float8Vector vector) {
      super(vector);
      this.vector = vector;
    }

    @Override
    void write(ColumnWriter w, int index, int repetition, int definition) {
      w.write(vector.get(index), repetition, definition);
    }
  }

  private static final class Bool extends Values {
    private final BitVector vector;

    Bool(BitVector vector) {
      super(vector);
      this.vector = vector;
    }

    @Override
    void write(ColumnWriter w, int index, int repetition, int definition) {
      w.write(vector.get(index) == 1, repetition, definition);
    }
  }

  private static byte[] validity(FieldVector vector) {
    return bytes(vector.getValidityBuffer(), (vector.getValueCount() + 7) / 8);
  }

  private static boolean isNull(byte[] validity, int index) {
    return (validity[index >> 3] & (1 << (index & 7))) == 0;
  }

  private static byte[] bytes(ArrowBuf buffer, long length) {
    byte[] out = new byte[Math.toIntExact(length)];
    if (length > 0) {
      buffer.getBytes(0, out);
    }
    return out;
  }

  /** The {@code count + 1} offsets of a variable-width or repeated vector. */
  private static int[] offsets(ArrowBuf buffer, int count) {
    int[] out = new int[count + 1];
    if (count > 0) {
      buffer.nioBuffer(0, (count + 1) * 4).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
    }
    return out;
  }

  /** An output file that keeps the stream it made, to write bytes between Parquet's own. */
  private static final class CapturedOutput implements OutputFile {
    private final OutputFile file;
    private PositionOutputStream stream;

    CapturedOutput(OutputFile file) {
      this.file = file;
    }

    PositionOutputStream stream() {
      if (stream == null) {
        throw new IllegalStateException("not created");
      }
      return stream;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) throws IOException {
      stream = file.create(blockSizeHint);
      return stream;
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
      stream = file.createOrOverwrite(blockSizeHint);
      return stream;
    }

    @Override
    public boolean supportsBlockSize() {
      return file.supportsBlockSize();
    }

    @Override
    public long defaultBlockSize() {
      return file.defaultBlockSize();
    }

    @Override
    public String getPath() {
      return file.getPath();
    }
  }
}

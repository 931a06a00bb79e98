package io.icegate.storage.parquet;

import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Schema;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Writes Arrow batches as Parquet in an Iceberg table's schema (Parquet field ids = Iceberg field
 * ids), so a file written here is a valid data file of that table: compaction can commit it or
 * rewrite it, and Iceberg's readers resolve its columns by id.
 *
 * <p>No row objects are built: per batch, each column gets a small writer over a heap copy of its
 * Arrow buffers (one bulk copy per buffer), and rows go from there into Parquet's column writers.
 * The copies are what Parquet's dictionaries and statistics keep and compare: byte-array values
 * hash and compare several times faster than views over direct memory, and creating a view per
 * value costs a reflective constructor call.
 */
public final class ArrowParquetWriter {
  /**
   * Parquet settings. WAL segments: small row groups keep memory low while writing; ZSTD at a
   * low level, since compaction rewrites every segment anyway.
   */
  public record Options(int rowGroupBytes, int pageBytes, CompressionCodecName codec, int zstdLevel) {
    public static final Options WAL =
        new Options(16 * 1024 * 1024, 1024 * 1024, CompressionCodecName.ZSTD, 1);
  }

  /** How many leading rows of a column decide whether a dictionary is worth building. */
  private static final int DICTIONARY_SAMPLE = 128;

  private ArrowParquetWriter() {}

  /**
   * Writes every row of {@code batches}, in order, to {@code out}. The batches' columns must be
   * named and typed as {@code schema}'s (see {@code ArrowSchemaUtil.convert}). The caller keeps
   * ownership of the batches.
   *
   * <p>Column at a time into parquet-java's column store ({@link ColumnBatchWriter}) when the
   * codec is ZSTD (the WAL's); row by row through parquet-java's record writer otherwise.
   */
  public static void write(
      Schema schema,
      List<VectorSchemaRoot> batches,
      OutputFile out,
      Map<String, String> footerMetadata,
      Options options)
      throws IOException {
    if (options.codec() != CompressionCodecName.ZSTD) {
      writeRows(schema, batches, out, footerMetadata, options);
      return;
    }
    MessageType type = ParquetSchemaUtil.convert(schema, "table");
    ParquetProperties.Builder props =
        ParquetProperties.builder()
            .withPageSize(options.pageBytes())
            .withDictionaryEncoding(true)
            .withSizeStatisticsEnabled(false);
    if (!batches.isEmpty()) {
      // Sampled once per file: on the WAL's small segments the sampling weighed.
      List<String> plain = mostlyDistinctColumns(type, batches.get(0));
      for (String column : plain) {
        props.withDictionaryEncoding(column, false);
      }
      for (String column : withoutStatistics(type, batches.get(0), plain)) {
        props.withStatisticsEnabled(column, false);
      }
    }
    ColumnBatchWriter.write(type, props.build(), batches, out, footerMetadata, options);
  }

  /**
   * What a data file of a table is written with, beyond {@link Options}: the dictionary page
   * limit and page row limit of the table's write properties, and whether every column keeps
   * min/max statistics (as Iceberg's own writer does; the WAL's segments leave them off where
   * they would prune nothing, see {@link #write}).
   */
  public record FileSettings(
      Options options, int dictionaryPageBytes, int pageRowLimit, boolean statisticsEverywhere) {

    /**
     * The settings Iceberg's Parquet writer takes from {@code properties} (a table's): codec and
     * level, row-group, page and dictionary sizes, page row limit, each with Iceberg's default;
     * ZSTD without a level is level 3, parquet-java's default.
     */
    public static FileSettings forTable(Map<String, String> properties) {
      String codecName =
          properties.getOrDefault(
              TableProperties.PARQUET_COMPRESSION, TableProperties.PARQUET_COMPRESSION_DEFAULT);
      CompressionCodecName codec = CompressionCodecName.fromConf(codecName.toUpperCase(Locale.ROOT));
      String level = properties.get(TableProperties.PARQUET_COMPRESSION_LEVEL);
      Options options =
          new Options(
              intProperty(properties, TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES,
                  TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES_DEFAULT),
              intProperty(properties, TableProperties.PARQUET_PAGE_SIZE_BYTES,
                  TableProperties.PARQUET_PAGE_SIZE_BYTES_DEFAULT),
              codec,
              level == null ? DEFAULT_ZSTD_LEVEL : Integer.parseInt(level.trim()));
      return new FileSettings(
          options,
          intProperty(properties, TableProperties.PARQUET_DICT_SIZE_BYTES,
              TableProperties.PARQUET_DICT_SIZE_BYTES_DEFAULT),
          intProperty(properties, TableProperties.PARQUET_PAGE_ROW_LIMIT,
              TableProperties.PARQUET_PAGE_ROW_LIMIT_DEFAULT),
          true);
    }

    private static int intProperty(Map<String, String> properties, String key, int fallback) {
      String value = properties.get(key);
      return value == null ? fallback : Integer.parseInt(value.trim());
    }
  }

  /** parquet-java's ZSTD level when none is configured. */
  private static final int DEFAULT_ZSTD_LEVEL = 3;

  /**
   * Opens a file to be written batch by batch ({@link FileWriter#write}), so that a caller with
   * many rows holds only the batch it is writing. Column at a time, as {@link #write}; ZSTD only.
   * The first batch decides which columns start without a dictionary.
   */
  public static FileWriter open(
      Schema schema, OutputFile out, Map<String, String> footerMetadata, FileSettings settings) {
    if (settings.options().codec() != CompressionCodecName.ZSTD) {
      throw new IllegalArgumentException(
          "the column writer writes ZSTD only, not " + settings.options().codec());
    }
    return new FileWriter(ParquetSchemaUtil.convert(schema, "table"), out, footerMetadata,
        settings);
  }

  /** True when {@link #open} can write {@code schema}'s columns (every type the WAL uses). */
  public static boolean canWrite(org.apache.arrow.vector.types.pojo.Schema arrow) {
    for (org.apache.arrow.vector.types.pojo.Field field : arrow.getFields()) {
      if (!writable(field)) {
        return false;
      }
    }
    return true;
  }

  private static boolean writable(org.apache.arrow.vector.types.pojo.Field field) {
    org.apache.arrow.vector.types.pojo.ArrowType type = field.getType();
    boolean leaf =
        switch (type.getTypeID()) {
          case Utf8, Binary, FixedSizeBinary, Bool -> true;
          case Int -> {
            var integer = (org.apache.arrow.vector.types.pojo.ArrowType.Int) type;
            yield integer.getIsSigned() && (integer.getBitWidth() == 32
                || integer.getBitWidth() == 64);
          }
          case FloatingPoint ->
              ((org.apache.arrow.vector.types.pojo.ArrowType.FloatingPoint) type).getPrecision()
                  == org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE;
          case Timestamp -> true;
          default -> false;
        };
    if (leaf) {
      return true;
    }
    switch (type.getTypeID()) {
      case Map, List, Struct:
        for (org.apache.arrow.vector.types.pojo.Field child : field.getChildren()) {
          if (!writable(child)) {
            return false;
          }
        }
        return true;
      default:
        return false;
    }
  }

  /**
   * A Parquet file being written a batch at a time: {@link #write} each batch in order, then
   * {@link #finish}, which answers the footer as written (what Iceberg's metrics are made of);
   * {@link #close} always.
   */
  public static final class FileWriter implements AutoCloseable {
    private final MessageType type;
    private final OutputFile out;
    private final Map<String, String> footerMetadata;
    private final FileSettings settings;
    private ColumnBatchWriter.Session session;
    private long length = -1;
    private String substringColumn;

    private FileWriter(
        MessageType type, OutputFile out, Map<String, String> footerMetadata,
        FileSettings settings) {
      this.type = type;
      this.out = out;
      this.footerMetadata = footerMetadata;
      this.settings = settings;
    }

    /**
     * Also writes a {@link SubstringIndex} of the top-level string column {@code column} into
     * the file, so that scans with a line filter skip row groups that cannot match. Before the
     * first {@link #write}.
     */
    public FileWriter indexSubstrings(String column) {
      if (session != null) {
        throw new IllegalStateException("rows already written");
      }
      this.substringColumn = column;
      return this;
    }

    /** Writes every row of {@code batch} after the rows written before; the caller keeps it. */
    public void write(VectorSchemaRoot batch) throws IOException {
      if (session == null) {
        session = start(batch);
      }
      session.add(batch);
    }

    private ColumnBatchWriter.Session start(VectorSchemaRoot sample) throws IOException {
      ParquetProperties.Builder props =
          ParquetProperties.builder()
              .withPageSize(settings.options().pageBytes())
              .withDictionaryPageSize(settings.dictionaryPageBytes())
              .withPageRowCountLimit(settings.pageRowLimit())
              .withDictionaryEncoding(true)
              .withSizeStatisticsEnabled(false);
      if (sample != null) {
        for (String column : mostlyDistinctColumns(type, sample)) {
          props.withDictionaryEncoding(column, false);
        }
        if (!settings.statisticsEverywhere()) {
          for (String column : withoutStatistics(type, sample)) {
            props.withStatisticsEnabled(column, false);
          }
        }
      }
      ColumnBatchWriter.Session started =
          new ColumnBatchWriter.Session(type, props.build(), out, settings.options(), true);
      if (substringColumn != null) {
        started.indexSubstrings(substringColumn);
      }
      return started;
    }

    /** Ends the file: the footer as written. */
    public ParquetMetadata finish() throws IOException {
      if (session == null) {
        session = start(null);
      }
      ParquetMetadata footer = session.finish(footerMetadata);
      length = session.position();
      return footer;
    }

    /** The file's size in bytes, once {@link #finish} returned. */
    public long length() {
      if (length < 0) {
        throw new IllegalStateException("not finished");
      }
      return length;
    }

    @Override
    public void close() throws IOException {
      if (session != null) {
        ColumnBatchWriter.Session open = session;
        session = null;
        open.close();
      }
    }
  }

  /** A parquet-java output file over an Iceberg one (local or object storage). */
  public static OutputFile output(org.apache.iceberg.io.OutputFile file) {
    return new OutputFile() {
      @Override
      public PositionOutputStream create(long blockSizeHint) {
        return wrap(file.create());
      }

      @Override
      public PositionOutputStream createOrOverwrite(long blockSizeHint) {
        return wrap(file.createOrOverwrite());
      }

      @Override
      public boolean supportsBlockSize() {
        return false;
      }

      @Override
      public long defaultBlockSize() {
        return 0;
      }

      @Override
      public String getPath() {
        return file.location();
      }
    };
  }

  private static PositionOutputStream wrap(org.apache.iceberg.io.PositionOutputStream stream) {
    return new PositionOutputStream() {
      @Override
      public long getPos() throws IOException {
        return stream.getPos();
      }

      @Override
      public void write(int b) throws IOException {
        stream.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        stream.write(b, off, len);
      }

      @Override
      public void flush() throws IOException {
        stream.flush();
      }

      @Override
      public void close() throws IOException {
        stream.close();
      }
    };
  }

  /**
   * As {@link #write}, row by row through parquet-java's record API ({@code ParquetWriter} and a
   * {@code WriteSupport}): the plain way to write these batches with parquet-java, kept as the
   * ingest benchmark's reference and for codecs other than ZSTD.
   */
  public static void writeRows(
      Schema schema,
      List<VectorSchemaRoot> batches,
      OutputFile out,
      Map<String, String> footerMetadata,
      Options options)
      throws IOException {
    MessageType type = ParquetSchemaUtil.convert(schema, "table");
    var support = new BatchWriteSupport(type, footerMetadata);
    // A configuration without Hadoop's default resources: the default one parses
    // core-default.xml for every file written, which cost more than writing a small segment.
    Configuration conf = new Configuration(false);
    conf.setInt("parquet.compression.codec.zstd.level", options.zstdLevel());
    Builder builder =
        new Builder(out, support)
            .withConf(conf)
            .withCompressionCodec(options.codec())
            .withRowGroupSize((long) options.rowGroupBytes())
            .withPageSize(options.pageBytes())
            .withDictionaryEncoding(true)
            .withSizeStatisticsEnabled(false)
            .withWriteMode(ParquetFileWriter.Mode.CREATE);
    if (!batches.isEmpty()) {
      for (String column : mostlyDistinctColumns(type, batches.get(0))) {
        builder.withDictionaryEncoding(column, false);
      }
      for (String column : withoutStatistics(type, batches.get(0))) {
        builder.withStatisticsEnabled(column, false);
      }
    }
    try (ParquetWriter<Object> writer = builder.build()) {
      for (VectorSchemaRoot batch : batches) {
        support.setBatch(batch);
        int rows = batch.getRowCount();
        for (int row = 0; row < rows; row++) {
          writer.write(support);
        }
      }
    }
  }

  /**
   * The top-level string, binary and 64-bit columns whose first rows are mostly distinct (log
   * lines, timestamps): Parquet would build a dictionary for them, hash every value into it, and
   * discard it at the first page as no smaller than the values. They are written plain at once.
   */
  private static List<String> mostlyDistinctColumns(MessageType type, VectorSchemaRoot batch) {
    List<String> plain = new ArrayList<>();
    int rows = Math.min(batch.getRowCount(), DICTIONARY_SAMPLE);
    if (rows < 16) {
      return plain;
    }
    for (FieldVector vector : batch.getFieldVectors()) {
      if (!type.containsField(vector.getName())) {
        continue;
      }
      Set<Object> distinct = new HashSet<>();
      int present = 0;
      for (int i = 0; i < rows; i++) {
        if (vector.isNull(i)) {
          continue;
        }
        present++;
        if (vector instanceof BaseVariableWidthVector v) {
          distinct.add(java.nio.ByteBuffer.wrap(v.get(i)));
        } else if (vector instanceof BigIntVector || vector instanceof TimeStampVector) {
          distinct.add(((BaseFixedWidthVector) vector).getDataBuffer().getLong((long) i * 8));
        } else {
          break;
        }
      }
      if (present >= 16 && distinct.size() * 2 > present) {
        plain.add(vector.getName());
      }
    }
    return plain;
  }

  /**
   * The columns written without min/max statistics, which cost up to two full comparisons per
   * value and would prune nothing: every leaf inside a map or list (Iceberg's row-group filters
   * never test those), and top-level strings that are mostly distinct (log lines: line filters
   * search inside them) or long (stream label sets, over {@value #LONG_VALUE} bytes on average in
   * the first rows: compared whole on every row). Times, tenants and services keep theirs: they
   * prune.
   */
  private static List<String> withoutStatistics(MessageType type, VectorSchemaRoot batch) {
    return withoutStatistics(type, batch, mostlyDistinctColumns(type, batch));
  }

  /** As above, given the batch's {@link #mostlyDistinctColumns}. */
  private static List<String> withoutStatistics(
      MessageType type, VectorSchemaRoot batch, List<String> plain) {
    List<String> off = new ArrayList<>();
    for (org.apache.parquet.column.ColumnDescriptor column : type.getColumns()) {
      String[] path = column.getPath();
      String dotted = String.join(".", path);
      if (path.length > 1) {
        off.add(dotted);
        continue;
      }
      if (column.getPrimitiveType().getPrimitiveTypeName()
          != PrimitiveType.PrimitiveTypeName.BINARY) {
        continue;
      }
      if (plain.contains(dotted) || averageLength(batch.getVector(dotted)) > LONG_VALUE) {
        off.add(dotted);
      }
    }
    return off;
  }

  /** Beyond this average length (bytes) a top-level string column keeps no statistics. */
  private static final int LONG_VALUE = 64;

  private static double averageLength(FieldVector vector) {
    if (!(vector instanceof BaseVariableWidthVector v)) {
      return 0;
    }
    int rows = Math.min(v.getValueCount(), DICTIONARY_SAMPLE);
    long bytes = 0;
    int present = 0;
    for (int i = 0; i < rows; i++) {
      if (!v.isNull(i)) {
        bytes += v.getValueLength(i);
        present++;
      }
    }
    return present == 0 ? 0 : (double) bytes / present;
  }

  private static final class Builder extends ParquetWriter.Builder<Object, Builder> {
    private final WriteSupport<Object> support;

    Builder(OutputFile file, WriteSupport<Object> support) {
      super(file);
      this.support = support;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<Object> getWriteSupport(Configuration conf) {
      return support;
    }
  }

  /**
   * Writes the current batch's rows in order: each {@code write} call is the next row (the record
   * passed is ignored), so no per-row object is made.
   */
  private static final class BatchWriteSupport extends WriteSupport<Object> {
    private final MessageType type;
    private final Map<String, String> footerMetadata;
    private final String[] names;
    private ValueWriter[] columns;
    private RecordConsumer consumer;
    private int row;

    BatchWriteSupport(MessageType type, Map<String, String> footer) {
      this.type = type;
      this.footerMetadata = footer;
      this.names = new String[type.getFieldCount()];
      for (int i = 0; i < names.length; i++) {
        names[i] = type.getFieldName(i);
      }
    }

    /**
     * Matches the batch's columns to the table's by name. A table column the batch lacks — one
     * added to the table after this code built its batches — is written as null, if the table
     * allows nulls there; a batch column the table lacks is an error.
     */
    void setBatch(VectorSchemaRoot batch) {
      ValueWriter[] matched = new ValueWriter[names.length];
      for (int i = 0; i < names.length; i++) {
        FieldVector vector = batch.getVector(names[i]);
        if (vector == null) {
          if (type.getType(i).getRepetition() == Type.Repetition.REQUIRED) {
            throw new IllegalArgumentException(
                "the batch has no column for the table's required column " + names[i]);
          }
          continue;
        }
        matched[i] = ValueWriter.of(vector);
      }
      for (FieldVector vector : batch.getFieldVectors()) {
        if (!type.containsField(vector.getName())) {
          throw new IllegalArgumentException(
              "batch column " + vector.getName() + " is not in the table");
        }
      }
      this.columns = matched;
      this.row = 0;
    }

    @Override
    public WriteContext init(Configuration configuration) {
      return new WriteContext(type, footerMetadata);
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      this.consumer = recordConsumer;
    }

    @Override
    public void write(Object ignored) {
      int r = row++;
      RecordConsumer c = consumer;
      c.startMessage();
      for (int i = 0; i < columns.length; i++) {
        ValueWriter column = columns[i];
        if (column == null || column.isNull(r)) {
          continue;
        }
        c.startField(names[i], i);
        column.write(c, r);
        c.endField(names[i], i);
      }
      c.endMessage();
    }
  }

  /** One Arrow vector's values, copied to the heap, written by index. */
  private abstract static class ValueWriter {
    private final byte[] validity;

    ValueWriter(FieldVector vector) {
      int count = vector.getValueCount();
      this.validity = bytes(vector.getValidityBuffer(), (count + 7) / 8);
    }

    final boolean isNull(int index) {
      return (validity[index >> 3] & (1 << (index & 7))) == 0;
    }

    abstract void write(RecordConsumer c, int index);

    static ValueWriter of(FieldVector vector) {
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
      } else if (vector instanceof MapVector v) {
        return new MapWriter(v);
      } else if (vector instanceof ListVector v) {
        return new ListWriter(v);
      } else if (vector instanceof StructVector v) {
        return new StructWriter(v);
      }
      throw new UnsupportedOperationException(
          "no Parquet writer for Arrow type " + vector.getField().getType());
    }

    static byte[] bytes(ArrowBuf buffer, long length) {
      byte[] out = new byte[Math.toIntExact(length)];
      if (length > 0) {
        buffer.getBytes(0, out);
      }
      return out;
    }

    /** The {@code count + 1} offsets of a variable-width or repeated vector. */
    static int[] offsets(ArrowBuf buffer, int count) {
      int[] out = new int[count + 1];
      if (count > 0) {
        buffer.nioBuffer(0, (count + 1) * 4).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
      }
      return out;
    }
  }

  private static final class VariableWidth extends ValueWriter {
    private final int[] offsets;
    private final byte[] data;

    VariableWidth(BaseVariableWidthVector vector) {
      super(vector);
      int count = vector.getValueCount();
      offsets = offsets(vector.getOffsetBuffer(), count);
      data = bytes(vector.getDataBuffer(), offsets[count]);
    }

    @Override
    void write(RecordConsumer c, int index) {
      int start = offsets[index];
      c.addBinary(Binary.fromConstantByteArray(data, start, offsets[index + 1] - start));
    }
  }

  private static final class FixedWidth extends ValueWriter {
    private final int width;
    private final byte[] data;

    FixedWidth(FixedSizeBinaryVector vector) {
      super(vector);
      width = vector.getByteWidth();
      data = bytes(vector.getDataBuffer(), (long) width * vector.getValueCount());
    }

    @Override
    void write(RecordConsumer c, int index) {
      c.addBinary(Binary.fromConstantByteArray(data, index * width, width));
    }
  }

  private static final class Int64 extends ValueWriter {
    private final long[] values;

    Int64(BaseFixedWidthVector vector) {
      super(vector);
      int count = vector.getValueCount();
      values = new long[count];
      if (count > 0) {
        vector.getDataBuffer().nioBuffer(0, count * 8).order(ByteOrder.LITTLE_ENDIAN)
            .asLongBuffer().get(values);
      }
    }

    @Override
    void write(RecordConsumer c, int index) {
      c.addLong(values[index]);
    }
  }

  private static final class Int32 extends ValueWriter {
    private final int[] values;

    Int32(IntVector vector) {
      super(vector);
      int count = vector.getValueCount();
      values = new int[count];
      if (count > 0) {
        vector.getDataBuffer().nioBuffer(0, count * 4).order(ByteOrder.LITTLE_ENDIAN)
            .asIntBuffer().get(values);
      }
    }

    @Override
    void write(RecordConsumer c, int index) {
      c.addInteger(values[index]);
    }
  }

  private static final class Float64 extends ValueWriter {
    private final Float8Vector vector;

    Float64(Float8Vector vector) {
      super(vector);
      this.vector = vector;
    }

    @Override
    void write(RecordConsumer c, int index) {
      c.addDouble(vector.get(index));
    }
  }

  private static final class Bool extends ValueWriter {
    private final BitVector vector;

    Bool(BitVector vector) {
      super(vector);
      this.vector = vector;
    }

    @Override
    void write(RecordConsumer c, int index) {
      c.addBoolean(vector.get(index) == 1);
    }
  }

  /** Parquet's MAP layout: group { repeated group key_value { key; value } }. */
  private static final class MapWriter extends ValueWriter {
    private final int[] offsets;
    private final ValueWriter keys;
    private final ValueWriter values;

    MapWriter(MapVector map) {
      super(map);
      offsets = offsets(map.getOffsetBuffer(), map.getValueCount());
      StructVector entries = (StructVector) map.getDataVector();
      keys = ValueWriter.of((FieldVector) entries.getChildByOrdinal(0));
      values = ValueWriter.of((FieldVector) entries.getChildByOrdinal(1));
    }

    @Override
    void write(RecordConsumer c, int index) {
      int start = offsets[index];
      int end = offsets[index + 1];
      c.startGroup();
      if (end > start) {
        c.startField("key_value", 0);
        for (int e = start; e < end; e++) {
          c.startGroup();
          c.startField("key", 0);
          keys.write(c, e);
          c.endField("key", 0);
          if (!values.isNull(e)) {
            c.startField("value", 1);
            values.write(c, e);
            c.endField("value", 1);
          }
          c.endGroup();
        }
        c.endField("key_value", 0);
      }
      c.endGroup();
    }
  }

  /** Iceberg's LIST layout: group { repeated group list { element } }. */
  private static final class ListWriter extends ValueWriter {
    private final int[] offsets;
    private final ValueWriter elements;

    ListWriter(ListVector list) {
      super(list);
      offsets = offsets(list.getOffsetBuffer(), list.getValueCount());
      elements = ValueWriter.of(list.getDataVector());
    }

    @Override
    void write(RecordConsumer c, int index) {
      int start = offsets[index];
      int end = offsets[index + 1];
      c.startGroup();
      if (end > start) {
        c.startField("list", 0);
        for (int e = start; e < end; e++) {
          c.startGroup();
          if (!elements.isNull(e)) {
            c.startField("element", 0);
            elements.write(c, e);
            c.endField("element", 0);
          }
          c.endGroup();
        }
        c.endField("list", 0);
      }
      c.endGroup();
    }
  }

  /** A struct's fields in the order of its Parquet group, which is the Iceberg (and Arrow) one. */
  private static final class StructWriter extends ValueWriter {
    private final String[] names;
    private final ValueWriter[] children;

    StructWriter(StructVector struct) {
      super(struct);
      List<FieldVector> vectors = struct.getChildrenFromFields();
      names = new String[vectors.size()];
      children = new ValueWriter[vectors.size()];
      for (int i = 0; i < children.length; i++) {
        names[i] = vectors.get(i).getName();
        children[i] = ValueWriter.of(vectors.get(i));
      }
    }

    @Override
    void write(RecordConsumer c, int index) {
      c.startGroup();
      for (int i = 0; i < children.length; i++) {
        if (children[i].isNull(index)) {
          continue;
        }
        c.startField(names[i], i);
        children[i].write(c, index);
        c.endField(names[i], i);
      }
      c.endGroup();
    }
  }
}

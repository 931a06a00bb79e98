package io.icegate.storage.parquet;

import java.io.IOException;
import java.util.List;
import java.util.Map;
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
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/**
 * Writes Arrow batches as Parquet in an Iceberg table's schema (Parquet field ids = Iceberg field
 * ids), so a file written here is a valid data file of that table: compaction can commit it or
 * rewrite it, and Iceberg's readers resolve its columns by id.
 *
 * <p>Values go from the Arrow buffers straight into Parquet's column writers; no row objects are
 * built. String values are handed to Parquet as views over the Arrow buffer, so the batch must
 * stay open until {@link #write} returns (it does: the writer is closed inside).
 */
public final class ArrowParquetWriter {
  /** Parquet settings for WAL segments: small row groups keep memory low while writing. */
  public record Options(int rowGroupBytes, int pageBytes, CompressionCodecName codec) {
    public static final Options WAL =
        new Options(16 * 1024 * 1024, 1024 * 1024, CompressionCodecName.ZSTD);
  }

  private ArrowParquetWriter() {}

  /**
   * Writes every row of {@code batches}, in order, to {@code out}. The batches' columns must be
   * named and typed as {@code schema}'s (see {@code ArrowSchemaUtil.convert}). The caller keeps
   * ownership of the batches.
   */
  public static void write(
      Schema schema,
      List<VectorSchemaRoot> batches,
      OutputFile out,
      Map<String, String> footerMetadata,
      Options options)
      throws IOException {
    MessageType type = ParquetSchemaUtil.convert(schema, "table");
    var support = new BatchWriteSupport(type, footerMetadata);
    try (ParquetWriter<Integer> writer =
        new Builder(out, support)
            .withCompressionCodec(options.codec())
            .withRowGroupSize((long) options.rowGroupBytes())
            .withPageSize(options.pageBytes())
            .withDictionaryEncoding(true)
            .withWriteMode(ParquetFileWriter.Mode.CREATE)
            .build()) {
      for (VectorSchemaRoot batch : batches) {
        support.setBatch(batch);
        int rows = batch.getRowCount();
        for (int row = 0; row < rows; row++) {
          writer.write(row);
        }
      }
    }
  }

  private static final class Builder extends ParquetWriter.Builder<Integer, Builder> {
    private final WriteSupport<Integer> support;

    Builder(OutputFile file, WriteSupport<Integer> support) {
      super(file);
      this.support = support;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<Integer> getWriteSupport(Configuration conf) {
      return support;
    }
  }

  /** Writes row {@code i} of the batch: the record type is the row index. */
  private static final class BatchWriteSupport extends WriteSupport<Integer> {
    private final MessageType type;
    private final Map<String, String> footerMetadata;
    private final String[] names;
    private List<FieldVector> columns;
    private RecordConsumer consumer;

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
      List<FieldVector> matched = new java.util.ArrayList<>(names.length);
      for (int i = 0; i < names.length; i++) {
        FieldVector vector = batch.getVector(names[i]);
        if (vector == null
            && type.getType(i).getRepetition()
                == org.apache.parquet.schema.Type.Repetition.REQUIRED) {
          throw new IllegalArgumentException(
              "the batch has no column for the table's required column " + names[i]);
        }
        matched.add(vector);
      }
      for (FieldVector vector : batch.getFieldVectors()) {
        if (!type.containsField(vector.getName())) {
          throw new IllegalArgumentException(
              "batch column " + vector.getName() + " is not in the table");
        }
      }
      this.columns = matched;
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
    public void write(Integer boxedRow) {
      int row = boxedRow;
      consumer.startMessage();
      for (int i = 0; i < names.length; i++) {
        FieldVector vector = columns.get(i);
        if (vector == null || vector.isNull(row)) {
          continue;
        }
        consumer.startField(names[i], i);
        writeValue(vector, row);
        consumer.endField(names[i], i);
      }
      consumer.endMessage();
    }

    private void writeValue(FieldVector vector, int row) {
      if (vector instanceof VarCharVector v) {
        consumer.addBinary(slice(v, row));
      } else if (vector instanceof TimeStampVector v) {
        consumer.addLong(v.get(row));
      } else if (vector instanceof BigIntVector v) {
        consumer.addLong(v.get(row));
      } else if (vector instanceof IntVector v) {
        consumer.addInteger(v.get(row));
      } else if (vector instanceof Float8Vector v) {
        consumer.addDouble(v.get(row));
      } else if (vector instanceof BitVector v) {
        consumer.addBoolean(v.get(row) == 1);
      } else if (vector instanceof FixedSizeBinaryVector v) {
        consumer.addBinary(Binary.fromConstantByteArray(v.get(row)));
      } else if (vector instanceof VarBinaryVector v) {
        consumer.addBinary(Binary.fromConstantByteArray(v.get(row)));
      } else if (vector instanceof MapVector v) {
        writeMap(v, row);
      } else if (vector instanceof ListVector v) {
        writeList(v, row);
      } else if (vector instanceof StructVector v) {
        writeStruct(v, row);
      } else {
        throw new UnsupportedOperationException(
            "no Parquet writer for Arrow type " + vector.getField().getType());
      }
    }

    /** Parquet's MAP layout: group { repeated group key_value { key; value } }. */
    private void writeMap(MapVector map, int row) {
      int start = map.getOffsetBuffer().getInt((long) row * MapVector.OFFSET_WIDTH);
      int end = map.getOffsetBuffer().getInt((long) (row + 1) * MapVector.OFFSET_WIDTH);
      consumer.startGroup();
      if (end > start) {
        StructVector entries = (StructVector) map.getDataVector();
        FieldVector keys = (FieldVector) entries.getChildByOrdinal(0);
        FieldVector values = (FieldVector) entries.getChildByOrdinal(1);
        consumer.startField("key_value", 0);
        for (int e = start; e < end; e++) {
          consumer.startGroup();
          consumer.startField("key", 0);
          writeValue(keys, e);
          consumer.endField("key", 0);
          if (!values.isNull(e)) {
            consumer.startField("value", 1);
            writeValue(values, e);
            consumer.endField("value", 1);
          }
          consumer.endGroup();
        }
        consumer.endField("key_value", 0);
      }
      consumer.endGroup();
    }

    /** Iceberg's LIST layout: group { repeated group list { element } }. */
    private void writeList(ListVector list, int row) {
      int start = list.getElementStartIndex(row);
      int end = list.getElementEndIndex(row);
      consumer.startGroup();
      if (end > start) {
        FieldVector elements = list.getDataVector();
        consumer.startField("list", 0);
        for (int e = start; e < end; e++) {
          consumer.startGroup();
          if (!elements.isNull(e)) {
            consumer.startField("element", 0);
            writeValue(elements, e);
            consumer.endField("element", 0);
          }
          consumer.endGroup();
        }
        consumer.endField("list", 0);
      }
      consumer.endGroup();
    }

    /** A struct's fields in the order of its Parquet group, which is the Iceberg (and Arrow) one. */
    private void writeStruct(StructVector struct, int row) {
      consumer.startGroup();
      List<FieldVector> children = struct.getChildrenFromFields();
      for (int i = 0; i < children.size(); i++) {
        FieldVector child = children.get(i);
        if (child.isNull(row)) {
          continue;
        }
        String name = child.getName();
        consumer.startField(name, i);
        writeValue(child, row);
        consumer.endField(name, i);
      }
      consumer.endGroup();
    }

    private static Binary slice(VarCharVector v, int row) {
      long start = v.getStartOffset(row);
      int length = v.getValueLength(row);
      return Binary.fromConstantByteBuffer(v.getDataBuffer().nioBuffer(start, length));
    }
  }
}

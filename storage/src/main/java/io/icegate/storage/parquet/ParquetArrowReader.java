package io.icegate.storage.parquet;

import io.icegate.storage.scan.ScanFile;
import io.icegate.storage.scan.ScanSplit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.iceberg.Schema;
import org.apache.iceberg.arrow.ArrowSchemaUtil;
import org.apache.iceberg.arrow.vectorized.BaseBatchReader;
import org.apache.iceberg.arrow.vectorized.VectorHolder;
import org.apache.iceberg.arrow.vectorized.VectorizedReaderBuilder;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.CloseableIterator;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.parquet.TypeWithSchemaVisitor;
import org.apache.iceberg.parquet.VectorizedReader;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.schema.MessageType;

/**
 * Reads one Parquet data file (a WAL segment or an Iceberg data file) into Arrow batches through
 * Iceberg's vectorized column readers, resolving columns by Iceberg field id.
 *
 * <p>Each batch returned by {@link #next()} is owned by the caller and allocated from the
 * caller's allocator: the column readers fill vectors in a per-file child allocator and the
 * buffers are then transferred. Dictionary-encoded pages are decoded here (once per dictionary
 * entry). The vectorized reader cannot read map, list or struct columns: project them away.
 *
 * <p>Iceberg's reader builder opens a child allocator it never closes; this class closes it with
 * the file, so a query's allocator ends empty.
 */
public final class ParquetArrowReader implements CloseableIterator<VectorSchemaRoot> {
  private final BufferAllocator fileAllocator;
  private final CloseableIterable<VectorSchemaRoot> iterable;
  private final CloseableIterator<VectorSchemaRoot> batches;
  private boolean closed;

  private ParquetArrowReader(
      BufferAllocator fileAllocator,
      CloseableIterable<VectorSchemaRoot> iterable) {
    this.fileAllocator = fileAllocator;
    this.iterable = iterable;
    this.batches = iterable.iterator();
  }

  /**
   * Opens {@code file} for reading the columns of {@code projection}, {@code batchRows} rows per
   * batch, with batches allocated from {@code target}.
   */
  public static ParquetArrowReader open(
      InputFile file, Schema projection, BufferAllocator target, int batchRows) {
    return open(file, projection, Expressions.alwaysTrue(), target, batchRows);
  }

  /**
   * As {@link #open(InputFile, Schema, BufferAllocator, int)}, skipping row groups whose
   * statistics show no row can match {@code filter}. Rows themselves are not filtered.
   */
  public static ParquetArrowReader open(
      InputFile file, Schema projection, Expression filter, BufferAllocator target,
      int batchRows) {
    return open(ScanSplit.whole(new ScanFile(file, -1, false)), projection, filter, target,
        batchRows);
  }

  /** As {@link #open(InputFile, Schema, Expression, BufferAllocator, int)}, for one split. */
  public static ParquetArrowReader open(
      ScanSplit split, Schema projection, Expression filter, BufferAllocator target,
      int batchRows) {
    InputFile file = split.file().file();
    BufferAllocator fileAllocator =
        target.newChildAllocator("parquet:" + file.location(), 0, target.getLimit());
    List<Field> fields = ArrowSchemaUtil.convert(projection).getFields();
    Parquet.ReadBuilder builder = Parquet.read(file);
    if (!split.isWholeFile()) {
      builder = builder.split(split.start(), split.length());
    }
    CloseableIterable<VectorSchemaRoot> iterable =
        builder.project(projection)
            .createBatchedReaderFunc(
                fileSchema -> {
                  Schema read = asStored(projection, fileSchema);
                  return TypeWithSchemaVisitor.visit(
                      read.asStruct(),
                      fileSchema,
                      new AllocatingReaderBuilder(
                          read,
                          fileSchema,
                          readers -> new RootBatchReader(readers, fields, target),
                          fileAllocator));
                })
            .recordsPerBatch(batchRows)
            .filter(MicrosTolerantFilter.widenOrKeep(filter, projection))
            .build();
    return new ParquetArrowReader(fileAllocator, iterable);
  }

  /**
   * {@code projection} with each {@code timestamp_ns} column the file stores in microseconds (a
   * file the seed system wrote, see {@code SeedTables}) read as a microsecond timestamp — Iceberg's
   * column reader follows the Iceberg type — and scaled to nanoseconds in {@link RootBatchReader}.
   */
  private static Schema asStored(Schema projection, MessageType fileSchema) {
    List<Types.NestedField> columns = new ArrayList<>();
    boolean changed = false;
    for (Types.NestedField field : projection.columns()) {
      if (field.type() instanceof Types.TimestampNanoType ns && storedInMicros(fileSchema, field)) {
        Type micros =
            ns.shouldAdjustToUTC()
                ? Types.TimestampType.withZone()
                : Types.TimestampType.withoutZone();
        columns.add(
            field.isOptional()
                ? Types.NestedField.optional(field.fieldId(), field.name(), micros, field.doc())
                : Types.NestedField.required(field.fieldId(), field.name(), micros, field.doc()));
        changed = true;
      } else {
        columns.add(field);
      }
    }
    return changed ? new Schema(columns) : projection;
  }

  private static boolean storedInMicros(MessageType fileSchema, Types.NestedField field) {
    for (org.apache.parquet.schema.Type column : fileSchema.getFields()) {
      if (column.getId() != null && column.getId().intValue() == field.fieldId()
          && column.isPrimitive()) {
        LogicalTypeAnnotation annotation = column.getLogicalTypeAnnotation();
        return annotation instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts
            && ts.getUnit() == LogicalTypeAnnotation.TimeUnit.MICROS;
      }
    }
    return false;
  }

  @Override
  public boolean hasNext() {
    return !closed && batches.hasNext();
  }

  @Override
  public VectorSchemaRoot next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return batches.next();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      batches.close();
      iterable.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (BufferAllocator child : new ArrayList<>(fileAllocator.getChildAllocators())) {
        child.close();
      }
      fileAllocator.close();
    }
  }

  /** Gives Iceberg's reader builder our allocator instead of its process-wide root. */
  private static final class AllocatingReaderBuilder extends VectorizedReaderBuilder {
    AllocatingReaderBuilder(
        Schema schema,
        MessageType fileSchema,
        java.util.function.Function<List<VectorizedReader<?>>, VectorizedReader<?>> factory,
        BufferAllocator allocator) {
      super(schema, fileSchema, true, Map.of(), factory, (type, value) -> value, allocator);
    }
  }

  /** Assembles one caller-owned VectorSchemaRoot from the column readers' vectors. */
  private static final class RootBatchReader extends BaseBatchReader<VectorSchemaRoot> {
    private final List<Field> fields;
    private final BufferAllocator target;

    RootBatchReader(List<VectorizedReader<?>> readers, List<Field> fields, BufferAllocator target) {
      super(readers);
      this.fields = fields;
      this.target = target;
    }

    @Override
    public VectorSchemaRoot read(VectorSchemaRoot reuse, int rows) {
      List<FieldVector> out = new ArrayList<>(readers.length);
      try {
        for (int i = 0; i < readers.length; i++) {
          // A null holder makes the column reader allocate fresh vectors, so the previous
          // batch's buffers, already transferred to the caller, are never written again.
          vectorHolders[i] = readers[i].read(null, rows);
          out.add(takeColumn(vectorHolders[i], fields.get(i), rows));
        }
      } catch (RuntimeException | Error e) {
        out.forEach(FieldVector::close);
        throw e;
      }
      VectorSchemaRoot root = new VectorSchemaRoot(out);
      root.setRowCount(rows);
      return root;
    }

    private FieldVector takeColumn(VectorHolder holder, Field field, int rows) {
      FieldVector result = field.createVector(target);
      FieldVector source = holder.vector();
      if (source == null) {
        // Column missing from this file (added by schema evolution): all nulls.
        result.setValueCount(rows);
        return result;
      }
      if (holder.isDictionaryEncoded()) {
        decode((IntVector) source, holder.dictionary(), result, rows);
        if (micros(holder) && result instanceof TimeStampNanoVector nanos) {
          scaleToNanos(nanos, rows);
        }
      } else if (result instanceof TimeStampNanoVector nanos && micros(holder)) {
        // A file the seed system wrote: microseconds under the same field id (SeedTables).
        nanos.allocateNew(rows);
        for (int r = 0; r < rows; r++) {
          if (source.isNull(r)) {
            nanos.setNull(r);
          } else {
            nanos.set(r, Math.multiplyExact(
                source.getDataBuffer().getLong((long) r * Long.BYTES), 1000L));
          }
        }
        nanos.setValueCount(rows);
        source.close();
      } else {
        source.makeTransferPair(result).transfer();
        result.setValueCount(rows);
      }
      return result;
    }

    /** True when the file stores this column in microseconds (Parquet's TIMESTAMP(MICROS)). */
    private static boolean micros(VectorHolder holder) {
      ColumnDescriptor column = holder.descriptor();
      if (column == null) {
        return false;
      }
      LogicalTypeAnnotation annotation = column.getPrimitiveType().getLogicalTypeAnnotation();
      return annotation instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts
          && ts.getUnit() == LogicalTypeAnnotation.TimeUnit.MICROS;
    }

    private static void scaleToNanos(TimeStampNanoVector v, int rows) {
      for (int r = 0; r < rows; r++) {
        if (!v.isNull(r)) {
          v.set(r, Math.multiplyExact(v.get(r), 1000L));
        }
      }
    }

    /**
     * Dictionary ids to strings: each entry decoded once, the exact size summed first, then the
     * offsets, validity and bytes written straight into buffers allocated once — no per-row
     * capacity checks or reallocation, which dominate when labels repeat row after row.
     */
    private static void decodeStrings(
        IntVector ids, Dictionary dictionary, VarCharVector out, int rows) {
      byte[][] decoded = new byte[dictionary.getMaxId() + 1][];
      long total = 0;
      for (int r = 0; r < rows; r++) {
        if (!ids.isNull(r)) {
          int id = ids.get(r);
          byte[] bytes = decoded[id];
          if (bytes == null) {
            bytes = dictionary.decodeToBinary(id).getBytes();
            decoded[id] = bytes;
          }
          total += bytes.length;
        }
      }
      out.allocateNew(Math.max(total, 1), rows);
      ArrowBuf offsets = out.getOffsetBuffer();
      ArrowBuf data = out.getDataBuffer();
      ArrowBuf validity = out.getValidityBuffer();
      int position = 0;
      for (int r = 0; r < rows; r++) {
        offsets.setInt((long) r * VarCharVector.OFFSET_WIDTH, position);
        if (!ids.isNull(r)) {
          byte[] bytes = decoded[ids.get(r)];
          BitVectorHelper.setBit(validity, r);
          data.setBytes(position, bytes);
          position += bytes.length;
        }
      }
      offsets.setInt((long) rows * VarCharVector.OFFSET_WIDTH, position);
      out.setLastSet(rows - 1);
      out.setValueCount(rows);
    }

    private static void decode(IntVector ids, Dictionary dictionary, FieldVector out, int rows) {
      if (out instanceof VarCharVector v) {
        decodeStrings(ids, dictionary, v, rows);
        return;
      }
      if (out instanceof BaseFixedWidthVector fixed) {
        fixed.allocateNew(rows);
      } else {
        out.allocateNew();
      }
      if (out instanceof VarBinaryVector v) {
        for (int r = 0; r < rows; r++) {
          if (ids.isNull(r)) {
            v.setNull(r);
          } else {
            v.setSafe(r, dictionary.decodeToBinary(ids.get(r)).getBytes());
          }
        }
      } else if (out instanceof FixedSizeBinaryVector v) {
        for (int r = 0; r < rows; r++) {
          if (ids.isNull(r)) {
            v.setNull(r);
          } else {
            v.setSafe(r, dictionary.decodeToBinary(ids.get(r)).getBytes());
          }
        }
      } else if (out instanceof TimeStampVector v) {
        for (int r = 0; r < rows; r++) {
          if (ids.isNull(r)) {
            v.setNull(r);
          } else {
            v.setSafe(r, dictionary.decodeToLong(ids.get(r)));
          }
        }
      } else if (out instanceof BigIntVector v) {
        for (int r = 0; r < rows; r++) {
          if (ids.isNull(r)) {
            v.setNull(r);
          } else {
            v.setSafe(r, dictionary.decodeToLong(ids.get(r)));
          }
        }
      } else if (out instanceof IntVector v) {
        for (int r = 0; r < rows; r++) {
          if (ids.isNull(r)) {
            v.setNull(r);
          } else {
            v.setSafe(r, dictionary.decodeToInt(ids.get(r)));
          }
        }
      } else if (out instanceof Float8Vector v) {
        for (int r = 0; r < rows; r++) {
          if (ids.isNull(r)) {
            v.setNull(r);
          } else {
            v.setSafe(r, dictionary.decodeToDouble(ids.get(r)));
          }
        }
      } else {
        throw new UnsupportedOperationException(
            "no dictionary decoding for Arrow type " + out.getField().getType());
      }
      out.setValueCount(rows);
    }
  }
}

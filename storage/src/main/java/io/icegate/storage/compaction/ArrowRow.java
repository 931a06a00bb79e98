package io.icegate.storage.compaction;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.StructLike;

/**
 * One row of an Arrow batch (columns in the table schema's order) as Iceberg's partition
 * transforms and sort transforms read a row: top-level values in Iceberg's internal
 * representation — strings as {@code String}, fixed and binary as {@code ByteBuffer},
 * timestamps as their stored long (micro- or nanoseconds, as the column's type says), dates as
 * days. Nested columns are not partition or sort sources ({@link ColumnarCompaction#supports}).
 *
 * <p>The same string in consecutive rows (a tenant id) is decoded once.
 */
final class ArrowRow implements StructLike {
  private FieldVector[] vectors = new FieldVector[0];
  private byte[][] lastBytes = new byte[0][];
  private String[] lastStrings = new String[0];
  private int row;

  ArrowRow batch(VectorSchemaRoot batch) {
    vectors = batch.getFieldVectors().toArray(new FieldVector[0]);
    if (lastBytes.length != vectors.length) {
      lastBytes = new byte[vectors.length][];
      lastStrings = new String[vectors.length];
    }
    return this;
  }

  ArrowRow row(int newRow) {
    this.row = newRow;
    return this;
  }

  @Override
  public int size() {
    return vectors.length;
  }

  @Override
  public <T> T get(int pos, Class<T> javaClass) {
    return javaClass.cast(value(pos));
  }

  /** The value of column {@code pos} in the current row, or null. */
  Object value(int pos) {
    FieldVector vector = vectors[pos];
    if (vector.isNull(row)) {
      return null;
    }
    if (vector instanceof VarCharVector strings) {
      byte[] bytes = strings.get(row);
      if (!Arrays.equals(bytes, lastBytes[pos])) {
        lastBytes[pos] = bytes;
        lastStrings[pos] = new String(bytes, StandardCharsets.UTF_8);
      }
      return lastStrings[pos];
    } else if (vector instanceof TimeStampVector times) {
      return times.getDataBuffer().getLong((long) row * TimeStampVector.TYPE_WIDTH);
    } else if (vector instanceof BigIntVector longs) {
      return longs.get(row);
    } else if (vector instanceof IntVector ints) {
      return ints.get(row);
    } else if (vector instanceof DateDayVector days) {
      return days.get(row);
    } else if (vector instanceof Float8Vector doubles) {
      return doubles.get(row);
    } else if (vector instanceof Float4Vector floats) {
      return floats.get(row);
    } else if (vector instanceof BitVector bits) {
      return bits.get(row) == 1;
    } else if (vector instanceof FixedSizeBinaryVector fixed) {
      return ByteBuffer.wrap(fixed.get(row));
    } else if (vector instanceof VarBinaryVector binary) {
      return ByteBuffer.wrap(binary.get(row));
    }
    throw new UnsupportedOperationException(
        "no partition or sort value for Arrow type " + vector.getField().getType());
  }

  @Override
  public <T> void set(int pos, T value) {
    throw new UnsupportedOperationException("read-only view");
  }
}

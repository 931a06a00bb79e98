package io.icegate.storage.table;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.iceberg.StructLike;

/**
 * Writes one Java value into one slot of an Arrow vector of the lake's types, nested ones
 * included: a {@link Map} into a map column, a {@link List} into a list column, a struct as a
 * {@link StructLike} (Iceberg's generic records) or as a {@link List} of its fields in order.
 * Timestamps are epoch nanoseconds as a {@code long} (or the {@code LocalDateTime} Iceberg's
 * generic reader gives).
 *
 * <p>For the nested columns (span events and links, metric buckets, quantiles, exemplars) and for
 * reading nested columns, which the vectorized reader cannot: the flat hot columns are written
 * through their typed vectors directly.
 */
public final class ArrowValues {
  private ArrowValues() {}

  /** Sets slot {@code index} of {@code vector} to {@code value}; null makes the slot null. */
  public static void write(FieldVector vector, int index, Object value) {
    if (value == null) {
      setNull(vector, index);
      return;
    }
    if (vector instanceof VarCharVector v) {
      v.setSafe(index, value.toString().getBytes(UTF_8));
    } else if (vector instanceof TimeStampVector v) {
      v.setSafe(index, nanos(value));
    } else if (vector instanceof BigIntVector v) {
      v.setSafe(index, ((Number) value).longValue());
    } else if (vector instanceof IntVector v) {
      v.setSafe(index, ((Number) value).intValue());
    } else if (vector instanceof Float8Vector v) {
      v.setSafe(index, ((Number) value).doubleValue());
    } else if (vector instanceof BitVector v) {
      v.setSafe(index, ((Boolean) value) ? 1 : 0);
    } else if (vector instanceof FixedSizeBinaryVector v) {
      v.setSafe(index, bytes(value));
    } else if (vector instanceof VarBinaryVector v) {
      v.setSafe(index, bytes(value));
    } else if (vector instanceof MapVector v) {
      writeMap(v, index, (Map<?, ?>) value);
    } else if (vector instanceof ListVector v) {
      writeList(v, index, (List<?>) value);
    } else if (vector instanceof StructVector v) {
      writeStruct(v, index, value);
    } else {
      throw new UnsupportedOperationException(
          "no writer for Arrow type " + vector.getField().getType());
    }
  }

  private static void setNull(FieldVector vector, int index) {
    if (vector instanceof ListVector v) {
      v.setNull(index);
    } else if (vector instanceof StructVector v) {
      v.setNull(index);
    } else if (vector instanceof org.apache.arrow.vector.BaseFixedWidthVector v) {
      v.setNull(index);
    } else if (vector instanceof org.apache.arrow.vector.BaseVariableWidthVector v) {
      v.setNull(index);
    } else {
      throw new UnsupportedOperationException(
          "no null writer for Arrow type " + vector.getField().getType());
    }
  }

  private static void writeMap(MapVector map, int index, Map<?, ?> entries) {
    int start = map.startNewValue(index);
    StructVector structs = (StructVector) map.getDataVector();
    FieldVector keys = (FieldVector) structs.getChildByOrdinal(0);
    FieldVector values = (FieldVector) structs.getChildByOrdinal(1);
    int i = start;
    for (Map.Entry<?, ?> e : entries.entrySet()) {
      structs.setIndexDefined(i);
      write(keys, i, e.getKey());
      write(values, i, e.getValue());
      i++;
    }
    map.endValue(index, entries.size());
  }

  private static void writeList(ListVector list, int index, List<?> elements) {
    int start = list.startNewValue(index);
    FieldVector data = list.getDataVector();
    for (int i = 0; i < elements.size(); i++) {
      write(data, start + i, elements.get(i));
    }
    list.endValue(index, elements.size());
  }

  private static void writeStruct(StructVector struct, int index, Object value) {
    struct.setIndexDefined(index);
    List<FieldVector> children = struct.getChildrenFromFields();
    for (int i = 0; i < children.size(); i++) {
      Object field =
          value instanceof StructLike s ? s.get(i, Object.class) : ((List<?>) value).get(i);
      write(children.get(i), index, field);
    }
  }

  private static long nanos(Object value) {
    if (value instanceof LocalDateTime t) {
      return t.toEpochSecond(ZoneOffset.UTC) * 1_000_000_000L + t.getNano();
    }
    if (value instanceof OffsetDateTime t) {
      return t.toEpochSecond() * 1_000_000_000L + t.getNano();
    }
    return ((Number) value).longValue();
  }

  private static byte[] bytes(Object value) {
    if (value instanceof byte[] b) {
      return b;
    }
    ByteBuffer buffer = ((ByteBuffer) value).duplicate();
    byte[] out = new byte[buffer.remaining()];
    buffer.get(out);
    return out;
  }
}

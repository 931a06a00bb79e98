package io.icegate.storage.compaction;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.NullOrder;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortDirection;
import org.apache.iceberg.SortField;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.transforms.Transform;
import org.apache.iceberg.types.Comparators;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.SerializableFunction;

/**
 * A table's sort order over rows of Arrow batches, each row named by a reference (batch number
 * in the high 32 bits, row in the low). Ordered as Iceberg's {@code SortOrderComparators} orders
 * them: per sort field the transformed value, compared by Iceberg's comparator for the
 * transform's result type, reversed for descending, nulls first or last as the field says
 * whatever the direction; rows equal in every field keep their reference order, which is the
 * segments' row order, as a stable sort of rows read in that order would.
 *
 * <p>The common fields compare the Arrow values directly, copied once per batch to the heap:
 * identity on strings, binary and fixed (unsigned bytes, which for UTF-8 is Iceberg's code-point
 * order of strings) and on integers, longs, dates and timestamps (signed). Any other field —
 * another transform, or another type — compares the values Iceberg's transform computes, boxed.
 */
final class SortKeys {
  private final Key[] keys;

  SortKeys(Schema schema, SortOrder order, List<VectorSchemaRoot> batches) {
    List<Types.NestedField> columns = schema.columns();
    List<Key> built = new ArrayList<>();
    for (SortField field : order.fields()) {
      int column = -1;
      for (int i = 0; i < columns.size(); i++) {
        if (columns.get(i).fieldId() == field.sourceId()) {
          column = i;
        }
      }
      if (column < 0) {
        throw new IllegalArgumentException("sort source " + field.sourceId() + " is not a column");
      }
      Type type = columns.get(column).type();
      boolean descending = field.direction() == SortDirection.DESC;
      boolean nullsFirst = field.nullOrder() == NullOrder.NULLS_FIRST;
      Key key = null;
      if (field.transform().isIdentity()) {
        key = direct(type, column, batches, descending, nullsFirst);
      }
      if (key == null) {
        key = new Transformed(field, type, column, batches, descending, nullsFirst);
      }
      built.add(key);
    }
    this.keys = built.toArray(new Key[0]);
  }

  private static Key direct(
      Type type, int column, List<VectorSchemaRoot> batches, boolean descending,
      boolean nullsFirst) {
    switch (type.typeId()) {
      case STRING:
      case BINARY:
      case FIXED:
        return new Bytes(column, batches, descending, nullsFirst);
      case INTEGER:
      case LONG:
      case DATE:
      case TIMESTAMP:
      case TIMESTAMP_NANO:
        return new Longs(column, batches, descending, nullsFirst);
      default:
        return null;
    }
  }

  /** Sorts {@code refs} into the sort order. */
  void sort(long[] refs) {
    if (refs.length < 2) {
      return;
    }
    long[] work = refs.clone();
    mergeSort(work, refs, 0, refs.length);
  }

  int compare(long a, long b) {
    int batchA = (int) (a >>> 32);
    int rowA = (int) a;
    int batchB = (int) (b >>> 32);
    int rowB = (int) b;
    for (Key key : keys) {
      int c = key.compare(batchA, rowA, batchB, rowB);
      if (c != 0) {
        return c;
      }
    }
    return Long.compare(a, b);
  }

  /** Sorts {@code dst[from, to)}, using {@code src} (same contents) as the scratch copy. */
  private void mergeSort(long[] src, long[] dst, int from, int to) {
    int length = to - from;
    if (length < 24) {
      for (int i = from + 1; i < to; i++) {
        long value = dst[i];
        int j = i - 1;
        while (j >= from && compare(dst[j], value) > 0) {
          dst[j + 1] = dst[j];
          j--;
        }
        dst[j + 1] = value;
      }
      return;
    }
    int mid = (from + to) >>> 1;
    mergeSort(dst, src, from, mid);
    mergeSort(dst, src, mid, to);
    if (compare(src[mid - 1], src[mid]) <= 0) {
      System.arraycopy(src, from, dst, from, length);
      return;
    }
    int i = from;
    int j = mid;
    for (int k = from; k < to; k++) {
      if (j >= to || (i < mid && compare(src[i], src[j]) <= 0)) {
        dst[k] = src[i++];
      } else {
        dst[k] = src[j++];
      }
    }
  }

  /** One sort field's values, per batch. */
  private abstract static class Key {
    private final boolean descending;
    private final boolean nullsFirst;
    final byte[][] validity;

    Key(int column, List<VectorSchemaRoot> batches, boolean descending, boolean nullsFirst) {
      this.descending = descending;
      this.nullsFirst = nullsFirst;
      this.validity = new byte[batches.size()][];
      for (int b = 0; b < batches.size(); b++) {
        FieldVector vector = batches.get(b).getVector(column);
        validity[b] = bytes(vector.getValidityBuffer(), (vector.getValueCount() + 7) / 8);
      }
    }

    final int compare(int batchA, int rowA, int batchB, int rowB) {
      boolean nullA = (validity[batchA][rowA >> 3] & (1 << (rowA & 7))) == 0;
      boolean nullB = (validity[batchB][rowB >> 3] & (1 << (rowB & 7))) == 0;
      if (nullA || nullB) {
        if (nullA && nullB) {
          return 0;
        }
        return nullA == nullsFirst ? -1 : 1;
      }
      int c = Integer.signum(compareValues(batchA, rowA, batchB, rowB));
      return descending ? -c : c;
    }

    abstract int compareValues(int batchA, int rowA, int batchB, int rowB);
  }

  /**
   * Strings, binary and fixed values: unsigned lexicographic bytes, shorter first on a tie. Each
   * distinct value is compared with the others once, to give it a rank; rows then compare their
   * values' ranks (a partition's rows repeat few values — services, metric names — and comparing
   * them whole on every step of the sort cost more than the rest of it).
   */
  private static final class Bytes extends Key {
    private final int[][] ranks;

    Bytes(int column, List<VectorSchemaRoot> batches, boolean descending, boolean nullsFirst) {
      super(column, batches, descending, nullsFirst);
      int n = batches.size();
      byte[][] data = new byte[n][];
      int[][] offsets = new int[n][];
      for (int b = 0; b < n; b++) {
        FieldVector vector = batches.get(b).getVector(column);
        int count = vector.getValueCount();
        int[] o = new int[count + 1];
        if (vector instanceof FixedSizeBinaryVector fixed) {
          int width = fixed.getByteWidth();
          for (int i = 0; i <= count; i++) {
            o[i] = i * width;
          }
          data[b] = bytes(fixed.getDataBuffer(), (long) width * count);
        } else if (vector instanceof VarCharVector || vector instanceof VarBinaryVector) {
          if (count > 0) {
            vector.getOffsetBuffer().nioBuffer(0, (count + 1) * 4)
                .order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(o);
          }
          data[b] = bytes(((BaseVariableWidthVector) vector).getDataBuffer(), o[count]);
        } else {
          throw new IllegalArgumentException(
              "not a byte column: " + vector.getField().getType());
        }
        offsets[b] = o;
      }
      ranks = rank(data, offsets);
    }

    /** Per batch and row, the rank of the row's value among the distinct values (nulls: 0). */
    private int[][] rank(byte[][] data, int[][] offsets) {
      int[][] ids = new int[data.length][];
      long[] table = new long[1024]; // open addressing over (batch, row) + 1; 0 is empty
      int[] tableIds = new int[table.length];
      LongArray distinct = new LongArray();
      for (int b = 0; b < data.length; b++) {
        int[] o = offsets[b];
        int count = o.length - 1;
        int[] rowIds = new int[count];
        byte[] bytes = data[b];
        for (int i = 0; i < count; i++) {
          if ((validity[b][i >> 3] & (1 << (i & 7))) == 0) {
            continue;
          }
          int hash = 1;
          for (int k = o[i]; k < o[i + 1]; k++) {
            hash = 31 * hash + bytes[k];
          }
          hash ^= hash >>> 16;
          int mask = table.length - 1;
          int slot = hash & mask;
          while (true) {
            long entry = table[slot];
            if (entry == 0) {
              int id = distinct.size();
              long ref = ((long) b << 32) | i;
              distinct.add(ref);
              table[slot] = ref + 1;
              tableIds[slot] = id;
              rowIds[i] = id;
              if (distinct.size() * 2 > table.length) {
                long[] bigger = new long[table.length * 2];
                int[] biggerIds = new int[bigger.length];
                rehash(table, tableIds, bigger, biggerIds, data, offsets);
                table = bigger;
                tableIds = biggerIds;
              }
              break;
            }
            long ref = entry - 1;
            int eb = (int) (ref >>> 32);
            int ei = (int) ref;
            int[] eo = offsets[eb];
            if (Arrays.equals(data[eb], eo[ei], eo[ei + 1], bytes, o[i], o[i + 1])) {
              rowIds[i] = tableIds[slot];
              break;
            }
            slot = (slot + 1) & mask;
          }
        }
        ids[b] = rowIds;
      }
      // Order the distinct values once; an id's rank is its place in that order.
      int size = distinct.size();
      Integer[] order = new Integer[size];
      for (int d = 0; d < size; d++) {
        order[d] = d;
      }
      long[] refs = distinct.values;
      Arrays.sort(order, (x, y) -> {
        long a = refs[x];
        long c = refs[y];
        int[] oa = offsets[(int) (a >>> 32)];
        int[] oc = offsets[(int) (c >>> 32)];
        int ia = (int) a;
        int ic = (int) c;
        return Arrays.compareUnsigned(data[(int) (a >>> 32)], oa[ia], oa[ia + 1],
            data[(int) (c >>> 32)], oc[ic], oc[ic + 1]);
      });
      int[] rankOf = new int[size];
      for (int r = 0; r < size; r++) {
        rankOf[order[r]] = r;
      }
      for (int[] rowIds : ids) {
        for (int i = 0; i < rowIds.length; i++) {
          rowIds[i] = rankOf[rowIds[i]];
        }
      }
      return ids;
    }

    private static void rehash(long[] table, int[] tableIds, long[] bigger, int[] biggerIds,
        byte[][] data, int[][] offsets) {
      int mask = bigger.length - 1;
      for (int s = 0; s < table.length; s++) {
        long entry = table[s];
        if (entry == 0) {
          continue;
        }
        long ref = entry - 1;
        int b = (int) (ref >>> 32);
        int i = (int) ref;
        byte[] bytes = data[b];
        int hash = 1;
        for (int k = offsets[b][i]; k < offsets[b][i + 1]; k++) {
          hash = 31 * hash + bytes[k];
        }
        hash ^= hash >>> 16;
        int slot = hash & mask;
        while (bigger[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        bigger[slot] = entry;
        biggerIds[slot] = tableIds[s];
      }
    }

    @Override
    int compareValues(int batchA, int rowA, int batchB, int rowB) {
      return Integer.compare(ranks[batchA][rowA], ranks[batchB][rowB]);
    }
  }

  /** A growable array of longs. */
  private static final class LongArray {
    long[] values = new long[64];
    private int size;

    void add(long value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    int size() {
      return size;
    }
  }

  /** Integers, longs, dates and timestamps: signed, as stored. */
  private static final class Longs extends Key {
    private final long[][] values;

    Longs(int column, List<VectorSchemaRoot> batches, boolean descending, boolean nullsFirst) {
      super(column, batches, descending, nullsFirst);
      values = new long[batches.size()][];
      for (int b = 0; b < batches.size(); b++) {
        FieldVector vector = batches.get(b).getVector(column);
        int count = vector.getValueCount();
        long[] out = new long[count];
        ArrowBuf buffer = vector.getDataBuffer();
        if (vector instanceof BigIntVector || vector instanceof TimeStampVector) {
          if (count > 0) {
            buffer.nioBuffer(0, count * 8).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
          }
        } else if (vector instanceof IntVector || vector instanceof DateDayVector) {
          for (int i = 0; i < count; i++) {
            out[i] = buffer.getInt((long) i * 4);
          }
        } else {
          throw new IllegalArgumentException(
              "not an integer column: " + vector.getField().getType());
        }
        values[b] = out;
      }
    }

    @Override
    int compareValues(int batchA, int rowA, int batchB, int rowB) {
      return Long.compare(values[batchA][rowA], values[batchB][rowB]);
    }
  }

  /**
   * Any other field: Iceberg's transform applied to the row's value (as {@link ArrowRow} gives
   * it), compared by Iceberg's comparator for the result type. Nulls in the result are the
   * field's nulls.
   */
  private static final class Transformed extends Key {
    private final Object[][] values;
    private final Comparator<Object> comparator;

    @SuppressWarnings("unchecked")
    Transformed(
        SortField field, Type type, int column, List<VectorSchemaRoot> batches,
        boolean descending, boolean nullsFirst) {
      super(column, batches, descending, nullsFirst);
      Transform<Object, Object> transform = (Transform<Object, Object>) field.transform();
      SerializableFunction<Object, Object> apply = transform.bind(type);
      Type result = transform.getResultType(type);
      this.comparator = (Comparator<Object>) Comparators.forType(result.asPrimitiveType());
      values = new Object[batches.size()][];
      ArrowRow row = new ArrowRow();
      for (int b = 0; b < batches.size(); b++) {
        VectorSchemaRoot batch = batches.get(b);
        row.batch(batch);
        int count = batch.getRowCount();
        Object[] out = new Object[count];
        for (int i = 0; i < count; i++) {
          Object value = row.row(i).value(column);
          out[i] = value == null ? null : apply.apply(value);
          if (out[i] == null) {
            validity[b][i >> 3] &= (byte) ~(1 << (i & 7));
          }
        }
        values[b] = out;
      }
    }

    @Override
    int compareValues(int batchA, int rowA, int batchB, int rowB) {
      return comparator.compare(values[batchA][rowA], values[batchB][rowB]);
    }
  }

  private static byte[] bytes(ArrowBuf buffer, long length) {
    byte[] out = new byte[Math.toIntExact(length)];
    if (length > 0) {
      buffer.getBytes(0, out);
    }
    return out;
  }
}

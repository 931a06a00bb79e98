package io.icegate.engine.expr;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * One batch's worth of a SQL expression's values, held column-wise in plain arrays: longs,
 * doubles, three-valued booleans, strings, or other objects (maps, binary). What {@link
 * SqlExpressions} computes with; {@link #read} takes a column out of an Arrow batch and {@link
 * #toVector} writes one into a new vector.
 */
public sealed interface SqlValues {
  int rows();

  boolean isNull(int row);

  /** Exact numbers (every integer type and raw nanosecond timestamps). */
  record Longs(long[] values, boolean[] nulls) implements SqlValues {
    @Override
    public int rows() {
      return values.length;
    }

    @Override
    public boolean isNull(int row) {
      return nulls[row];
    }
  }

  /** Approximate numbers; SQL DECIMAL is computed as double too. */
  record Doubles(double[] values, boolean[] nulls) implements SqlValues {
    @Override
    public int rows() {
      return values.length;
    }

    @Override
    public boolean isNull(int row) {
      return nulls[row];
    }
  }

  /** Three-valued booleans: a null is UNKNOWN. */
  record Bools(boolean[] values, boolean[] nulls) implements SqlValues {
    @Override
    public int rows() {
      return values.length;
    }

    @Override
    public boolean isNull(int row) {
      return nulls[row];
    }

    /** True where the value is TRUE (not FALSE, not UNKNOWN): what a WHERE keeps. */
    public boolean isTrue(int row) {
      return values[row] && !nulls[row];
    }
  }

  /** Character strings; a null element is SQL NULL. */
  record Strings(String[] values) implements SqlValues {
    @Override
    public int rows() {
      return values.length;
    }

    @Override
    public boolean isNull(int row) {
      return values[row] == null;
    }
  }

  /** Anything else (maps as {@code Map<String,String>}, binary as {@code byte[]}, lists). */
  record Objects(Object[] values) implements SqlValues {
    @Override
    public int rows() {
      return values.length;
    }

    @Override
    public boolean isNull(int row) {
      return values[row] == null;
    }
  }

  /** The values of an Arrow column, as the SQL type it was planned with reads them. */
  static SqlValues read(FieldVector vector, int rows) {
    if (vector instanceof TimeStampVector ts) {
      long[] values = new long[rows];
      boolean[] nulls = new boolean[rows];
      for (int i = 0; i < rows; i++) {
        nulls[i] = ts.isNull(i);
        values[i] = nulls[i] ? 0 : ts.get(i);
      }
      return new Longs(values, nulls);
    }
    if (vector instanceof BaseIntVector ints) {
      long[] values = new long[rows];
      boolean[] nulls = new boolean[rows];
      for (int i = 0; i < rows; i++) {
        nulls[i] = vector.isNull(i);
        values[i] = nulls[i] ? 0 : ints.getValueAsLong(i);
      }
      return new Longs(values, nulls);
    }
    if (vector instanceof FloatingPointVector floats) {
      double[] values = new double[rows];
      boolean[] nulls = new boolean[rows];
      for (int i = 0; i < rows; i++) {
        nulls[i] = vector.isNull(i);
        values[i] = nulls[i] ? 0 : floats.getValueAsDouble(i);
      }
      return new Doubles(values, nulls);
    }
    if (vector instanceof BitVector bits) {
      boolean[] values = new boolean[rows];
      boolean[] nulls = new boolean[rows];
      for (int i = 0; i < rows; i++) {
        nulls[i] = bits.isNull(i);
        values[i] = !nulls[i] && bits.get(i) != 0;
      }
      return new Bools(values, nulls);
    }
    if (vector instanceof VarCharVector strings) {
      String[] values = new String[rows];
      for (int i = 0; i < rows; i++) {
        values[i] = strings.isNull(i) ? null : new String(strings.get(i), StandardCharsets.UTF_8);
      }
      return new Strings(values);
    }
    Object[] values = new Object[rows];
    for (int i = 0; i < rows; i++) {
      values[i] = javaValue(vector, i);
    }
    return new Objects(values);
  }

  /**
   * Row {@code row} of {@code vector} as a plain Java value: Long, Integer, Double, Boolean,
   * String, byte[], an insertion-ordered {@code Map} for a map column, a {@code List} for a
   * list, a {@code Map} of field names for a struct; null for SQL NULL. Timestamps are their raw
   * nanoseconds, as the plans type them (BIGINT).
   */
  static Object javaValue(FieldVector vector, int row) {
    if (vector.isNull(row)) {
      return null;
    }
    if (vector instanceof TimeStampVector ts) {
      return ts.get(row);
    }
    if (vector instanceof BigIntVector v) {
      return v.get(row);
    }
    if (vector instanceof IntVector v) {
      return v.get(row);
    }
    if (vector instanceof SmallIntVector v) {
      return (int) v.get(row);
    }
    if (vector instanceof TinyIntVector v) {
      return (int) v.get(row);
    }
    if (vector instanceof BaseIntVector v) {
      return v.getValueAsLong(row);
    }
    if (vector instanceof FloatingPointVector v) {
      return v.getValueAsDouble(row);
    }
    if (vector instanceof BitVector v) {
      return v.get(row) != 0;
    }
    if (vector instanceof VarCharVector v) {
      return new String(v.get(row), StandardCharsets.UTF_8);
    }
    if (vector instanceof VarBinaryVector v) {
      return v.get(row);
    }
    if (vector instanceof FixedSizeBinaryVector v) {
      return v.get(row);
    }
    if (vector instanceof MapVector map) {
      StructVector entries = (StructVector) map.getDataVector();
      FieldVector keys = (FieldVector) entries.getChildByOrdinal(0);
      FieldVector values = (FieldVector) entries.getChildByOrdinal(1);
      Map<Object, Object> out = new LinkedHashMap<>();
      int start = map.getElementStartIndex(row);
      int end = map.getElementEndIndex(row);
      for (int e = start; e < end; e++) {
        out.put(javaValue(keys, e), javaValue(values, e));
      }
      return out;
    }
    if (vector instanceof org.apache.arrow.vector.complex.ListVector list) {
      FieldVector elements = list.getDataVector();
      List<Object> out = new java.util.ArrayList<>();
      for (int e = list.getElementStartIndex(row); e < list.getElementEndIndex(row); e++) {
        out.add(javaValue(elements, e));
      }
      return out;
    }
    if (vector instanceof StructVector struct) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (FieldVector child : struct.getChildrenFromFields()) {
        out.put(child.getName(), javaValue(child, row));
      }
      return out;
    }
    return vector.getObject(row);
  }

  /**
   * A new vector named {@code name} holding {@code values} as SQL type {@code type}; the caller
   * closes it. Integer types keep their width, DECIMAL and the floating types become doubles.
   */
  static FieldVector toVector(
      SqlValues values, RelDataType type, String name, BufferAllocator allocator) {
    int rows = values.rows();
    SqlTypeName sqlType = type.getSqlTypeName();
    FieldVector out;
    switch (sqlType) {
      case BIGINT, INTEGER, SMALLINT, TINYINT -> {
        Longs longs = asLongs(values);
        if (sqlType == SqlTypeName.BIGINT) {
          BigIntVector v = new BigIntVector(name, allocator);
          v.allocateNew(rows);
          for (int i = 0; i < rows; i++) {
            if (!longs.nulls[i]) {
              v.set(i, longs.values[i]);
            }
          }
          out = v;
        } else {
          IntVector v = new IntVector(name, allocator);
          v.allocateNew(rows);
          for (int i = 0; i < rows; i++) {
            if (!longs.nulls[i]) {
              v.set(i, (int) longs.values[i]);
            }
          }
          out = v;
        }
      }
      case DECIMAL, DOUBLE, FLOAT, REAL -> {
        Doubles doubles = SqlExpressions.toDoubles(values);
        Float8Vector v = new Float8Vector(name, allocator);
        v.allocateNew(rows);
        for (int i = 0; i < rows; i++) {
          if (!doubles.nulls[i]) {
            v.set(i, doubles.values[i]);
          }
        }
        out = v;
      }
      case BOOLEAN -> {
        Bools bools = (Bools) values;
        BitVector v = new BitVector(name, allocator);
        v.allocateNew(rows);
        for (int i = 0; i < rows; i++) {
          if (!bools.nulls[i]) {
            v.set(i, bools.values[i] ? 1 : 0);
          }
        }
        out = v;
      }
      case CHAR, VARCHAR -> {
        Strings strings = SqlExpressions.toStrings(values);
        VarCharVector v = new VarCharVector(name, allocator);
        v.allocateNew(rows);
        for (int i = 0; i < rows; i++) {
          if (strings.values[i] != null) {
            v.setSafe(i, strings.values[i].getBytes(StandardCharsets.UTF_8));
          }
        }
        out = v;
      }
      case BINARY, VARBINARY -> {
        Objects objects = (Objects) values;
        VarBinaryVector v = new VarBinaryVector(name, allocator);
        v.allocateNew(rows);
        for (int i = 0; i < rows; i++) {
          if (objects.values[i] != null) {
            v.setSafe(i, (byte[]) objects.values[i]);
          }
        }
        out = v;
      }
      case NULL -> {
        VarCharVector v = new VarCharVector(name, allocator);
        v.allocateNew(rows);
        out = v;
      }
      default -> throw new UnsupportedOperationException(
          "computing a value of SQL type " + sqlType + " is not supported");
    }
    out.setValueCount(rows);
    return out;
  }

  private static Longs asLongs(SqlValues values) {
    if (values instanceof Longs longs) {
      return longs;
    }
    if (values instanceof Doubles doubles) {
      long[] out = new long[doubles.rows()];
      for (int i = 0; i < out.length; i++) {
        out[i] = (long) doubles.values[i];
      }
      return new Longs(out, doubles.nulls);
    }
    if (values instanceof Strings strings && allNull(strings)) {
      boolean[] nulls = new boolean[strings.rows()];
      java.util.Arrays.fill(nulls, true);
      return new Longs(new long[strings.rows()], nulls);
    }
    throw new UnsupportedOperationException("not a number: " + values.getClass().getSimpleName());
  }

  private static boolean allNull(Strings strings) {
    for (String s : strings.values) {
      if (s != null) {
        return false;
      }
    }
    return true;
  }
}

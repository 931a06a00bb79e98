package io.icegate.engine.exec;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * The batch layout PromQL's plan nodes exchange: an instant vector evaluated over every step of a
 * query, one row per series, as Prometheus's engine holds it (a series' values side by side, so
 * that matching and grouping work once per series, not once per sample).
 *
 * <ul>
 *   <li>{@code labels}: VARCHAR, the series' label set in {@link
 *       io.icegate.protocol.loki.LabelSetCodec}'s canonical form; never null.
 *   <li>{@code values}: a fixed-size list of DOUBLE, one element per step of the query's grid (in
 *       step order); a null element is a step where the series has no sample.
 *   <li>{@code drop_name}: BOOLEAN, Prometheus's delayed {@code __name__} removal (the name goes
 *       when the result is built; {@code label_replace} may still read it).
 * </ul>
 *
 * <p>Every step of one batch belongs to the same grid, so the list size is the grid's step count.
 * Native histogram samples have no place here: a plan carrying them is evaluated the series way.
 */
public final class StepMatrix {
  public static final String LABELS = "labels";
  public static final String VALUES = "values";
  public static final String DROP_NAME = "drop_name";
  public static final int LABELS_COLUMN = 0;
  public static final int VALUES_COLUMN = 1;
  public static final int DROP_NAME_COLUMN = 2;

  private StepMatrix() {}

  /** The Arrow schema of a step matrix over {@code steps} steps. */
  public static Schema schema(int steps) {
    Field element =
        new Field(
            "step",
            FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
            null);
    return new Schema(
        List.of(
            new Field(LABELS, FieldType.notNullable(ArrowType.Utf8.INSTANCE), null),
            new Field(
                VALUES,
                FieldType.notNullable(new ArrowType.FixedSizeList(steps)),
                List.of(element)),
            new Field(DROP_NAME, FieldType.notNullable(ArrowType.Bool.INSTANCE), null)));
  }

  /** The Calcite row type of a step matrix (the step count is the node's, not the type's). */
  public static RelDataType rowType(RelDataTypeFactory types) {
    RelDataType element =
        types.createTypeWithNullability(types.createSqlType(SqlTypeName.DOUBLE), true);
    return types.builder()
        .add(LABELS, types.createSqlType(SqlTypeName.VARCHAR))
        .add(VALUES, types.createArrayType(element, -1))
        .add(DROP_NAME, types.createSqlType(SqlTypeName.BOOLEAN))
        .build();
  }

  /** An empty step matrix over {@code steps} steps with room for {@code rows} series. */
  public static VectorSchemaRoot allocate(BufferAllocator allocator, int steps, int rows) {
    VectorSchemaRoot root = VectorSchemaRoot.create(schema(steps), allocator);
    try {
      labels(root).allocateNew(Math.max(1, rows) * 64L, Math.max(1, rows));
      FixedSizeListVector list = list(root);
      list.setInitialCapacity(Math.max(1, rows));
      list.allocateNew();
      dropName(root).allocateNew(Math.max(1, rows));
      return root;
    } catch (RuntimeException | Error e) {
      root.close();
      throw e;
    }
  }

  /** The number of steps of {@code root}'s grid. */
  public static int steps(VectorSchemaRoot root) {
    return list(root).getListSize();
  }

  public static VarCharVector labels(VectorSchemaRoot root) {
    return (VarCharVector) root.getVector(LABELS_COLUMN);
  }

  public static FixedSizeListVector list(VectorSchemaRoot root) {
    return (FixedSizeListVector) root.getVector(VALUES_COLUMN);
  }

  /** The values of every row, row {@code r}'s step {@code s} at index {@code r * steps + s}. */
  public static Float8Vector values(VectorSchemaRoot root) {
    return (Float8Vector) list(root).getDataVector();
  }

  public static BitVector dropName(VectorSchemaRoot root) {
    return (BitVector) root.getVector(DROP_NAME_COLUMN);
  }

  /**
   * Writes series {@code row}: its labels, its value at each step where {@code present} is set
   * (others null), and its name-dropping mark. Rows are written in order; call {@link
   * #finish} once after the last.
   */
  public static void setRow(
      VectorSchemaRoot root, int row, byte[] labels, double[] values, boolean[] present,
      boolean dropName) {
    int steps = steps(root);
    labels(root).setSafe(row, labels);
    FixedSizeListVector list = list(root);
    list.setNotNull(row);
    Float8Vector data = values(root);
    int base = row * steps;
    while (data.getValueCapacity() < base + steps) {
      data.reAlloc();
    }
    for (int s = 0; s < steps; s++) {
      if (present[s]) {
        data.set(base + s, values[s]);
      } else {
        data.setNull(base + s);
      }
    }
    dropName(root).setSafe(row, dropName ? 1 : 0);
  }

  /** {@link #setRow} with the labels as a string. */
  public static void setRow(
      VectorSchemaRoot root, int row, String labels, double[] values, boolean[] present,
      boolean dropName) {
    setRow(root, row, labels.getBytes(StandardCharsets.UTF_8), values, present, dropName);
  }

  /** Sets the row count of every vector of {@code root} to {@code rows}. */
  public static void finish(VectorSchemaRoot root, int rows) {
    values(root).setValueCount(rows * steps(root));
    root.setRowCount(rows);
  }

  /** How many step values of {@code root} are present (not null), over all its rows. */
  public static long presentCount(VectorSchemaRoot root) {
    int rows = root.getRowCount();
    if (rows == 0) {
      return 0;
    }
    int cells = rows * steps(root);
    return cells - org.apache.arrow.vector.BitVectorHelper.getNullCount(
        values(root).getValidityBuffer(), cells);
  }

  /** Row {@code row}'s label set, in its canonical string form. */
  public static String labelText(VectorSchemaRoot root, int row) {
    return new String(labels(root).get(row), StandardCharsets.UTF_8);
  }

  /** Whether row {@code row} has a sample at step {@code step}. */
  public static boolean present(VectorSchemaRoot root, int row, int step) {
    return !values(root).isNull(row * steps(root) + step);
  }

  /** Row {@code row}'s value at step {@code step} (meaningless where not {@link #present}). */
  public static double value(VectorSchemaRoot root, int row, int step) {
    Float8Vector data = values(root);
    return data.getDataBuffer().getDouble((long) (row * steps(root) + step) * Float8Vector.TYPE_WIDTH);
  }

  /**
   * Reads row {@code row} into {@code values} and {@code present} (one slot per step; a null
   * element reads as absent), straight from the vectors' memory.
   */
  public static void readRow(VectorSchemaRoot root, int row, double[] values, boolean[] present) {
    int steps = steps(root);
    Float8Vector data = values(root);
    org.apache.arrow.memory.ArrowBuf buffer = data.getDataBuffer();
    org.apache.arrow.memory.ArrowBuf validity = data.getValidityBuffer();
    int base = row * steps;
    for (int s = 0; s < steps; s++) {
      present[s] = org.apache.arrow.vector.BitVectorHelper.get(validity, base + s) != 0;
      values[s] = buffer.getDouble((long) (base + s) * Float8Vector.TYPE_WIDTH);
    }
  }
}

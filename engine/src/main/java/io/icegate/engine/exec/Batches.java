package io.icegate.engine.exec;

import io.icegate.storage.table.ArrowSelection;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/** Small helpers for building batches; every returned batch is owned by the caller. */
public final class Batches {
  private Batches() {}

  /** An empty batch of {@code schema} with room allocated for {@code rows}. */
  public static VectorSchemaRoot allocate(Schema schema, BufferAllocator allocator, int rows) {
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
    for (FieldVector v : root.getFieldVectors()) {
      v.setInitialCapacity(rows);
      v.allocateNew();
    }
    return root;
  }

  /**
   * Copies the rows of {@code source} whose {@code selected} flag is set into a new batch (see
   * {@link ArrowSelection#select}).
   */
  public static VectorSchemaRoot select(
      VectorSchemaRoot source, boolean[] selected, int count, BufferAllocator allocator) {
    return ArrowSelection.select(source, selected, count, allocator);
  }

  /** Moves {@code columns} of {@code source} (by index) into a new batch named {@code names}. */
  /** A column index for {@link #take}: a string column null in every row, read from nothing. */
  public static final int NULL_STRINGS = -1;

  public static VectorSchemaRoot take(
      VectorSchemaRoot source, List<Integer> columns, List<String> names,
      BufferAllocator allocator) {
    List<FieldVector> out = new ArrayList<>(columns.size());
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i) == NULL_STRINGS) {
        VarCharVector nulls = new VarCharVector(names.get(i), allocator);
        int rows = source.getRowCount();
        nulls.allocateNew(0, Math.max(1, rows));
        // Validity and offsets all zero: every row null and empty. Marked as set, so that
        // setValueCount doesn't write each row's offset again.
        nulls.getValidityBuffer().setZero(0, nulls.getValidityBuffer().capacity());
        nulls.getOffsetBuffer().setZero(0, nulls.getOffsetBuffer().capacity());
        nulls.setLastSet(rows - 1);
        nulls.setValueCount(rows);
        out.add(nulls);
        continue;
      }
      FieldVector src = source.getVector(columns.get(i));
      var field =
          new org.apache.arrow.vector.types.pojo.Field(
              names.get(i), src.getField().getFieldType(), src.getField().getChildren());
      FieldVector dst = field.createVector(allocator);
      if (columns.indexOf(columns.get(i)) == i) {
        src.makeTransferPair(dst).transfer();
      } else {
        // The same column selected twice: the first took the buffers, so copy from it.
        FieldVector first = out.get(columns.indexOf(columns.get(i)));
        dst.allocateNew();
        for (int r = 0; r < source.getRowCount(); r++) {
          dst.copyFromSafe(r, r, first);
        }
        dst.setValueCount(source.getRowCount());
      }
      out.add(dst);
    }
    VectorSchemaRoot root = new VectorSchemaRoot(out);
    root.setRowCount(source.getRowCount());
    return root;
  }
}

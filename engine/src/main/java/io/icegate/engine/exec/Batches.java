package io.icegate.engine.exec;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
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
   * Copies the rows of {@code source} whose {@code selected} flag is set into a new batch.
   * Strings and binaries are copied in bulk (sizes summed, buffers allocated once); other
   * columns value by value ({@link #copyValue}).
   */
  public static VectorSchemaRoot select(
      VectorSchemaRoot source, boolean[] selected, int count, BufferAllocator allocator) {
    VectorSchemaRoot out = allocate(source.getSchema(), allocator, count);
    try {
      List<FieldVector> from = source.getFieldVectors();
      List<FieldVector> to = out.getFieldVectors();
      int rows = source.getRowCount();
      for (int c = 0; c < from.size(); c++) {
        FieldVector src = from.get(c);
        FieldVector dst = to.get(c);
        if (src instanceof BaseVariableWidthVector variable) {
          selectVariableWidth(variable, (BaseVariableWidthVector) dst, selected, rows, count);
          continue;
        }
        int j = 0;
        for (int i = 0; i < rows; i++) {
          if (selected[i]) {
            copyValue(src, i, dst, j++);
          }
        }
        dst.setValueCount(count);
      }
      out.setRowCount(count);
      return out;
    } catch (RuntimeException | Error e) {
      out.close();
      throw e;
    }
  }

  /**
   * Copies value {@code i} of {@code src} to index {@code j} of {@code dst}. Lists, maps and
   * structs are copied child by child: Arrow's own {@code copyFromSafe} for them goes through a
   * writer that has no fixed-size-binary case (the exemplars' trace and span ids).
   */
  static void copyValue(FieldVector src, int i, FieldVector dst, int j) {
    if (src instanceof ListVector list) {
      ListVector out = (ListVector) dst;
      if (list.isNull(i)) {
        out.setNull(j);
        return;
      }
      int from = list.getElementStartIndex(i);
      int to = list.getElementEndIndex(i);
      int start = out.startNewValue(j);
      FieldVector inner = list.getDataVector();
      FieldVector outInner = out.getDataVector();
      for (int k = from; k < to; k++) {
        copyValue(inner, k, outInner, start + k - from);
      }
      outInner.setValueCount(Math.max(outInner.getValueCount(), start + to - from));
      out.endValue(j, to - from);
    } else if (src instanceof StructVector struct) {
      StructVector out = (StructVector) dst;
      if (struct.isNull(i)) {
        out.setNull(j);
        return;
      }
      out.setIndexDefined(j);
      List<FieldVector> children = struct.getChildrenFromFields();
      List<FieldVector> outChildren = out.getChildrenFromFields();
      for (int c = 0; c < children.size(); c++) {
        copyValue(children.get(c), i, outChildren.get(c), j);
        outChildren.get(c).setValueCount(Math.max(outChildren.get(c).getValueCount(), j + 1));
      }
    } else {
      dst.copyFromSafe(i, j, src);
    }
  }

  private static void selectVariableWidth(
      BaseVariableWidthVector src, BaseVariableWidthVector dst, boolean[] selected, int rows,
      int count) {
    ArrowBuf offsets = src.getOffsetBuffer();
    long total = 0;
    for (int i = 0; i < rows; i++) {
      if (selected[i] && !src.isNull(i)) {
        total += offsets.getInt((long) (i + 1) * 4) - offsets.getInt((long) i * 4);
      }
    }
    dst.allocateNew(Math.max(total, 1), count);
    ArrowBuf data = src.getDataBuffer();
    ArrowBuf outOffsets = dst.getOffsetBuffer();
    ArrowBuf outData = dst.getDataBuffer();
    ArrowBuf outValidity = dst.getValidityBuffer();
    int position = 0;
    int j = 0;
    for (int i = 0; i < rows; i++) {
      if (!selected[i]) {
        continue;
      }
      outOffsets.setInt((long) j * 4, position);
      if (!src.isNull(i)) {
        int start = offsets.getInt((long) i * 4);
        int length = offsets.getInt((long) (i + 1) * 4) - start;
        outData.setBytes(position, data, start, length);
        BitVectorHelper.setBit(outValidity, j);
        position += length;
      }
      j++;
    }
    outOffsets.setInt((long) count * 4, position);
    dst.setLastSet(count - 1);
    dst.setValueCount(count);
  }

  /** Moves {@code columns} of {@code source} (by index) into a new batch named {@code names}. */
  public static VectorSchemaRoot take(
      VectorSchemaRoot source, List<Integer> columns, List<String> names,
      BufferAllocator allocator) {
    List<FieldVector> out = new ArrayList<>(columns.size());
    for (int i = 0; i < columns.size(); i++) {
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

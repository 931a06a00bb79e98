package io.icegate.storage.table;

import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;

/**
 * Copies the selected rows of a batch into a new one. Lives in storage so that both the scan
 * (which drops the rows a pushed filter rejects) and the engine's filter operator use it.
 */
public final class ArrowSelection {
  private ArrowSelection() {}

  /**
   * Copies the rows of {@code source} whose {@code selected} flag is set into a new batch owned by
   * the caller. Strings and binaries are copied in bulk (sizes summed, buffers allocated once);
   * other columns value by value ({@link #copyValue}).
   */
  public static VectorSchemaRoot select(
      VectorSchemaRoot source, boolean[] selected, int count, BufferAllocator allocator) {
    VectorSchemaRoot out = VectorSchemaRoot.create(source.getSchema(), allocator);
    try {
      for (FieldVector v : out.getFieldVectors()) {
        v.setInitialCapacity(count);
        v.allocateNew();
      }
      List<FieldVector> from = source.getFieldVectors();
      List<FieldVector> to = out.getFieldVectors();
      int rows = source.getRowCount();
      for (int c = 0; c < from.size(); c++) {
        select(from.get(c), rows, selected, count, to.get(c));
      }
      out.setRowCount(count);
      return out;
    } catch (RuntimeException | Error e) {
      out.close();
      throw e;
    }
  }

  /** Copies the selected of the first {@code rows} values of {@code src} into empty {@code dst}. */
  public static void select(
      FieldVector src, int rows, boolean[] selected, int count, FieldVector dst) {
    if (src instanceof BaseVariableWidthVector variable) {
      selectVariableWidth(variable, (BaseVariableWidthVector) dst, selected, rows, count);
      return;
    }
    if (src instanceof BaseFixedWidthVector fixed && !(src instanceof BitVector)
        && dst.getClass() == src.getClass()) {
      selectFixedWidth(fixed, (BaseFixedWidthVector) dst, selected, rows, count);
      return;
    }
    int j = 0;
    for (int i = 0; i < rows; i++) {
      if (selected[i]) {
        copyValue(src, i, dst, j++);
      }
    }
    dst.setValueCount(count);
  }

  /**
   * Copies value {@code i} of {@code src} to index {@code j} of {@code dst}. Lists, maps and
   * structs are copied child by child: Arrow's own {@code copyFromSafe} for them goes through a
   * writer that has no fixed-size-binary case (the exemplars' trace and span ids).
   */
  public static void copyValue(FieldVector src, int i, FieldVector dst, int j) {
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

  /**
   * Copies the selected values of a fixed-width column a run of consecutive selected rows at a
   * time (a time filter keeps long stretches of a metric's rows): one memory copy per run.
   */
  private static void selectFixedWidth(
      BaseFixedWidthVector src, BaseFixedWidthVector dst, boolean[] selected, int rows,
      int count) {
    dst.allocateNew(count);
    int width = src.getTypeWidth();
    ArrowBuf data = src.getDataBuffer();
    ArrowBuf outData = dst.getDataBuffer();
    ArrowBuf validity = src.getValidityBuffer();
    ArrowBuf outValidity = dst.getValidityBuffer();
    boolean anyNull = src.getNullCount() > 0;
    int j = 0;
    int i = 0;
    while (i < rows) {
      if (!selected[i]) {
        i++;
        continue;
      }
      int start = i;
      while (i < rows && selected[i]) {
        i++;
      }
      int n = i - start;
      outData.setBytes((long) j * width, data, (long) start * width, (long) n * width);
      if (anyNull) {
        for (int k = 0; k < n; k++) {
          if (BitVectorHelper.get(validity, start + k) != 0) {
            BitVectorHelper.setBit(outValidity, j + k);
          }
        }
      } else {
        setBits(outValidity, j, n);
      }
      j += n;
    }
    dst.setValueCount(count);
  }

  /** Sets validity bits {@code [from, from + n)}, whole bytes at once. */
  private static void setBits(ArrowBuf validity, int from, int n) {
    int i = from;
    int end = from + n;
    while (i < end && (i & 7) != 0) {
      BitVectorHelper.setBit(validity, i++);
    }
    int wholeBytes = (end - i) >>> 3;
    if (wholeBytes > 0) {
      validity.setOne(i >>> 3, wholeBytes);
      i += wholeBytes << 3;
    }
    while (i < end) {
      BitVectorHelper.setBit(validity, i++);
    }
  }

  /**
   * Copies the selected values of a string or binary column: sizes summed and the buffer
   * allocated once, then each run of consecutive selected non-null rows (whose bytes lie back to
   * back) copied at once.
   */
  private static void selectVariableWidth(
      BaseVariableWidthVector src, BaseVariableWidthVector dst, boolean[] selected, int rows,
      int count) {
    ArrowBuf offsets = src.getOffsetBuffer();
    boolean anyNull = src.getNullCount() > 0;
    long total = 0;
    for (int i = 0; i < rows; i++) {
      if (selected[i] && (!anyNull || !src.isNull(i))) {
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
    int i = 0;
    while (i < rows) {
      if (!selected[i]) {
        i++;
        continue;
      }
      if (anyNull && src.isNull(i)) {
        outOffsets.setInt((long) j * 4, position);
        j++;
        i++;
        continue;
      }
      int first = j;
      int base = offsets.getInt((long) i * 4);
      while (i < rows && selected[i] && (!anyNull || !src.isNull(i))) {
        outOffsets.setInt((long) j * 4, position + offsets.getInt((long) i * 4) - base);
        j++;
        i++;
      }
      int length = offsets.getInt((long) i * 4) - base;
      outData.setBytes(position, data, base, length);
      setBits(outValidity, first, j - first);
      position += length;
    }
    outOffsets.setInt((long) count * 4, position);
    dst.setLastSet(count - 1);
    dst.setValueCount(count);
  }
}

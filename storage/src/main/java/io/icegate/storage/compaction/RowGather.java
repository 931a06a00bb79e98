package io.icegate.storage.compaction;

import java.nio.ByteOrder;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Copies rows, given as references into input batches (batch number in the high 32 bits, row in
 * the low), into one new batch in the references' order.
 *
 * <p>Each column is built on the heap and set into its Arrow buffers with one copy per buffer.
 * The unit of copying is a run — consecutive values of one source vector — not a value: a row of
 * a top-level column is a run of one (adjacent rows of one batch merge into one run), and the
 * elements of a list or the entries of a map are a run of the child vector, so a map's keys and
 * values are copied with one read of their bytes per row, whatever the number of entries.
 * Arrow's per-value copies ({@code copyFromSafe}) check capacity, holes and bounds per value and
 * entry, which cost more than the copying.
 */
final class RowGather {
  /**
   * Heap copies of the input vectors' offsets and validity, made the first time a vector is
   * copied from and kept for the run: the per-value reads are then array reads, not checked
   * reads of Arrow memory. The value bytes stay in Arrow and are read once per run.
   */
  private final Map<ValueVector, int[]> offsets = new IdentityHashMap<>();
  private final Map<ValueVector, byte[]> validity = new IdentityHashMap<>();

  /** Rows {@code refs[from, to)} of {@code batches} as a new batch of {@code schema}. */
  VectorSchemaRoot rows(
      Schema schema, List<VectorSchemaRoot> batches, long[] refs, int from, int to,
      BufferAllocator allocator) {
    Runs runs = new Runs(to - from);
    for (int k = from; k < to; k++) {
      long ref = refs[k];
      runs.add((int) (ref >>> 32), (int) ref, 1);
    }
    VectorSchemaRoot out = VectorSchemaRoot.create(schema, allocator);
    try {
      List<FieldVector> targets = out.getFieldVectors();
      ValueVector[] sources = new ValueVector[batches.size()];
      for (int c = 0; c < targets.size(); c++) {
        for (int b = 0; b < sources.length; b++) {
          sources[b] = batches.get(b).getVector(c);
        }
        copy(targets.get(c), sources, runs);
      }
      out.setRowCount(to - from);
      return out;
    } catch (RuntimeException | Error e) {
      out.close();
      throw e;
    }
  }

  /** Runs of values to copy, in order: (source number, first value, count). */
  private static final class Runs {
    int[] source;
    int[] start;
    int[] length;
    int size;
    long values;

    Runs(int capacity) {
      source = new int[Math.max(4, capacity)];
      start = new int[source.length];
      length = new int[source.length];
    }

    void add(int from, int first, int count) {
      if (count == 0) {
        return;
      }
      values += count;
      if (size > 0 && source[size - 1] == from && start[size - 1] + length[size - 1] == first) {
        length[size - 1] += count;
        return;
      }
      if (size == source.length) {
        int grown = size * 2;
        source = java.util.Arrays.copyOf(source, grown);
        start = java.util.Arrays.copyOf(start, grown);
        length = java.util.Arrays.copyOf(length, grown);
      }
      source[size] = from;
      start[size] = first;
      length[size] = count;
      size++;
    }
  }

  /** Copies the runs' values of {@code sources} into the empty {@code target}, in order. */
  private void copy(ValueVector target, ValueVector[] sources, Runs runs) {
    int count = Math.toIntExact(runs.values);
    if (target instanceof ListVector list) { // maps too
      copyList(list, sources, runs, count);
    } else if (target instanceof StructVector struct) {
      copyStruct(struct, sources, runs, count);
    } else if (target instanceof BitVector bits) {
      bits.allocateNew(Math.max(1, count));
      ArrowBuf data = bits.getDataBuffer();
      byte[] validity = new byte[(count + 7) / 8];
      byte[] values = new byte[(count + 7) / 8];
      int at = 0;
      for (int r = 0; r < runs.size; r++) {
        BitVector source = (BitVector) sources[runs.source[r]];
        for (int i = runs.start[r], end = i + runs.length[r]; i < end; i++, at++) {
          if (!source.isNull(i)) {
            validity[at >> 3] |= (byte) (1 << (at & 7));
            if (source.get(i) == 1) {
              values[at >> 3] |= (byte) (1 << (at & 7));
            }
          }
        }
      }
      bits.getValidityBuffer().setBytes(0, validity);
      data.setBytes(0, values);
      bits.setValueCount(count);
    } else if (target instanceof BaseFixedWidthVector fixed) {
      copyFixed(fixed, sources, runs, count);
    } else if (target instanceof BaseVariableWidthVector variable) {
      copyVariable(variable, sources, runs, count);
    } else {
      throw new UnsupportedOperationException(
          "no row copy for Arrow type " + target.getField().getType());
    }
  }

  private void copyFixed(
      BaseFixedWidthVector target, ValueVector[] sources, Runs runs, int count) {
    int width = target.getTypeWidth();
    byte[] validity = new byte[(count + 7) / 8];
    byte[] data = new byte[Math.multiplyExact(count, width)];
    byte[][] bits = new byte[sources.length][];
    int at = 0;
    for (int r = 0; r < runs.size; r++) {
      int s = runs.source[r];
      BaseFixedWidthVector source = (BaseFixedWidthVector) sources[s];
      int first = runs.start[r];
      int n = runs.length[r];
      source.getDataBuffer().getBytes((long) first * width, data, at * width, n * width);
      if (bits[s] == null) {
        bits[s] = validityOf(source);
      }
      copyValidity(bits[s], first, n, validity, at);
      at += n;
    }
    target.allocateNew(Math.max(1, count));
    target.getValidityBuffer().setBytes(0, validity);
    target.getDataBuffer().setBytes(0, data);
    target.setValueCount(count);
  }

  private void copyVariable(
      BaseVariableWidthVector target, ValueVector[] sources, Runs runs, int count) {
    int[] offsets = new int[count + 1];
    byte[] validity = new byte[(count + 7) / 8];
    byte[][] bits = new byte[sources.length][];
    int[][] starts = new int[sources.length][];
    int at = 0;
    for (int r = 0; r < runs.size; r++) {
      int s = runs.source[r];
      int first = runs.start[r];
      int n = runs.length[r];
      if (bits[s] == null) {
        bits[s] = validityOf(sources[s]);
        starts[s] = offsetsOf(sources[s]);
      }
      int[] sourceOffsets = starts[s];
      int base = sourceOffsets[first];
      for (int i = 1; i <= n; i++) {
        offsets[at + i] = Math.addExact(offsets[at], sourceOffsets[first + i] - base);
      }
      copyValidity(bits[s], first, n, validity, at);
      at += n;
    }
    byte[] data = new byte[offsets[count]];
    at = 0;
    for (int r = 0; r < runs.size; r++) {
      BaseVariableWidthVector source = (BaseVariableWidthVector) sources[runs.source[r]];
      int first = runs.start[r];
      int n = runs.length[r];
      int bytes = offsets[at + n] - offsets[at];
      if (bytes > 0) {
        source.getDataBuffer().getBytes(starts[runs.source[r]][first], data, offsets[at], bytes);
      }
      at += n;
    }
    target.allocateNew(Math.max(1, data.length), Math.max(1, count));
    target.getValidityBuffer().setBytes(0, validity);
    if (count > 0) {
      target.getOffsetBuffer().nioBuffer(0, (count + 1) * 4).order(ByteOrder.LITTLE_ENDIAN)
          .asIntBuffer().put(offsets);
    }
    target.getDataBuffer().setBytes(0, data);
    target.setLastSet(count - 1);
    target.setValueCount(count);
  }

  /** Lists and maps: offsets and validity per value, then the elements as runs of the child. */
  private void copyList(ListVector target, ValueVector[] sources, Runs runs, int count) {
    int[] offsets = new int[count + 1];
    byte[] validity = new byte[(count + 7) / 8];
    ValueVector[] children = new ValueVector[sources.length];
    Runs elements = new Runs(runs.size);
    byte[][] bits = new byte[sources.length][];
    int[][] starts = new int[sources.length][];
    int at = 0;
    for (int r = 0; r < runs.size; r++) {
      int s = runs.source[r];
      ListVector source = (ListVector) sources[s];
      if (bits[s] == null) {
        children[s] = source.getDataVector();
        bits[s] = validityOf(source);
        starts[s] = offsetsOf(source);
      }
      int first = runs.start[r];
      int n = runs.length[r];
      int[] sourceOffsets = starts[s];
      int base = sourceOffsets[first];
      int end = sourceOffsets[first + n];
      for (int i = 1; i <= n; i++) {
        offsets[at + i] = Math.addExact(offsets[at], sourceOffsets[first + i] - base);
      }
      elements.add(s, base, end - base);
      copyValidity(bits[s], first, n, validity, at);
      at += n;
    }
    target.setInitialCapacity(Math.max(1, count));
    target.allocateNew();
    target.getValidityBuffer().setBytes(0, validity);
    target.getOffsetBuffer().nioBuffer(0, (count + 1) * 4).order(ByteOrder.LITTLE_ENDIAN)
        .asIntBuffer().put(offsets);
    copy(target.getDataVector(), children, elements); // reallocates the child to its size
    target.setLastSet(count - 1);
    target.setValueCount(count);
  }

  /** Structs: validity per value, each child the same runs of its source child. */
  private void copyStruct(StructVector target, ValueVector[] sources, Runs runs, int count) {
    byte[] validity = new byte[(count + 7) / 8];
    byte[][] bits = new byte[sources.length][];
    int at = 0;
    for (int r = 0; r < runs.size; r++) {
      int s = runs.source[r];
      if (bits[s] == null) {
        bits[s] = validityOf(sources[s]);
      }
      copyValidity(bits[s], runs.start[r], runs.length[r], validity, at);
      at += runs.length[r];
    }
    target.setInitialCapacity(Math.max(1, count));
    target.allocateNew();
    target.getValidityBuffer().setBytes(0, validity);
    ValueVector[] children = new ValueVector[sources.length];
    for (int c = 0; c < target.size(); c++) {
      for (int s = 0; s < sources.length; s++) {
        children[s] = sources[s] == null ? null : ((StructVector) sources[s]).getChildByOrdinal(c);
      }
      copy(target.getChildByOrdinal(c), children, runs); // reallocates the child to its size
    }
    target.setValueCount(count);
  }

  /** The validity bits of {@code source}, on the heap. */
  private byte[] validityOf(ValueVector source) {
    byte[] bits = validity.get(source);
    if (bits == null) {
      bits = new byte[(source.getValueCount() + 7) / 8];
      if (bits.length > 0) {
        source.getValidityBuffer().getBytes(0, bits);
      }
      validity.put(source, bits);
    }
    return bits;
  }

  /** Validity bits {@code [first, first + n)} of {@code bits} to bits from {@code at}. */
  private static void copyValidity(byte[] bits, int first, int n, byte[] out, int at) {
    for (int i = 0; i < n; i++) {
      int j = first + i;
      if ((bits[j >> 3] & (1 << (j & 7))) != 0) {
        int k = at + i;
        out[k >> 3] |= (byte) (1 << (k & 7));
      }
    }
  }

  /** The {@code count + 1} offsets of a variable-width or repeated vector, on the heap. */
  private int[] offsetsOf(ValueVector source) {
    int[] cached = offsets.get(source);
    if (cached == null) {
      int count = source.getValueCount();
      cached = new int[count + 1];
      if (count > 0) {
        source.getOffsetBuffer().nioBuffer(0, (count + 1) * 4).order(ByteOrder.LITTLE_ENDIAN)
            .asIntBuffer().get(cached);
      }
      offsets.put(source, cached);
    }
    return cached;
  }
}

package io.icegate.storage.parquet;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVectorHelper;

/**
 * Appends values to a freshly allocated variable-width vector straight into its buffers: one
 * capacity comparison per value, the buffers grown (doubled) only when they are full. Arrow's
 * {@code setSafe} checks and may grow per value through several calls; a map's entries, read
 * level by level, are appended here one at a time.
 */
final class StringSink {
  /** Values up to this many bytes are copied byte by byte. */
  private static final int SHORT = 24;

  private BaseVariableWidthVector vector;
  private long offsets;
  private long data;
  private long dataCapacity;
  private ArrowBuf validity;
  private int valueCapacity;
  /** Values appended so far. */
  private int count;
  /** Bytes appended so far. */
  private int end;

  /** Starts appending to {@code target}, allocated and empty. */
  void start(BaseVariableWidthVector target) {
    vector = target;
    count = 0;
    end = 0;
    refresh();
  }

  int count() {
    return count;
  }

  private void refresh() {
    offsets = vector.getOffsetBuffer().memoryAddress();
    data = vector.getDataBuffer().memoryAddress();
    dataCapacity = vector.getDataBuffer().capacity();
    validity = vector.getValidityBuffer();
    valueCapacity = vector.getValueCapacity();
  }

  /** Appends {@code length} bytes of {@code source} from {@code from} as the next value. */
  void append(byte[] source, int from, int length) {
    if (count >= valueCapacity) {
      vector.reallocValidityAndOffsetBuffers();
      refresh();
    }
    if (end + (long) length > dataCapacity) {
      if (end + (long) length > Integer.MAX_VALUE) {
        throw new IllegalStateException("batch of strings over 2 GiB");
      }
      while (end + (long) length > vector.getDataBuffer().capacity()) {
        vector.reallocDataBuffer();
      }
      refresh();
    }
    MemoryUtil.putInt(offsets + (long) count * BaseVariableWidthVector.OFFSET_WIDTH, end);
    long to = data + end;
    if (length <= SHORT) {
      // Attribute keys and values are mostly short: a byte loop costs less than the checks
      // and call of a bulk copy.
      for (int i = 0; i < length; i++) {
        MemoryUtil.putByte(to + i, source[from + i]);
      }
    } else {
      MemoryUtil.copyToMemory(source, from, to, length);
    }
    BitVectorHelper.setBit(validity, count);
    end += length;
    count++;
  }

  /** Appends a null value. */
  void appendNull() {
    if (count >= valueCapacity) {
      vector.reallocValidityAndOffsetBuffers();
      refresh();
    }
    MemoryUtil.putInt(offsets + (long) count * BaseVariableWidthVector.OFFSET_WIDTH, end);
    count++;
  }

  /** Ends the vector: its last offset, last set index and value count. */
  void finish() {
    MemoryUtil.putInt(offsets + (long) count * BaseVariableWidthVector.OFFSET_WIDTH, end);
    vector.setLastSet(count - 1);
    vector.setValueCount(count);
    vector = null;
    validity = null;
  }
}

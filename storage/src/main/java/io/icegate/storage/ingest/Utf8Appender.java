package io.icegate.storage.ingest;

import com.google.protobuf.ByteString;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.VarCharVector;

/**
 * Writes a string column row after row, every row in order (null or not): one capacity check
 * per value and none of {@code setSafe}'s bookkeeping for skipped rows, which the 8 string
 * columns paid on every record.
 */
final class Utf8Appender {
  private final VarCharVector vector;
  private ArrowBuf offsets;
  private ArrowBuf validity;
  private ArrowBuf data;
  private int rows;
  private long end;

  Utf8Appender(VarCharVector vector) {
    this.vector = vector;
    buffers();
  }

  private void buffers() {
    offsets = vector.getOffsetBuffer();
    validity = vector.getValidityBuffer();
    data = vector.getDataBuffer();
    rows = vector.getValueCapacity();
  }

  void set(int row, byte[] src, int from, int length) {
    ensureRow(row);
    if (end + length > data.capacity()) {
      vector.reallocDataBuffer(Math.max(2 * data.capacity(), end + length));
      buffers();
    }
    data.setBytes(end, src, from, length);
    end += length;
    offsets.setInt((long) (row + 1) * BaseVariableWidthVector.OFFSET_WIDTH, (int) end);
    BitVectorHelper.setBit(validity, row);
  }

  /** As {@link #set(int, byte[], int, int)}, from bytes protobuf holds. */
  void set(int row, ByteString bytes) {
    int length = bytes.size();
    ensureRow(row);
    if (end + length > data.capacity()) {
      vector.reallocDataBuffer(Math.max(2 * data.capacity(), end + length));
      buffers();
    }
    data.setBytes(end, bytes.asReadOnlyByteBuffer());
    end += length;
    offsets.setInt((long) (row + 1) * BaseVariableWidthVector.OFFSET_WIDTH, (int) end);
    BitVectorHelper.setBit(validity, row);
  }

  void setNull(int row) {
    ensureRow(row);
    offsets.setInt((long) (row + 1) * BaseVariableWidthVector.OFFSET_WIDTH, (int) end);
    BitVectorHelper.unsetBit(validity, row);
  }

  private void ensureRow(int row) {
    while (row >= rows) {
      vector.reallocValidityAndOffsetBuffers();
      buffers();
    }
  }

  /** Declares rows 0 .. {@code count - 1} written, before the root's row count is set. */
  void finish(int count) {
    vector.setLastSet(count - 1);
  }
}

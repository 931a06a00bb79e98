package io.icegate.engine.exec;

import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Bulk access to whole rows of a {@link StepMatrix}: a row's step values copied to or from a
 * Java array in one memory copy, its presence bits set or read in one pass, for the operators
 * over step matrices and the evaluator's conversions.
 */
public final class StepRows {
  private StepRows() {}

  /** {@link StepMatrix#allocate}, with the values sized for {@code rows} whole rows. */
  public static VectorSchemaRoot allocate(BufferAllocator allocator, int steps, int rows) {
    VectorSchemaRoot root = StepMatrix.allocate(allocator, steps, rows);
    try {
      Float8Vector data = StepMatrix.values(root);
      while (data.getValueCapacity() < (long) rows * steps) {
        data.reAlloc();
      }
      return root;
    } catch (RuntimeException | Error e) {
      root.close();
      throw e;
    }
  }

  /**
   * Writes row {@code row} (rows in order; the matrix from {@link #allocate} with room for it):
   * labels, the values {@code values[valuesFrom .. valuesFrom + steps)} at the steps {@code
   * present[presentFrom ..]} marks, and the name-dropping mark.
   */
  public static void set(
      VectorSchemaRoot root, int row, byte[] labels, double[] values, int valuesFrom,
      boolean[] present, int presentFrom, boolean dropName) {
    int steps = StepMatrix.steps(root);
    StepMatrix.labels(root).setSafe(row, labels);
    StepMatrix.list(root).setNotNull(row);
    Float8Vector data = StepMatrix.values(root);
    long base = (long) row * steps;
    if (steps > 0) {
      doubles(data.getDataBuffer(), base, steps).put(values, valuesFrom, steps);
    }
    ArrowBuf validity = data.getValidityBuffer();
    for (int s = 0; s < steps; s++) {
      if (present[presentFrom + s]) {
        BitVectorHelper.setBit(validity, base + s);
      }
    }
    StepMatrix.dropName(root).setSafe(row, dropName ? 1 : 0);
  }

  /** Copies row {@code row}'s values into {@code values} and its presence into {@code present}. */
  public static void get(VectorSchemaRoot root, int row, double[] values, boolean[] present) {
    int steps = StepMatrix.steps(root);
    Float8Vector data = StepMatrix.values(root);
    long base = (long) row * steps;
    if (steps > 0) {
      doubles(data.getDataBuffer(), base, steps).get(values, 0, steps);
    }
    ArrowBuf validity = data.getValidityBuffer();
    for (int s = 0; s < steps; s++) {
      present[s] = isSet(validity, base + s);
    }
  }

  /** Whether element {@code index} of {@code validity} is set. */
  static boolean isSet(ArrowBuf validity, long index) {
    return (validity.getByte(index >>> 3) & (1 << (index & 7))) != 0;
  }

  /** Sets element {@code index} of {@code validity}. */
  static void setBit(ArrowBuf validity, long index) {
    BitVectorHelper.setBit(validity, index);
  }

  /** {@code count} doubles of {@code buf} from element {@code first}, as a native-order view. */
  static DoubleBuffer doubles(ArrowBuf buf, long first, int count) {
    return buf.nioBuffer(first * Float8Vector.TYPE_WIDTH, count * Float8Vector.TYPE_WIDTH)
        .order(ByteOrder.LITTLE_ENDIAN)
        .asDoubleBuffer();
  }
}

package io.icegate.engine.expr;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.VarCharVector;

/**
 * Runs a per-value test over one batch of a string column the way the string kernels want it:
 * the batch's bytes copied once into a reused array (so each test is an array comparison the JDK
 * vectorizes), nulls failing, and a value equal to the previous row's reusing its verdict — files
 * are sorted by the promoted names and stream labels, so neighbouring rows mostly repeat.
 */
final class StringVerdicts {
  /** A test of the value at {@code [start, end)} of {@code data}. */
  interface Verdict {
    boolean test(byte[] data, int start, int end);
  }

  private byte[] scratch = new byte[0];

  void evaluate(VarCharVector vector, int rows, boolean[] out, Verdict verdict) {
    if (rows == 0) {
      return;
    }
    ArrowBuf offsets = vector.getOffsetBuffer();
    int base = offsets.getInt(0);
    int total = offsets.getInt((long) rows * 4) - base;
    if (scratch.length < total) {
      scratch = new byte[Math.max(total, scratch.length * 2)];
    }
    vector.getDataBuffer().getBytes(base, scratch, 0, total);
    if (allSame(vector, offsets, base, rows, total)) {
      // One value the whole batch (a metric's name, the tenant): one test, one fill.
      java.util.Arrays.fill(out, 0, rows, verdict.test(scratch, 0, total / rows));
      return;
    }
    int previousStart = -1;
    int previousEnd = -1;
    boolean previous = false;
    int start = 0;
    for (int i = 0; i < rows; i++) {
      int end = offsets.getInt((long) (i + 1) * 4) - base;
      if (vector.isNull(i)) {
        out[i] = false;
      } else if (previousStart >= 0
          && java.util.Arrays.equals(scratch, start, end, scratch, previousStart, previousEnd)) {
        out[i] = previous;
      } else {
        previous = verdict.test(scratch, start, end);
        out[i] = previous;
        previousStart = start;
        previousEnd = end;
      }
      start = end;
    }
  }

  /**
   * Whether the batch is one value {@code rows} times, none null: every value as long as the
   * first, and the bytes equal to themselves shifted by that length (one vectorized comparison
   * instead of one per row).
   */
  private boolean allSame(VarCharVector vector, ArrowBuf offsets, int base, int rows, int total) {
    if (rows < 2 || vector.getNullCount() != 0) {
      return false;
    }
    int length = offsets.getInt(4) - base;
    if ((long) length * rows != total) {
      return false;
    }
    for (int i = 2; i <= rows; i++) {
      if (offsets.getInt((long) i * 4) - base != length * i) {
        return false;
      }
    }
    return java.util.Arrays.equals(scratch, 0, total - length, scratch, length, total);
  }
}

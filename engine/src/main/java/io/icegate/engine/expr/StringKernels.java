package io.icegate.engine.expr;

import com.google.re2j.Pattern;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.VarCharVector;

/** Substring and RE2 tests on the UTF-8 bytes of a VarChar column. */
final class StringKernels {
  private StringKernels() {}

  /** True where the value contains {@code needle}; searched in the Arrow buffer, no copies. */
  static VectorPredicate contains(int column, byte[] needle) {
    return (batch, out) -> {
      VarCharVector vector = (VarCharVector) batch.getVector(column);
      ArrowBuf data = vector.getDataBuffer();
      for (int i = 0; i < batch.getRowCount(); i++) {
        out[i] =
            !vector.isNull(i)
                && indexOf(data, vector.getStartOffset(i), vector.getValueLength(i), needle) >= 0;
      }
    };
  }

  static long indexOf(ArrowBuf data, long start, int length, byte[] needle) {
    if (needle.length == 0) {
      return 0;
    }
    byte first = needle[0];
    long last = start + length - needle.length;
    outer:
    for (long p = start; p <= last; p++) {
      if (data.getByte(p) != first) {
        continue;
      }
      for (int k = 1; k < needle.length; k++) {
        if (data.getByte(p + k) != needle[k]) {
          continue outer;
        }
      }
      return p - start;
    }
    return -1;
  }

  /**
   * RE2 match on the value's bytes: {@code fullMatch} anchors at both ends (label matchers), else
   * the pattern may match anywhere (line filters). re2j needs a byte[] per value for now.
   */
  static VectorPredicate regex(int column, Pattern pattern, boolean fullMatch) {
    return (batch, out) -> {
      VarCharVector vector = (VarCharVector) batch.getVector(column);
      for (int i = 0; i < batch.getRowCount(); i++) {
        if (vector.isNull(i)) {
          out[i] = false;
          continue;
        }
        byte[] value = vector.get(i);
        out[i] = fullMatch ? pattern.matches(value) : pattern.matcher(value).find();
      }
    };
  }
}

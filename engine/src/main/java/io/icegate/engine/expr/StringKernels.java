package io.icegate.engine.expr;

import com.google.re2j.Pattern;
import io.icegate.storage.scan.ByteSearch;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.VarCharVector;

/** Substring and RE2 tests on the UTF-8 bytes of a VarChar column. */
final class StringKernels {
  private StringKernels() {}

  /**
   * True where the value contains {@code needle}. The batch's value bytes are searched in one
   * pass over a copy of the data buffer (a bulk copy, far cheaper than per-byte buffer reads)
   * with {@link ByteSearch}; each match is mapped to its row through the offsets, and a match
   * that straddles two values does not count.
   */
  static VectorPredicate contains(int column, byte[] needle) {
    ByteSearch search = needle.length == 0 ? null : new ByteSearch(needle);
    return new VectorPredicate() {
      private byte[] scratch = new byte[0];

      @Override
      public int cost() {
        return 5;
      }

      @Override
      public void evaluate(org.apache.arrow.vector.VectorSchemaRoot batch, boolean[] out) {
        VarCharVector vector = (VarCharVector) batch.getVector(column);
        int rows = batch.getRowCount();
        java.util.Arrays.fill(out, 0, rows, false);
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
        if (needle.length == 0) {
          for (int i = 0; i < rows; i++) {
            out[i] = !vector.isNull(i);
          }
          return;
        }
        int row = 0;
        int rowEnd = offsets.getInt(4) - base;
        int at = search.indexOf(scratch, 0, total);
        while (at >= 0) {
          while (at >= rowEnd) {
            row++;
            rowEnd = offsets.getInt((long) (row + 1) * 4) - base;
          }
          if (at + needle.length <= rowEnd) {
            out[row] = !vector.isNull(row);
            at = search.indexOf(scratch, rowEnd, total); // the rest of this value can't matter
          } else {
            at = search.indexOf(scratch, at + 1, total);
          }
        }
      }
    };
  }

  /**
   * RE2 match on the value's bytes: {@code fullMatch} anchors at both ends (label matchers), else
   * the pattern may match anywhere (line filters). re2j needs a byte[] per value for now.
   */
  static VectorPredicate regex(int column, Pattern pattern, boolean fullMatch) {
    String required = RequiredLiteral.of(pattern.pattern());
    VectorPredicate prefilter =
        required == null
            ? null
            : contains(column, required.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return new VectorPredicate() {
      @Override
      public int cost() {
        return 20;
      }

      @Override
      public void evaluate(org.apache.arrow.vector.VectorSchemaRoot batch, boolean[] out) {
        if (prefilter != null) {
          prefilter.evaluate(batch, out);
        } else {
          java.util.Arrays.fill(out, 0, batch.getRowCount(), true);
        }
        matchWhere(batch, out);
      }

      @Override
      public void evaluate(
          org.apache.arrow.vector.VectorSchemaRoot batch, boolean[] out, boolean[] candidates) {
        if (prefilter != null) {
          prefilter.evaluate(batch, out);
          for (int i = 0; i < batch.getRowCount(); i++) {
            out[i] &= candidates[i];
          }
        } else {
          System.arraycopy(candidates, 0, out, 0, batch.getRowCount());
        }
        matchWhere(batch, out);
      }

      /** Runs the regex on the rows still true in {@code out}. */
      private void matchWhere(org.apache.arrow.vector.VectorSchemaRoot batch, boolean[] out) {
        VarCharVector vector = (VarCharVector) batch.getVector(column);
        for (int i = 0; i < batch.getRowCount(); i++) {
          if (!out[i] || vector.isNull(i)) {
            out[i] = false;
            continue;
          }
          byte[] value = vector.get(i);
          out[i] = fullMatch ? pattern.matches(value) : pattern.matcher(value).find();
        }
      }
    };
  }
}

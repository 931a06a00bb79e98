package io.icegate.engine.expr;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.calcite.sql.SqlKind;

/** Column-versus-constant comparisons on numbers and on UTF-8 bytes. */
final class CompareKernels {
  private CompareKernels() {}

  static VectorPredicate longs(int column, SqlKind kind, long constant) {
    return (batch, out) -> {
      FieldVector vector = batch.getVector(column);
      int rows = batch.getRowCount();
      if (vector instanceof TimeStampVector || vector instanceof BigIntVector) {
        // One loop per operator over the raw 8-byte values (timestamps: every log query's time
        // range), nulls cleared afterwards only when there are any.
        ArrowBuf data = vector.getDataBuffer();
        switch (kind) {
          case EQUALS -> {
            for (int i = 0; i < rows; i++) {
              out[i] = data.getLong((long) i * 8) == constant;
            }
          }
          case NOT_EQUALS -> {
            for (int i = 0; i < rows; i++) {
              out[i] = data.getLong((long) i * 8) != constant;
            }
          }
          case LESS_THAN -> {
            for (int i = 0; i < rows; i++) {
              out[i] = data.getLong((long) i * 8) < constant;
            }
          }
          case LESS_THAN_OR_EQUAL -> {
            for (int i = 0; i < rows; i++) {
              out[i] = data.getLong((long) i * 8) <= constant;
            }
          }
          case GREATER_THAN -> {
            for (int i = 0; i < rows; i++) {
              out[i] = data.getLong((long) i * 8) > constant;
            }
          }
          case GREATER_THAN_OR_EQUAL -> {
            for (int i = 0; i < rows; i++) {
              out[i] = data.getLong((long) i * 8) >= constant;
            }
          }
          default -> throw new IllegalArgumentException("not a comparison: " + kind);
        }
        if (vector.getNullCount() > 0) {
          for (int i = 0; i < rows; i++) {
            if (vector.isNull(i)) {
              out[i] = false;
            }
          }
        }
      } else if (vector instanceof TimeStampVector ts) {
        for (int i = 0; i < rows; i++) {
          out[i] = !ts.isNull(i) && test(kind, Long.compare(ts.get(i), constant));
        }
      } else {
        BaseIntVector ints = (BaseIntVector) vector;
        for (int i = 0; i < rows; i++) {
          out[i] = !vector.isNull(i) && test(kind, Long.compare(ints.getValueAsLong(i), constant));
        }
      }
    };
  }

  /**
   * A string column against a constant, as unsigned UTF-8 bytes (code point order), each distinct
   * run of values compared once ({@link StringVerdicts}).
   */
  static VectorPredicate bytes(int column, SqlKind kind, byte[] constant) {
    StringVerdicts verdicts = new StringVerdicts();
    return (batch, out) ->
        verdicts.evaluate(
            (VarCharVector) batch.getVector(column),
            batch.getRowCount(),
            out,
            (data, start, end) ->
                test(
                    kind,
                    java.util.Arrays.compareUnsigned(
                        data, start, end, constant, 0, constant.length)));
  }

  static boolean test(SqlKind kind, int comparison) {
    return switch (kind) {
      case EQUALS -> comparison == 0;
      case NOT_EQUALS -> comparison != 0;
      case LESS_THAN -> comparison < 0;
      case LESS_THAN_OR_EQUAL -> comparison <= 0;
      case GREATER_THAN -> comparison > 0;
      case GREATER_THAN_OR_EQUAL -> comparison >= 0;
      default -> throw new IllegalArgumentException("not a comparison: " + kind);
    };
  }
}

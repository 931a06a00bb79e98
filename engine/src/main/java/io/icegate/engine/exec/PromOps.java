package io.icegate.engine.exec;

import io.icegate.engine.promql.PromQLException;
import io.icegate.promql.ast.BinaryOp;

/**
 * PromQL's binary operators on two float samples: the arithmetic (with Go's {@code math.Pow}
 * special cases) and the comparisons. Shared by the series evaluator and the step-matrix
 * operators ({@link VectorMatchOperator}), so both compute a sample the same way.
 */
public final class PromOps {
  private PromOps() {}

  /** {@code x op y} for an arithmetic operator; errors for any other. */
  public static double arithmetic(BinaryOp op, double x, double y) {
    return switch (op) {
      case ADD -> x + y;
      case SUB -> x - y;
      case MUL -> x * y;
      case DIV -> x / y;
      case MOD -> x % y;
      case POW -> pow(x, y);
      case ATAN2 -> Math.atan2(x, y);
      default -> throw notAllowed(op);
    };
  }

  /** Go's math.Pow, which differs from Java's for a base of 1 and for -1 with infinities. */
  public static double pow(double x, double y) {
    if (x == 1 || y == 0) {
      return 1;
    }
    if (x == -1 && Double.isInfinite(y)) {
      return 1;
    }
    return Math.pow(x, y);
  }

  /** {@code x op y} for a comparison operator; errors for any other. */
  public static boolean compare(BinaryOp op, double x, double y) {
    return switch (op) {
      case EQLC -> x == y;
      case NEQ -> x != y;
      case GTR -> x > y;
      case LSS -> x < y;
      case GTE -> x >= y;
      case LTE -> x <= y;
      default -> throw notAllowed(op);
    };
  }

  /** Prometheus's error for an operator used where it has no meaning (a query error). */
  private static RuntimeException notAllowed(BinaryOp op) {
    return new PromQLException("operator \"" + op + "\" not allowed here");
  }
}

package io.icegate.engine.logql;

import io.icegate.logql.ast.BinOpExpr;
import io.icegate.logql.ast.LiteralExpr;
import io.icegate.logql.ast.SampleExpr;
import io.icegate.logql.ast.VectorExpr;

/**
 * Evaluates LogQL metric expressions built from literals and {@code vector(…)} alone — what
 * Grafana's Loki health check sends ({@code vector(1)+vector(1)}). They need no data: every
 * vector has at most one sample, with no labels, so vector matching reduces to "both present".
 * Arithmetic follows Loki, which differs from Prometheus in one place: division and modulo by
 * zero give NaN (Loki's parser folds literal-only operations the same way). A comparison without
 * {@code bool} filters the vector side's sample; with it, it yields 0 or 1.
 */
public final class ConstantEvaluator {
  /** A scalar, or a vector of zero or one label-less samples. */
  public record Value(boolean scalar, boolean present, double value) {
    static Value scalar(double v) {
      return new Value(true, true, v);
    }

    static Value sample(double v) {
      return new Value(false, true, v);
    }

    static final Value EMPTY = new Value(false, false, Double.NaN);
  }

  private ConstantEvaluator() {}

  /** True if {@code expr} reads no data. */
  public static boolean isConstant(SampleExpr expr) {
    if (expr instanceof LiteralExpr || expr instanceof VectorExpr) {
      return true;
    }
    if (expr instanceof BinOpExpr op) {
      return isConstant(op.left()) && isConstant(op.right());
    }
    return false;
  }

  /** Evaluates a constant expression; throws IllegalArgumentException for what LogQL forbids. */
  public static Value evaluate(SampleExpr expr) {
    if (expr instanceof LiteralExpr literal) {
      return Value.scalar(literal.value());
    }
    if (expr instanceof VectorExpr vector) {
      return Value.sample(vector.value());
    }
    if (expr instanceof BinOpExpr op) {
      return binary(op, evaluate(op.left()), evaluate(op.right()));
    }
    throw new IllegalArgumentException("not a constant expression");
  }

  private static Value binary(BinOpExpr op, Value left, Value right) {
    BinOpExpr.Op kind = op.op();
    if (kind.isSetOperator()) {
      // Both sides are vectors: the parser rejects literals beside set operators.
      return switch (kind) {
        case AND -> left.present() && right.present() ? left : Value.EMPTY;
        case OR -> left.present() ? left : right;
        default -> right.present() ? Value.EMPTY : left; // UNLESS
      };
    }
    if (left.scalar() && right.scalar()) {
      // The parser folds literal-only operations, so this is only reached through parentheses
      // it kept; the same rules apply.
      return Value.scalar(apply(kind, left.value(), right.value()));
    }
    if (!left.present() || !right.present()) {
      return Value.EMPTY;
    }
    double result = apply(kind, left.value(), right.value());
    if (kind.isComparison() && !op.returnBool()) {
      // A filter: the vector side's sample survives if the comparison holds.
      return result == 1 ? Value.sample(left.scalar() ? right.value() : left.value()) : Value.EMPTY;
    }
    return Value.sample(result);
  }

  private static double apply(BinOpExpr.Op kind, double a, double b) {
    return switch (kind) {
      case ADD -> a + b;
      case SUB -> a - b;
      case MUL -> a * b;
      case DIV -> b == 0 ? Double.NaN : a / b;
      case MOD -> b == 0 ? Double.NaN : a % b; // Go's math.Mod keeps the dividend's sign too
      case POW -> Math.pow(a, b);
      case CMP_EQ -> a == b ? 1 : 0;
      case NEQ -> a != b ? 1 : 0;
      case GT -> a > b ? 1 : 0;
      case GTE -> a >= b ? 1 : 0;
      case LT -> a < b ? 1 : 0;
      case LTE -> a <= b ? 1 : 0;
      default -> throw new IllegalArgumentException("not an arithmetic operator: " + kind);
    };
  }
}

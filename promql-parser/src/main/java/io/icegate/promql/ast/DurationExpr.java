package io.icegate.promql.ast;

/**
 * An experimental duration expression (Prometheus's {@code --enable-feature=promql-duration-expr}):
 * arithmetic on durations in a range, step or offset, e.g. {@code x[5m + 1m]},
 * {@code x offset step() * 2}, {@code x[min_of(range(), 1h)]}. Operands are {@link NumberLiteral}s
 * (in seconds) or nested duration expressions; the engine evaluates them to seconds.
 *
 * @param op the operator; {@link Op#STEP} and {@link Op#RANGE} have no operands, unary {@code -}
 *     and {@code +} only {@code rhs}
 * @param lhs the left operand, or null
 * @param rhs the right operand, or null
 * @param wrapped whether it was written in parentheses (kept for printing)
 */
public record DurationExpr(Op op, Expr lhs, Expr rhs, boolean wrapped, PositionRange positionRange)
    implements Expr {

  /** The operators of duration expressions. */
  public enum Op {
    ADD("+"),
    SUB("-"),
    MUL("*"),
    DIV("/"),
    MOD("%"),
    POW("^"),
    STEP("step"),
    RANGE("range"),
    MIN_OF("min_of"),
    MAX_OF("max_of");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    @Override
    public String toString() {
      return symbol;
    }
  }

  @Override
  public ValueType type() {
    return ValueType.SCALAR;
  }

  @Override
  public String toString() {
    String inner =
        switch (op) {
          case STEP -> "step()";
          case RANGE -> "range()";
          case MIN_OF, MAX_OF -> op + "(" + lhs + ", " + rhs + ")";
          default -> {
            if (lhs == null) {
              yield op == Op.SUB ? "-" + rhs : String.valueOf(rhs);
            }
            yield lhs + " " + op + " " + rhs;
          }
        };
    return wrapped ? "(" + inner + ")" : inner;
  }
}

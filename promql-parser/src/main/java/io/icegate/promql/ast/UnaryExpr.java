package io.icegate.promql.ast;

/**
 * {@code -expr} or {@code +expr} on a scalar or instant vector. A sign before a number literal is
 * folded into the literal instead ({@code -1} is a {@link NumberLiteral}), as in Prometheus.
 */
public record UnaryExpr(Op op, Expr expr, PositionRange positionRange) implements Expr {

  /** The unary operators. */
  public enum Op {
    ADD("+"),
    SUB("-");

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
    return expr.type();
  }

  @Override
  public String toString() {
    return op.toString() + expr;
  }
}

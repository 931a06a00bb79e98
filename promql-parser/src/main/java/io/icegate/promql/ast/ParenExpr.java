package io.icegate.promql.ast;

/** An expression in parentheses; kept so that the expression prints as it was written. */
public record ParenExpr(Expr expr, PositionRange positionRange) implements Expr {

  @Override
  public ValueType type() {
    return expr.type();
  }

  @Override
  public String toString() {
    return "(" + expr + ")";
  }
}

package io.icegate.promql.ast;

/**
 * A binary operation: {@code a + on (job) group_left b}, {@code x > bool 5}.
 *
 * @param returnBool whether the comparison has the {@code bool} modifier
 * @param matching how series are matched; null unless both sides are instant vectors (as in
 *     Prometheus). For the set operators its cardinality is {@code MANY_TO_MANY}.
 */
public record BinaryExpr(
    BinaryOp op,
    Expr lhs,
    Expr rhs,
    boolean returnBool,
    VectorMatching matching,
    PositionRange positionRange)
    implements Expr {

  @Override
  public ValueType type() {
    return lhs.type() == ValueType.SCALAR && rhs.type() == ValueType.SCALAR
        ? ValueType.SCALAR
        : ValueType.VECTOR;
  }

  @Override
  public String toString() {
    return lhs
        + " "
        + op
        + (returnBool ? " bool" : "")
        + (matching == null ? "" : matching.toString())
        + " "
        + rhs;
  }
}

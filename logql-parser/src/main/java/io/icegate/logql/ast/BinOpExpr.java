package io.icegate.logql.ast;

import java.util.Objects;

/**
 * A binary operation between two metric queries: {@code sum(rate(a[5m])) / sum(rate(b[5m]))},
 * {@code rate(...) > bool 10}, {@code x * on (pod) group_left (node) y}.
 *
 * <p>Operations between two literals never appear: the parser folds them into a {@link
 * LiteralExpr}, as Loki does. The set operators ({@code and}, {@code or}, {@code unless}) never
 * have a literal operand. {@code returnBool} is the {@code bool} modifier of comparisons.
 */
public record BinOpExpr(
    Op op, SampleExpr left, SampleExpr right, boolean returnBool, VectorMatching matching)
    implements SampleExpr {
  public BinOpExpr {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(left, "left");
    Objects.requireNonNull(right, "right");
    Objects.requireNonNull(matching, "matching");
  }

  /** The binary operators, from the loosest to the tightest precedence. */
  public enum Op {
    OR("or"),
    AND("and"),
    UNLESS("unless"),
    CMP_EQ("=="),
    NEQ("!="),
    GT(">"),
    GTE(">="),
    LT("<"),
    LTE("<="),
    ADD("+"),
    SUB("-"),
    MUL("*"),
    DIV("/"),
    MOD("%"),
    POW("^");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    /** The operator as written in LogQL. */
    public String symbol() {
      return symbol;
    }

    /** {@code and}, {@code or}, {@code unless}. */
    public boolean isSetOperator() {
      return this == OR || this == AND || this == UNLESS;
    }

    /** {@code == != > >= < <=}. */
    public boolean isComparison() {
      return this == CMP_EQ || this == NEQ || this == GT || this == GTE || this == LT || this == LTE;
    }
  }
}

package io.icegate.logql.ast;

/**
 * How a numeric, duration or bytes label filter compares the label's value with its operand.
 * {@code =} and {@code ==} are the same comparison.
 */
public enum ComparisonOp {
  EQ("=="),
  NEQ("!="),
  GT(">"),
  GTE(">="),
  LT("<"),
  LTE("<=");

  private final String symbol;

  ComparisonOp(String symbol) {
    this.symbol = symbol;
  }

  /** The operator as Loki prints it. */
  public String symbol() {
    return symbol;
  }
}

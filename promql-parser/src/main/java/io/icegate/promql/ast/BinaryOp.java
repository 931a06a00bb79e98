package io.icegate.promql.ast;

/** The binary operators. */
public enum BinaryOp {
  ADD("+"),
  SUB("-"),
  MUL("*"),
  DIV("/"),
  MOD("%"),
  POW("^"),
  ATAN2("atan2"),
  EQLC("=="),
  NEQ("!="),
  GTR(">"),
  LSS("<"),
  GTE(">="),
  LTE("<="),
  /** {@code </}: trims the upper part of native histograms. */
  TRIM_UPPER("</"),
  /** {@code >/}: trims the lower part of native histograms. */
  TRIM_LOWER(">/"),
  LAND("and"),
  LOR("or"),
  LUNLESS("unless");

  private final String symbol;

  BinaryOp(String symbol) {
    this.symbol = symbol;
  }

  /** {@code == != > < >= <=}: the operators that filter, or give 0/1 with {@code bool}. */
  public boolean isComparison() {
    return switch (this) {
      case EQLC, NEQ, GTR, LSS, GTE, LTE -> true;
      default -> false;
    };
  }

  /** {@code and or unless}: the operators on sets of series. */
  public boolean isSetOperator() {
    return this == LAND || this == LOR || this == LUNLESS;
  }

  @Override
  public String toString() {
    return symbol;
  }
}

package io.icegate.promql.ast;

/**
 * Prometheus's experimental extended range selectors: {@code rate(x[5m] anchored)} and
 * {@code rate(x[5m] smoothed)}, enabled there by {@code --enable-feature=promql-extended-range-selectors}.
 */
public enum RangeModifier {
  NONE(""),
  ANCHORED(" anchored"),
  SMOOTHED(" smoothed");

  private final String printed;

  RangeModifier(String printed) {
    this.printed = printed;
  }

  /** As printed after the selector, with a leading space; empty for {@link #NONE}. */
  @Override
  public String toString() {
    return printed;
  }
}

package io.icegate.promql.ast;

/**
 * One matcher of a vector selector: {@code job="api"}, {@code code!~"5.."}. A metric name written
 * outside the braces, or quoted alone inside them ({@code {"my.metric"}}), is the matcher
 * {@code __name__="..."}. Regex values are RE2 syntax and match the whole label value.
 */
public record LabelMatcher(String name, MatchType type, String value) {

  /** The label that holds the metric name. */
  public static final String METRIC_NAME = "__name__";

  /** The four ways of matching a label value. */
  public enum MatchType {
    EQL("="),
    NEQ("!="),
    EQL_REGEX("=~"),
    NEQ_REGEX("!~");

    private final String symbol;

    MatchType(String symbol) {
      this.symbol = symbol;
    }

    /** Whether the value is a regular expression. */
    public boolean isRegex() {
      return this == EQL_REGEX || this == NEQ_REGEX;
    }

    @Override
    public String toString() {
      return symbol;
    }
  }

  /** As Prometheus prints a matcher: the name quoted unless it is a plain identifier. */
  @Override
  public String toString() {
    return Printer.matcherName(name) + type + Printer.quote(value);
  }
}

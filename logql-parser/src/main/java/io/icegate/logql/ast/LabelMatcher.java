package io.icegate.logql.ast;

import java.util.Objects;

/**
 * One label matcher. For the regex types, {@code value} is the RE2 pattern as written (after
 * string unescaping); Loki anchors it at both ends when matching.
 */
public record LabelMatcher(String name, MatchType type, String value) {
  public LabelMatcher {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(value, "value");
  }

  /** The four matcher operators of Prometheus and Loki selectors. */
  public enum MatchType {
    EQ("="),
    NEQ("!="),
    RE("=~"),
    NRE("!~");

    private final String symbol;

    MatchType(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }
}

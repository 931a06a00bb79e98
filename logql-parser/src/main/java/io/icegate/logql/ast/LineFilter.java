package io.icegate.logql.ast;

import java.util.List;
import java.util.Objects;

/**
 * A line filter such as {@code |= "error"} or {@code |~ "err.*" or "warn"}.
 *
 * <p>{@code values} holds one or more alternatives joined by {@code or}. For the positive
 * operators a line passes if it matches any alternative; for the negative ones it passes only if
 * it matches none (Loki's semantics for {@code != "a" or "b"}; the parser gives such a filter as
 * one filter per alternative, {@code != "a" != "b"}, as Loki reads it). Regex alternatives are RE2
 * patterns, unanchored, as in Loki.
 *
 * <p>Pattern filters ({@code |>}, {@code !>}) are {@link PatternLineFilter}s, filters with {@code
 * ip()} {@link IpLineFilter}s.
 */
public record LineFilter(Op op, List<String> values) implements PipelineStage {
  public LineFilter {
    Objects.requireNonNull(op, "op");
    values = List.copyOf(values);
    if (values.isEmpty()) {
      throw new IllegalArgumentException("a line filter needs at least one value");
    }
  }

  /** The line filter operators. */
  public enum Op {
    CONTAINS("|="),
    NOT_CONTAINS("!="),
    MATCHES_REGEX("|~"),
    NOT_MATCHES_REGEX("!~");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }

    public boolean negated() {
      return this == NOT_CONTAINS || this == NOT_MATCHES_REGEX;
    }
  }
}

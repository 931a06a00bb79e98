package io.icegate.logql.ast;

import java.util.List;
import java.util.Objects;

/**
 * A line filter with {@code ip()} among its alternatives: {@code |= ip("10.0.0.0/8")} keeps lines
 * that contain an IP address in the range, {@code != ip("...")} lines that contain none.
 *
 * <p>The alternatives are joined by {@code or} and may mix addresses and text ({@code |=
 * ip("10.0.0.0/8") or "localhost"}): the positive filter keeps a line that matches any of them,
 * the negative one a line that matches none. A pattern is a single address ({@code "::1"}), a CIDR
 * prefix ({@code "10.0.0.0/8"}) or a range ({@code "10.0.0.1-10.0.0.9"}).
 *
 * <p>Loki's grammar accepts {@code ip()} after any line filter operator, but Loki can run it only
 * after {@code |=} and {@code !=}: {@link io.icegate.logql.LogQL#parse} refuses the others ("ip:
 * invalid operation"), as Loki does when it builds the pipeline.
 */
public record IpLineFilter(Op op, List<Alternative> alternatives) implements PipelineStage {
  public IpLineFilter {
    Objects.requireNonNull(op, "op");
    alternatives = List.copyOf(alternatives);
    if (alternatives.isEmpty()) {
      throw new IllegalArgumentException("an ip line filter needs at least one alternative");
    }
  }

  /** The line filter operators, as written before {@code ip()}. */
  public enum Op {
    CONTAINS("|="),
    NOT_CONTAINS("!="),
    MATCHES_REGEX("|~"),
    NOT_MATCHES_REGEX("!~"),
    MATCHES_PATTERN("|>"),
    NOT_MATCHES_PATTERN("!>");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }

    public boolean negated() {
      return this == NOT_CONTAINS || this == NOT_MATCHES_REGEX || this == NOT_MATCHES_PATTERN;
    }
  }

  /** One alternative: an address pattern, or text read as the operator reads it. */
  public sealed interface Alternative permits IpPattern, Text {}

  /** {@code ip("...")}: the line contains an address that the pattern matches. */
  public record IpPattern(String pattern) implements Alternative {
    public IpPattern {
      Objects.requireNonNull(pattern, "pattern");
    }
  }

  /** {@code "..."}: a substring for {@code |=} and {@code !=}. */
  public record Text(String value) implements Alternative {
    public Text {
      Objects.requireNonNull(value, "value");
    }
  }
}

package io.icegate.logql.ast;

import java.util.List;
import java.util.Objects;

/**
 * {@code | unwrap latency}, {@code | unwrap duration(latency)}: the label whose value becomes the
 * sample value of a range aggregation, converted as {@code conversion} says, then filtered by the
 * label filters that follow it ({@code | unwrap latency | __error__=""}).
 */
public record Unwrap(String label, Conversion conversion, List<LabelFilter> postFilters) {
  public Unwrap {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(conversion, "conversion");
    postFilters = List.copyOf(postFilters);
  }

  /** How the label's value becomes a number. */
  public enum Conversion {
    /** A float, as written. */
    NONE(""),
    /** A size such as {@code 5KiB}, in bytes. */
    BYTES("bytes"),
    /** A Go duration such as {@code 1.5s}, in seconds. */
    DURATION("duration"),
    /** The same as {@link #DURATION}. */
    DURATION_SECONDS("duration_seconds");

    private final String function;

    Conversion(String function) {
      this.function = function;
    }

    /** The LogQL function name; empty for {@link #NONE}. */
    public String function() {
      return function;
    }
  }
}

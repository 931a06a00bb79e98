package io.icegate.logql.ast;

import java.util.List;

/**
 * A pattern line filter: {@code |> "<_> level=error <_>"} keeps lines the pattern matches, {@code
 * !> "..."} lines it does not match. {@code <_>} matches any text; the rest is literal.
 *
 * <p>{@code patterns} holds one or more alternatives joined by {@code or}: the positive filter keeps
 * a line that matches any of them, the negative one a line that matches none.
 */
public record PatternLineFilter(boolean negated, List<String> patterns) implements PipelineStage {
  public PatternLineFilter {
    patterns = List.copyOf(patterns);
    if (patterns.isEmpty()) {
      throw new IllegalArgumentException("a pattern line filter needs at least one pattern");
    }
  }

  /** The LogQL operator, {@code |>} or {@code !>}. */
  public String symbol() {
    return negated ? "!>" : "|>";
  }
}

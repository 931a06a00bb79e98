package io.icegate.logql.ast;

import java.util.Objects;

/**
 * Two label filters joined by {@code and} (written {@code and}, {@code ,} or as two filters side
 * by side) or {@code or}.
 */
public record BinaryLabelFilter(LabelFilter left, Op op, LabelFilter right) implements LabelFilter {
  public BinaryLabelFilter {
    Objects.requireNonNull(left, "left");
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(right, "right");
  }

  /** How the two filters combine. */
  public enum Op {
    AND,
    OR
  }
}

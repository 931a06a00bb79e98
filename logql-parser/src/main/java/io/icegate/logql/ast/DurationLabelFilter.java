package io.icegate.logql.ast;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code latency > 250ms}: parses the label's value as a Go duration ({@code 1.5s}, {@code 300ms})
 * and compares it with {@code value}.
 */
public record DurationLabelFilter(String label, ComparisonOp op, Duration value)
    implements LabelFilter {
  public DurationLabelFilter {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(value, "value");
  }
}

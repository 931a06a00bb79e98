package io.icegate.logql.ast;

import java.util.Objects;

/** {@code status >= 500}: parses the label's value as a float and compares it with {@code value}. */
public record NumericLabelFilter(String label, ComparisonOp op, double value)
    implements LabelFilter {
  public NumericLabelFilter {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(op, "op");
  }
}

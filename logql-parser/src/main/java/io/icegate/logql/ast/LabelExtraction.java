package io.icegate.logql.ast;

import java.util.Objects;

/**
 * One label a parser extracts: {@code label="expression"}, e.g. {@code code="response.status"} for
 * {@code | json} or {@code ip="host"} for {@code | logfmt}. A bare {@code | json code} extracts
 * {@code code="code"}. The expression is kept as written (after unquoting).
 */
public record LabelExtraction(String label, String expression) {
  public LabelExtraction {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(expression, "expression");
  }
}

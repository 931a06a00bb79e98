package io.icegate.logql.ast;

import java.util.Objects;

/**
 * {@code label_replace(expr, "dst", "$1", "src", "(.*):.*")}: for each series of {@code inner}
 * whose {@code source} label fully matches {@code regex}, sets {@code destination} to {@code
 * replacement} with {@code $1}-style group references expanded. The parser has checked the regex.
 */
public record LabelReplaceExpr(
    SampleExpr inner, String destination, String replacement, String source, String regex)
    implements SampleExpr {
  public LabelReplaceExpr {
    Objects.requireNonNull(inner, "inner");
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(replacement, "replacement");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(regex, "regex");
  }
}

package io.icegate.logql.ast;

import java.util.Objects;

/**
 * {@code level="error"}, {@code path=~"/api/.*"}: compares a label's value as a string, with the
 * matcher's operator. A missing label compares as the empty string. Regexes are anchored at both
 * ends, as in stream selectors.
 */
public record StringLabelFilter(LabelMatcher matcher) implements LabelFilter {
  public StringLabelFilter {
    Objects.requireNonNull(matcher, "matcher");
  }
}

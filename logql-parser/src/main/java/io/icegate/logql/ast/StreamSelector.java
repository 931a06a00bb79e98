package io.icegate.logql.ast;

import java.util.List;

/** The {@code {name op "value", ...}} part of a query. Loki requires at least one matcher. */
public record StreamSelector(List<LabelMatcher> matchers) {
  public StreamSelector {
    matchers = List.copyOf(matchers);
  }
}

package io.icegate.logql;

import com.google.re2j.Pattern;
import io.icegate.logql.ast.LabelMatcher;
import io.icegate.logql.ast.LogQLExpr;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.StreamSelector;

/** The checks Loki makes on a query once it has parsed it. */
final class QueryValidator {
  private QueryValidator() {}

  // Loki's wording, kept byte for byte: clients match on it.
  static final String EMPTY_COMPATIBLE_MATCHERS =
      "queries require at least one regexp or equality matcher that does not have an"
          + " empty-compatible value. For instance, app=~\".*\" does not meet this requirement,"
          + " but app=~\".+\" will";

  static void validate(LogQLExpr expr) {
    if (expr instanceof LogSelectorExpr logQuery) {
      requireSelectiveMatcher(logQuery.selector());
    }
  }

  // A matcher that accepts the empty string also accepts streams without the label, so it cannot
  // pick streams from the index: Loki wants at least one matcher that cannot (and so rejects `{}`).
  private static void requireSelectiveMatcher(StreamSelector selector) {
    if (selector.matchers().stream().allMatch(QueryValidator::matchesEmpty)) {
      throw LogQLParseException.withoutPosition(EMPTY_COMPATIBLE_MATCHERS);
    }
  }

  private static boolean matchesEmpty(LabelMatcher matcher) {
    return switch (matcher.type()) {
      case EQ -> matcher.value().isEmpty();
      case NEQ -> !matcher.value().isEmpty();
      // Matcher regexes are anchored at both ends, as in Prometheus: Pattern.matches is a full
      // match.
      case RE -> Pattern.matches(matcher.value(), "");
      case NRE -> !Pattern.matches(matcher.value(), "");
    };
  }
}

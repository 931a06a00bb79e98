package io.icegate.logql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.icegate.logql.LokiCases.QueryCase;
import io.icegate.logql.ast.LogQLExpr;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Loki's own parser cases (queries.jsonl): a valid query must parse, an invalid one must be
 * rejected, with Loki's exact message where the case gives one. {@link LogQL#parseExpr} is the
 * counterpart of the function Loki's tests call ({@code ParseExpr}).
 */
class LokiQueryConformanceTest {
  private static final String FILE = "queries.jsonl";
  private static final List<QueryCase> CASES = LokiCases.queries();

  /** Why the case fails, or empty if our parser does what Loki's does. */
  static Optional<String> failure(QueryCase c) {
    try {
      LogQL.parseExpr(c.query());
      return c.valid()
          ? Optional.empty()
          : Optional.of("accepted, but Loki rejects it with: " + c.errorFull());
    } catch (LogQLParseException e) {
      if (c.valid()) {
        return Optional.of("rejected, but Loki accepts it: " + e.getMessage());
      }
      boolean sameError =
          c.exactError()
              ? e.getMessage().equals(c.errorFull())
              : e.getMessage().contains(c.error());
      return sameError
          ? Optional.empty()
          : Optional.of("rejected with: " + e.getMessage() + "\n but Loki says: " + c.errorFull());
    }
  }

  @TestFactory
  Stream<DynamicTest> everyCaseDoesWhatLokiDoes() {
    return LokiConformance.tests(FILE, CASES, QueryCase::query, LokiQueryConformanceTest::failure);
  }

  /**
   * Printing a valid query, on one line or on many, and parsing the text again gives the same
   * syntax tree; but Loki prints sizes rounded ({@code 2.5KiB} as {@code 2.6kB}), so for queries
   * with a size the printed text need only read back to itself.
   */
  @TestFactory
  Stream<DynamicTest> everyValidQueryReadsBackFromItsPrintedText() {
    Map<String, String> gaps = LokiCases.knownGaps(FILE);
    return CASES.stream()
        .filter(c -> c.valid() && !gaps.containsKey(c.query()))
        .map(
            c ->
                dynamicTest(
                    LokiCases.oneLine(c.query()),
                    () -> {
                      LogQLExpr expr = LogQL.parseExpr(c.query());
                      String formatted = LogQLFormatter.format(expr);
                      String pretty = LogQLFormatter.prettify(expr, 20);
                      LogQLExpr fromFormatted = LogQL.parseExpr(formatted);
                      LogQLExpr fromPretty = LogQL.parseExpr(pretty);
                      if (formatted.matches("(?s).*[=<>]\\d+(\\.\\d+)?[kMGTPE]?B\\b.*")) {
                        assertThat(LogQLFormatter.format(fromFormatted)).isEqualTo(formatted);
                        assertThat(LogQLFormatter.format(fromPretty)).isEqualTo(formatted);
                      } else {
                        assertThat(fromFormatted).as(formatted).isEqualTo(expr);
                        assertThat(fromPretty).as(pretty).isEqualTo(expr);
                      }
                    }));
  }
}

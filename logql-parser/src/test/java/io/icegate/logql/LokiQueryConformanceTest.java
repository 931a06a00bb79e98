package io.icegate.logql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.icegate.logql.LokiCases.QueryCase;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Loki's own parser cases (queries.jsonl): a valid query must parse, an invalid one must be
 * rejected, with Loki's exact message where the case gives one. Cases we cannot pass yet are listed
 * in known-gaps.txt with their reason; every other case must pass, and a listed case that passes
 * must be taken off the list.
 */
class LokiQueryConformanceTest {
  private static final String FILE = "queries.jsonl";
  private static final List<QueryCase> CASES = LokiCases.queries();
  private static final Map<String, String> GAPS = LokiCases.knownGaps(FILE);

  /** The reason given in known-gaps.txt for a case outside {@link #inScope}. */
  private static final String OUT_OF_SCOPE = "out of scope";

  private static final Pattern LITERAL_OR_COMMENT =
      Pattern.compile("\"(?:[^\"\\\\\\n]|\\\\.)*\"|`[^`]*`|#[^\\n]*");
  private static final Pattern SELECTOR_AND_FILTER_CHARACTERS =
      Pattern.compile("[\\s{}=!~|,\"`\\w]*");
  private static final Pattern PIPE_NOT_IN_A_FILTER = Pattern.compile("\\|(?![=~])");

  /**
   * Today's scope: a log query made of a stream selector and line filters ({@code |= != |~ !~},
   * with {@code or}). Decided on the text: with string literals blanked and {@code #} comments
   * removed, the query starts with {@code {}, holds only braces, commas, {@code = ! ~ |}, word
   * characters, quotes and white space, and each {@code |} is part of {@code |=} or {@code |~}.
   * So functions and {@code ip()} ({@code (}), ranges ({@code [}), pattern filters ({@code |>}),
   * {@code | stages} and binary operators are out of scope.
   */
  static boolean inScope(String query) {
    String rest =
        LITERAL_OR_COMMENT.matcher(query).replaceAll(m -> m.group().startsWith("#") ? "" : "\"\"");
    return rest.strip().startsWith("{")
        && SELECTOR_AND_FILTER_CHARACTERS.matcher(rest).matches()
        && !PIPE_NOT_IN_A_FILTER.matcher(rest).find();
  }

  /** Why the case fails, or empty if our parser does what Loki's does. */
  static Optional<String> failure(QueryCase c) {
    try {
      LogQL.parse(c.query());
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
  Stream<DynamicTest> everyCaseNotListedAsAGapPasses() {
    return CASES.stream()
        .filter(c -> !GAPS.containsKey(c.query()))
        .map(
            c -> dynamicTest(LokiCases.oneLine(c.query()), () -> assertThat(failure(c)).isEmpty()));
  }

  @TestFactory
  Stream<DynamicTest> everyListedGapStillFails() {
    return GAPS.keySet().stream()
        .map(
            query ->
                dynamicTest(
                    "gap: " + LokiCases.oneLine(query),
                    () -> {
                      QueryCase c = find(query);
                      assertThat(failure(c))
                          .as("passes now: delete its line from known-gaps.txt")
                          .isPresent();
                    }));
  }

  @Test
  void gapsOutsideTheScopeSaySoAndGapsInsideItGiveTheirReason() {
    GAPS.forEach(
        (query, reason) ->
            assertThat(reason.startsWith(OUT_OF_SCOPE))
                .as("reason \"%s\" for %s", reason, LokiCases.oneLine(query))
                .isEqualTo(!inScope(query)));
  }

  @Test
  void coversTheInScopeCases() {
    List<QueryCase> inScope = CASES.stream().filter(c -> inScope(c.query())).toList();
    long passing = inScope.stream().filter(c -> !GAPS.containsKey(c.query())).count();
    System.out.printf(
        "Loki query cases: %d in scope (%d valid, %d invalid), %d of them pass; %d out of scope%n",
        inScope.size(),
        inScope.stream().filter(QueryCase::valid).count(),
        inScope.stream().filter(c -> !c.valid()).count(),
        passing,
        CASES.size() - inScope.size());

    assertThat(inScope).isNotEmpty();
  }

  private static QueryCase find(String query) {
    return CASES.stream()
        .filter(c -> c.query().equals(query))
        .findFirst()
        .orElseThrow(() -> new AssertionError("known-gaps.txt lists a query not in " + FILE));
  }
}

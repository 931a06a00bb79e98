package io.icegate.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.icegate.promql.PromqlTestScripts.Eval;
import io.icegate.promql.ast.Expr;
import io.icegate.promql.ast.PositionRange;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The expressions of Prometheus's own promqltest scripts (src/test/resources/promqltest): every
 * expression the scripts evaluate must parse, and every expression they expect the parser to
 * reject must be rejected, with their message where they give one.
 *
 * <p>The scripts assume Prometheus's experimental features (Prometheus's runner enables them all),
 * so they are parsed with {@link PromQLOptions#ALL_ENABLED}; a separate check makes sure that with
 * Prometheus's defaults each expression is either accepted or rejected only for the feature flag
 * it needs. Cases we cannot pass yet are listed in known-gaps.txt with their reason; every other
 * case must pass, and a listed case that passes must be taken off the list.
 */
class PromqlTestConformanceTest {
  private static final List<Eval> EVALS = PromqlTestScripts.evals();
  private static final Map<String, String> GAPS = PromqlTestScripts.knownGaps("promqltest");

  /** The messages with which Prometheus rejects a query that needs a feature flag. */
  private static final Pattern NEEDS_A_FLAG =
      Pattern.compile(
          "function \".*\" is not enabled"
              + "|is experimental and must be enabled with --enable-feature=promql-experimental-functions"
              + "|experimental duration expression is not enabled"
              + "|(anchored|smoothed) modifier is experimental and not enabled"
              + "|binop fill modifiers are experimental and not enabled");

  /** One case per distinct expression (several evals often share one). */
  private static final Map<String, Eval> BY_EXPRESSION = byExpression();

  private static Map<String, Eval> byExpression() {
    Map<String, Eval> map = new LinkedHashMap<>();
    for (Eval e : EVALS) {
      Eval seen = map.putIfAbsent(e.expr(), e);
      if (seen != null && seen.expectsParseError() != e.expectsParseError()) {
        throw new IllegalStateException("scripts disagree about " + e.expr());
      }
    }
    return map;
  }

  /** Why the case fails, or empty if our parser does what the script expects. */
  static Optional<String> failure(Eval c) {
    try {
      PromQL.parse(c.expr(), PromQLOptions.ALL_ENABLED);
      return c.expectsParseError()
          ? Optional.of("accepted, but the script expects a parse error (" + c.where() + ")")
          : Optional.empty();
    } catch (PromQLParseException e) {
      if (!c.expectsParseError()) {
        return Optional.of("rejected, but the script evaluates it (" + c.where() + "): " + e.getMessage());
      }
      boolean same =
          c.failMessage() != null
              ? e.getMessage().equals(c.failMessage())
              : c.failRegex() == null || Pattern.compile(c.failRegex()).matcher(e.getMessage()).find();
      return same
          ? Optional.empty()
          : Optional.of("rejected with: " + e.getMessage() + "\n but the script expects: "
              + (c.failMessage() != null ? c.failMessage() : c.failRegex()));
    }
  }

  @TestFactory
  Stream<DynamicTest> everyExpressionNotListedAsAGapParsesAsTheScriptExpects() {
    return BY_EXPRESSION.values().stream()
        .filter(c -> !GAPS.containsKey(c.expr()))
        .map(c -> dynamicTest(c.where() + " " + c.expr(), () -> assertThat(failure(c)).isEmpty()));
  }

  @TestFactory
  Stream<DynamicTest> everyListedGapStillFails() {
    return GAPS.keySet().stream()
        .map(
            expr ->
                dynamicTest(
                    "gap: " + expr,
                    () -> {
                      Eval c = BY_EXPRESSION.get(expr);
                      assertThat(c).as("known-gaps.txt lists an expression no script evaluates").isNotNull();
                      assertThat(failure(c)).as("passes now: delete its line from known-gaps.txt").isPresent();
                    }));
  }

  @TestFactory
  Stream<DynamicTest> withPrometheusDefaultsAnExpressionIsAcceptedOrRejectedForItsFeatureFlag() {
    return BY_EXPRESSION.values().stream()
        .filter(c -> !GAPS.containsKey(c.expr()) && !c.expectsParseError())
        .map(
            c ->
                dynamicTest(
                    "defaults: " + c.expr(),
                    () -> {
                      Optional<String> rejection = rejectionWithDefaults(c.expr());
                      rejection.ifPresent(message -> assertThat(message).containsPattern(NEEDS_A_FLAG));
                    }));
  }

  @TestFactory
  Stream<DynamicTest> printedExpressionsParseBackToTheSameTree() {
    return BY_EXPRESSION.values().stream()
        .filter(c -> !GAPS.containsKey(c.expr()) && !c.expectsParseError())
        .map(
            c ->
                dynamicTest(
                    "printed: " + c.expr(),
                    () -> {
                      Expr parsed = PromQL.parse(c.expr(), PromQLOptions.ALL_ENABLED);
                      String printed = parsed.toString();
                      Expr reparsed = PromQL.parse(printed, PromQLOptions.ALL_ENABLED);

                      assertThat(reparsed)
                          .usingRecursiveComparison()
                          .ignoringFieldsOfTypes(PositionRange.class)
                          .ignoringCollectionOrderInFieldsMatchingRegexes(".*matchers")
                          .withComparatorForType(Double::compare, Double.class)
                          .isEqualTo(parsed);
                      assertThat(reparsed.toString()).isEqualTo(printed);
                    }));
  }

  @Test
  void coversEveryEvalOfTheScripts() {
    long parseErrors = BY_EXPRESSION.values().stream().filter(Eval::expectsParseError).count();
    long expectedFailures = EVALS.stream().filter(Eval::expectFail).count();
    long passing = BY_EXPRESSION.values().stream().filter(c -> failure(c).isEmpty()).count();
    Map<String, Long> gapsByReason = new TreeMap<>();
    GAPS.values().forEach(reason -> gapsByReason.merge(reason, 1L, Long::sum));
    Map<String, Long> flagged = new TreeMap<>();
    for (Eval c : BY_EXPRESSION.values()) {
      rejectionWithDefaults(c.expr()).ifPresent(m -> flagged.merge(flagName(m), 1L, Long::sum));
    }
    System.out.printf(
        "promqltest: %d evals in %d files, %d distinct expressions (%d expected to fail: %d at parse"
            + " time, %d when evaluated); %d pass, %d known gaps %s; with Prometheus's default flags"
            + " %d need a flag %s%n",
        EVALS.size(),
        PromqlTestScripts.FILES.size(),
        BY_EXPRESSION.size(),
        expectedFailures,
        parseErrors,
        expectedFailures - parseErrors,
        passing,
        GAPS.size(),
        gapsByReason,
        flagged.values().stream().mapToLong(Long::longValue).sum(),
        flagged);

    assertThat(EVALS).hasSize(2214); // FORMAT.md counts 2214 evals at this commit
    assertThat(passing + GAPS.size()).isEqualTo(BY_EXPRESSION.size());
  }

  private static Optional<String> rejectionWithDefaults(String expr) {
    try {
      PromQL.parse(expr);
      return Optional.empty();
    } catch (PromQLParseException e) {
      return Optional.of(e.getMessage());
    }
  }

  private static String flagName(String message) {
    if (message.contains("duration expression")) {
      return "promql-duration-expr";
    }
    if (message.contains("anchored") || message.contains("smoothed")) {
      return "promql-extended-range-selectors";
    }
    if (message.contains("fill")) {
      return "promql-binop-fill-modifiers";
    }
    if (message.contains("not enabled") || message.contains("experimental")) {
      return "promql-experimental-functions";
    }
    return "none: " + message;
  }
}

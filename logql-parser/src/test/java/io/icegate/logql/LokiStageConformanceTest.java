package io.icegate.logql;

import io.icegate.logql.LokiCases.StageCase;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Loki's pipeline stages, checked as Loki checks them when it builds a pipeline:
 *
 * <ul>
 *   <li>stage-errors.jsonl: stages Loki fails (or succeeds) to build; {@link LogQL#parse} must
 *       reject (or accept) them, with Loki's error where the case gives it;
 *   <li>pipeline-cases.jsonl and format-cases.jsonl: the stages of Loki's pipeline and template
 *       tests, which Loki runs, so {@link LogQL#parse} must accept them.
 * </ul>
 */
class LokiStageConformanceTest {
  private static final String SELECTOR = "{app=\"foo\"} ";

  static Optional<String> failure(StageCase c) {
    String query = SELECTOR + c.stage();
    try {
      LogQL.parse(query);
      return c.valid() ? Optional.empty() : Optional.of("accepted, but Loki cannot build it");
    } catch (LogQLParseException e) {
      if (c.valid()) {
        return Optional.of("rejected, but Loki builds it: " + e.getMessage());
      }
      String expected = c.error() != null ? c.error() : c.errorContains();
      return expected == null || e.getMessage().contains(expected)
          ? Optional.empty()
          : Optional.of("rejected with: " + e.getMessage() + "\n but Loki says: " + expected);
    }
  }

  @TestFactory
  Stream<DynamicTest> everyStageBuildsOrFailsAsInLoki() {
    return LokiConformance.tests(
        "stage-errors.jsonl",
        LokiCases.stageErrors(),
        StageCase::stage,
        LokiStageConformanceTest::failure);
  }

  @TestFactory
  Stream<DynamicTest> everyStageOfLokisPipelineTestsParses() {
    return LokiConformance.tests(
        "pipeline-cases.jsonl",
        LokiCases.pipelineQueries(),
        query -> query,
        query -> {
          try {
            LogQL.parse(query);
            return Optional.empty();
          } catch (LogQLParseException e) {
            return Optional.of(e.getMessage());
          }
        });
  }
}

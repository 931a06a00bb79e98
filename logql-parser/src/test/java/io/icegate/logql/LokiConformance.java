package io.icegate.logql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * The rule of every conformance suite here: a case must pass unless known-gaps.txt lists it (under
 * the heading of its file, with a reason); a listed case must still fail, so that the list only
 * shrinks; every listed case must exist.
 */
final class LokiConformance {
  private LokiConformance() {}

  /**
   * The tests of one suite. {@code key} names a case as known-gaps.txt does; {@code failure} says
   * why our parser does not do what Loki does, or is empty when it does.
   */
  static <C> Stream<DynamicTest> tests(
      String file, List<C> cases, Function<C, String> key, Function<C, Optional<String>> failure) {
    Map<String, String> gaps = LokiCases.knownGaps(file);
    long passing = cases.stream().filter(c -> !gaps.containsKey(key.apply(c))).count();
    System.out.printf(
        "Loki cases of %s: %d, %d pass, %d listed as known gaps%n",
        file, cases.size(), passing, gaps.size());
    Stream<DynamicTest> mustPass =
        cases.stream()
            .filter(c -> !gaps.containsKey(key.apply(c)))
            .map(
                c ->
                    dynamicTest(
                        LokiCases.oneLine(key.apply(c)),
                        () -> assertThat(failure.apply(c)).isEmpty()));
    Stream<DynamicTest> gapsStillFail =
        gaps.entrySet().stream()
            .map(
                gap ->
                    dynamicTest(
                        "gap (" + gap.getValue() + "): " + LokiCases.oneLine(gap.getKey()),
                        () -> {
                          C c =
                              cases.stream()
                                  .filter(k -> key.apply(k).equals(gap.getKey()))
                                  .findFirst()
                                  .orElseThrow(
                                      () ->
                                          new AssertionError(
                                              "known-gaps.txt lists a case not in " + file));
                          assertThat(failure.apply(c))
                              .as("passes now: delete its line from known-gaps.txt")
                              .isPresent();
                        }));
    return Stream.concat(mustPass, gapsStillFail);
  }
}

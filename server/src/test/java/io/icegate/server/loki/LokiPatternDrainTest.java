package io.icegate.server.loki;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.engine.logql.LogPatternMiner;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Drain-style clustering behind {@code /patterns}, on hand-made lines. */
class LokiPatternDrainTest {
  private static List<String> patterns(String... lines) {
    LogPatternMiner.Drain drain = new LogPatternMiner.Drain();
    for (String line : lines) {
      drain.add(line, 0);
    }
    return drain.patterns().stream().map(LogPatternMiner.Pattern::pattern).toList();
  }

  @Test
  void similarLinesMergeAndDifferingTokensBecomePlaceholders() {
    assertThat(patterns("a b c d", "a b x y")).containsExactly("a b <_> <_>");
  }

  @Test
  void linesBelowTheSimilarityThresholdStayApart() {
    // 2 of 10 tokens match: 0.2 < 0.3.
    assertThat(patterns("a b c d e f g h i j", "a b z z z z z z z z"))
        .containsExactly("a b c d e f g h i j", "a b z z z z z z z z");
  }

  @Test
  void differentLengthsOrLeadingTokensNeverMerge() {
    assertThat(patterns("GET /a 200", "GET /a 200 slow", "PUT /a 200"))
        .containsExactlyInAnyOrder("GET /a 200", "GET /a 200 slow", "PUT /a 200");
  }

  @Test
  void leadingTokensWithDigitsRouteTogether() {
    // "id=1" and "id=2" hold digits, so both lines reach the same leaf and merge.
    assertThat(patterns("id=1 started job", "id=2 started job"))
        .containsExactly("<_> started job");
  }

  @Test
  void countsAreKeptPerStep() {
    LogPatternMiner.Drain drain = new LogPatternMiner.Drain();
    drain.add("x 1", 10_000_000_000L);
    drain.add("x 2", 10_000_000_000L);
    drain.add("x 3", 20_000_000_000L);
    LogPatternMiner.Pattern p = drain.patterns().get(0);
    assertThat(p.total()).isEqualTo(3);
    assertThat(p.timesSeconds()).containsExactly(10, 20);
    assertThat(p.counts()).containsExactly(2, 1);
  }
}

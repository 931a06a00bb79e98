package io.icegate.engine.logql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Loki's limits on a Drain: at most 300 clusters, the least recently used leaving, and no more
 * training once evictions exceed a quarter of the lines trained. Line {@code i} here is four
 * letter-only tokens no other line shares, so every line starts a cluster of its own; the counts
 * are worked out by hand.
 */
class LogPatternDrainLimitsTest {
  /** Line {@code i}: four tokens, each unique to it, without digits. */
  private static String line(int i) {
    StringBuilder word = new StringBuilder();
    int n = i;
    do {
      word.append((char) ('a' + n % 26));
      n /= 26;
    } while (n > 0);
    return "w" + word + "a w" + word + "b w" + word + "c w" + word + "d";
  }

  private static Map<String, Long> totals(LogPatternMiner.Drain drain) {
    return drain.patterns().stream()
        .collect(
            Collectors.toMap(LogPatternMiner.Pattern::pattern, LogPatternMiner.Pattern::total));
  }

  private static List<String> lines(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      out.add(line(i));
    }
    return out;
  }

  @Test
  void theOldestClustersLeaveBeyond300() {
    LogPatternMiner.Drain drain = new LogPatternMiner.Drain();
    for (int i = 1; i <= 400; i++) {
      drain.add(line(i), 0);
    }
    // Before line 400: 99 evictions of 399 lines (<= 25 %), so all 400 train; 100 leave.
    assertThat(totals(drain).keySet()).containsExactlyInAnyOrderElementsOf(lines(101, 400));
  }

  @Test
  void aMatchMakesAClusterTheMostRecentlyUsed() {
    LogPatternMiner.Drain drain = new LogPatternMiner.Drain();
    for (int i = 1; i <= 300; i++) {
      drain.add(line(i), 0);
    }
    drain.add(line(1), 0); // joins cluster 1: now cluster 2 is the least recently used
    drain.add(line(301), 0);

    Map<String, Long> totals = totals(drain);
    assertThat(totals).hasSize(300).containsEntry(line(1), 2L).containsKey(line(301));
    assertThat(totals).doesNotContainKey(line(2));
  }

  @Test
  void trainingStopsOnceEvictionsPassAQuarterOfTheLines() {
    LogPatternMiner.Drain drain = new LogPatternMiner.Drain();
    for (int i = 1; i <= 500; i++) {
      drain.add(line(i), 0);
    }
    // Line 401 sees 100 evictions of 400 lines (25 %, allowed); line 402 sees 101 of 401: from
    // there nothing trains. Lines 1..401 made clusters, the first 101 left.
    assertThat(totals(drain).keySet()).containsExactlyInAnyOrderElementsOf(lines(102, 401));
    drain.add(line(401), 0);
    assertThat(totals(drain)).containsEntry(line(401), 1L);
  }
}

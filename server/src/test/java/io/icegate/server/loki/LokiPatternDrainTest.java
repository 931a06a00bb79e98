package io.icegate.server.loki;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.engine.logql.LogPatternMiner;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Drain clustering behind {@code /patterns}, on hand-made lines; each expectation is worked
 * out by hand from Loki's tokenizer and tree rules (see {@link LogPatternMiner.Drain}).
 */
class LokiPatternDrainTest {
  private static List<String> patterns(String... lines) {
    LogPatternMiner.Drain drain = new LogPatternMiner.Drain();
    for (String line : lines) {
      drain.add(line, 0);
    }
    return drain.patterns().stream().map(LogPatternMiner.Pattern::pattern).toList();
  }

  @Test
  void tokensWithNumbersBecomePlaceholders() {
    // Tokens: GET, /api/users/1 (slashes stay inside), 200, 12ms. The numbered tokens route
    // through <_>, both lines reach one leaf, 2 of 4 tokens agree (>= 0.3).
    assertThat(patterns("GET /api/users/1 200 12ms", "GET /api/users/2 200 15ms"))
        .containsExactly("GET <_> 200 <_>");
  }

  @Test
  void equalsSignsSplitTokensAndPrintAsTheyWere() {
    // level = info msg = started id = 42: nine tokens, only the last differs.
    assertThat(patterns("level=info msg=started id=42", "level=info msg=started id=43"))
        .containsExactly("level=info msg=started id=<_>");
  }

  @Test
  void punctuationIsATokenOfItsOwnButColonsDotsAndDashesStayInside() {
    // error: | connection | refused | ( | code | 7 | )
    assertThat(
            patterns("error: connection refused (code 7)", "error: connection refused (code 9)"))
        .containsExactly("error: connection refused (code <_>)");
    assertThat(patterns("conn to 10.0.0.1:443 failed", "conn to 10.0.0.2:443 failed"))
        .containsExactly("conn to <_> failed");
  }

  @Test
  void differingWordsNearTheStartAreDifferentPatterns() {
    // "alice" and "bob" hold no number: each gets its own branch of the tree, as in Loki.
    assertThat(patterns("user alice logged in", "user bob logged in"))
        .containsExactly("user alice logged in", "user bob logged in");
  }

  @Test
  void linesBelowTheSimilarityThresholdStayApart() {
    // Every token holds a number, so both reach one leaf; 1 of 10 agrees: 0.1 < 0.3.
    assertThat(patterns("a1 b2 c3 d4 e5 f6 g7 h8 i9 j0", "a1 z2 z3 z4 z5 z6 z7 z8 z9 z0"))
        .containsExactly("a1 b2 c3 d4 e5 f6 g7 h8 i9 j0", "a1 z2 z3 z4 z5 z6 z7 z8 z9 z0");
  }

  @Test
  void linesWithFewerThanFourTokensAreNotClustered() {
    assertThat(patterns("x 1", "ok", "a b c")).isEmpty();
  }

  @Test
  void theFormatIsGuessedAsLokiGuessesItFromAStreamsFirstLine() {
    assertThat(LogPatternMiner.Format.detect("level=info msg=\"GET /cart\" status=200"))
        .isEqualTo(LogPatternMiner.Format.LOGFMT);
    assertThat(LogPatternMiner.Format.detect("{\"msg\":\"hi\"}"))
        .isEqualTo(LogPatternMiner.Format.JSON);
    assertThat(LogPatternMiner.Format.detect("GET /cart 200")).isEqualTo(LogPatternMiner.Format.TEXT);
    assertThat(LogPatternMiner.Format.detect("{")).isEqualTo(LogPatternMiner.Format.TEXT);
  }

  @Test
  void logfmtLinesAreTokenizedByKeyAndValueAndTimesAreAlwaysPlaceholders() {
    // Tokens: level info msg "GET /cart" status 200 ts <_>; the two lines differ in the status
    // only, which routes through <_> (it holds digits): 6 of 8 agree.
    LogPatternMiner.Drain drain = new LogPatternMiner.Drain(LogPatternMiner.Format.LOGFMT);
    drain.add("level=info msg=\"GET /cart\" status=200 ts=2024-01-01T00:00:00Z", 0);
    drain.add("level=info msg=\"GET /cart\" status=404 ts=2024-01-01T00:00:01Z", 0);
    assertThat(drain.patterns())
        .extracting(LogPatternMiner.Pattern::pattern)
        .containsExactly("level=info msg=\"GET /cart\" status=<_> ts=<_>");
  }

  @Test
  void jsonLinesAreTokenizedByTheirMessageFieldBetweenPlaceholders() {
    LogPatternMiner.Drain drain = new LogPatternMiner.Drain(LogPatternMiner.Format.JSON);
    drain.add("{\"level\":\"info\",\"msg\":\"user 17 logged in\"}", 0);
    drain.add("{\"level\":\"info\",\"msg\":\"user 42 logged in\"}", 0);
    drain.add("{\"level\":\"info\",\"other\":\"no message field here at all\"}", 0);
    assertThat(drain.patterns())
        .extracting(LogPatternMiner.Pattern::pattern)
        .containsExactly("<_>user <_> logged in<_>");
  }

  @Test
  void countsAreKeptPerStep() {
    LogPatternMiner.Drain drain = new LogPatternMiner.Drain();
    drain.add("job 1 done ok", 10_000_000_000L);
    drain.add("job 2 done ok", 10_000_000_000L);
    drain.add("job 3 done ok", 20_000_000_000L);
    LogPatternMiner.Pattern p = drain.patterns().get(0);
    assertThat(p.pattern()).isEqualTo("job <_> done ok");
    assertThat(p.total()).isEqualTo(3);
    assertThat(p.timesSeconds()).containsExactly(10, 20);
    assertThat(p.counts()).containsExactly(2, 1);
  }
}

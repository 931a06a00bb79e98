package io.icegate.logql;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.logql.ast.LogQLExpr;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random sequences of LogQL's words and symbols: parsing either succeeds, and then printing reads
 * back, or fails with a Loki-worded message; never with another exception.
 */
class RandomQueryTest {
  private static final List<String> PIECES =
      List.of(
          "{a=\"b\"}", "{", "}", "a", "=", "!=", "=~", "!~", "\"x\"", "`(`", "|=", "|~", "|>", "!>",
          "|", "json", "logfmt", "--strict", "regexp", "\"(?P<x>.)\"", "pattern", "\"<x> <_>\"",
          "unpack", "line_format", "label_format", "drop", "keep", "decolorize", "ip(\"::1\")",
          "ip", "(", ")", ",", "or", "and", "unless", ">", ">=", "<", "==", "+", "-", "*", "/",
          "%", "^", "bool", "on", "ignoring", "group_left", "group_right", "by", "without", "sum",
          "topk", "count", "sort", "approx_topk", "rate", "count_over_time", "sum_over_time",
          "quantile_over_time", "absent_over_time", "unwrap", "bytes", "duration", "[5m]", "[5",
          "offset", "5m", "-1h", "1", "0.5", "2", "0x10", "10MB", "label_replace", "vector",
          "\"$1\"", " ", "\n", "#c\n");

  @Test
  void failsOnlyWithParseErrorsThatNameNoJavaInternals() {
    Random random = new Random(20260823);
    int parsed = 0;
    for (int i = 0; i < 8_000; i++) {
      StringBuilder query = new StringBuilder();
      if (random.nextBoolean()) {
        query.append(random.nextBoolean() ? "sum(rate({a=\"b\"} " : "{a=\"b\"} ");
      }
      int length = random.nextInt(12);
      for (int j = 0; j < length; j++) {
        query.append(PIECES.get(random.nextInt(PIECES.size()))).append(' ');
      }
      try {
        LogQLExpr expr = LogQL.parse(query.toString());
        parsed++;
        assertThat(LogQL.parse(LogQLFormatter.format(expr))).as("printed %s", query).isNotNull();
        assertThat(LogQL.parse(LogQLFormatter.prettify(expr, 10))).as("pretty %s", query).isNotNull();
      } catch (LogQLParseException e) {
        assertThat(e.getMessage())
            .as("message for %s", query)
            .startsWith("parse error")
            .doesNotContain("java.", "Exception", "antlr", "icegate", "\tat ");
      }
    }
    assertThat(parsed).as("queries that parsed").isPositive();
  }
}

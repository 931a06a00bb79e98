package io.icegate.logql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Printing queries as Loki does (its String() and Prettify), and where we print better. */
class LogQLFormatterTest {

  private static String format(String query) {
    return LogQLFormatter.format(LogQL.parseExpr(query));
  }

  private static String pretty(String query, int width) {
    return LogQLFormatter.prettify(LogQL.parseExpr(query), width);
  }

  @Nested
  class OneLine {
    @Test
    void normalisesSpacingAndKeywords() {
      assertThat(format("SUM BY(a,b)(RATE({x=\"1\"}|json|y>1[5m]))"))
          .isEqualTo("sum by (a,b)(rate({x=\"1\"} | json | y>1[5m]))");
    }

    @Test
    void writesRangesInPrometheusAndOffsetsInGoSyntax() {
      assertThat(format("rate({x=\"1\"}[90m] offset 1h30m)"))
          .isEqualTo("rate({x=\"1\"}[1h30m] offset 1h30m0s)");
      assertThat(format("rate({x=\"1\"}[14d])")).isEqualTo("rate({x=\"1\"}[2w])");
    }

    @Test
    void writesLiteralsAsGo() {
      assertThat(format("1000000")).isEqualTo("1e+06");
      assertThat(format("123456")).isEqualTo("123456");
      assertThat(format("0.00001")).isEqualTo("1e-05");
      assertThat(format("2e23")).isEqualTo("2e+23");
      assertThat(format("vector(1)")).isEqualTo("vector(1.000000)");
      assertThat(format("quantile_over_time(.5, {x=\"1\"} | unwrap n [1m])"))
          .isEqualTo("quantile_over_time(0.5,{x=\"1\"} | unwrap n[1m])");
    }

    @Test
    void writesLabelFiltersAsLoki() {
      assertThat(format("{x=\"1\"} | a = 1 | b > 1500ms | c >= 2.5KiB | d=ip(\"::1\")"))
          .isEqualTo("{x=\"1\"} | a==1 | b>1.5s | c>=2.6kB | d=ip(\"::1\")");
    }

    @Test
    void writesLabelRegexesLokiRunsAsRegexesRaw() {
      // Loki turns foo|bar and .*x.* into string tests, and runs \w+ or ba(r|z) as a regex.
      assertThat(format("{x=\"1\"} | a=~\"foo|bar\" | b=~\".*x.*\" | c=~\"\\\\w+\" | d=~\"bar|baz\""))
          .isEqualTo("{x=\"1\"} | a=~\"foo|bar\" | b=~\".*x.*\" | c=~`\\w+` | d=~`bar|baz`");
    }

    @Test
    void writesNegativeAlternativesAsSeparateFilters() {
      assertThat(format("{x=\"1\"} != \"a\" or \"b\" |= \"c\" or \"d\""))
          .isEqualTo("{x=\"1\"} != \"a\" != \"b\" |= \"c\" or \"d\"");
    }

    @Test
    void writesVectorMatchingAsLoki() {
      assertThat(format("rate({x=\"1\"}[1m]) * on() group_left(a,b) rate({x=\"2\"}[1m])"))
          .isEqualTo("(rate({x=\"1\"}[1m]) * on () group_left (a,b) rate({x=\"2\"}[1m]))");
      assertThat(format("rate({x=\"1\"}[1m]) * ignoring() rate({x=\"2\"}[1m])"))
          .isEqualTo("(rate({x=\"1\"}[1m]) * rate({x=\"2\"}[1m]))");
    }

    @Test
    void keepsAGroupModifierAfterAnEmptyIgnoring() {
      // Loki drops `ignoring () group_left` here, which changes the query.
      assertThat(format("rate({x=\"1\"}[1m]) * ignoring() group_left rate({x=\"2\"}[1m])"))
          .isEqualTo("(rate({x=\"1\"}[1m]) * ignoring () group_left rate({x=\"2\"}[1m]))");
    }
  }

  @Nested
  class MultiLine {
    @Test
    void keepsWhatFitsOnOneLine() {
      assertThat(LogQLFormatter.prettify(LogQL.parseExpr("rate({x=\"1\"}[1m])")))
          .isEqualTo("rate({x=\"1\"}[1m])");
    }

    @Test
    void splitsAndIndentsWhatDoesNot() {
      assertThat(pretty("sum by (a) (rate({job=\"x\"} |= \"errors\" [5m]))", 20))
          .isEqualTo(
              "sum by (a)(\n"
                  + "  rate(\n"
                  + "    {job=\"x\"}\n"
                  + "      |= \"errors\" [5m]\n"
                  + "  )\n"
                  + ")");
    }

    @Test
    void addsTheParenthesesThePrecedenceNeeds() {
      // Loki writes (a + b) / c as a + b / c, by indentation only.
      assertThat(pretty("(rate({x=\"1\"}[1m]) + rate({x=\"2\"}[1m])) / 2", 20))
          .isEqualTo(
              "  (\n"
                  + "      rate({x=\"1\"}[1m])\n"
                  + "    +\n"
                  + "      rate({x=\"2\"}[1m])\n"
                  + "  )\n"
                  + "/\n"
                  + "  2");
    }

    @Test
    void keepsEmptyGroupingsThatMatter() {
      // Loki writes `without ()` as `without`, which does not parse, and drops `by ()` here.
      assertThat(pretty("sum without () (rate({job=\"x\"}[5m]))", 20))
          .startsWith("sum without ()(\n");
      assertThat(pretty("max_over_time({job=\"x\"} | unwrap n [5m]) by ()", 20))
          .endsWith(") by ()");
    }
  }
}

package io.icegate.logql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.logql.ast.BinOpExpr;
import io.icegate.logql.ast.BinOpExpr.Op;
import io.icegate.logql.ast.Grouping;
import io.icegate.logql.ast.LabelMatcher;
import io.icegate.logql.ast.LabelReplaceExpr;
import io.icegate.logql.ast.LiteralExpr;
import io.icegate.logql.ast.LogQLExpr;
import io.icegate.logql.ast.LogRangeExpr;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.RangeAggregationExpr;
import io.icegate.logql.ast.RangeAggregationExpr.RangeOp;
import io.icegate.logql.ast.SampleExpr;
import io.icegate.logql.ast.StreamSelector;
import io.icegate.logql.ast.Unwrap;
import io.icegate.logql.ast.VectorAggregationExpr;
import io.icegate.logql.ast.VectorAggregationExpr.VectorOp;
import io.icegate.logql.ast.VectorExpr;
import io.icegate.logql.ast.VectorMatching;
import io.icegate.logql.ast.VectorMatching.Cardinality;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Metric queries: range and vector aggregations, binary operations, literals. */
class MetricQueryTest {

  @Nested
  class RangeAggregations {
    @Test
    void parsesRateOverARange() {
      assertThat(LogQL.parse("rate({app=\"api\"}[5m])"))
          .isEqualTo(range(RangeOp.RATE, logRange("api", Duration.ofMinutes(5))));
    }

    @Test
    void readsTheRangeBeforeOrAfterThePipeline() {
      LogQLExpr after = LogQL.parse("count_over_time({app=\"api\"} |= \"error\" [1h])");
      LogQLExpr before = LogQL.parse("count_over_time({app=\"api\"}[1h] |= \"error\")");
      LogQLExpr parenthesised = LogQL.parse("count_over_time(({app=\"api\"} |= \"error\")[1h])");

      assertThat(before).isEqualTo(after);
      assertThat(parenthesised).isEqualTo(after);
    }

    @Test
    void readsRangesWithPrometheusUnits() {
      RangeAggregationExpr expr =
          (RangeAggregationExpr) LogQL.parse("rate({app=\"api\"}[1w2d3h4m5s6ms])");

      assertThat(expr.range().range())
          .isEqualTo(Duration.ofDays(9).plusHours(3).plusMinutes(4).plusSeconds(5).plusMillis(6));
    }

    @Test
    void rejectsRangesThatAreNotPrometheusDurations() {
      assertParseError("rate({app=\"api\"}[5minutes])")
          .hasMessage("parse error at line 0, col 17: unknown unit \"minutes\" in duration"
              + " \"5minutes\"");
      assertParseError("rate({app=\"api\"}[1.5h])")
          .hasMessage("parse error at line 0, col 17: unknown unit \".\" in duration \"1.5h\"");
      assertParseError("rate({app=\"api\"}[5m")
          .hasMessage("parse error at line 0, col 17: missing closing ']' in duration");
    }

    @Test
    void readsOffsetsInGoOrPrometheusSyntax() {
      RangeAggregationExpr expr =
          (RangeAggregationExpr) LogQL.parse("rate({app=\"api\"}[5m] offset -1h30m)");

      assertThat(expr.range().offset()).isEqualTo(Duration.ofMinutes(-90));
    }

    @Test
    void unwrapsALabelWithAConversionAndPostFilters() {
      RangeAggregationExpr expr =
          (RangeAggregationExpr)
              LogQL.parse(
                  "quantile_over_time(0.99, {app=\"api\"} | logfmt"
                      + " | unwrap duration(latency) | __error__=\"\" [5m]) by (path)");

      assertThat(expr.op()).isEqualTo(RangeOp.QUANTILE_OVER_TIME);
      assertThat(expr.parameter()).isEqualTo(OptionalDouble.of(0.99));
      assertThat(expr.grouping()).contains(Grouping.by("path"));
      Unwrap unwrap = expr.range().unwrap().orElseThrow();
      assertThat(unwrap.label()).isEqualTo("latency");
      assertThat(unwrap.conversion()).isEqualTo(Unwrap.Conversion.DURATION);
      assertThat(LogQLFormatter.labelFilter(unwrap.postFilters().get(0)))
          .isEqualTo("__error__=\"\"");
    }

    @Test
    void requiresAnUnwrapForAggregationsOfValues() {
      assertParseError("sum_over_time({app=\"api\"}[5m])")
          .hasMessage("parse error : invalid aggregation sum_over_time without unwrap");
      assertParseError("count_over_time({app=\"api\"} | unwrap n [5m])")
          .hasMessage("parse error : invalid aggregation count_over_time with unwrap");
    }

    @Test
    void acceptsRateWithOrWithoutUnwrap() {
      assertThat(LogQL.parse("rate({app=\"api\"} | unwrap n [5m])"))
          .isInstanceOf(RangeAggregationExpr.class);
    }

    @Test
    void allowsGroupingOnlyForAggregationsThatKeepOneSamplePerSeries() {
      assertThat(LogQL.parse("max_over_time({app=\"api\"} | unwrap n [5m]) without (pod)"))
          .isInstanceOf(RangeAggregationExpr.class);
      assertParseError("rate({app=\"api\"}[5m]) by (pod)")
          .hasMessage("parse error : grouping not allowed for rate aggregation");
    }

    @Test
    void takesAParameterOnlyForQuantiles() {
      assertParseError("quantile_over_time({app=\"api\"} | unwrap n [5m])")
          .hasMessage("parse error : parameter required for operation quantile_over_time");
      assertParseError("sum_over_time(50, {app=\"api\"} | unwrap n [5m])")
          .hasMessage("parse error : parameter 50 not supported for operation sum_over_time");
    }

    @Test
    void readsFunctionNamesAsLabelsWhereNoCallFollows() {
      assertThat(LogQL.parse("{rate=\"x\", ip=\"y\"}"))
          .isEqualTo(
              new LogSelectorExpr(
                  new StreamSelector(
                      List.of(
                          new LabelMatcher("rate", LabelMatcher.MatchType.EQ, "x"),
                          new LabelMatcher("ip", LabelMatcher.MatchType.EQ, "y"))),
                  List.of()));
    }

    @Test
    void readsKeywordsInAnyCase() {
      assertThat(LogQL.parse("SUM BY (a) (Rate({app=\"api\"}[5m]))"))
          .isEqualTo(LogQL.parse("sum by (a) (rate({app=\"api\"}[5m]))"));
    }
  }

  @Nested
  class VectorAggregations {
    @Test
    void readsTheGroupingBeforeOrAfterTheArguments() {
      LogQLExpr before = LogQL.parse("sum by (app) (rate({app=\"api\"}[5m]))");
      LogQLExpr after = LogQL.parse("sum(rate({app=\"api\"}[5m])) by (app)");

      assertThat(before).isEqualTo(after);
      assertThat(before)
          .isEqualTo(
              new VectorAggregationExpr(
                  VectorOp.SUM,
                  range(RangeOp.RATE, logRange("api", Duration.ofMinutes(5))),
                  Grouping.by("app"),
                  OptionalLong.empty()));
    }

    @Test
    void groupsEverythingTogetherWithoutAGrouping() {
      VectorAggregationExpr expr =
          (VectorAggregationExpr) LogQL.parse("count(rate({app=\"api\"}[5m]))");

      assertThat(expr.grouping()).isEqualTo(Grouping.by());
    }

    @Test
    void readsTheKOfTopk() {
      VectorAggregationExpr expr =
          (VectorAggregationExpr) LogQL.parse("topk(3, rate({app=\"api\"}[5m])) without (pod)");

      assertThat(expr.parameter()).isEqualTo(OptionalLong.of(3));
      assertThat(expr.grouping()).isEqualTo(Grouping.without("pod"));
    }

    @Test
    void checksTheKOfTopkAsLokiDoes() {
      assertParseError("topk(rate({app=\"api\"}[5m]))")
          .hasMessage("parse error : parameter required for operation topk");
      assertParseError("bottomk(1.5, rate({app=\"api\"}[5m]))")
          .hasMessage("parse error : invalid parameter bottomk(1.5,");
      assertParseError("topk(0, rate({app=\"api\"}[5m]))")
          .hasMessage("parse error : invalid parameter (must be greater than 0) topk(0");
      assertParseError("sum(3, rate({app=\"api\"}[5m]))")
          .hasMessage("parse error : unsupported parameter for operation sum(3,");
    }

    @Test
    void refusesGroupingsWhereLokiDoes() {
      assertParseError("approx_topk(2, rate({app=\"api\"}[5m])) by (app)")
          .hasMessage("parse error : grouping not allowed for approx_topk aggregation");
      assertParseError("sort(rate({app=\"api\"}[5m])) by (app)")
          .hasMessage("parse error : sort and sort_desc doesn't allow grouping by ");
    }

    @Test
    void refusesALogQueryAsArgument() {
      assertParseError("sum({app=\"api\"})")
          .hasMessage("parse error at line 1, col 16: syntax error: unexpected )");
    }
  }

  @Nested
  class BinaryOperations {
    @Test
    void multipliesBeforeAdding() {
      // a + b * c is a + (b * c)
      BinOpExpr expr = (BinOpExpr) LogQL.parse(three("+", "*"));

      assertThat(expr.op()).isEqualTo(Op.ADD);
      assertThat(((BinOpExpr) expr.right()).op()).isEqualTo(Op.MUL);
    }

    @Test
    void subtractsFromTheLeft() {
      // a - b - c is (a - b) - c
      BinOpExpr expr = (BinOpExpr) LogQL.parse(three("-", "-"));

      assertThat(expr.left()).isInstanceOf(BinOpExpr.class);
      assertThat(expr.right()).isInstanceOf(RangeAggregationExpr.class);
    }

    @Test
    void raisesToPowersFromTheRight() {
      // a ^ b ^ c is a ^ (b ^ c)
      BinOpExpr expr = (BinOpExpr) LogQL.parse(three("^", "^"));

      assertThat(expr.left()).isInstanceOf(RangeAggregationExpr.class);
      assertThat(expr.right()).isInstanceOf(BinOpExpr.class);
    }

    @Test
    void ordersOperatorsAsLokiDoes() {
      // Loosest to tightest: or, and/unless, comparisons, + -, * / %, ^.
      assertThat(LogQLFormatter.format(LogQL.parse(three("or", "and"))))
          .isEqualTo(
              "(rate({app=\"a\"}[1m]) or (rate({app=\"b\"}[1m]) and rate({app=\"c\"}[1m])))");
      assertThat(LogQLFormatter.format(LogQL.parse(three("unless", ">"))))
          .isEqualTo(
              "(rate({app=\"a\"}[1m]) unless (rate({app=\"b\"}[1m]) > rate({app=\"c\"}[1m])))");
      assertThat(LogQLFormatter.format(LogQL.parse(three(">", "+"))))
          .isEqualTo("(rate({app=\"a\"}[1m]) > (rate({app=\"b\"}[1m]) + rate({app=\"c\"}[1m])))");
      assertThat(LogQLFormatter.format(LogQL.parse(three("%", "^"))))
          .isEqualTo("(rate({app=\"a\"}[1m]) % (rate({app=\"b\"}[1m]) ^ rate({app=\"c\"}[1m])))");
      assertThat(
              LogQLFormatter.format(
                  LogQL.parse(
                      "(rate({app=\"a\"}[1m]) + rate({app=\"b\"}[1m])) * rate({app=\"c\"}[1m])")))
          .isEqualTo("((rate({app=\"a\"}[1m]) + rate({app=\"b\"}[1m])) * rate({app=\"c\"}[1m]))");
    }

    @Test
    void foldsOperationsBetweenLiterals() {
      assertThat(LogQL.parse("1 + 2 * 3")).isEqualTo(new LiteralExpr(7));
      assertThat(LogQL.parse("2 ^ 3 ^ 2")).isEqualTo(new LiteralExpr(512));
      assertThat(LogQL.parse("1 > 2")).isEqualTo(new LiteralExpr(0));
      assertThat(LogQL.parse("1 < bool 2")).isEqualTo(new LiteralExpr(1));
      assertThat(((LiteralExpr) LogQL.parse("1 / 0")).value()).isNaN();
      assertThat(LogQL.parse("-1.5e3")).isEqualTo(new LiteralExpr(-1500));
    }

    @Test
    void readsModifiers() {
      BinOpExpr expr =
          (BinOpExpr)
              LogQL.parse(
                  "rate({app=\"a\"}[1m]) > bool on (pod, ns) group_left (node) rate({app=\"b\"}[1m])");

      assertThat(expr.returnBool()).isTrue();
      assertThat(expr.matching())
          .isEqualTo(
              new VectorMatching(Cardinality.MANY_TO_ONE, true, List.of("pod", "ns"),
                  List.of("node")));
    }

    @Test
    void readsIgnoringAndGroupRight() {
      BinOpExpr expr =
          (BinOpExpr)
              LogQL.parse("rate({app=\"a\"}[1m]) / ignoring (pod) group_right rate({app=\"b\"}[1m])");

      assertThat(expr.matching())
          .isEqualTo(new VectorMatching(Cardinality.ONE_TO_MANY, false, List.of("pod"), List.of()));
    }

    @Test
    void refusesLogQueriesAsOperands() {
      assertParseError("{app=\"a\"} + 1")
          .hasMessage(
              "parse error : unexpected type for left leg of binary operation (+):"
                  + " *syntax.MatchersExpr");
      assertParseError("1 + {app=\"a\"} |= \"x\"")
          .hasMessage(
              "parse error : unexpected type for right leg of binary operation (+):"
                  + " *syntax.PipelineExpr");
    }

    @Test
    void refusesLiteralsAsOperandsOfSetOperators() {
      assertParseError("rate({app=\"a\"}[1m]) or 1")
          .hasMessage(
              "parse error : unexpected literal for right leg of logical/set binary operation"
                  + " (or): 1.000000");
    }

    @Test
    void reportsTheOutermostErrorFirstAsLokiDoes() {
      // Both the sum and the rate are wrong; Loki validates from the outside in.
      assertParseError("sum(3, rate({app=\"a\"}[1m]) by (x))")
          .hasMessage("parse error : unsupported parameter for operation sum(3,");
    }

    @Test
    void checksTheSelectorsOfEveryRange() {
      assertParseError("rate({app=\"a\"}[1m]) / rate({app=~\".*\"}[1m])")
          .hasMessage("parse error : " + QueryValidator.EMPTY_COMPATIBLE_MATCHERS);
    }
  }

  @Nested
  class OtherFunctions {
    @Test
    void readsLabelReplace() {
      assertThat(
              LogQL.parse(
                  "label_replace(rate({app=\"a\"}[1m]), \"dst\", \"$1\", \"src\", \"(.*):.*\")"))
          .isEqualTo(
              new LabelReplaceExpr(
                  range(RangeOp.RATE, logRange("a", Duration.ofMinutes(1))),
                  "dst",
                  "$1",
                  "src",
                  "(.*):.*"));
    }

    @Test
    void checksTheRegexOfLabelReplace() {
      assertParseError("label_replace(rate({app=\"a\"}[1m]), \"d\", \"$1\", \"s\", \"(\")")
          .hasMessage(
              "parse error : invalid regex in label_replace: error parsing regexp: missing"
                  + " closing ): `^(?:()$`");
    }

    @Test
    void readsVector() {
      assertThat(LogQL.parse("vector(2.5)")).isEqualTo(new VectorExpr(2.5));
    }

    @Test
    void readsNumbersAsGo() {
      assertThat(LogQL.parse("0x1p3")).isEqualTo(new LiteralExpr(8));
      assertThat(LogQL.parse(".5")).isEqualTo(new LiteralExpr(0.5));
      assertThat(LogQL.parse("1_000")).isEqualTo(new LiteralExpr(1000));
      assertParseError("0x10")
          .hasMessage(
              "parse error : unable to parse literal as a float: strconv.ParseFloat: parsing"
                  + " \"0x10\": invalid syntax");
      assertParseError("09")
          .hasMessage("parse error at line 1, col 1: invalid digit '9' in octal literal");
    }
  }

  private static String three(String op1, String op2) {
    return "rate({app=\"a\"}[1m]) " + op1 + " rate({app=\"b\"}[1m]) " + op2
        + " rate({app=\"c\"}[1m])";
  }

  private static LogRangeExpr logRange(String app, Duration range) {
    return new LogRangeExpr(
        new LogSelectorExpr(
            new StreamSelector(List.of(new LabelMatcher("app", LabelMatcher.MatchType.EQ, app))),
            List.of()),
        range,
        Duration.ZERO,
        Optional.empty());
  }

  private static SampleExpr range(RangeOp op, LogRangeExpr range) {
    return new RangeAggregationExpr(op, range, OptionalDouble.empty(), Optional.empty());
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertParseError(String query) {
    return assertThatThrownBy(() -> LogQL.parse(query)).isInstanceOf(LogQLParseException.class);
  }
}

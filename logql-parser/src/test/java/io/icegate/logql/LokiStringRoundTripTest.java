package io.icegate.logql;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.logql.LokiCases.RoundTripCase;
import io.icegate.logql.ast.BinOpExpr;
import io.icegate.logql.ast.LabelMatcher;
import io.icegate.logql.ast.LabelReplaceExpr;
import io.icegate.logql.ast.LogQLExpr;
import io.icegate.logql.ast.LogRangeExpr;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.RangeAggregationExpr;
import io.icegate.logql.ast.SampleExpr;
import io.icegate.logql.ast.StreamSelector;
import io.icegate.logql.ast.VectorAggregationExpr;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Loki's printing cases (string-roundtrip.jsonl): a query parsed, then printed on one line as
 * Loki's {@code String()} does, or on several as its {@code Prettify} does, gives Loki's text.
 */
class LokiStringRoundTripTest {
  private static final String FILE = "string-roundtrip.jsonl";

  static Optional<String> failure(RoundTripCase c) {
    String printed;
    try {
      LogQLExpr expr = LogQL.parseExpr(c.input());
      printed =
          switch (c.op()) {
            case "String" -> LogQLFormatter.format(expr);
            case "Prettify" -> LogQLFormatter.prettify(expr, c.maxCharsPerLine());
            case "AppendMatchers+String" ->
                LogQLFormatter.format(withMatchers(expr, matchers(c.matchers())));
            default -> throw new IllegalArgumentException("unknown op " + c.op());
          };
    } catch (LogQLParseException e) {
      return Optional.of("does not parse: " + e.getMessage());
    }
    return printed.equals(c.want())
        ? Optional.empty()
        : Optional.of("printed\n" + printed + "\nbut Loki prints\n" + c.want());
  }

  @TestFactory
  Stream<DynamicTest> everyQueryPrintsAsInLoki() {
    return LokiConformance.tests(
        FILE, LokiCases.roundTrips(), c -> c.op() + " " + c.input(), LokiStringRoundTripTest::failure);
  }

  /** The runner's own check: hand-written cases, one printed as Loki prints it and two not. */
  @Test
  void aCaseFailsWhenOurPrintingDiffersFromLokis() {
    // Loki's String() writes no space before a range or after a grouping.
    assertThat(failure(new RoundTripCase(
            "String", "sum by (app) (count_over_time({app=\"x\"} |= \"a\" [5m]))",
            "sum by (app)(count_over_time({app=\"x\"} |= \"a\"[5m]))", 0, List.of())))
        .isEmpty();
    assertThat(failure(new RoundTripCase(
            "AppendMatchers+String", "{app=\"x\"}", "{app=\"x\", env=\"prod\"}", 0,
            List.of(new LokiCases.Matcher("env", "MatchEqual", "prod")))))
        .isEmpty();
    assertThat(failure(new RoundTripCase("String", "{app=\"x\"}|=\"a\"", "{app=\"x\"}|=\"a\"",
            0, List.of())))
        .hasValueSatisfying(m -> assertThat(m).contains("but Loki prints"));
    assertThat(failure(new RoundTripCase("String", "{app=", "{app=}", 0, List.of())))
        .hasValueSatisfying(m -> assertThat(m).startsWith("does not parse"));
  }

  private static List<LabelMatcher> matchers(List<LokiCases.Matcher> matchers) {
    List<LabelMatcher> out = new ArrayList<>();
    for (LokiCases.Matcher m : matchers) {
      LabelMatcher.MatchType type =
          switch (m.type()) {
            case "MatchEqual" -> LabelMatcher.MatchType.EQ;
            case "MatchNotEqual" -> LabelMatcher.MatchType.NEQ;
            case "MatchRegexp" -> LabelMatcher.MatchType.RE;
            case "MatchNotRegexp" -> LabelMatcher.MatchType.NRE;
            default -> throw new IllegalArgumentException(m.type());
          };
      out.add(new LabelMatcher(m.name(), type, m.value()));
    }
    return out;
  }

  /** Loki's AppendMatchers: the matchers added to every stream selector of the query. */
  static LogQLExpr withMatchers(LogQLExpr expr, List<LabelMatcher> added) {
    if (expr instanceof LogSelectorExpr log) {
      List<LabelMatcher> matchers = new ArrayList<>(log.selector().matchers());
      matchers.addAll(added);
      return new LogSelectorExpr(new StreamSelector(matchers), log.pipeline());
    }
    if (expr instanceof RangeAggregationExpr range) {
      LogRangeExpr r = range.range();
      LogRangeExpr withAdded =
          new LogRangeExpr(
              (LogSelectorExpr) withMatchers(r.selector(), added),
              r.range(),
              r.offset(),
              r.unwrap());
      return new RangeAggregationExpr(range.op(), withAdded, range.parameter(), range.grouping());
    }
    if (expr instanceof VectorAggregationExpr vector) {
      return new VectorAggregationExpr(
          vector.op(),
          (SampleExpr) withMatchers(vector.inner(), added),
          vector.grouping(),
          vector.parameter());
    }
    if (expr instanceof BinOpExpr binOp) {
      return new BinOpExpr(
          binOp.op(),
          (SampleExpr) withMatchers(binOp.left(), added),
          (SampleExpr) withMatchers(binOp.right(), added),
          binOp.returnBool(),
          binOp.matching());
    }
    if (expr instanceof LabelReplaceExpr replace) {
      return new LabelReplaceExpr(
          (SampleExpr) withMatchers(replace.inner(), added),
          replace.destination(),
          replace.replacement(),
          replace.source(),
          replace.regex());
    }
    return expr;
  }
}

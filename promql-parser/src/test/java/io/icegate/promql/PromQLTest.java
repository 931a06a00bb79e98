package io.icegate.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.icegate.promql.ast.AggregateExpr;
import io.icegate.promql.ast.AggregateOp;
import io.icegate.promql.ast.AtModifier;
import io.icegate.promql.ast.BinaryExpr;
import io.icegate.promql.ast.BinaryOp;
import io.icegate.promql.ast.Call;
import io.icegate.promql.ast.DurationExpr;
import io.icegate.promql.ast.Expr;
import io.icegate.promql.ast.Functions;
import io.icegate.promql.ast.LabelMatcher;
import io.icegate.promql.ast.LabelMatcher.MatchType;
import io.icegate.promql.ast.MatrixSelector;
import io.icegate.promql.ast.NumberLiteral;
import io.icegate.promql.ast.ParenExpr;
import io.icegate.promql.ast.PositionRange;
import io.icegate.promql.ast.RangeModifier;
import io.icegate.promql.ast.StringLiteral;
import io.icegate.promql.ast.SubqueryExpr;
import io.icegate.promql.ast.UnaryExpr;
import io.icegate.promql.ast.ValueType;
import io.icegate.promql.ast.VectorMatching;
import io.icegate.promql.ast.VectorMatching.Cardinality;
import io.icegate.promql.ast.VectorSelector;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PromQLTest {
  private static final PositionRange ANY = new PositionRange(0, 0);

  // ---- Small builders for expected trees; positions are not compared. ----

  private static NumberLiteral num(double v) {
    return new NumberLiteral(v, false, ANY);
  }

  private static VectorSelector sel(String name, LabelMatcher... matchers) {
    List<LabelMatcher> all = new ArrayList<>(List.of(matchers));
    all.add(new LabelMatcher("__name__", MatchType.EQL, name));
    return new VectorSelector(name, all, 0, null, null, RangeModifier.NONE, ANY);
  }

  private static BinaryExpr bin(BinaryOp op, Expr lhs, Expr rhs) {
    boolean vectors = lhs.type() == ValueType.VECTOR && rhs.type() == ValueType.VECTOR;
    VectorMatching vm =
        vectors
            ? VectorMatching.oneToOne().withCard(op.isSetOperator() ? Cardinality.MANY_TO_MANY : Cardinality.ONE_TO_ONE)
            : null;
    return new BinaryExpr(op, lhs, rhs, false, vm, ANY);
  }

  private static void assertTree(String query, Expr expected) {
    assertThat(PromQL.parse(query))
        .usingRecursiveComparison()
        .ignoringFieldsOfTypes(PositionRange.class)
        .withComparatorForType(Double::compare, Double.class)
        .isEqualTo(expected);
  }

  private static PromQLParseException error(String query) {
    return error(query, PromQLOptions.DEFAULT);
  }

  private static PromQLParseException error(String query, PromQLOptions options) {
    PromQLParseException e = catchThrowableOfType(PromQLParseException.class, () -> PromQL.parse(query, options));
    assertThat(e).as("%s is rejected", query).isNotNull();
    return e;
  }

  private static AbstractStringAssert<?> message(String query) {
    return assertThat(error(query).getMessage());
  }

  @Nested
  class PrecedenceAndAssociativity {
    @Test
    void subtractionIsLeftAssociative() {
      assertTree("a - b - c", bin(BinaryOp.SUB, bin(BinaryOp.SUB, sel("a"), sel("b")), sel("c")));
    }

    @Test
    void powerIsRightAssociative() {
      assertTree("2 ^ 3 ^ 2", bin(BinaryOp.POW, num(2), bin(BinaryOp.POW, num(3), num(2))));
    }

    @Test
    void unaryMinusBindsLooserThanPower() {
      // -(2 ^ 2) = -4, as in Prometheus.
      assertTree("-2 ^ 2", new UnaryExpr(UnaryExpr.Op.SUB, bin(BinaryOp.POW, num(2), num(2)), ANY));
    }

    @Test
    void unaryMinusBindsTighterThanMultiplication() {
      assertTree("-a * b", bin(BinaryOp.MUL, new UnaryExpr(UnaryExpr.Op.SUB, sel("a"), ANY), sel("b")));
    }

    @Test
    void aSignBeforeANumberIsPartOfTheNumber() {
      assertTree("-1", num(-1));
      assertTree("- -1", num(1));
      assertTree("2 ^ -1", bin(BinaryOp.POW, num(2), num(-1)));
    }

    @Test
    void multiplicationBindsTighterThanAddition() {
      assertTree("a + b * c", bin(BinaryOp.ADD, sel("a"), bin(BinaryOp.MUL, sel("b"), sel("c"))));
      assertTree("a atan2 b + c", bin(BinaryOp.ADD, bin(BinaryOp.ATAN2, sel("a"), sel("b")), sel("c")));
    }

    @Test
    void comparisonsBindTighterThanAndWhichBindsTighterThanOr() {
      assertTree(
          "a or b and c > d",
          bin(BinaryOp.LOR, sel("a"), bin(BinaryOp.LAND, sel("b"), bin(BinaryOp.GTR, sel("c"), sel("d")))));
      assertTree("a unless b or c", bin(BinaryOp.LOR, bin(BinaryOp.LUNLESS, sel("a"), sel("b")), sel("c")));
    }

    @Test
    void parenthesesAreKept() {
      assertTree("(a + b) * c", bin(BinaryOp.MUL, new ParenExpr(bin(BinaryOp.ADD, sel("a"), sel("b")), ANY), sel("c")));
      assertThat(PromQL.parse("((1))").toString()).isEqualTo("((1))");
    }

    @Test
    void offsetBindsToTheSelectorBeforeIt() {
      Expr e = PromQL.parse("a + b offset 5m");
      assertThat(((VectorSelector) ((BinaryExpr) e).rhs()).offsetMillis()).isEqualTo(300_000);
    }
  }

  @Nested
  class VectorMatchingModifiers {
    @Test
    void onWithGroupLeftAndIncludedLabels() {
      BinaryExpr e = (BinaryExpr) PromQL.parse("a * on(job, instance) group_left(version) b");

      assertThat(e.matching())
          .isEqualTo(new VectorMatching(Cardinality.MANY_TO_ONE, List.of("job", "instance"), true, List.of("version"), null, null));
      assertThat(e).hasToString("a * on (job, instance) group_left (version) b");
    }

    @Test
    void ignoringWithGroupRightWithoutLabelList() {
      BinaryExpr e = (BinaryExpr) PromQL.parse("a - ignoring(code) group_right b");

      assertThat(e.matching())
          .isEqualTo(new VectorMatching(Cardinality.ONE_TO_MANY, List.of("code"), false, List.of(), null, null));
      assertThat(e).hasToString("a - ignoring (code) group_right () b");
    }

    @Test
    void setOperatorsMatchManyToMany() {
      BinaryExpr e = (BinaryExpr) PromQL.parse("a and on(job) b");
      assertThat(e.matching().card()).isEqualTo(Cardinality.MANY_TO_MANY);
    }

    @Test
    void aScalarSideHasNoMatching() {
      assertThat(((BinaryExpr) PromQL.parse("a + 1")).matching()).isNull();
      assertThat(((BinaryExpr) PromQL.parse("1 + ignoring() a"))).hasToString("1 + a");
    }

    @Test
    void boolOnlyOnComparisons() {
      assertThat(((BinaryExpr) PromQL.parse("a > bool 1")).returnBool()).isTrue();
      assertThat(PromQL.parse("1 == bool 2").type()).isEqualTo(ValueType.SCALAR);
      message("a + bool b").isEqualTo("1:3: parse error: bool modifier can only be used on comparison operators");
      message("1 == 1").isEqualTo("1:3: parse error: comparisons between scalars must use BOOL modifier");
    }

    @Test
    void groupingOnlyBetweenVectorsAndNotForSetOperators() {
      message("foo + group_left(baz) bar").isEqualTo("1:7: parse error: unexpected <group_left>");
      message("foo and on(bar) group_left(baz) bar")
          .isEqualTo("1:1: parse error: no grouping allowed for \"and\" operation");
      message("foo == on(bar) 10").isEqualTo("1:1: parse error: vector matching only allowed between instant vectors");
      message("1 or foo").isEqualTo("1:1: parse error: set operator \"or\" not allowed in binary scalar expression");
      message("a + on(x) group_left(x) b")
          .isEqualTo("1:3: parse error: label \"x\" must not occur in ON and GROUP clause at once");
    }

    @Test
    void fillModifiersNeedTheirFlag() {
      message("a + fill(0) b").isEqualTo("1:1: parse error: binop fill modifiers are experimental and not enabled");
      BinaryExpr e = (BinaryExpr) PromQL.parse("a + fill_left(-1) fill_right(2) b", PromQLOptions.ALL_ENABLED);
      assertThat(e.matching().fillLhs()).isEqualTo(-1.0);
      assertThat(e.matching().fillRhs()).isEqualTo(2.0);
      assertThat(PromQL.parse("fill + fill")).hasToString("fill + fill"); // a metric name without "("
    }
  }

  @Nested
  class Selectors {
    @Test
    void everyMatcherOperator() {
      VectorSelector v = (VectorSelector) PromQL.parse("m{a=\"1\", b!=\"2\", c=~\"3.*\", d!~\"4\"}");

      assertThat(v.matchers())
          .containsExactly(
              new LabelMatcher("a", MatchType.EQL, "1"),
              new LabelMatcher("b", MatchType.NEQ, "2"),
              new LabelMatcher("c", MatchType.EQL_REGEX, "3.*"),
              new LabelMatcher("d", MatchType.NEQ_REGEX, "4"),
              new LabelMatcher("__name__", MatchType.EQL, "m"));
      assertThat(v).hasToString("m{a=\"1\",b!=\"2\",c=~\"3.*\",d!~\"4\"}");
    }

    @Test
    void quotedUtf8MetricAndLabelNames() {
      VectorSelector v = (VectorSelector) PromQL.parse("{\"my.metric\", \"label.name\"=\"x\"}");

      assertThat(v.name()).isEmpty();
      assertThat(v.matchers())
          .containsExactly(
              new LabelMatcher("__name__", MatchType.EQL, "my.metric"), new LabelMatcher("label.name", MatchType.EQL, "x"));
      assertThat(v).hasToString("{\"label.name\"=\"x\",__name__=\"my.metric\"}");
      assertThat(PromQL.parse("sum by (\"foo.bar\") (x)")).hasToString("sum by (\"foo.bar\") (x)");
    }

    @Test
    void keywordsCanBeMetricAndLabelNames() {
      assertThat(PromQL.parse("sum{by=\"x\"} + offset")).hasToString("sum{by=\"x\"} + offset");
      assertThat(PromQL.parse("sum by (on, offset) (x)")).hasToString("sum by (on, offset) (x)");
    }

    @Test
    void selectorsMustNotMatchEverything() {
      message("{}").isEqualTo("1:1: parse error: vector selector must contain at least one non-empty matcher");
      message("{x=~\".*\"}").isEqualTo("1:1: parse error: vector selector must contain at least one non-empty matcher");
      message("foo{__name__=\"bar\"}").isEqualTo("1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\"");
    }

    @Test
    void regexesMustBeValidRe2() {
      message("foo{a=~\"(\"}").isEqualTo("1:5: parse error: error parsing regexp: missing closing ): `(`");
    }

    @Test
    void rangeAndSubquery() {
      MatrixSelector m = (MatrixSelector) PromQL.parse("foo[5m]");
      assertThat(m.rangeMillis()).isEqualTo(300_000);
      assertThat(m.type()).isEqualTo(ValueType.MATRIX);

      SubqueryExpr s = (SubqueryExpr) PromQL.parse("rate(foo[5m])[1h:30s]");
      assertThat(s.rangeMillis()).isEqualTo(3_600_000);
      assertThat(s.stepMillis()).isEqualTo(30_000);
      assertThat(((SubqueryExpr) PromQL.parse("foo[5m:]")).stepMillis()).isZero();
    }

    @Test
    void rangesOnlyOnSelectors() {
      message("(foo + bar)[5m]").isEqualTo("1:12: parse error: ranges only allowed for vector selectors");
      message("foo offset 1m [5m]").isEqualTo("1:15: parse error: no offset modifiers allowed before range");
      message("rate(foo[5m])[5m]").isEqualTo("1:14: parse error: ranges only allowed for vector selectors");
      message("foo[5m][5m:]").isEqualTo("1:1: parse error: subquery is only allowed on instant vector, got matrix instead");
    }
  }

  @Nested
  class Durations {
    @Test
    void unitsAndCompoundDurations() {
      assertThat(((MatrixSelector) PromQL.parse("x[1h30m]")).rangeMillis()).isEqualTo(5_400_000);
      assertThat(((MatrixSelector) PromQL.parse("x[500ms]")).rangeMillis()).isEqualTo(500);
      assertThat(((MatrixSelector) PromQL.parse("x[1y2w3d]")).rangeMillis())
          .isEqualTo((365L + 14 + 3) * 24 * 3_600_000);
    }

    @Test
    void numbersInRangesAreSeconds() {
      assertThat(((MatrixSelector) PromQL.parse("x[60]")).rangeMillis()).isEqualTo(60_000);
      assertThat(((MatrixSelector) PromQL.parse("x[1.5]")).rangeMillis()).isEqualTo(1_500);
      assertThat(PromQL.parse("x[90]")).hasToString("x[1m30s]");
    }

    @Test
    void durationsPrintAsPrometheusPrintsThem() {
      assertThat(PromQL.parse("x[7d]")).hasToString("x[1w]");
      assertThat(PromQL.parse("x[8d]")).hasToString("x[8d]");
      assertThat(PromQL.parse("x[90m]")).hasToString("x[1h30m]");
    }

    @Test
    void aDurationWhereANumberGoesIsItsSeconds() {
      NumberLiteral n = (NumberLiteral) PromQL.parse("5m");
      assertThat(n.value()).isEqualTo(300);
      assertThat(n.duration()).isTrue();
      assertThat(PromQL.parse("time() - 1h")).hasToString("time() - 1h");
    }

    @Test
    void badDurations() {
      message("foo[5mm]").isEqualTo("1:5: parse error: bad number or duration syntax: \"5mm\"");
      message("foo[5m1h]").isEqualTo("1:5: parse error: not a valid duration string: \"5m1h\"");
      message("foo[0m]").isEqualTo("1:5: parse error: duration must be greater than 0");
      message("foo[]")
          .isEqualTo("1:5: parse error: unexpected \"]\" in subquery or range selector, expected number, duration, step(), or range()");
    }

    @Test
    void durationExpressionsNeedTheirFlag() {
      message("foo[5m+1m]").isEqualTo("1:5: parse error: experimental duration expression is not enabled");
      MatrixSelector m = (MatrixSelector) PromQL.parse("foo[5m+1m]", PromQLOptions.ALL_ENABLED);
      assertThat(m.rangeExpr().op()).isEqualTo(DurationExpr.Op.ADD);
      assertThat(m).hasToString("foo[5m + 1m]");
    }
  }

  @Nested
  class Literals {
    @Test
    void numberForms() {
      assertTree("0x1F", num(31));
      assertTree("1_000", num(1000));
      assertTree("1e3", num(1000));
      assertTree(".5", num(0.5));
      assertTree("010", num(8)); // octal, as Go's ParseInt with base 0
      assertTree("Inf", num(Double.POSITIVE_INFINITY));
      assertTree("-inf", num(Double.NEGATIVE_INFINITY));
      assertTree("NaN", num(Double.NaN));
      assertThat(PromQL.parse("1e21")).hasToString("1000000000000000000000");
    }

    @Test
    void badNumbers() {
      message("2.5.").isEqualTo("1:1: parse error: bad number or duration syntax: \"2.5.\"");
      message("1e400")
          .isEqualTo("1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"1e400\": value out of range");
    }

    @Test
    void stringsWithEscapesAndQuotes() {
      assertTree("\"a\\tb\\\"c\\u00e9\"", new StringLiteral("a\tb\"cé", ANY));
      assertTree("'it\\'s'", new StringLiteral("it's", ANY));
      assertTree("`raw\\n`", new StringLiteral("raw\\n", ANY));
      assertThat(PromQL.parse("'a\"b'")).hasToString("\"a\\\"b\"");
    }

    @Test
    void bytesThatAreNotUtf8SurviveAsEscapes() {
      StringLiteral s = (StringLiteral) PromQL.parse("\"a\\xc5z\"");
      assertThat(s).hasToString("\"a\\xc5z\"");
    }

    @Test
    void badStrings() {
      message("\"abc").isEqualTo("1:1: parse error: unterminated quoted string");
      message("`abc").isEqualTo("1:1: parse error: unterminated raw string");
      message("\"\\c\"").isEqualTo("1:1: parse error: unknown escape sequence U+0063 'c'");
      message("\"\\ud800\"").isEqualTo("1:1: parse error: escape sequence is an invalid Unicode code point");
      message("\"a\" + 'b\\\"'").isEqualTo("1:7: parse error: unknown escape sequence U+0022 '\"'");
    }
  }

  @Nested
  class OffsetAndAt {
    @Test
    void offsetsPositiveAndNegative() {
      assertThat(((VectorSelector) PromQL.parse("foo offset 5m")).offsetMillis()).isEqualTo(300_000);
      assertThat(((VectorSelector) PromQL.parse("foo offset -1h")).offsetMillis()).isEqualTo(-3_600_000);
      MatrixSelector m = (MatrixSelector) PromQL.parse("foo[5m] offset 1m");
      assertThat(m.vectorSelector().offsetMillis()).isEqualTo(60_000);
      assertThat(((SubqueryExpr) PromQL.parse("foo[5m:] offset 1m")).offsetMillis()).isEqualTo(60_000);
    }

    @Test
    void atWithTimestampsStartAndEnd() {
      assertThat(((VectorSelector) PromQL.parse("foo @ 1609746000.5")).at())
          .isEqualTo(AtModifier.timestamp(1_609_746_000_500L));
      assertThat(((VectorSelector) PromQL.parse("foo @ -10")).at()).isEqualTo(AtModifier.timestamp(-10_000));
      assertThat(((MatrixSelector) PromQL.parse("foo[1m] @ start()")).vectorSelector().at()).isEqualTo(AtModifier.start());
      assertThat(((SubqueryExpr) PromQL.parse("foo[1m:] @ end()")).at()).isEqualTo(AtModifier.end());
      assertThat(PromQL.parse("foo @ 10 offset 1m")).hasToString("foo @ 10.000 offset 1m");
    }

    @Test
    void modifiersOnlyOnSelectorsAndOnlyOnce() {
      message("1 offset 1d")
          .isEqualTo(
              "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
      message("foo offset 1s offset 2s").isEqualTo("1:1: parse error: offset may not be set multiple times");
      message("foo @ 1 @ 2").isEqualTo("1:1: parse error: @ <timestamp> may not be set multiple times");
      message("foo @ NaN").isEqualTo("1:1: parse error: timestamp out of bounds for @ modifier: NaN");
      message("some_metric[5m] @").isEqualTo("1:18: parse error: unexpected end of input in @, expected timestamp");
      message("some_metric OFFSET")
          .isEqualTo("1:19: parse error: unexpected end of input in offset, expected number, duration, step(), or range()");
    }
  }

  @Nested
  class AggregationsAndFunctions {
    @Test
    void groupingBeforeOrAfterTheBody() {
      AggregateExpr before = (AggregateExpr) PromQL.parse("sum by (job) (x)");
      AggregateExpr after = (AggregateExpr) PromQL.parse("sum(x) by (job)");

      assertThat(after).usingRecursiveComparison().ignoringFieldsOfTypes(PositionRange.class).isEqualTo(before);
      assertThat(before.grouping()).containsExactly("job");
      assertThat(((AggregateExpr) PromQL.parse("avg without (a, b) (x)")).without()).isTrue();
    }

    @Test
    void everyAggregationOperator() {
      for (AggregateOp op : AggregateOp.values()) {
        String param = op == AggregateOp.COUNT_VALUES ? "\"v\", " : op.hasParam() ? "1, " : "";
        String query = op + "(" + param + "x)";
        AggregateExpr e = (AggregateExpr) PromQL.parse(query, PromQLOptions.ALL_ENABLED);
        assertThat(e.op()).isEqualTo(op);
        assertThat(e).hasToString(query);
      }
    }

    @Test
    void experimentalAggregationsNeedTheFlag() {
      message("limitk(1, x)")
          .isEqualTo(
              "1:1: parse error: limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions");
    }

    @Test
    void functionArgumentsAreChecked() {
      message("rate(foo)").isEqualTo("1:6: parse error: expected type range vector in call to function \"rate\", got instant vector");
      message("floor()").isEqualTo("1:1: parse error: expected 1 argument(s) in call to \"floor\", got 0");
      message("round(x, 1, 2)").isEqualTo("1:1: parse error: expected at most 2 argument(s) in call to \"round\", got 3");
      message("nope(x)").isEqualTo("1:1: parse error: unknown function with name \"nope\"");
      message("sort_by_label(x, \"a\")").isEqualTo("1:1: parse error: function \"sort_by_label\" is not enabled");
      message("topk(x, y)").isEqualTo("1:6: parse error: expected type scalar in aggregation parameter, got instant vector");
      message("rate(x[5m],)").isEqualTo("1:11: parse error: trailing commas not allowed in function call args");
    }

    @Test
    void callsKnowTheirFunctionAndType() {
      Call c = (Call) PromQL.parse("label_join(x, \"dst\", \",\", \"a\", \"b\", \"c\")");
      assertThat(c.function()).isEqualTo(Functions.byName("label_join").orElseThrow());
      assertThat(c.args()).hasSize(6);
      assertThat(PromQL.parse("scalar(x)").type()).isEqualTo(ValueType.SCALAR);
      assertThat(PromQL.parse("\"s\"").type()).isEqualTo(ValueType.STRING);
    }
  }

  @Nested
  class Errors {
    @Test
    void positionsAreLineAndByteColumn() {
      PromQLParseException e = error("sum(\n  rate(x[5m]) +\n)");

      assertThat(e.getMessage()).isEqualTo("3:1: parse error: unexpected \")\" in aggregation");
      assertThat(e.line()).isEqualTo(3);
      assertThat(e.column()).isEqualTo(1);
      assertThat(e.detail()).isEqualTo("unexpected \")\" in aggregation");
    }

    @Test
    void columnsCountUtf8Bytes() {
      // "é" is two bytes, so the '*' after it is at byte column 13, as Prometheus reports.
      message("{a=\"é\"} + * 1").isEqualTo("1:12: parse error: unexpected <op:*>");
    }

    @Test
    void syntaxErrorsNameTheTokenAsPrometheusDoes() {
      message("1 +").isEqualTo("1:4: parse error: unexpected end of input");
      message("*1").isEqualTo("1:1: parse error: unexpected <op:*>");
      message("foo{a=b}").isEqualTo("1:7: parse error: unexpected identifier \"b\" in label matching, expected string");
      message("sum (x) by test").isEqualTo("1:12: parse error: unexpected identifier \"test\" in grouping opts, expected \"(\"");
      message("foo[5m 5m]").isEqualTo("1:8: parse error: unexpected duration \"5m\" in subquery or range, expected \":\" or \"]\"");
    }

    @Test
    void lexicalErrors() {
      message("(1))").isEqualTo("1:5: parse error: unexpected right parenthesis ')'");
      message("sum(rate(").isEqualTo("1:10: parse error: unclosed left parenthesis");
      message("foo{").isEqualTo("1:5: parse error: unexpected end of input inside braces");
      message("foo[5s x 5s]").isEqualTo("1:8: parse error: unexpected character: 'x', expected ':'");
      message("foo[\"5m\"]").isEqualTo("1:5: parse error: unexpected character in duration expression: '\"'");
      message("1 =~ 1").isEqualTo("1:3: parse error: unexpected character after '=': '~'");
    }

    @Test
    void emptyQueries() {
      assertThat(error("").getMessage()).isEqualTo("unknown position: parse error: no expression found in input");
      message("  # just a comment").isEqualTo("1:1: parse error: no expression found in input");
    }

    @Test
    void typeErrors() {
      message("-\"s\"")
          .isEqualTo("1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"string\"");
      message("x[5m] + 1").isEqualTo("1:1: parse error: binary expression must contain only scalar and instant vector types");
      message("sum(x[5m])").isEqualTo("1:5: parse error: expected type instant vector in aggregation expression, got range vector");
    }

    @Test
    void deeplyNestedQueriesParseAsInPrometheus() {
      // From Prometheus's parser tests: thousands of levels; its (Go) stack grows, ours is retried large.
      String query = "(" + "-{}-1".repeat(10_000) + ")" + "[1m:]".repeat(1000);
      message(query).isEqualTo("1:3: parse error: vector selector must contain at least one non-empty matcher");
      assertThat(PromQL.parse("(".repeat(3000) + "1" + ")".repeat(3000)).type()).isEqualTo(ValueType.SCALAR);
    }

    @Test
    void messagesNeverLeakJavaAndNothingIsPrinted() {
      PrintStream err = System.err;
      ByteArrayOutputStream captured = new ByteArrayOutputStream();
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      try {
        for (String bad : List.of("sum(", "foo{a=}", "a +* b", "rate(x[5m] y)", "]", "@@", "foo offset", "x[5m:1m:1m]")) {
          assertThat(error(bad).getMessage()).doesNotContain("Exception", "java.", "io.icegate", "antlr", "token recognition");
        }
      } finally {
        System.setErr(err);
      }
      assertThat(captured.toString(StandardCharsets.UTF_8)).isEmpty();
    }
  }
}

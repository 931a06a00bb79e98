package io.icegate.logql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.logql.ast.LabelMatcher;
import io.icegate.logql.ast.LabelMatcher.MatchType;
import io.icegate.logql.ast.LineFilter;
import io.icegate.logql.ast.LineFilter.Op;
import io.icegate.logql.ast.LogQLExpr;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.PipelineStage;
import io.icegate.logql.ast.StreamSelector;
import java.util.List;
import java.util.Random;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class LogQLTest {

  @Nested
  class StreamSelectors {
    @Test
    void parsesSingleEqualityMatcher() {
      assertThat(LogQL.parse("{app=\"api\"}")).isEqualTo(query(List.of(eq("app", "api"))));
    }

    @Test
    void parsesEveryMatcherOperator() {
      LogQLExpr expr = LogQL.parse("{a=\"1\", b!=\"2\", c=~\"3.*\", d!~\"4\"}");

      assertThat(expr)
          .isEqualTo(
              query(
                  List.of(
                      eq("a", "1"),
                      new LabelMatcher("b", MatchType.NEQ, "2"),
                      new LabelMatcher("c", MatchType.RE, "3.*"),
                      new LabelMatcher("d", MatchType.NRE, "4"))));
    }

    @Test
    void allowsWhitespaceAndNewlinesBetweenTokens() {
      LogQLExpr expr = LogQL.parse(" {\n\tapp = \"api\" ,\r\n env != \"dev\" }\n");

      assertThat(expr)
          .isEqualTo(
              query(List.of(eq("app", "api"), new LabelMatcher("env", MatchType.NEQ, "dev"))));
    }

    @Test
    void parsesRegexMatcherWithBacktickString() {
      assertThat(LogQL.parse("{app=~`api-\\d+`}"))
          .isEqualTo(query(List.of(new LabelMatcher("app", MatchType.RE, "api-\\d+"))));
    }

    @Test
    void unescapesGoEscapesInLabelValues() {
      assertThat(LogQL.parse("{app=\"a\\\"b\\\\c\\td\\u00e9\"}"))
          .isEqualTo(query(List.of(eq("app", "a\"b\\c\td\u00e9"))));
    }

    @Test
    void acceptsNotEqualEmptyAsTheOneSelectiveMatcher() {
      // `!= ""` does not match the empty string, so Loki counts it as selective.
      assertThat(LogQL.parse("{app!=\"\"}"))
          .isEqualTo(query(List.of(new LabelMatcher("app", MatchType.NEQ, ""))));
    }

    @Test
    void acceptsEmptyCompatibleMatchersNextToASelectiveOne() {
      assertThat(LogQL.parse("{job=\"loki\", env=\"\", pod=~\".*\"}"))
          .isEqualTo(
              query(
                  List.of(
                      eq("job", "loki"),
                      eq("env", ""),
                      new LabelMatcher("pod", MatchType.RE, ".*"))));
    }

    @Test
    void rejectsEmptySelector() {
      assertParseError("{}")
          .hasMessage("parse error : " + QueryValidator.EMPTY_COMPATIBLE_MATCHERS);
    }

    @Test
    void rejectsSelectorWhoseMatchersAllMatchTheEmptyString() {
      assertParseError("{a!=\"x\", b=~\".*\", c=\"\", d!~\".+\"}")
          .hasMessage(
              "parse error : queries require at least one regexp or equality matcher that does"
                  + " not have an empty-compatible value. For instance, app=~\".*\" does not meet"
                  + " this requirement, but app=~\".+\" will");
    }

    @Test
    void rejectsInvalidMatcherRegexWithGoMessage() {
      assertParseError("{app=~\"(\"}")
          .hasMessage("parse error : error parsing regexp: missing closing ): `(`");
    }

    @Test
    void rejectsMatcherRegexThatRe2DoesNotSupport() {
      assertParseError("{app=~\"(?=x)\"}")
          .hasMessage(
              "parse error : error parsing regexp: invalid or unsupported Perl syntax: `(?=`");
    }

    @Test
    void rejectsTrailingComma() {
      assertParseError("{a=\"b\",}")
          .hasMessage(
              "parse error at line 1, col 8: syntax error: unexpected }, expecting IDENTIFIER");
    }

    @Test
    void rejectsUnquotedValue() {
      assertParseError("{a=b}")
          .hasMessage(
              "parse error at line 1, col 4: syntax error: unexpected IDENTIFIER, expecting"
                  + " STRING");
    }

    @Test
    void listsTheFourMatcherOperatorsInLokisOrder() {
      assertParseError("{a \"b\"}")
          .hasMessage(
              "parse error at line 1, col 4: syntax error: unexpected STRING,"
                  + " expecting = or =~ or !~ or !=");
    }

    @Test
    void rejectsUnclosedSelector() {
      assertParseError("{a=\"b\" c=\"d\"}")
          .hasMessage(
              "parse error at line 1, col 8: syntax error: unexpected IDENTIFIER, expecting } or"
                  + " ,");
    }

    @Test
    void rejectsLabelNameStartingWithDigit() {
      assertParseError("{1a=\"b\"}")
          .hasMessage(
              "parse error at line 1, col 2: syntax error: unexpected NUMBER, expecting IDENTIFIER"
                  + " or }");
    }

    @Test
    void namesInvisibleUnexpectedCharactersByCodePoint() {
      assertParseError("{a=\"b\"}\f")
          .hasMessage("parse error at line 1, col 8: syntax error: unexpected U+000C");
    }

    @Test
    void treatsOrAsAKeywordNotALabelName() {
      // As in Loki, whose lexer turns `or` into a keyword wherever it appears.
      assertParseError("{or=\"b\"}")
          .hasMessage(
              "parse error at line 1, col 2: syntax error: unexpected or, expecting IDENTIFIER or"
                  + " }");
    }
  }

  @Nested
  class LineFilters {
    @Test
    void parsesSelectorFollowedByFilters() {
      LogQLExpr expr = LogQL.parse("{app=\"api\", env!=\"dev\"} |= \"error\" != \"timeout\"");

      assertThat(expr)
          .isEqualTo(
              query(
                  List.of(eq("app", "api"), new LabelMatcher("env", MatchType.NEQ, "dev")),
                  filter(Op.CONTAINS, "error"),
                  filter(Op.NOT_CONTAINS, "timeout")));
    }

    @Test
    void parsesEachLineFilterOperatorInOrder() {
      LogQLExpr expr = LogQL.parse("{a=\"b\"} |= \"x\" != \"y\" |~ \"z.*\" !~ `w\\d`");

      assertThat(expr)
          .isEqualTo(
              query(
                  List.of(eq("a", "b")),
                  filter(Op.CONTAINS, "x"),
                  filter(Op.NOT_CONTAINS, "y"),
                  filter(Op.MATCHES_REGEX, "z.*"),
                  filter(Op.NOT_MATCHES_REGEX, "w\\d")));
    }

    @Test
    void parsesOrAlternativesIntoOneFilter() {
      assertThat(LogQL.parse("{a=\"b\"} |= \"x\" or \"y\" or `z` != \"w\""))
          .isEqualTo(
              query(
                  List.of(eq("a", "b")),
                  filter(Op.CONTAINS, "x", "y", "z"),
                  filter(Op.NOT_CONTAINS, "w")));
    }

    @Test
    void readsOrInAnyCase() {
      assertThat(LogQL.parse("{a=\"b\"} |~ \"x\" OR \"y\" Or \"z\""))
          .isEqualTo(query(List.of(eq("a", "b")), filter(Op.MATCHES_REGEX, "x", "y", "z")));
    }

    @Test
    void readsNegativeAlternativesAsOneFilterEach() {
      // A line passes `!~ "x" or "y"` when it matches neither: Loki reads it as `!~ "x" !~ "y"`.
      assertThat(LogQL.parse("{a=\"b\"} !~ \"x\" or \"y\" != \"z\""))
          .isEqualTo(
              query(
                  List.of(eq("a", "b")),
                  filter(Op.NOT_MATCHES_REGEX, "x"),
                  filter(Op.NOT_MATCHES_REGEX, "y"),
                  filter(Op.NOT_CONTAINS, "z")));
    }

    @Test
    void keepsEmptyFilterValue() {
      assertThat(LogQL.parse("{a=\"b\"} |= \"\""))
          .isEqualTo(query(List.of(eq("a", "b")), filter(Op.CONTAINS, "")));
    }

    @Test
    void unescapesFilterValues() {
      assertThat(LogQL.parse("{a=\"b\"} |= \"tab\\there\\x41\\101\""))
          .isEqualTo(query(List.of(eq("a", "b")), filter(Op.CONTAINS, "tab\there" + "AA")));
    }

    @Test
    void rejectsInvalidFilterRegexWithGoMessage() {
      // Loki compiles line filter regexes when it builds the pipeline, and names the stage.
      assertParseError("{a=\"b\"} |~ \"a{2,1}\"")
          .hasMessage(
              "parse error : stage '|~ \"a{2,1}\"' : error parsing regexp: invalid repeat count:"
                  + " `{2,1}`");
    }

    @Test
    void acceptsInvalidFilterRegexWhereLokisParseExprDoes() {
      assertThat(LogQL.parseExpr("{a=\"b\"} |~ \"a{2,1}\""))
          .isEqualTo(query(List.of(eq("a", "b")), filter(Op.MATCHES_REGEX, "a{2,1}")));
    }

    @Test
    void checksEveryRegexAlternative() {
      assertParseError("{a=\"b\"} !~ \"ok\" or \"[z-a]\"")
          .hasMessage(
              "parse error : stage '!~ \"ok\" !~ \"[z-a]\"' : error parsing regexp: invalid"
                  + " character class range: `z-a`");
    }

    @Test
    void doesNotTreatSubstringFiltersAsRegexes() {
      assertThat(LogQL.parse("{a=\"b\"} |= \"(\" != \"[\""))
          .isEqualTo(
              query(List.of(eq("a", "b")), filter(Op.CONTAINS, "("), filter(Op.NOT_CONTAINS, "[")));
    }

    @Test
    void rejectsFilterWithoutValue() {
      assertParseError("{a=\"b\"} |=")
          .hasMessage(
              "parse error at line 1, col 11: syntax error: unexpected $end, expecting STRING or"
                  + " ip");
    }

    @Test
    void rejectsDanglingOr() {
      assertParseError("{a=\"b\"} |= \"x\" or |= \"y\"")
          .hasMessage(
              "parse error at line 1, col 19: syntax error: unexpected |=, expecting STRING or"
                  + " ip");
    }

    @Test
    void takesOrAfterAFilterAsPartOfTheFilter() {
      assertParseError("{a=\"b\"} |= \"x\" or vector(0)")
          .hasMessage(
              "parse error at line 1, col 19: syntax error: unexpected VECTOR, expecting STRING"
                  + " or ip");
    }
  }

  @Nested
  class CommentsAndPositions {
    @Test
    void skipsCommentsToTheEndOfTheLine() {
      assertThat(LogQL.parse("{a=\"b\"} # |= \"x\"\n |= \"y\" # last"))
          .isEqualTo(query(List.of(eq("a", "b")), filter(Op.CONTAINS, "y")));
    }

    @Test
    void keepsHashInsideStrings() {
      assertThat(LogQL.parse("{a=\"#b\"} |= `#`"))
          .isEqualTo(query(List.of(eq("a", "#b")), filter(Op.CONTAINS, "#")));
    }

    @Test
    void reportsLineAndColumnOfTheUnexpectedToken() {
      var error = catchParseError("{a=\"b\"}\n  |= x");

      assertThat(error)
          .hasMessage(
              "parse error at line 2, col 6: syntax error: unexpected IDENTIFIER, expecting"
                  + " STRING or ip");
      assertThat(error.line()).isEqualTo(2);
      assertThat(error.column()).isEqualTo(6);
      assertThat(error.detail())
          .isEqualTo("syntax error: unexpected IDENTIFIER, expecting STRING or ip");
    }

    @Test
    void countsColumnsInCharactersNotBytes() {
      assertParseError("{a=\"\u00e9\u00e9\"} x")
          .hasMessage("parse error at line 1, col 10: syntax error: unexpected IDENTIFIER");
    }

    @Test
    void reportsTheEndOfInputAfterTheLastCharacter() {
      assertParseError("{a=\"b\"")
          .hasMessage(
              "parse error at line 1, col 7: syntax error: unexpected $end, expecting } or ,");
    }

    @Test
    void reportsAnEmptyQueryLikeLoki() {
      assertParseError("")
          .hasMessage("parse error at line 1, col 1: syntax error: unexpected $end");
      assertParseError("  # only a comment")
          .hasMessage("parse error at line 1, col 19: syntax error: unexpected $end");
    }

    @Test
    void positionlessErrorsHaveLineAndColumnZero() {
      var error = catchParseError("{}");

      assertThat(error.line()).isZero();
      assertThat(error.column()).isZero();
      assertThat(error.detail()).isEqualTo(QueryValidator.EMPTY_COMPATIBLE_MATCHERS);
    }
  }

  @Nested
  class StringLiterals {
    @Test
    void reportsUnterminatedStringAtItsOpeningQuote() {
      assertParseError("{a=\"b}")
          .hasMessage("parse error at line 1, col 4: literal not terminated");
      assertParseError("{a=\"b\"} |= `x")
          .hasMessage("parse error at line 1, col 12: literal not terminated");
    }

    @Test
    void rejectsNewlineInsideDoubleQuotedString() {
      assertParseError("{a=\"b\nc\"}")
          .hasMessage("parse error at line 1, col 4: literal not terminated");
    }

    @Test
    void allowsNewlineInsideBacktickString() {
      assertThat(LogQL.parse("{a=\"b\"} |= `x\ny`"))
          .isEqualTo(query(List.of(eq("a", "b")), filter(Op.CONTAINS, "x\ny")));
    }

    @Test
    void reportsInvalidEscapeAtTheStringStart() {
      assertParseError("{a=\"x\\q\"}")
          .hasMessage("parse error at line 1, col 4: invalid char escape");
    }

    @Test
    void reportsABadLiteralBeforeALaterSyntaxError() {
      // Loki's lexer fails on the literal when the parser reads it, before the parser sees the end.
      assertParseError("{a=\"\\q\"} |=")
          .hasMessage("parse error at line 1, col 4: invalid char escape");
    }

    @Test
    void reportsASyntaxErrorBeforeALaterBadLiteral() {
      assertParseError("{a=\"b\"} x \"\\q\"")
          .hasMessage("parse error at line 1, col 9: syntax error: unexpected IDENTIFIER");
    }

    @Test
    void rejectsOctalEscapeAboveByteRange() {
      assertParseError("{a=\"\\400\"}").hasMessage("parse error at line 1, col 4: invalid syntax");
    }

    @Test
    void joinsByteEscapesIntoUtf8Characters() {
      assertThat(LogQL.parse("{a=\"\\xc3\\xa9\\303\\251\"}"))
          .isEqualTo(query(List.of(eq("a", "\u00e9\u00e9"))));
    }

    @Test
    void rejectsByteEscapesThatAreNotUtf8() {
      assertParseError("{a=\"\\xff\"}")
          .hasMessage("parse error at line 1, col 4: invalid UTF-8 encoding");
    }

    @Test
    void acceptsCharactersOutsideTheBasicPlane() {
      assertThat(LogQL.parse("{a=\"\uD83D\uDE00\"}"))
          .isEqualTo(query(List.of(eq("a", "\uD83D\uDE00"))));
      assertParseError("{a=\"b\"} \uD83D\uDE00")
          .hasMessage("parse error at line 1, col 9: syntax error: unexpected \uD83D\uDE00");
    }

    @Test
    void rejectsUnpairedSurrogates() {
      assertParseError("{a=\"\ud800\"}")
          .hasMessage("parse error at line 1, col 4: invalid UTF-8 encoding");
      assertParseError("{a=\"b\"} \udc00")
          .hasMessage("parse error at line 1, col 9: invalid UTF-8 encoding");
    }
  }

  @Nested
  class Limits {
    @Test
    void rejectsQueriesOfLokisMaximumSizeOrMore() {
      String atLimit = "{a=\"" + "x".repeat(LogQL.MAX_QUERY_BYTES - 6) + "\"}";

      assertParseError(atLimit).hasMessage("parse error : input size too long (131072 > 131072)");
    }

    @Test
    void acceptsQueriesJustUnderTheLimit() {
      String underLimit = "{a=\"" + "x".repeat(LogQL.MAX_QUERY_BYTES - 7) + "\"}";

      assertThat(LogQL.parse(underLimit)).isInstanceOf(LogSelectorExpr.class);
    }

    @Test
    void countsTheLimitInUtf8Bytes() {
      String twoBytesEach = "{a=\"" + "\u00e9".repeat(LogQL.MAX_QUERY_BYTES / 2) + "\"}";

      assertParseError(twoBytesEach)
          .hasMessage("parse error : input size too long (131078 > 131072)");
    }

    @Test
    void failsOnlyWithParseErrorsThatNameNoJavaInternals() {
      // Given random text made of LogQL's own characters, parsing either succeeds or fails with
      // a Loki-worded message; never with another exception, a class name or a stack trace.
      String alphabet = "{}=!~|,\"`\\#() \n\tabor_1x.*[]+";
      Random random = new Random(20260822);
      for (int i = 0; i < 5_000; i++) {
        StringBuilder query = new StringBuilder();
        int length = random.nextInt(24);
        for (int j = 0; j < length; j++) {
          query.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        try {
          LogQL.parse(query.toString());
        } catch (LogQLParseException e) {
          assertThat(e.getMessage())
              .as("message for %s", query)
              .startsWith("parse error")
              .doesNotContain("java.", "Exception", "antlr", "icegate", "\tat ");
        }
      }
    }
  }

  private static LogSelectorExpr query(List<LabelMatcher> matchers, PipelineStage... stages) {
    return new LogSelectorExpr(new StreamSelector(matchers), List.of(stages));
  }

  private static LabelMatcher eq(String name, String value) {
    return new LabelMatcher(name, MatchType.EQ, value);
  }

  private static LineFilter filter(Op op, String... values) {
    return new LineFilter(op, List.of(values));
  }

  private static LogQLParseException catchParseError(String query) {
    try {
      LogQL.parse(query);
    } catch (LogQLParseException e) {
      return e;
    }
    throw new AssertionError("expected a parse error for " + query);
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertParseError(String query) {
    return assertThatThrownBy(() -> LogQL.parse(query)).isInstanceOf(LogQLParseException.class);
  }
}

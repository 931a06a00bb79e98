package io.icegate.logql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.logql.ast.BytesLabelFilter;
import io.icegate.logql.ast.ComparisonOp;
import io.icegate.logql.ast.Decolorize;
import io.icegate.logql.ast.DropLabels;
import io.icegate.logql.ast.DurationLabelFilter;
import io.icegate.logql.ast.IpLabelFilter;
import io.icegate.logql.ast.IpLineFilter;
import io.icegate.logql.ast.JsonParser;
import io.icegate.logql.ast.KeepLabels;
import io.icegate.logql.ast.LabelExtraction;
import io.icegate.logql.ast.LabelFilter;
import io.icegate.logql.ast.LabelFilterStage;
import io.icegate.logql.ast.LabelFormat;
import io.icegate.logql.ast.LabelMatcher;
import io.icegate.logql.ast.LabelMatcher.MatchType;
import io.icegate.logql.ast.LineFormat;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.LogfmtParser;
import io.icegate.logql.ast.NamedLabelMatcher;
import io.icegate.logql.ast.NumericLabelFilter;
import io.icegate.logql.ast.PatternLineFilter;
import io.icegate.logql.ast.PatternParser;
import io.icegate.logql.ast.PipelineStage;
import io.icegate.logql.ast.RegexpParser;
import io.icegate.logql.ast.StringLabelFilter;
import io.icegate.logql.ast.UnpackParser;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The stages of a pipeline, as they parse; each stage reads after {@code {app="api"}}. */
class PipelineStageTest {

  @Nested
  class LineFilters {
    @Test
    void readsPatternFilters() {
      assertThat(stages("|> \"<_> error <_>\" or \"<_> fatal <_>\" !> \"<_> debug\""))
          .containsExactly(
              new PatternLineFilter(false, List.of("<_> error <_>", "<_> fatal <_>")),
              new PatternLineFilter(true, List.of("<_> debug")));
    }

    @Test
    void readsIpFiltersMixedWithText() {
      assertThat(stages("|= ip(\"10.0.0.0/8\") or \"localhost\""))
          .containsExactly(
              new IpLineFilter(
                  IpLineFilter.Op.CONTAINS,
                  List.of(
                      new IpLineFilter.IpPattern("10.0.0.0/8"),
                      new IpLineFilter.Text("localhost"))));
    }

    @Test
    void runsIpFiltersOnlyAfterContainsOperators() {
      // Loki's parser reads it; Loki cannot build the filter.
      assertThat(LogQL.parseExpr("{app=\"api\"} |~ ip(\"::1\")")).isNotNull();
      assertParseError("{app=\"api\"} |~ ip(\"::1\")")
          .hasMessage("parse error : stage '|~ ip(\"::1\")' : ip: invalid operation");
    }

    @Test
    void checksIpPatternsAsGo() {
      for (String valid :
          List.of("127.0.0.1", "::1", "fe80::1%eth0", "::ffff:1.2.3.4", "10.0.0.0/8", "::/0",
              "10.0.0.1-10.0.0.9")) {
        assertThat(LogQL.parse("{app=\"api\"} |= ip(\"" + valid + "\")")).as(valid).isNotNull();
      }
      for (String invalid :
          List.of("", "1.2.3", "01.2.3.4", "256.1.1.1", "1::2::3", "10.0.0.0/33",
              "10.0.0.1 - 10.0.0.9", "10.0.0.9-10.0.0.1", "::1-10.0.0.1")) {
        assertParseError("{app=\"api\"} |= ip(\"" + invalid + "\")")
            .as(invalid)
            .hasMessageEndingWith("ip: invalid pattern: \"" + invalid + "\"");
      }
    }

    @Test
    void refusesNamedCapturesInPatternFilters() {
      assertParseError("{app=\"api\"} |> \"<level> x\"")
          .hasMessage(
              "parse error : stage '|> \"<level> x\"' : named captures are not allowed: found"
                  + " '<level>'");
    }

    @Test
    void checksLineFiltersTogetherFromTheLastAsLoki() {
      // Loki moves line filters ahead of parsers and builds them as one stage, the last first.
      assertParseError("{app=\"api\"} |~ \"(\" | json |~ \"[\"")
          .hasMessage(
              "parse error : stage '|~ \"(\" |~ \"[\"' : error parsing regexp: missing closing ]:"
                  + " `[`");
    }
  }

  @Nested
  class Parsers {
    @Test
    void readsJsonWithAndWithoutExtractions() {
      assertThat(stages("| json")).containsExactly(new JsonParser(List.of()));
      assertThat(stages("| json code=\"response.code\", ua=\"headers[\\\"User-Agent\\\"]\", app"))
          .containsExactly(
              new JsonParser(
                  List.of(
                      new LabelExtraction("code", "response.code"),
                      new LabelExtraction("ua", "headers[\"User-Agent\"]"),
                      new LabelExtraction("app", "app"))));
    }

    @Test
    void readsLogfmtFlagsAndExtractions() {
      assertThat(stages("| logfmt --strict --keep-empty"))
          .containsExactly(new LogfmtParser(true, true, List.of()));
      assertThat(stages("| logfmt --keep-empty host, ip=\"addr\""))
          .containsExactly(
              new LogfmtParser(
                  false,
                  true,
                  List.of(new LabelExtraction("host", "host"), new LabelExtraction("ip", "addr"))));
    }

    @Test
    void checksJsonPathsAsLoki() {
      assertParseError("{app=\"api\"} | json a=\"pod..uuid\"")
          .hasMessage(
              "parse error : stage '| json a=\"pod..uuid\"' : cannot parse expression"
                  + " [pod..uuid]: syntax error: unexpected DOT, expecting FIELD");
    }

    @Test
    void readsRegexpPatternAndUnpack() {
      assertThat(stages("| regexp \"(?P<method>\\\\w+)\" | pattern \"<ip> <_>\" | unpack"))
          .containsExactly(
              new RegexpParser("(?P<method>\\w+)"), new PatternParser("<ip> <_>"),
              new UnpackParser());
    }

    @Test
    void requiresNamedGroupsInRegexpParsers() {
      assertParseError("{app=\"api\"} | regexp \"(\\\\w+)\"")
          .hasMessage(
              "parse error : invalid regexp parser: at least one named capture must be supplied");
      assertParseError("{app=\"api\"} | regexp \"(?P<a>x)(?P<a>y)\"")
          .hasMessage("parse error : invalid regexp parser: duplicate extracted label name 'a'");
    }

    @Test
    void checksPatternParsersAsLoki() {
      assertParseError("{app=\"api\"} | pattern \"<_> x\"")
          .hasMessage("parse error : invalid pattern parser: at least one capture is required");
      assertParseError("{app=\"api\"} | pattern \"<a><b>\"")
          .hasMessage(
              "parse error : invalid pattern parser: found consecutive capture '<a><b>':"
                  + " invalid expression");
    }
  }

  @Nested
  class FormattersAndLabels {
    @Test
    void keepsTemplatesAsWritten() {
      assertThat(stages("| line_format \"{{.status}} {{ .path | ToUpper }}\""))
          .containsExactly(new LineFormat("{{.status}} {{ .path | ToUpper }}"));
    }

    @Test
    void readsLabelFormatRenamesAndTemplates() {
      assertThat(stages("| label_format dst=src, msg=`{{.a}}`"))
          .containsExactly(
              new LabelFormat(
                  List.of(
                      new LabelFormat.Rename("dst", "src"),
                      new LabelFormat.Template("msg", "{{.a}}"))));
    }

    @Test
    void refusesTwoOperationsOnOneLabel() {
      assertParseError("{app=\"api\"} | label_format a=b, a=\"x\"")
          .hasMessage(
              "parse error : stage '| label_format a=b,a=\"x\"' : multiple label name 'a' not"
                  + " allowed in a single format operation");
      assertParseError("{app=\"api\"} | label_format __error__=\"x\"")
          .hasMessage(
              "parse error : stage '| label_format __error__=\"x\"' : __error__ cannot be"
                  + " formatted");
    }

    @Test
    void readsDropKeepAndDecolorize() {
      assertThat(stages("| drop a, b=\"x\" | keep c | decolorize"))
          .containsExactly(
              new DropLabels(
                  List.of(
                      NamedLabelMatcher.named("a"),
                      NamedLabelMatcher.matching(new LabelMatcher("b", MatchType.EQ, "x")))),
              new KeepLabels(List.of(NamedLabelMatcher.named("c"))),
              new Decolorize());
    }
  }

  @Nested
  class LabelFilters {
    @Test
    void comparesStringsNumbersDurationsAndSizes() {
      assertThat(filter("| a=~\"x.*\""))
          .isEqualTo(new StringLabelFilter(new LabelMatcher("a", MatchType.RE, "x.*")));
      assertThat(filter("| status >= 500"))
          .isEqualTo(new NumericLabelFilter("status", ComparisonOp.GTE, 500));
      assertThat(filter("| n = -1.5")).isEqualTo(new NumericLabelFilter("n", ComparisonOp.EQ, -1.5));
      assertThat(filter("| latency > 1h15m30.5s"))
          .isEqualTo(
              new DurationLabelFilter(
                  "latency", ComparisonOp.GT, Duration.parse("PT1H15M30.5S")));
      assertThat(filter("| latency == 250ms"))
          .isEqualTo(new DurationLabelFilter("latency", ComparisonOp.EQ, Duration.ofMillis(250)));
      assertThat(filter("| size < 20MB"))
          .isEqualTo(new BytesLabelFilter("size", ComparisonOp.LT, 20_000_000));
      assertThat(filter("| size != 1.5KiB"))
          .isEqualTo(new BytesLabelFilter("size", ComparisonOp.NEQ, 1536));
      assertThat(filter("| addr != ip(\"10.0.0.0/8\")"))
          .isEqualTo(new IpLabelFilter("addr", true, "10.0.0.0/8"));
    }

    @Test
    void bindsAndTighterThanOr() {
      // a or b and c is a or (b and c); a and b or c is (a and b) or c
      assertThat(LogQLFormatter.labelFilter(filter("| a=1 or b=2 and c=3")))
          .isEqualTo("( a==1 or ( b==2 , c==3 ) )");
      assertThat(LogQLFormatter.labelFilter(filter("| a=1 and b=2 or c=3")))
          .isEqualTo("( ( a==1 , b==2 ) or c==3 )");
    }

    @Test
    void groupsCommasAndJuxtapositionToTheRightAsLokisParser() {
      // Loki's grammar gives `,` and side-by-side filters no precedence: they take the rest.
      assertThat(LogQLFormatter.labelFilter(filter("| a=1 or b=2 , c=3")))
          .isEqualTo("( a==1 or ( b==2 , c==3 ) )");
      assertThat(LogQLFormatter.labelFilter(filter("| a=1 , b=2 or c=3")))
          .isEqualTo("( a==1 , ( b==2 or c==3 ) )");
      assertThat(LogQLFormatter.labelFilter(filter("| a=\"x\" b!=\"y\", c=~\"z\" or d==5")))
          .isEqualTo("( a=\"x\" , ( b!=\"y\" , ( c=~\"z\" or d==5 ) ) )");
    }

    @Test
    void honoursParentheses() {
      assertThat(LogQLFormatter.labelFilter(filter("| (a=1 or b=2) and c=3")))
          .isEqualTo("( ( a==1 or b==2 ) , c==3 )");
    }

    @Test
    void refusesIpWithOrderComparisons() {
      assertParseError("{app=\"api\"} | addr >= ip(\"1.2.3.4\")")
          .hasMessage("parse error at line 1, col 23: syntax error: unexpected ip");
    }

    @Test
    void refusesNumbersGoCannotRead() {
      assertParseError("{app=\"api\"} | n > 0x10")
          .hasMessage(
              "parse error : unable to parse literal as a float: strconv.ParseFloat: parsing"
                  + " \"0x10\": invalid syntax");
    }

    @Test
    void keepsAnIpPatternInsideAnyFilterValid() {
      // Loki checks the pattern only when ip() is the whole filter; we check it everywhere.
      assertParseError("{app=\"api\"} | a=\"x\" or addr=ip(\"nope\")")
          .hasMessageEndingWith("ip: invalid pattern: \"nope\"");
      assertThat(LogQL.parseExpr("{app=\"api\"} | a=\"x\" or addr=ip(\"nope\")")).isNotNull();
    }
  }

  private static List<PipelineStage> stages(String pipeline) {
    return ((LogSelectorExpr) LogQL.parse("{app=\"api\"} " + pipeline)).pipeline();
  }

  private static LabelFilter filter(String stage) {
    PipelineStage only = stages(stage).get(0);
    return ((LabelFilterStage) only).filter();
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertParseError(String query) {
    return assertThatThrownBy(() -> LogQL.parse(query)).isInstanceOf(LogQLParseException.class);
  }
}

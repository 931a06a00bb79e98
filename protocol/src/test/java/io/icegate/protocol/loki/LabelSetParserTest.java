package io.icegate.protocol.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.loki.LabelSetParser.Label;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabelSetParserTest {
  @Test
  void pairsComeBackInInputOrder() {
    assertThat(LabelSetParser.parse("{env=\"prod\", app=\"api\"}"))
        .containsExactly(new Label("env", "prod"), new Label("app", "api"));
  }

  @Test
  void whitespaceTrailingCommaAndAllThreeQuotesAreAccepted() {
    assertThat(LabelSetParser.parse("{ a = \"1\" ,\n\tb='2', c=`x\\y`, }"))
        .containsExactly(new Label("a", "1"), new Label("b", "2"), new Label("c", "x\\y"));
  }

  @Test
  void goEscapesAreUnquoted() {
    String input = "{a=\"\\\"q\\\" \\\\ \\n\\t \\u00e9 \\x41\\101 \\U0001F600\", b='it\\'s'}";

    assertThat(LabelSetParser.parse(input))
        .containsExactly(new Label("a", "\"q\" \\ \n\t é AA 😀"), new Label("b", "it's"));
  }

  @Test
  void byteEscapesFormUtf8() {
    assertThat(LabelSetParser.parse("{a=\"\\xc3\\xa9\"}")).containsExactly(new Label("a", "é"));
  }

  @Test
  void metricNameBeforeTheBracesIsTheNameLabel() {
    assertThat(LabelSetParser.parse("up{job=\"node\"}"))
        .containsExactly(new Label("job", "node"), new Label("__name__", "up"));
    assertThat(LabelSetParser.parse("node:cpu:rate5m"))
        .containsExactly(new Label("__name__", "node:cpu:rate5m"));
    assertThat(LabelSetParser.parse("up{__name__=\"down\"}"))
        .containsExactly(new Label("__name__", "up"));
  }

  @Test
  void quotedNamesAndABareQuotedMetricName() {
    assertThat(LabelSetParser.parse("{\"my.metric\", \"service.name\"=\"api\"}"))
        .containsExactly(new Label("__name__", "my.metric"), new Label("service.name", "api"));
  }

  @Test
  void emptyInputAndEmptyBracesAreTheEmptySet() {
    assertThat(LabelSetParser.parse("")).isEmpty();
    assertThat(LabelSetParser.parse("{}")).isEmpty();
    assertThat(LabelSetParser.parse(" { } ")).isEmpty();
  }

  @Test
  void duplicatesAreLeftToTheCaller() {
    assertThat(LabelSetParser.parse("{a=\"1\", a=\"2\"}"))
        .containsExactly(new Label("a", "1"), new Label("a", "2"));
  }

  @Test
  void commentsRunToTheEndOfTheLine() {
    assertThat(LabelSetParser.parse("{a=\"1\", # not b=\"2\"\n c=\"3\"}"))
        .containsExactly(new Label("a", "1"), new Label("c", "3"));
  }

  @Test
  void printingQuotesNamesThatAreNoIdentifiers() {
    assertThat(
            LabelSetParser.print(
                List.of(new Label("a", "x\"y"), new Label("a.b", "\n"), new Label("a", "z"))))
        .isEqualTo("{a=\"x\\\"y\", \"a.b\"=\"\\n\", a=\"z\"}");
  }

  // ---- Prometheus's errors, with line:column ----

  @Test
  void lexerErrors() {
    assertError("{a=\"b\"", "1:7: parse error: unexpected end of input inside braces");
    assertError("{a.b=\"c\"}", "1:3: parse error: unexpected character inside braces: '.'");
    assertError("{a=\"b}", "1:4: parse error: unterminated quoted string");
    assertError("{a=\"b\nc\"}", "1:4: parse error: unterminated quoted string");
    assertError("{a=`b}", "1:4: parse error: unterminated raw string");
    assertError("{a{", "1:3: parse error: unexpected left brace '{'");
    assertError("{a!b}", "1:3: parse error: unexpected character after '!' inside braces: 'b'");
    assertError("{é=\"x\"}", "1:2: parse error: unexpected character inside braces: 'é'");
  }

  @Test
  void escapeErrors() {
    assertError("{a=\"\\q\"}", "1:4: parse error: unknown escape sequence U+0071 'q'");
    assertError("{a=\"\\'\"}", "1:4: parse error: unknown escape sequence U+0027 '''");
    assertError(
        "{a=\"\\xZZ\"}", "1:4: parse error: illegal character U+005A 'Z' in escape sequence");
    assertError(
        "{a=\"\\uD800\"}", "1:4: parse error: escape sequence is an invalid Unicode code point");
    assertError(
        "{a=\"\\777\"}", "1:4: parse error: escape sequence is an invalid Unicode code point");
    assertError("{a=\"\\", "1:4: parse error: escape sequence not terminated");
    assertError("{a=\"\\u12", "1:4: parse error: escape sequence not terminated");
    assertError("{a=\"\\\n\"}", "1:4: parse error: unknown escape sequence U+000A");
  }

  @Test
  void grammarErrors() {
    assertError("{a}", "1:3: parse error: unexpected \"}\" in label set, expected \"=\"");
    assertError(
        "{a=b}", "1:4: parse error: unexpected identifier \"b\" in label set, expected string");
    assertError("{a!=\"b\"}", "1:3: parse error: unexpected <op:!=> in label set, expected \"=\"");
    assertError(
        "{a=\"b\" c=\"d\"}",
        "1:8: parse error: unexpected identifier \"c\" in label set, expected \",\" or \"}\"");
    assertError(
        "{,}", "1:2: parse error: unexpected \",\" in label set, expected identifier or \"}\"");
    assertError(
        "{a=\"1\", \"b\" \"0123456789abc\"}",
        "1:13: parse error: unexpected string \"\\\"012345678\"... in label set, "
            + "expected \",\" or \"}\"");
    assertError("{a=\"b\"} x", "1:9: parse error: unexpected identifier \"x\"");
    assertError("{a=\"b\"}}", "1:8: parse error: unexpected \"}\"");
    assertError("a=\"b\"", "1:2: parse error: unexpected \"=\"");
  }

  @Test
  void positionsCountLinesAndUtf8Bytes() {
    assertError(
        "{a=\"b\",\n c.d=\"e\"}", "2:3: parse error: unexpected character inside braces: '.'");
    assertError(
        "{a=\"é\", b.c=\"x\"}", "1:11: parse error: unexpected character inside braces: '.'");
  }

  private static void assertError(String input, String message) {
    assertThatThrownBy(() -> LabelSetParser.parse(input))
        .isInstanceOf(ProtocolException.class)
        .hasMessage(message);
  }
}

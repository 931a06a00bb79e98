package io.icegate.logql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Go's string literal rules, as Loki applies them to label values and filter strings. */
class GoStringLiteralTest {

  @Test
  void returnsPlainDoubleQuotedContentAsIs() throws Exception {
    assertThat(GoStringLiteral.unquote("\"api server\"")).isEqualTo("api server");
  }

  @Test
  void decodesSingleCharacterEscapes() throws Exception {
    assertThat(GoStringLiteral.unquote("\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\""))
        .isEqualTo("\u0007\b\f\n\r\t\u000b\\\"");
  }

  @Test
  void decodesHexAndOctalByteEscapes() throws Exception {
    assertThat(GoStringLiteral.unquote("\"\\x41\\x6a\\101\\000\"")).isEqualTo("Aj" + "A\0");
  }

  @Test
  void decodesCodePointEscapes() throws Exception {
    assertThat(GoStringLiteral.unquote("\"\\u00e9\\U0001F600\"")).isEqualTo("\u00e9\uD83D\uDE00");
  }

  @Test
  void keepsNonAsciiCharactersAndSupplementaryCodePoints() throws Exception {
    assertThat(GoStringLiteral.unquote("\"\u00e9\uD83D\uDE00\\n\""))
        .isEqualTo("\u00e9\uD83D\uDE00\n");
  }

  @Test
  void keepsBacktickStringsRawIncludingCarriageReturns() throws Exception {
    // Prometheus' unquote, which Loki uses, keeps '\r' where Go's strconv.Unquote drops it.
    assertThat(GoStringLiteral.unquote("`a\\nb\r\n\"c\"`")).isEqualTo("a\\nb\r\n\"c\"");
  }

  @Test
  void rejectsUnknownEscape() {
    assertInvalid("\"\\q\"", "invalid char escape");
  }

  @Test
  void rejectsEscapedSingleQuoteInDoubleQuotedString() {
    assertInvalid("\"\\'\"", "invalid char escape");
  }

  @Test
  void rejectsShortHexAndOctalEscapes() {
    assertInvalid("\"\\x4\"", "invalid char escape");
    assertInvalid("\"\\u12\"", "invalid char escape");
    assertInvalid("\"\\12\"", "invalid char escape");
  }

  @Test
  void rejectsOctalEscapeAbove255() {
    assertInvalid("\"\\400\"", "invalid syntax");
  }

  @Test
  void rejectsCodePointEscapesOutsideUnicode() {
    assertInvalid("\"\\U00110000\"", "invalid syntax");
    assertInvalid("\"\\uD800\"", "invalid syntax");
  }

  @Test
  void rejectsByteEscapesThatDoNotFormUtf8() {
    assertInvalid("\"\\xa0\\xa1\"", "invalid UTF-8 encoding");
  }

  @Test
  void rejectsMissingClosingQuote() {
    assertInvalid("\"abc", "literal not terminated");
    assertInvalid("\"abc\\\"", "literal not terminated");
    assertInvalid("`abc", "literal not terminated");
  }

  @Test
  void reportsTheFirstProblemFromTheLeft() {
    assertInvalid("\"\\q", "invalid char escape");
    assertInvalid("\"\ud800\\q\"", "invalid UTF-8 encoding");
  }

  private static void assertInvalid(String literal, String message) {
    assertThatThrownBy(() -> GoStringLiteral.unquote(literal))
        .as(literal)
        .isInstanceOf(GoStringLiteral.InvalidLiteralException.class)
        .hasMessage(message);
  }
}

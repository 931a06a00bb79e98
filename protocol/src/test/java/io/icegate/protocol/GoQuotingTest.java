package io.icegate.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GoQuotingTest {
  @Test
  void stringsAreQuotedAsGoQuotesThem() {
    assertThat(GoQuoting.quote("plain")).isEqualTo("\"plain\"");
    assertThat(GoQuoting.quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
    assertThat(GoQuoting.quote("\n\t\u0007\u0000\u007f")).isEqualTo("\"\\n\\t\\a\\x00\\x7f\"");
    assertThat(GoQuoting.quote("日本 😀")).isEqualTo("\"日本 😀\"");
    assertThat(GoQuoting.quote("\u200b\ud83d")).isEqualTo("\"\\u200b\\ufffd\"");
  }

  @Test
  void runesAreQuotedAsGoQuotesThem() {
    assertThat(GoQuoting.quoteRune('.')).isEqualTo("'.'");
    assertThat(GoQuoting.quoteRune('\'')).isEqualTo("'\\''");
    assertThat(GoQuoting.quoteRune('"')).isEqualTo("'\"'");
    assertThat(GoQuoting.quoteRune('\n')).isEqualTo("'\\n'");
    assertThat(GoQuoting.quoteRune('é')).isEqualTo("'é'");
    assertThat(GoQuoting.quoteRune(0x1F600)).isEqualTo("'😀'");
  }

  @Test
  void unquoteReadsWhatQuoteWrites() {
    String original = "tab\t \"quoted\" \\ 日本 \u0001";
    int[] end = new int[1];

    String quoted = "x=" + GoQuoting.quote(original) + ",";

    assertThat(GoQuoting.unquote(quoted, 2, end)).isEqualTo(original);
    assertThat(quoted.charAt(end[0])).isEqualTo(',');
  }
}

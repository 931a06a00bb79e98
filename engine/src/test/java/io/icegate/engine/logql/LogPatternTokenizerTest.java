package io.icegate.engine.logql;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.engine.logql.LogPatternMiner.Drain;
import org.junit.jupiter.api.Test;

/** Loki's pattern tokenizer, token by token, on lines split by hand. */
class LogPatternTokenizerTest {
  @Test
  void spacesSeparateAndAreRememberedAfterTheTokenBeforeThem() {
    Drain.Tokens t = Drain.tokenize("GET /a/b 200");
    assertThat(t.tokens()).containsExactly("GET", "/a/b", "200");
    assertThat(t.spacesAfter()).containsExactly(0, 1);
  }

  @Test
  void equalsAndPunctuationAreTokensWhileUnderscoresDashesDotsColonsSlashesAreNot() {
    assertThat(Drain.tokenize("k_1=v-2.3:4/5, [x]").tokens())
        .containsExactly("k_1", "=", "v-2.3:4/5", ",", "[", "x", "]");
  }

  @Test
  void symbolsAndTabsStayInsideTokens() {
    // + $ < > are symbols, not punctuation; a tab is not a space to the tokenizer.
    assertThat(Drain.tokenize("a+b $5 <x>\ty").tokens()).containsExactly("a+b", "$5", "<x>\ty");
  }

  @Test
  void afterOneHundredTwentySevenTokensTheRestIsOneToken() {
    String line = "x ".repeat(130).trim();
    Drain.Tokens t = Drain.tokenize(line);
    assertThat(t.tokens()).hasSize(128);
    assertThat(t.tokens().get(127)).isEqualTo("x x x");
  }

  @Test
  void linesOverThreeThousandBytesAreNotTokenized() {
    assertThat(Drain.tokenize("a".repeat(3001))).isNull();
    assertThat(Drain.tokenize("a".repeat(3000))).isNotNull();
  }
}

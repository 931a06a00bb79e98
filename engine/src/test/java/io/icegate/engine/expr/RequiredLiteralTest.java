package io.icegate.engine.expr;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RequiredLiteralTest {
  @Test
  void findsTheLongestLiteralEveryMatchContains() {
    assertThat(RequiredLiteral.of("user_[0-9]+ failed")).isEqualTo(" failed");
    assertThat(RequiredLiteral.of("timeout after \\d+ms")).isEqualTo("timeout after ");
    assertThat(RequiredLiteral.of("a\\.b\\.c")).isEqualTo("a.b.c");
    assertThat(RequiredLiteral.of("errors?")).isEqualTo("error");
    assertThat(RequiredLiteral.of("colou*r")).isEqualTo("colo");
  }

  @Test
  void givesUpOnWhatItCannotReadSafely() {
    assertThat(RequiredLiteral.of("error|warn")).isNull();
    assertThat(RequiredLiteral.of("(?i)error")).isNull();
    assertThat(RequiredLiteral.of("ab")).isNull();
    assertThat(RequiredLiteral.of("(optional text)?x")).isNull();
    assertThat(RequiredLiteral.of("[abc]{2,3}")).isNull();
  }

  @Test
  void everyMatchOfARandomLineContainsTheLiteral() {
    List<String> patterns =
        List.of("user_[0-9]+ failed", "ab+cd", "x{2}yz", "he(l+)o world", "a.b\\.cde?", "[a-c]+xyz");
    SplittableRandom random = new SplittableRandom(7);
    String alphabet = "abcdehlorwxyz_ .0123456789";
    for (String p : patterns) {
      String literal = RequiredLiteral.of(p);
      Pattern pattern = Pattern.compile(p);
      for (int n = 0; n < 20_000; n++) {
        StringBuilder line = new StringBuilder();
        int length = random.nextInt(20);
        for (int i = 0; i < length; i++) {
          line.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        if (random.nextBoolean()) {
          line.append(p.replaceAll("[\\[\\]()+?*{}0-9,\\\\-]", ""));
        }
        String s = line.toString();
        if (literal != null && pattern.matcher(s).find()) {
          assertThat(s).as("pattern %s matched", p).contains(literal);
        }
      }
    }
  }
}

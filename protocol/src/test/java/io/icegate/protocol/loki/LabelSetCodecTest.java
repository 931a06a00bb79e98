package io.icegate.protocol.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.Comparator;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LabelSetCodecTest {
  private static final String QUOTING_SPECIALS = "\"\\=, {}'";

  @Test
  void encodesLikeLokiPrintsAStream() {
    assertThat(LabelSetCodec.encode(labels("service_name", "api", "env", "prod")))
        .isEqualTo("{env=\"prod\", service_name=\"api\"}");
    assertThat(LabelSetCodec.encode(new TreeMap<>())).isEqualTo("{}");
  }

  @Test
  void escapesWithGoQuoteRules() {
    String value =
        "say \"hi\"\\ \n\t\r\u0007\b\f\u000b \u0000\u007f é 日本 😀 \u00a0\u00ad\u200b\ue000";

    assertThat(LabelSetCodec.encode(labels("a", value)))
        .isEqualTo(
            "{a=\"say \\\"hi\\\"\\\\ \\n\\t\\r\\a\\b\\f\\v \\x00\\x7f é 日本 😀 "
                + "\\u00a0\\u00ad\\u200b\\ue000\"}");
  }

  @Test
  void namesThatAreNotLegacyPrometheusNamesAreQuoted() {
    assertThat(LabelSetCodec.encode(labels("service.name", "a", "_ok9", "b", "9lives", "c")))
        .isEqualTo("{\"9lives\"=\"c\", _ok9=\"b\", \"service.name\"=\"a\"}");
  }

  @Test
  void loneSurrogateIsWrittenAsReplacementCharacter() {
    assertThat(LabelSetCodec.encode(labels("a", "x\ud800y"))).isEqualTo("{a=\"x\\ufffdy\"}");
  }

  @Test
  void mapWithOwnComparatorIsEncodedInNaturalOrder() {
    SortedMap<String, String> reversed = new TreeMap<>(Comparator.reverseOrder());
    reversed.putAll(labels("a", "1", "b", "2"));

    assertThat(LabelSetCodec.encode(reversed)).isEqualTo("{a=\"1\", b=\"2\"}");
  }

  @Test
  void decodesEveryGoEscape() {
    String encoded =
        "{a=\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\\x41\\101\\u00e9\\U0001F600\\303\\251\", \"b.c\"=\"\"}";

    assertThat(LabelSetCodec.decode(encoded))
        .containsExactly(entry("a", "\u0007\b\f\n\r\t\u000b\\\"AAé😀é"), entry("b.c", ""));
  }

  @Test
  void malformedSetsAreRejected() {
    assertMalformed("", "malformed label set at offset 0: expected '{'");
    assertMalformed("{a=\"1\"", "malformed label set at offset 6: unexpected end");
    assertMalformed("{a=\"1\"}x", "malformed label set at offset 6: unexpected text after '}'");
    assertMalformed("{a=\"1\",b=\"2\"}", "malformed label set at offset 6: expected ', ' or '}'");
    assertMalformed("{a=1}", "invalid quoted string at offset 3: expected '\"'");
    assertMalformed("{a\"1\"}", "malformed label set at offset 2: expected '='");
    assertMalformed("{=\"1\"}", "malformed label set at offset 1: expected a label name");
    assertMalformed("{a=\"1\", a=\"2\"}", "malformed label set at offset 13: duplicate label a");
    assertMalformed("{a=\"\\q\"}", "invalid quoted string at offset 4: invalid escape \\q");
    assertMalformed("{a=\"\\'\"}", "invalid quoted string at offset 4: invalid escape \\'");
    assertMalformed(
        "{a=\"\\ud800\"}",
        "invalid quoted string at offset 4: escape is not a valid Unicode code point");
    assertMalformed("{a=\"\\400\"}", "invalid quoted string at offset 4: octal escape value > 255");
    assertMalformed("{a=\"x\ny\"}", "invalid quoted string at offset 5: newline in string");
    assertMalformed("{a=\"unterminated}", "invalid quoted string at offset 3: unterminated string");
  }

  @Test
  void getFindsOneLabelWithoutConfusingPrefixes() {
    String encoded =
        LabelSetCodec.encode(labels("a", "1", "aa", "x\", b=\"y", "ab", "3", "b.c", "4"));

    assertThat(LabelSetCodec.get(encoded, "a")).isEqualTo("1");
    assertThat(LabelSetCodec.get(encoded, "aa")).isEqualTo("x\", b=\"y");
    assertThat(LabelSetCodec.get(encoded, "ab")).isEqualTo("3");
    assertThat(LabelSetCodec.get(encoded, "b.c")).isEqualTo("4");
    assertThat(LabelSetCodec.get(encoded, "b")).isNull();
    assertThat(LabelSetCodec.get(encoded, "")).isNull();
    assertThat(LabelSetCodec.get("{}", "a")).isNull();
  }

  @Test
  void randomLabelSetsRoundTrip() {
    Random random = new Random(20240607L);
    for (int i = 0; i < 2_000; i++) {
      SortedMap<String, String> labels = new TreeMap<>();
      int size = random.nextInt(6);
      for (int j = 0; j < size; j++) {
        String name =
            random.nextInt(4) == 0
                ? randomString(random, 1 + random.nextInt(8))
                : legacyName(random);
        labels.put(name, randomString(random, random.nextInt(20)));
      }

      String encoded = LabelSetCodec.encode(labels);

      assertThat(LabelSetCodec.decode(encoded)).as(encoded).isEqualTo(labels);
      assertThat(encoded).as("single line").doesNotContain("\n");
      for (Map.Entry<String, String> label : labels.entrySet()) {
        assertThat(LabelSetCodec.get(encoded, label.getKey()))
            .as(encoded)
            .isEqualTo(label.getValue());
      }
      assertThat(LabelSetCodec.encode(LabelSetCodec.decode(encoded))).isEqualTo(encoded);
    }
  }

  /** Characters from the ranges where escaping decisions differ, as valid UTF-16. */
  private static String randomString(Random random, int length) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < length; i++) {
      int cp =
          switch (random.nextInt(8)) {
            case 0 -> random.nextInt(0x20); // control characters
            case 1 -> QUOTING_SPECIALS.charAt(random.nextInt(QUOTING_SPECIALS.length()));
            case 2 -> 0x7f + random.nextInt(0x40); // DEL, C1 controls, Latin-1
            case 3 -> 0x2000 + random.nextInt(0x70); // spaces, format characters, punctuation
            case 4 -> 0x1F300 + random.nextInt(0x300); // emoji, outside the BMP
            case 5 -> 0xE000 + random.nextInt(0x2000); // private use, CJK compatibility, BOM
            default -> 0x20 + random.nextInt(0x5f); // printable ASCII
          };
      s.appendCodePoint(cp);
    }
    return s.toString();
  }

  private static String legacyName(Random random) {
    String first = "abcxyzABZ_";
    String rest = first + "0129";
    StringBuilder s = new StringBuilder().append(first.charAt(random.nextInt(first.length())));
    for (int i = random.nextInt(6); i > 0; i--) {
      s.append(rest.charAt(random.nextInt(rest.length())));
    }
    return s.toString();
  }

  private static void assertMalformed(String encoded, String message) {
    assertThatThrownBy(() -> LabelSetCodec.decode(encoded))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  private static SortedMap<String, String> labels(String... namesAndValues) {
    SortedMap<String, String> labels = new TreeMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      labels.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return labels;
  }
}

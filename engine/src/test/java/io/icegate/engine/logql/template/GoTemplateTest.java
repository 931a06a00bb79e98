package io.icegate.engine.logql.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Parts of Go's template language that Loki's own cases (LokiPipelineConformanceTest) don't reach;
 * expected outputs are what Go's text/template prints, worked out by hand.
 */
class GoTemplateTest {
  private static final TemplateFunctions.Context CTX =
      new TemplateFunctions.Context("the line", 1_700_000_000_123_000_000L);

  private static String render(String template, String... pairs) throws TemplateException {
    Map<String, String> data = new TreeMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      data.put(pairs[i], pairs[i + 1]);
    }
    return GoTemplate.parse("line", template).execute(data, CTX);
  }

  @Test
  void elseIfChainsPickTheFirstTrueBranch() throws Exception {
    String t = "{{ if eq .level \"error\" }}E{{ else if eq .level \"warn\" }}W{{ else }}-{{ end }}";
    assertThat(render(t, "level", "error")).isEqualTo("E");
    assertThat(render(t, "level", "warn")).isEqualTo("W");
    assertThat(render(t, "level", "info")).isEqualTo("-");
  }

  @Test
  void variablesRangeAndWith() throws Exception {
    assertThat(render("{{ $x := .a }}{{ $x }}{{ $x }}", "a", "ab")).isEqualTo("abab");
    assertThat(
            render(
                "{{ range $k, $v := fromJson .j }}{{ $k }}={{ $v }};{{ end }}",
                "j",
                "{\"b\":2,\"a\":\"x\"}"))
        .isEqualTo("a=x;b=2;");
    assertThat(render("{{ with .missing }}yes{{ else }}no{{ end }}")).isEqualTo("no");
    assertThat(
            render(
                "{{ with fromJson .j }}{{ .user.name }}{{ end }}",
                "j",
                "{\"user\":{\"name\":\"ann\"}}"))
        .isEqualTo("ann");
  }

  @Test
  void sprigFoldsOverAllArguments() throws Exception {
    // Sprig: max/min over int64s; maxf/minf over float64s; subf/mulf in decimal arithmetic.
    assertThat(render("{{ max 1 5 3 }} {{ min 4 -2 7 }}")).isEqualTo("5 -2");
    assertThat(render("{{ maxf 1.5 0.5 2.25 }} {{ minf 1.5 0.5 2.25 }}")).isEqualTo("2.25 0.5");
    assertThat(render("{{ subf 10 2.5 1 }} {{ mulf 2 1.5 3 }}")).isEqualTo("6.5 9");
    // 0.1 + 0.2 in decimal is exactly 0.3 (float64 addition would print 0.30000000000000004).
    assertThat(render("{{ addf 0.1 0.2 }}")).isEqualTo("0.3");
  }

  @Test
  void goAndSprigTrimAffixesWithTheirOwnArgumentOrder() throws Exception {
    assertThat(render("{{ TrimPrefix .a \"ab\" }} {{ TrimSuffix .a \"bc\" }}", "a", "abcabc"))
        .isEqualTo("cabc abca");
    assertThat(render("{{ trimPrefix \"ab\" .a }} {{ trimSuffix \"bc\" .a }}", "a", "abcabc"))
        .isEqualTo("cabc abca");
    assertThat(render("{{ .a | trimPrefix \"x\" }}", "a", "abc")).isEqualTo("abc");
  }

  @Test
  void trimMarkersEatSpaceAroundActions() throws Exception {
    assertThat(render("a  {{- .x -}}  b", "x", "X")).isEqualTo("aXb");
    assertThat(render("{{/* a comment */}}c")).isEqualTo("c");
  }

  @Test
  void printfAndPrintFollowGo() throws Exception {
    assertThat(render("{{ printf \"%s-%d-%05.1f-%q\" .a 42 3.14159 .a }}", "a", "x"))
        .isEqualTo("x-42-003.1-\"x\"");
    // Sprint puts a space between two operands only when neither is a string.
    assertThat(render("{{ print 1 2 \"a\" \"b\" 3 }}")).isEqualTo("1 2ab3");
    assertThat(render("{{ 1.5 }} {{ 1e6 }} {{ 0.00001 }}")).isEqualTo("1.5 1e+06 1e-05");
  }

  @Test
  void timestampAndLineFunctionsSeeTheEntry() throws Exception {
    assertThat(render("{{ __line__ | ToUpper }}")).isEqualTo("THE LINE");
    assertThat(render("{{ __timestamp__ | date \"2006-01-02T15:04:05.000Z07:00\" }}"))
        .isEqualTo("2023-11-14T22:13:20.123Z");
    assertThat(render("{{ unixToTime .t | unixEpochMillis }}", "t", "1700000000123"))
        .isEqualTo("1700000000123");
  }

  @Test
  void errorsCarryGoPositionAndWording() throws Exception {
    assertThatThrownBy(() -> render("ab\n{{ .a | ToUpper 1 }}", "a", "x"))
        .isInstanceOf(TemplateException.class)
        .hasMessage(
            "template: line:2:8: executing \"line\" at <ToUpper>: wrong number of args for ToUpper:"
                + " want 1 got 2");
    assertThatThrownBy(() -> GoTemplate.parse("line", "{{ nosuch .a }}"))
        .hasMessage("template: line:1: function \"nosuch\" not defined");
    assertThatThrownBy(() -> render("{{ ToUpper 3 }}"))
        .hasMessageEndingWith("wrong type for value; expected string; got int");
  }
}

package io.icegate.engine.logql.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.logql.LogQL;
import io.icegate.logql.ast.LogSelectorExpr;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The json stage's walk over a line's UTF-8 bytes ({@link JsonBytes}) answers as the walk over
 * its decoded text: the same lines are objects, the same leaves are visited with the same values,
 * and what the bytes can't decide alone is handed to the text walk.
 */
class JsonBytesTest {
  private record Walk(int end, List<String> leaves) {}

  private static Walk bytesWalk(byte[] line, Set<String> wanted) {
    List<String> leaves = new ArrayList<>();
    // Padding after the line: the walk must stop at its length, not at the array's end.
    byte[] padded = java.util.Arrays.copyOf(line, line.length + 11);
    java.util.Arrays.fill(padded, line.length, padded.length, (byte) '"');
    int end =
        new JsonBytes()
            .flatten(padded, line.length, wanted, new JsonBytes.KeyCache(),
                (k, v) -> {
                  leaves.add(k);
                  leaves.add(v);
                });
    return new Walk(end, leaves);
  }

  private static Walk textWalk(byte[] line, Set<String> wanted) {
    List<String> leaves = new ArrayList<>();
    int end =
        new JsonScanner(new String(line, StandardCharsets.UTF_8))
            .flatten(0, "", wanted, new JsonScanner.KeyCache(),
                (k, v) -> {
                  leaves.add(k);
                  leaves.add(v);
                });
    return new Walk(end, leaves);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void visitsTheWantedLeavesAndChecksTheRest() {
    byte[] line =
        utf8("{\"level\":\"info\",\"status\":500,\"user\":{\"id\":\"u1\",\"n\":null},"
            + "\"msg\":\"say \\\"hi\\\" \\u00e9\",\"tags\":[1,{\"a\":true}]} trailing");
    Walk w = bytesWalk(line, Set.of("status", "user_id", "user_n"));
    assertThat(w.end()).isEqualTo(line.length - " trailing".length());
    assertThat(w.leaves()).containsExactly("status", "500", "user_id", "u1", "user_n", "");
    assertThat(bytesWalk(line, null).leaves())
        .containsExactly("level", "info", "status", "500", "user_id", "u1", "user_n", "");
  }

  @Test
  void notAnObjectFailsAtItsFirstByte() {
    assertThat(bytesWalk(utf8("level=info status=500"), Set.of("status")).end())
        .isEqualTo(JsonBytes.INVALID);
    assertThat(bytesWalk(utf8("  [1,2]"), null).end()).isEqualTo(JsonBytes.INVALID);
    assertThat(bytesWalk(utf8(""), null).end()).isEqualTo(JsonBytes.INVALID);
  }

  @Test
  void malformedAnywhereIsInvalid() {
    assertThat(bytesWalk(utf8("{\"status\":500,\"x\":tru}"), Set.of("status")).end())
        .isEqualTo(JsonBytes.INVALID);
    assertThat(bytesWalk(utf8("{\"status\":500,\"x\":\"bad \\q escape\"}"), Set.of("status"))
            .end())
        .isEqualTo(JsonBytes.INVALID);
    assertThat(bytesWalk(utf8("{\"status\":500,\"x\":\"unterminated}"), Set.of("status")).end())
        .isEqualTo(JsonBytes.INVALID);
    assertThat(bytesWalk(utf8("{\"status\":500,\"x\":\"\\u12\"}"), Set.of("status")).end())
        .isEqualTo(JsonBytes.INVALID);
  }

  @Test
  void escapesInKeysOrWantedStringsAreLeftToTheTextWalk() {
    assertThat(bytesWalk(utf8("{\"st\\u0061tus\":1}"), null).end())
        .isEqualTo(JsonBytes.UNDECIDED);
    assertThat(bytesWalk(utf8("{\"status\":\"5\\u00300\"}"), Set.of("status")).end())
        .isEqualTo(JsonBytes.UNDECIDED);
    // A \\u escape followed by non-ASCII bytes: the text has other characters there.
    assertThat(bytesWalk(utf8("{\"msg\":\"\\u00é9\"}"), Set.of("status")).end())
        .isEqualTo(JsonBytes.UNDECIDED);
  }

  @Test
  void invalidUtf8InsideStringsKeepsTheStructure() {
    byte[] line = {'{', '"', 'k', '"', ':', '"', (byte) 0xE2, '"', ',', '"', 's', '"', ':', '1',
        '}'};
    Walk w = bytesWalk(line, null);
    assertThat(w.end()).isEqualTo(line.length);
    assertThat(w.leaves()).containsExactly("k", "\uFFFD", "s", "1");
    assertThat(w.leaves()).isEqualTo(textWalk(line, null).leaves());
  }

  /** Random lines, valid and broken, with escapes, non-ASCII and invalid UTF-8, nesting. */
  @Test
  void answersAsTheTextWalkOnRandomLines() {
    SplittableRandom random = new SplittableRandom(7);
    List<Set<String>> wants =
        java.util.Arrays.asList(null, Set.of("a"), Set.of("b_c", "d"), Set.of("é", "a_b_c"));
    int decided = 0;
    for (int t = 0; t < 40_000; t++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      object(random, out, 0);
      byte[] line = out.toByteArray();
      if (random.nextInt(3) == 0 && line.length > 0) {
        line = mutate(random, line);
      }
      for (Set<String> wanted : wants) {
        Walk bytes = bytesWalk(line, wanted);
        if (bytes.end() == JsonBytes.UNDECIDED) {
          continue;
        }
        decided++;
        Walk text = textWalk(line, wanted);
        String shown = new String(line, StandardCharsets.ISO_8859_1);
        assertThat(bytes.end() >= 0).as(shown).isEqualTo(text.end() >= 0);
        if (bytes.end() >= 0) {
          assertThat(bytes.leaves()).as(shown).isEqualTo(text.leaves());
        }
      }
    }
    assertThat(decided).isGreaterThan(60_000); // about half: the rest have escapes
  }

  private static final String[] KEYS = {"a", "b", "c", "d", "é", "a b", "1x", ""};

  private static void object(SplittableRandom r, ByteArrayOutputStream out, int depth) {
    ws(r, out);
    out.write('{');
    int members = r.nextInt(4);
    for (int m = 0; m < members; m++) {
      if (m > 0) {
        out.write(',');
      }
      ws(r, out);
      string(r, out, KEYS[r.nextInt(KEYS.length)]);
      ws(r, out);
      out.write(':');
      value(r, out, depth);
      ws(r, out);
    }
    out.write('}');
  }

  private static void value(SplittableRandom r, ByteArrayOutputStream out, int depth) {
    ws(r, out);
    switch (r.nextInt(depth > 2 ? 3 : 5)) {
      case 0 -> string(r, out, "v");
      case 1 -> {
        String[] literals = {"1", "-2.5e3", "true", "false", "null", "01", "1-", "nul", "+1",
            "tru", "1e", "-"};
        out.writeBytes(utf8(literals[r.nextInt(literals.length)]));
      }
      case 2 -> string(r, out, "");
      case 3 -> object(r, out, depth + 1);
      default -> {
        out.write('[');
        int n = r.nextInt(3);
        for (int i = 0; i < n; i++) {
          if (i > 0) {
            out.write(',');
          }
          value(r, out, depth + 1);
        }
        out.write(']');
      }
    }
  }

  private static void string(SplittableRandom r, ByteArrayOutputStream out, String base) {
    out.write('"');
    out.writeBytes(utf8(base));
    int extra = r.nextInt(4);
    for (int i = 0; i < extra; i++) {
      switch (r.nextInt(8)) {
        case 0 -> out.writeBytes(utf8("\\\""));
        case 1 -> out.writeBytes(utf8("\\u00" + "4a+-g".charAt(r.nextInt(5)) + "1"));
        case 2 -> out.writeBytes(utf8("\\n"));
        case 3 -> out.write(0xE2); // a truncated sequence
        case 4 -> out.writeBytes(utf8("ü€"));
        case 5 -> out.writeBytes(utf8("\\x"));
        default -> out.writeBytes(utf8("some text "));
      }
    }
    out.write('"');
  }

  private static void ws(SplittableRandom r, ByteArrayOutputStream out) {
    if (r.nextInt(4) == 0) {
      out.write(" \t\n\r".charAt(r.nextInt(4)));
    }
  }

  private static byte[] mutate(SplittableRandom r, byte[] line) {
    byte[] copy = line.clone();
    int at = r.nextInt(copy.length);
    byte[] choices = {'"', '\\', '{', '}', ',', ':', '[', ']', 'x', (byte) 0xC3};
    copy[at] = choices[r.nextInt(choices.length)];
    return r.nextBoolean() ? copy : java.util.Arrays.copyOf(copy, r.nextInt(copy.length + 1));
  }

  /** The pipeline over bytes gives an entry the labels the pipeline over its text gives. */
  @Test
  void pipelineOverBytesMatchesThePipelineOverText() {
    LogSelectorExpr e =
        (LogSelectorExpr) LogQL.parse("{app=\"a\"} | json | __error__=\"\" | status >= 500");
    LogPipeline p = LogPipeline.compile(e.pipeline());
    String[] lines = {
      "{\"status\":500,\"app\":\"x\",\"msg\":\"a \\\"b\\\"\"}",
      "{\"status\":\"5\\u00300\"}",
      "{\"status\":200}",
      "{\"status\":\"oops\"}",
      "level=info status=500",
      "{\"status\":503, \"x\":[}",
    };
    for (String text : lines) {
      LabelsBuilder fromText = new LabelsBuilder();
      fromText.reset(stream("app", "a"), Map.of());
      String a = p.process(0, text, fromText);
      LabelsBuilder fromBytes = new LabelsBuilder();
      fromBytes.reset(stream("app", "a"), Map.of());
      Utf8Line line = new Utf8Line();
      byte[] bytes = utf8(text);
      line.set(bytes, bytes.length);
      String b = p.process(0, line, fromBytes);
      assertThat(b == null).as(text).isEqualTo(a == null);
      if (a != null) {
        assertThat(fromBytes.toMap()).as(text).isEqualTo(fromText.toMap());
        assertThat(b == LogPipeline.UNDECODED ? text : b).isEqualTo(a);
      }
    }
    // Hand-worked: the first line keeps app="a" and gets app_extracted and status; the third is
    // dropped by the comparison, the fifth by the error filter; "oops" passes with an error.
    LabelsBuilder b = new LabelsBuilder();
    b.reset(stream("app", "a"), Map.of());
    Utf8Line line = new Utf8Line();
    byte[] bytes = utf8(lines[0]);
    line.set(bytes, bytes.length);
    assertThat(p.process(0, line, b)).isSameAs(LogPipeline.UNDECODED);
    assertThat(b.toMap())
        .isEqualTo(stream("app", "a", "app_extracted", "x", "status", "500", "msg", "a \"b\""));
  }

  private static SortedMap<String, String> stream(String... pairs) {
    TreeMap<String, String> m = new TreeMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }
}

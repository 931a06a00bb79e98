package io.icegate.engine.promql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Prometheus's own PromQL test scripts (promql-parser's test resources, read through its
 * test-jar) run against our engine. Series are loaded into an in-memory {@code SeriesSource}
 * for now; loading through the metrics table comes when that table exists.
 *
 * <p>Evals we do not pass yet are listed, each with its reason, in
 * {@code promqltest-known-failures.txt}. A file's test fails when an unlisted eval fails or a
 * listed one passes (then delete its line), so the list only shrinks. Run with
 * {@code -Dpromqltest.writeKnownFailures=<path>} to write the current list (reasons included).
 */
class PromQLConformanceTest {
  static final List<String> FILES =
      List.of(
          "aggregators.test",
          "at_modifier.test",
          "collision.test",
          "duration_expression.test",
          "extended_vectors.test",
          "fill-modifier.test",
          "functions.test",
          "histograms.test",
          "info.test",
          "limit.test",
          "literals.test",
          "name_label_dropping.test",
          "native_histograms.test",
          "operators.test",
          "range_queries.test",
          "selectors.test",
          "staleness.test",
          "start_timestamps.test",
          "subquery.test",
          "trig_functions.test",
          "type_and_unit.test");

  private static final Map<String, String> ALL_FAILURES = new TreeMap<>(PromQLConformanceTest::byFileAndLine);

  @TestFactory
  Stream<DynamicTest> promqltestScripts() throws IOException {
    Map<String, String> known = knownFailures();
    return FILES.stream()
        .map(
            file ->
                DynamicTest.dynamicTest(
                    file,
                    () -> {
                      List<PromQLScript.Outcome> outcomes = new PromQLScript().run(read(file));
                      int passed = 0;
                      List<String> unexpected = new ArrayList<>();
                      for (PromQLScript.Outcome o : outcomes) {
                        String key = file + ":" + o.line();
                        if (o.passed()) {
                          passed++;
                          if (known.containsKey(key)) {
                            unexpected.add(key + " passes now: remove it from the known failures");
                          }
                        } else {
                          ALL_FAILURES.put(key, cause(file, o.query()) + oneLine(o.failure()));
                          if (!known.containsKey(key)) {
                            unexpected.add(key + " `" + o.query() + "`: " + o.failure());
                          }
                        }
                      }
                      System.out.printf(
                          "promqltest %-26s %4d/%4d evals pass%n", file, passed, outcomes.size());
                      assertThat(unexpected).as("evals of " + file).isEmpty();
                    }));
  }

  @AfterAll
  static void writeKnownFailures() throws IOException {
    String target = System.getProperty("promqltest.writeKnownFailures");
    if (target == null) {
      return;
    }
    StringBuilder b = new StringBuilder();
    b.append("# promqltest evals we do not pass yet: <file>:<line of the eval> <reason>.\n");
    b.append("# The list only shrinks: PromQLConformanceTest fails when a listed eval passes.\n");
    ALL_FAILURES.forEach((k, v) -> b.append(k).append(' ').append(v).append('\n'));
    Files.writeString(Path.of(target), b.toString());
  }

  /**
   * The reason written before a failure in the list. Every eval passes at the time of writing;
   * one that fails later gets this placeholder, to be replaced by its root cause by hand.
   */
  private static String cause(String file, String query) {
    return "[cause not analysed yet] ";
  }

  private static String oneLine(String s) {
    StringBuilder clean = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean pair =
          Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
      if (pair) {
        clean.append(c).append(s.charAt(++i));
      } else {
        clean.append(Character.isSurrogate(c) || c == '\n' ? ' ' : c);
      }
    }
    String t = clean.toString();
    return t.length() > 300 ? t.substring(0, 300) + "…" : t;
  }

  private static int byFileAndLine(String a, String b) {
    String fa = a.substring(0, a.lastIndexOf(':'));
    String fb = b.substring(0, b.lastIndexOf(':'));
    int c = fa.compareTo(fb);
    if (c != 0) {
      return c;
    }
    return Integer.compare(
        Integer.parseInt(a.substring(a.lastIndexOf(':') + 1)),
        Integer.parseInt(b.substring(b.lastIndexOf(':') + 1)));
  }

  private static Map<String, String> knownFailures() throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    try (InputStream in =
        PromQLConformanceTest.class.getResourceAsStream("/promqltest-known-failures.txt")) {
      if (in == null) {
        return out;
      }
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String t = line.trim();
        if (t.isEmpty() || t.startsWith("#")) {
          continue;
        }
        int space = t.indexOf(' ');
        out.put(space < 0 ? t : t.substring(0, space), space < 0 ? "" : t.substring(space + 1));
      }
    }
    return out;
  }

  static String read(String file) throws IOException {
    try (InputStream in = PromQLConformanceTest.class.getResourceAsStream("/promqltest/" + file)) {
      assertThat(in).as("promqltest/" + file + " on the test classpath").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}

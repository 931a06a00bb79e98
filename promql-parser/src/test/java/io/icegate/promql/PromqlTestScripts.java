package io.icegate.promql;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PromQL expressions out of Prometheus's promqltest scripts
 * (src/test/resources/promqltest, format in FORMAT.md there): the expression of every
 * {@code eval} command, and whether and how the script expects it to fail.
 */
final class PromqlTestScripts {
  private PromqlTestScripts() {}

  /** The script files, in the order they are listed in SOURCE.md's directory. */
  static final List<String> FILES =
      List.of(
          "aggregators.test", "at_modifier.test", "collision.test", "duration_expression.test",
          "extended_vectors.test", "fill-modifier.test", "functions.test", "histograms.test",
          "info.test", "limit.test", "literals.test", "name_label_dropping.test",
          "native_histograms.test", "operators.test", "range_queries.test", "selectors.test",
          "staleness.test", "start_timestamps.test", "subquery.test", "trig_functions.test",
          "type_and_unit.test");

  /**
   * One {@code eval} command.
   *
   * @param failMessage the exact error expected ({@code expect fail msg:},
   *     {@code expected_fail_message}), or null
   * @param failRegex a regex the error must contain a match of, or null
   */
  record Eval(
      String file, int line, String expr, boolean expectFail, String failMessage, String failRegex) {

    /**
     * Whether the script expects the query to be rejected by the parser: its expected error is
     * worded as a parse error ({@code 1:5: parse error: ...}). Other expected failures happen
     * when Prometheus evaluates the query, after parsing it.
     */
    boolean expectsParseError() {
      String expected = failMessage != null ? failMessage : failRegex;
      return expectFail && expected != null && expected.contains("parse error");
    }

    String where() {
      return file + ":" + line;
    }
  }

  private static final Pattern INSTANT =
      Pattern.compile("^eval(?:_(fail|warn|ordered|info))?\\s+instant\\s+(?:at\\s+(.+?))?\\s+(.+)$");
  private static final Pattern RANGE =
      Pattern.compile("^eval(?:_(fail|warn|info))?\\s+range\\s+from\\s+(.+)\\s+to\\s+(.+)\\s+step\\s+(.+?)\\s+(.+)$");
  private static final Pattern EXPECT =
      Pattern.compile("^expect\\s+(ordered|fail|warn|no_warn|info|no_info)(?:\\s+(regex|msg):(.+))?$");

  /** Every eval command of every script, in file order. */
  static List<Eval> evals() {
    List<Eval> evals = new ArrayList<>();
    for (String file : FILES) {
      evals.addAll(evals(file));
    }
    return evals;
  }

  static List<Eval> evals(String file) {
    List<String> lines = new ArrayList<>();
    for (String raw : read(file)) {
      String line = raw.strip();
      lines.add(line.startsWith("#") ? "" : line); // a comment ends a block, as a blank line does
    }
    List<Eval> evals = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String header = lines.get(i);
      if (!header.startsWith("eval")) {
        continue;
      }
      String expr;
      boolean fail;
      Matcher m = INSTANT.matcher(header);
      if (m.matches()) {
        expr = m.group(3);
        fail = "fail".equals(m.group(1));
      } else {
        m = RANGE.matcher(header);
        if (!m.matches()) {
          throw new IllegalStateException(file + ":" + (i + 1) + ": not an eval header: " + header);
        }
        expr = m.group(5);
        fail = "fail".equals(m.group(1));
      }
      String message = null;
      String regex = null;
      for (int j = i + 1; j < lines.size() && !lines.get(j).isEmpty(); j++) {
        String body = lines.get(j);
        Matcher e = EXPECT.matcher(body);
        if (e.matches() && e.group(1).equals("fail")) {
          fail = true;
          if ("msg".equals(e.group(2))) {
            message = e.group(3).strip();
          } else if ("regex".equals(e.group(2))) {
            regex = e.group(3).strip();
          }
        } else if (body.startsWith("expected_fail_message ")) {
          message = body.substring("expected_fail_message ".length()).strip();
        } else if (body.startsWith("expected_fail_regexp ")) {
          regex = body.substring("expected_fail_regexp ".length()).strip();
        }
      }
      evals.add(new Eval(file, i + 1, expr, fail, message, regex));
    }
    return evals;
  }

  /**
   * The known gaps listed for one kind of case: expression → reason. Each line of
   * known-gaps.txt under the heading {@code [section]} is {@code reason<TAB>expression}. Lines
   * starting with {@code #} are comments.
   */
  static Map<String, String> knownGaps(String section) {
    Map<String, String> gaps = new LinkedHashMap<>();
    String current = null;
    for (String line : readResource("/known-gaps.txt")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        current = line.substring(1, line.length() - 1);
        continue;
      }
      if (!section.equals(current)) {
        continue;
      }
      int tab = line.indexOf('\t');
      if (tab <= 0) {
        throw new IllegalStateException("known-gaps.txt: expected reason<TAB>expression: " + line);
      }
      if (gaps.put(line.substring(tab + 1), line.substring(0, tab)) != null) {
        throw new IllegalStateException("known-gaps.txt lists twice: " + line);
      }
    }
    return gaps;
  }

  private static List<String> read(String file) {
    return readResource("/promqltest/" + file);
  }

  static List<String> readResource(String path) {
    InputStream in = PromqlTestScripts.class.getResourceAsStream(path);
    if (in == null) {
      throw new IllegalStateException("missing test resource " + path);
    }
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      return reader.lines().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

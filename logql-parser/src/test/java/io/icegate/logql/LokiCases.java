package io.icegate.logql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Loads Loki's conformance cases and our list of known gaps from src/test/resources/loki. */
final class LokiCases {
  private LokiCases() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One case of queries.jsonl: a query Loki accepts, or rejects with an error. */
  record QueryCase(
      String query, boolean valid, String error, String errorFull, boolean exactError) {}

  /** One "tokens" case of lex-cases.jsonl: the token names Loki's lexer gives the input. */
  record TokensCase(String input, List<String> tokens) {}

  /** One "duration" case of lex-cases.jsonl: a duration literal and its nanoseconds. */
  record DurationCase(String input, long nanoseconds) {}

  /**
   * One "is_function_lookahead" case of lex-cases.jsonl: the text after a function name, and
   * whether Loki reads the name as a function call.
   */
  record LookaheadCase(String input, boolean isFunction) {}

  /**
   * One case of string-roundtrip.jsonl: {@code op} is {@code String} (print {@code input} on one
   * line), {@code Prettify} (print it on lines of {@code maxCharsPerLine}) or {@code
   * AppendMatchers+String} (add {@code matchers} to every selector, then print).
   */
  record RoundTripCase(
      String op, String input, String want, int maxCharsPerLine, List<Matcher> matchers) {}

  /** A matcher of an AppendMatchers case, with Prometheus' type name (MatchEqual, ...). */
  record Matcher(String name, String type, String value) {}

  /**
   * One case of stage-errors.jsonl: a stage Loki fails (or succeeds) to build, with the error it
   * gives ({@code error} exactly, or containing {@code errorContains}; either may be null).
   */
  record StageCase(String stage, boolean valid, String error, String errorContains) {}

  static List<QueryCase> queries() {
    List<QueryCase> cases = new ArrayList<>();
    for (JsonNode row : jsonLines("queries.jsonl")) {
      cases.add(
          new QueryCase(
              row.get("query").asText(),
              row.get("valid").asBoolean(),
              row.path("error").asText(null),
              row.path("error_full").asText(null),
              "exact".equals(row.path("error_match").asText())));
    }
    return cases;
  }

  static List<TokensCase> tokens() {
    List<TokensCase> cases = new ArrayList<>();
    for (JsonNode row : lexCases("tokens")) {
      List<String> names = new ArrayList<>();
      row.get("tokens").forEach(name -> names.add(name.asText()));
      cases.add(new TokensCase(row.get("input").asText(), names));
    }
    return cases;
  }

  static List<DurationCase> durations() {
    return lexCases("duration").stream()
        .map(row -> new DurationCase(row.get("input").asText(), row.get("expected_ns").asLong()))
        .toList();
  }

  static List<LookaheadCase> functionLookaheads() {
    return lexCases("is_function_lookahead").stream()
        .map(row -> new LookaheadCase(row.get("input").asText(), row.get("expected").asBoolean()))
        .toList();
  }

  private static List<JsonNode> lexCases(String kind) {
    return jsonLines("lex-cases.jsonl").stream()
        .filter(row -> row.get("kind").asText().equals(kind))
        .toList();
  }

  static List<RoundTripCase> roundTrips() {
    List<RoundTripCase> cases = new ArrayList<>();
    for (JsonNode row : jsonLines("string-roundtrip.jsonl")) {
      List<Matcher> matchers = new ArrayList<>();
      row.path("matchers")
          .forEach(
              m ->
                  matchers.add(
                      new Matcher(
                          m.get("name").asText(), m.get("type").asText(), m.get("value").asText())));
      cases.add(
          new RoundTripCase(
              row.get("op").asText(),
              row.get("input").asText(),
              row.get("want").asText(),
              row.path("max_chars_per_line").asInt(LogQLFormatter.MAX_CHARS_PER_LINE),
              matchers));
    }
    return cases;
  }

  static List<StageCase> stageErrors() {
    List<StageCase> cases = new ArrayList<>();
    for (JsonNode row : jsonLines("stage-errors.jsonl")) {
      cases.add(
          new StageCase(
              row.get("stage").asText(),
              row.get("valid").asBoolean(),
              row.path("error").asText(null),
              row.path("error_contains").asText(null)));
    }
    return cases;
  }

  /**
   * The LogQL text of Loki's pipeline and template tests (pipeline-cases.jsonl and
   * format-cases.jsonl): each stage as a query on {@code {app="bar"}}, and the full queries some
   * cases come from, without repeats. Cases that LogQL cannot express are left out.
   */
  static List<String> pipelineQueries() {
    Set<String> queries = new LinkedHashSet<>();
    for (String file : List.of("pipeline-cases.jsonl", "format-cases.jsonl")) {
      for (JsonNode row : jsonLines(file)) {
        if (!row.has("stage") || !row.path("logql_expressible").asBoolean(true)) {
          continue;
        }
        queries.add("{app=\"bar\"} " + row.get("stage").asText());
        if (row.hasNonNull("query")) {
          queries.add(row.get("query").asText());
        }
      }
    }
    return List.copyOf(queries);
  }

  /**
   * The known gaps listed for one case file: case → reason. Each line of known-gaps.txt under the
   * heading {@code [file]} is {@code reason<TAB>case}, the case with newline, tab and carriage
   * return written as {@code \n}, {@code \t} and {@code \r} (no case holds those two-character
   * sequences literally). Lines starting with {@code #} are comments.
   */
  static Map<String, String> knownGaps(String file) {
    Map<String, String> gaps = new LinkedHashMap<>();
    String section = null;
    for (String line : lines("known-gaps.txt")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        section = line.substring(1, line.length() - 1);
        continue;
      }
      if (!file.equals(section)) {
        continue;
      }
      int tab = line.indexOf('\t');
      if (tab <= 0) {
        throw new IllegalStateException("known-gaps.txt: expected reason<TAB>case: " + line);
      }
      String query =
          line.substring(tab + 1).replace("\\n", "\n").replace("\\t", "\t").replace("\\r", "\r");
      if (gaps.put(query, line.substring(0, tab)) != null) {
        throw new IllegalStateException("known-gaps.txt lists twice: " + line);
      }
    }
    return gaps;
  }

  /** A query as one line, for test names and messages. */
  static String oneLine(String query) {
    return query.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r");
  }

  private static List<JsonNode> jsonLines(String file) {
    List<JsonNode> rows = new ArrayList<>();
    for (String line : lines(file)) {
      if (!line.isBlank()) {
        try {
          rows.add(JSON.readTree(line));
        } catch (IOException e) {
          throw new UncheckedIOException(file + ": " + line, e);
        }
      }
    }
    return rows;
  }

  private static List<String> lines(String file) {
    InputStream in = LokiCases.class.getResourceAsStream("/loki/" + file);
    if (in == null) {
      throw new IllegalStateException("missing test resource loki/" + file);
    }
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      return reader.lines().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

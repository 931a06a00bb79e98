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
import java.util.List;
import java.util.Map;

/** Loads Loki's conformance cases and our list of known gaps from src/test/resources/loki. */
final class LokiCases {
  private LokiCases() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One case of queries.jsonl: a query Loki accepts, or rejects with an error. */
  record QueryCase(
      String query, boolean valid, String error, String errorFull, boolean exactError) {}

  /** One "tokens" case of lex-cases.jsonl: the token names Loki's lexer gives the input. */
  record TokensCase(String input, List<String> tokens) {}

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
    for (JsonNode row : jsonLines("lex-cases.jsonl")) {
      if (row.get("kind").asText().equals("tokens")) {
        List<String> names = new ArrayList<>();
        row.get("tokens").forEach(name -> names.add(name.asText()));
        cases.add(new TokensCase(row.get("input").asText(), names));
      }
    }
    return cases;
  }

  /**
   * The known gaps listed for one case file: query → reason. Each line of known-gaps.txt under the
   * heading {@code [file]} is {@code reason<TAB>query}, the query with newline, tab and carriage
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
        throw new IllegalStateException("known-gaps.txt: expected reason<TAB>query: " + line);
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

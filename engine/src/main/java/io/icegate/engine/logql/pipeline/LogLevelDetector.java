package io.icegate.engine.logql.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The level of a log entry as Loki's distributor detects it ({@code detected_level}, with {@code
 * discover_log_levels} on, its default). Loki stores the level as structured metadata at
 * ingestion; we derive it when a query reads the entry ({@link #withDetectedLevel}, called by the
 * pipeline node for every entry whose labels the query reads), from what is stored — the same
 * inputs Loki's distributor had, so the value is the one Loki would have stored. The pattern miner
 * keeps one Drain per stream and level with it, as Loki's pattern ingester does. The rules:
 *
 * <ol>
 *   <li>a {@code detected_level} the entry already has (pushed as structured metadata);
 *   <li>else the first of Loki's level fields ({@code level}, {@code LEVEL}, …, {@code
 *       severity_text}) among the stream labels, then among the structured metadata;
 *   <li>else OTLP's {@code severity_number}, by the OpenTelemetry ranges (1–4 trace, 5–8 debug,
 *       9–12 info, 13–16 warn, 17–20 error, 21–24 fatal, 0 unknown);
 *   <li>else the line: a JSON object's first string field named like a level field (two levels
 *       deep), or a logfmt line's level field (the earliest field name in the list wins), or,
 *       failing a known level there, the earliest level word in the line with word boundaries
 *       around it.
 * </ol>
 *
 * Level names are normalised as Loki does ({@code INF}, {@code Information} → {@code info},
 * {@code wrn}, {@code Warning} → {@code warn}, …); a value that is no level stays as it is.
 */
public final class LogLevelDetector {
  public static final String UNKNOWN = "unknown";
  public static final String DETECTED_LEVEL = "detected_level";

  /** Loki's levels: a Drain is kept for each; any other value trains the unknown one. */
  static final Set<String> LEVELS =
      Set.of(UNKNOWN, "debug", "info", "warn", "error", "fatal", "critical", "trace");

  /** Loki's default {@code log_level_fields}, in the order they are looked for. */
  static final List<String> LEVEL_FIELDS =
      List.of(
          "level", "LEVEL", "Level", "log.level", "severity", "SEVERITY", "Severity",
          "SeverityText", "lvl", "LVL", "Lvl", "severity_text", "Severity_Text", "SEVERITY_TEXT");

  private static final Set<String> LEVEL_FIELD_SET = Set.copyOf(LEVEL_FIELDS);

  /** Loki's {@code log_level_from_json_max_depth} default. */
  private static final int JSON_MAX_DEPTH = 2;

  /** Level words looked for in a line, in Loki's order (it breaks ties at one position). */
  private static final List<String[]> LINE_WORDS =
      List.of(
          new String[] {"trace", "trace"},
          new String[] {"debug", "debug"},
          new String[] {"fatal", "fatal"},
          new String[] {"critical", "critical"},
          new String[] {"error", "error"},
          new String[] {"err", "error"},
          new String[] {"warning", "warn"},
          new String[] {"warn", "warn"},
          new String[] {"info", "info"});

  private static final ObjectMapper JSON = new ObjectMapper();

  private LogLevelDetector() {}

  /**
   * The Drain an entry trains, as Loki's pattern ingester picks it: the detected level in lower
   * case, or {@code unknown} when that is none of Loki's levels.
   */
  public static String drainLevel(
      Map<String, String> stream, Map<String, String> metadata, String line) {
    String level = detect(stream, metadata, line).toLowerCase(Locale.ROOT);
    return LEVELS.contains(level) ? level : UNKNOWN;
  }

  /** The entry's {@code detected_level} as Loki's distributor would set it. */
  static String detect(Map<String, String> stream, Map<String, String> metadata, String line) {
    return detect(stream::get, metadata::get, () -> line);
  }

  /**
   * The entry's structured metadata with {@code detected_level} as Loki's distributor stores it:
   * a {@code detected_level} the entry was pushed with, normalised, or else the detected level.
   * Metadata values that stand for "not set" ({@link LabelsBuilder#unset}: an empty value, OTLP's
   * severity number 0, …), which Loki's OTLP mapping never stores, are not looked at. The line is
   * only decoded when neither the labels nor the metadata name a level.
   *
   * @param metadata the entry's metadata as read (not changed; a new map is returned)
   */
  public static Map<String, String> withDetectedLevel(
      SortedMap<String, String> stream, Map<String, String> metadata, Supplier<String> line) {
    Function<String, String> stored =
        name -> {
          String v = metadata.get(name);
          return v == null || LabelsBuilder.unset(name, v) ? null : v;
        };
    String level = detect(stream::get, stored, line);
    Map<String, String> out = new java.util.HashMap<>(metadata);
    out.put(DETECTED_LEVEL, level);
    return out;
  }

  private static String detect(
      Function<String, String> stream, Function<String, String> metadata, Supplier<String> line) {
    String stored = metadata.apply(DETECTED_LEVEL);
    if (stored != null) {
      return normalize(stored);
    }
    String field = firstLevelField(stream);
    if (field == null) {
      field = firstLevelField(metadata);
    }
    if (field != null) {
      return normalize(field);
    }
    String severity = metadata.apply("severity_number");
    if (severity != null && !severity.isEmpty()) {
      return fromSeverityNumber(severity);
    }
    return fromLine(line.get());
  }

  private static String firstLevelField(Function<String, String> labels) {
    for (String name : LEVEL_FIELDS) {
      String value = labels.apply(name);
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  /** Loki's normalisation of a level name; anything else is returned as it is. */
  static String normalize(String level) {
    String known = known(level);
    return known != null ? known : level;
  }

  /** The level a (case-insensitive) level name stands for, or null. */
  private static String known(String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "trace", "trc" -> "trace";
      case "debug", "dbg" -> "debug";
      case "info", "inf", "information" -> "info";
      case "warn", "wrn", "warning" -> "warn";
      case "error", "err" -> "error";
      case "critical" -> "critical";
      case "fatal" -> "fatal";
      default -> null;
    };
  }

  /** OpenTelemetry's severity number ranges; a number that doesn't parse is info, as in Loki. */
  static String fromSeverityNumber(String text) {
    int n;
    try {
      n = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      return "info";
    }
    if (n == 0) {
      return UNKNOWN;
    } else if (n <= 4) {
      return "trace";
    } else if (n <= 8) {
      return "debug";
    } else if (n <= 12) {
      return "info";
    } else if (n <= 16) {
      return "warn";
    } else if (n <= 20) {
      return "error";
    } else if (n <= 24) {
      return "fatal";
    }
    return UNKNOWN;
  }

  static String fromLine(String line) {
    String value;
    if (isJson(line)) {
      value = jsonLevel(line);
    } else if (line.indexOf('=') >= 0) {
      value = logfmtLevel(line);
    } else {
      return fromWords(line);
    }
    String known = value == null ? null : known(value);
    return known != null ? known : fromWords(line);
  }

  /** Between braces once surrounding white space is trimmed. */
  private static boolean isJson(String line) {
    String t = line.strip();
    return t.startsWith("{") && t.endsWith("}");
  }

  private static String jsonLevel(String line) {
    JsonNode root;
    try {
      root = JSON.readTree(line);
    } catch (java.io.IOException e) {
      return null;
    }
    return root != null && root.isObject() ? jsonLevel(root, 0) : null;
  }

  /** The first string field, in document order, whose name is a level field. */
  private static String jsonLevel(JsonNode object, int depth) {
    if (depth >= JSON_MAX_DEPTH) {
      return null;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      JsonNode v = f.getValue();
      if (v.isTextual() && LEVEL_FIELD_SET.contains(f.getKey())) {
        return v.asText();
      }
      if (v.isObject()) {
        String nested = jsonLevel(v, depth + 1);
        if (nested != null) {
          return nested;
        }
      }
    }
    return null;
  }

  /**
   * The value of the logfmt field whose name (case-insensitively) comes first in the level-field
   * list; pairs are read up to the first malformed one.
   */
  private static String logfmtLevel(String line) {
    String[] best = {null};
    int[] rank = {LEVEL_FIELDS.size()};
    LogfmtReader.read(
        line,
        true,
        (key, value) -> {
          for (int x = 0; x < rank[0]; x++) {
            if (LEVEL_FIELDS.get(x).equalsIgnoreCase(key)) {
              best[0] = value;
              rank[0] = x;
              break;
            }
          }
        });
    return best[0];
  }

  /** The level word that appears first in the line, bounded as Loki bounds it. */
  static String fromWords(String line) {
    String lower = line.toLowerCase(Locale.ROOT);
    int at = lower.length();
    String guess = UNKNOWN;
    for (String[] word : LINE_WORDS) {
      int pos = boundedIndex(lower, word[0]);
      if (pos == -1 || pos >= at) {
        continue;
      }
      at = pos;
      guess = word[1];
      if (at == 0) {
        break;
      }
    }
    return guess;
  }

  private static int boundedIndex(String s, String word) {
    int from = 0;
    while (true) {
      int pos = s.indexOf(word, from);
      if (pos == -1) {
        return -1;
      }
      if (leftBoundary(s, pos - 1) && rightBoundary(s, pos + word.length())) {
        return pos;
      }
      from = pos + 1;
    }
  }

  /** Before the word: white space, an opening bracket, a quote, {@code =} or {@code |}. */
  private static boolean leftBoundary(String s, int i) {
    if (i < 0 || i >= s.length()) {
      return true;
    }
    return "\t\n [({\"'=|".indexOf(s.charAt(i)) >= 0;
  }

  /** After the word: white space, brackets, {@code : , ! = |} or a quote. */
  private static boolean rightBoundary(String s, int i) {
    if (i < 0 || i >= s.length()) {
      return true;
    }
    return "\t\n [](){}:,!\"'=|".indexOf(s.charAt(i)) >= 0;
  }
}

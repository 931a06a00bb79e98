package io.icegate.server.loki;

import io.icegate.logql.LogQL;
import io.icegate.logql.ast.LogQLExpr;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.StreamSelector;
import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.loki.LokiParams;
import io.icegate.server.http.HttpExchange;
import java.time.Instant;
import java.util.List;

/**
 * Parameter reading shared by the Loki endpoints that take a selector and a time range
 * ({@code /index/*}, {@code /detected_*}, {@code /patterns}): Loki's {@code start}/{@code
 * end}/{@code since} rules, integers with Loki's messages.
 */
final class LokiParamsSupport {
  static final long HOUR_NANOS = 3_600_000_000_000L;

  private LokiParamsSupport() {}

  /** {@code [start, end]} in nanoseconds: end defaults to now, start to {@code since} before it. */
  record Range(long startNanos, long endNanos) {}

  static Range range(HttpExchange ex, long defaultSinceNanos) {
    long end = ex.param("end") == null ? now() : LokiParams.parseTimeNanos("end", ex.param("end"));
    long since =
        ex.param("since") == null
            ? defaultSinceNanos
            : LokiParams.parseDurationNanos("since", ex.param("since"));
    long start =
        ex.param("start") == null
            ? end - since
            : LokiParams.parseTimeNanos("start", ex.param("start"));
    if (end < start) {
      throw new ProtocolException("end timestamp must not be before or equal to start time");
    }
    return new Range(start, end);
  }

  /** The {@code query} parameter, required. */
  static String query(HttpExchange ex) {
    String query = ex.param("query");
    if (query == null || query.isBlank()) {
      throw new ProtocolException("query parameter is required");
    }
    return query;
  }

  /**
   * A log selector (with its pipeline) from {@code query}; {@code {}} — which Loki's index
   * endpoints accept as "every stream" — is a selector without matchers.
   */
  static LogSelectorExpr selector(String query) {
    if (query.replaceAll("\\s", "").equals("{}")) {
      return new LogSelectorExpr(new StreamSelector(List.of()), List.of());
    }
    LogQLExpr expr = LogQL.parse(query);
    if (!(expr instanceof LogSelectorExpr selector)) {
      throw new ProtocolException("only log queries are allowed here: " + query);
    }
    return selector;
  }

  /** A positive integer parameter, or {@code fallback} when absent (0 also means the default). */
  static int positiveInt(HttpExchange ex, String name, int fallback) {
    String text = ex.param(name);
    if (text == null || text.isBlank()) {
      return fallback;
    }
    int value;
    try {
      value = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new ProtocolException(
          "invalid parameter \"" + name + "\": " + text + " is not an integer");
    }
    if (value == 0) {
      return fallback;
    }
    if (value < 0) {
      throw new ProtocolException(name + " must be a positive value");
    }
    return value;
  }

  static long now() {
    Instant t = Instant.now();
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}

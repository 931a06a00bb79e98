package io.icegate.server.loki;

import io.icegate.engine.logql.LogQueryRange;
import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.loki.Direction;
import io.icegate.protocol.loki.LokiParams;
import io.icegate.server.http.HttpExchange;
import java.time.Instant;

/**
 * The parameters of {@code /loki/api/v1/query_range} and {@code /query}, with Loki's defaults:
 * {@code end} now, {@code start} {@code since} (default 1h) before it, {@code limit} 100,
 * {@code direction} backward.
 */
record LokiQueryRequest(
    String query, LogQueryRange range, long startNanos, long endNanos, String step) {
  private static final long DEFAULT_SINCE_NANOS = 3_600_000_000_000L;
  private static final int DEFAULT_LIMIT = 100;

  static LokiQueryRequest rangeQuery(HttpExchange ex, String tenant, int maxLimit) {
    String query = query(ex);
    long end = ex.param("end") == null ? now() : LokiParams.parseTimeNanos("end", ex.param("end"));
    long since =
        ex.param("since") == null
            ? DEFAULT_SINCE_NANOS
            : LokiParams.parseDurationNanos("since", ex.param("since"));
    long start =
        ex.param("start") == null
            ? end - since
            : LokiParams.parseTimeNanos("start", ex.param("start"));
    if (end < start) {
      throw new ProtocolException("end timestamp must not be before or equal to start time");
    }
    return new LokiQueryRequest(
        query,
        new LogQueryRange(tenant, start, end, limit(ex, maxLimit), direction(ex)),
        start,
        end,
        ex.param("step"));
  }

  /**
   * An instant log query at {@code time}: the entries of the {@code since} (default 1h) up to and
   * including {@code time}. (Loki 3 refuses instant log queries; Loki 2 accepted them. We answer
   * them rather than break clients that send them.)
   */
  static LokiQueryRequest instantQuery(HttpExchange ex, String tenant, int maxLimit) {
    String query = query(ex);
    long time =
        ex.param("time") == null ? now() : LokiParams.parseTimeNanos("time", ex.param("time"));
    long since =
        ex.param("since") == null
            ? DEFAULT_SINCE_NANOS
            : LokiParams.parseDurationNanos("since", ex.param("since"));
    return new LokiQueryRequest(
        query,
        new LogQueryRange(tenant, time - since, time + 1, limit(ex, maxLimit), direction(ex)),
        time,
        time,
        null);
  }

  /** The most points per series a range query may ask for, as Loki limits it. */
  static final long MAX_POINTS = 11_000;

  /**
   * The step of a range metric query: the {@code step} parameter (a duration or float seconds),
   * or Loki's default of one point per {@code (end − start) / 250}, in whole seconds, at least 1s.
   */
  long stepNanos() {
    long step;
    if (step() == null || step().isBlank()) {
      long seconds = Math.max((endNanos - startNanos) / 1_000_000_000L / 250, 1);
      step = seconds * 1_000_000_000L;
    } else {
      step = LokiParams.parseDurationNanos("step", step().trim());
    }
    if (step <= 0) {
      throw new ProtocolException(
          "zero or negative query resolution step widths are not accepted. "
              + "Try a positive integer");
    }
    if ((endNanos - startNanos) / step > MAX_POINTS) {
      throw new ProtocolException(
          "exceeded maximum resolution of 11,000 points per timeseries. "
              + "Try decreasing the query resolution (?step=XX)");
    }
    return step;
  }

  private static String query(HttpExchange ex) {
    String query = ex.param("query");
    if (query == null || query.isBlank()) {
      throw new ProtocolException("query parameter is required");
    }
    return query;
  }

  private static int limit(HttpExchange ex, int maxLimit) {
    String text = ex.param("limit");
    if (text == null) {
      return DEFAULT_LIMIT;
    }
    int limit;
    try {
      limit = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new ProtocolException("invalid parameter \"limit\": " + text + " is not an integer");
    }
    if (limit <= 0) {
      throw new ProtocolException("limit must be a positive value");
    }
    if (limit > maxLimit) {
      throw new ProtocolException(
          "max entries limit per query exceeded, limit > max_entries_limit_per_query ("
              + limit + " > " + maxLimit + ")");
    }
    return limit;
  }

  private static Direction direction(HttpExchange ex) {
    String text = ex.param("direction");
    return text == null ? Direction.BACKWARD : LokiParams.parseDirection(text);
  }

  private static long now() {
    Instant t = Instant.now();
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}

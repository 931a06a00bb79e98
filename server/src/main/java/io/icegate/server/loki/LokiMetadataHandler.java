package io.icegate.server.loki;

import io.icegate.engine.exec.QueryCancelledException;
import io.icegate.engine.logql.LogMetadataEngine;
import io.icegate.logql.LogQL;
import io.icegate.logql.LogQLParseException;
import io.icegate.logql.ast.LogQLExpr;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.loki.LokiMetadataJson;
import io.icegate.protocol.loki.LokiParams;
import io.icegate.server.Tenants;
import io.icegate.server.http.Handler;
import io.icegate.server.http.HttpExchange;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Loki's metadata endpoints, which Grafana's label browser and query editor call:
 * {@code /loki/api/v1/labels}, {@code /loki/api/v1/label/<name>/values} (both with an optional
 * {@code query} selector) and {@code /loki/api/v1/series} ({@code match[]}, repeatable). Time
 * range: {@code start}/{@code end}, or {@code since} before now, default the last 6 hours as in
 * Loki.
 */
public final class LokiMetadataHandler implements Handler {
  private static final long DEFAULT_SINCE_NANOS = 6 * 3_600_000_000_000L;
  private static final String VALUES_PREFIX = "/loki/api/v1/label/";

  private final LogMetadataEngine engine;
  /** Each tenant's own {@code query_timeout}, zero when it has none. */
  private final Function<String, Duration> timeouts;

  public LokiMetadataHandler(LogMetadataEngine engine, Function<String, Duration> timeouts) {
    this.engine = engine;
    this.timeouts = timeouts;
  }

  @Override
  public void handle(HttpExchange exchange) throws Exception {
    if (exchange.method() != HttpMethod.GET && exchange.method() != HttpMethod.POST) {
      LokiErrors.respond(exchange, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed");
      return;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    QueryDeadline stop = null;
    try {
      String tenant = Tenants.resolve(exchange.header(Tenants.HEADER));
      stop = QueryDeadline.start(exchange, timeouts.apply(tenant));
      long end =
          exchange.param("end") == null
              ? now()
              : LokiParams.parseTimeNanos("end", exchange.param("end"));
      long since =
          exchange.param("since") == null
              ? DEFAULT_SINCE_NANOS
              : LokiParams.parseDurationNanos("since", exchange.param("since"));
      long start =
          exchange.param("start") == null
              ? end - since
              : LokiParams.parseTimeNanos("start", exchange.param("start"));
      String path = exchange.path();
      if (path.equals("/loki/api/v1/labels")) {
        LokiMetadataJson.writeStrings(
            out,
            engine.labelNames(tenant, start, end + 1, selector(exchange.param("query")),
                stop));
      } else if (path.equals("/loki/api/v1/series")) {
        List<LogSelectorExpr> selectors = new ArrayList<>();
        for (String match : exchange.params("match[]")) {
          selectors.add(selector(match));
        }
        LokiMetadataJson.writeSeries(
            out, engine.series(tenant, start, end + 1, selectors, stop));
      } else if (path.startsWith(VALUES_PREFIX) && path.endsWith("/values")) {
        String name =
            URLDecoder.decode(
                path.substring(VALUES_PREFIX.length(), path.length() - "/values".length()),
                StandardCharsets.UTF_8);
        LokiMetadataJson.writeStrings(
            out,
            engine.labelValues(name, tenant, start, end + 1, selector(exchange.param("query")),
                stop));
      } else {
        LokiErrors.respond(exchange, HttpResponseStatus.NOT_FOUND, "404 page not found");
        return;
      }
    } catch (LogQLParseException | ProtocolException | IllegalArgumentException e) {
      LokiErrors.respond(exchange, HttpResponseStatus.BAD_REQUEST, e.getMessage());
      return;
    } catch (QueryCancelledException e) {
      LokiErrors.cancelled(exchange, e, stop);
      return;
    }
    exchange.respond(HttpResponseStatus.OK, LokiErrors.CONTENT_TYPE, out.toByteArray());
  }

  /** A stream selector (its pipeline, if any, is not applied to metadata), or null. */
  private static LogSelectorExpr selector(String query) {
    if (query == null || query.isBlank()) {
      return null;
    }
    LogQLExpr expr = LogQL.parse(query);
    if (!(expr instanceof LogSelectorExpr selector)) {
      throw new ProtocolException("only stream selectors are allowed here: " + query);
    }
    return new LogSelectorExpr(selector.selector(), List.of());
  }


  private static long now() {
    Instant t = Instant.now();
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}

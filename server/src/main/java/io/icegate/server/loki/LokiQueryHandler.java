package io.icegate.server.loki;

import io.icegate.engine.exec.QueryCancelledException;
import io.icegate.engine.logql.ConstantEvaluator;
import io.icegate.engine.logql.LogQueryEngine;
import io.icegate.engine.logql.LogQueryResult;
import io.icegate.logql.LogQL;
import io.icegate.logql.LogQLParseException;
import io.icegate.logql.ast.LogQLExpr;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.SampleExpr;
import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.loki.LokiJson;
import io.icegate.protocol.loki.LokiStats;
import io.icegate.server.ServerMetrics;
import io.icegate.server.Tenants;
import io.icegate.server.http.Handler;
import io.icegate.server.http.HttpExchange;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayOutputStream;
import org.apache.arrow.memory.OutOfMemoryException;

/**
 * {@code GET|POST /loki/api/v1/query_range} and {@code /loki/api/v1/query}: parse the request,
 * run the query through the engine, answer Loki's JSON. Errors use Loki's status codes: 400 for
 * bad queries and parameters, 504 for timeouts, 499 when the client went away.
 */
public final class LokiQueryHandler implements Handler {
  static final String TIMEOUT_MESSAGE =
      "Request timed out, decrease the duration of the request or add more label matchers "
          + "(prefer exact match over regex match) to reduce the amount of data processed.";

  private final LogQueryEngine engine;
  private final boolean instant;
  private final int maxLimit;
  private final long queryMemoryBytes;
  private final ServerMetrics metrics;

  public LokiQueryHandler(
      LogQueryEngine engine,
      boolean instant,
      int maxLimit,
      long queryMemoryBytes,
      ServerMetrics metrics) {
    this.engine = engine;
    this.instant = instant;
    this.maxLimit = maxLimit;
    this.queryMemoryBytes = queryMemoryBytes;
    this.metrics = metrics;
  }

  @Override
  public void handle(HttpExchange exchange) throws Exception {
    if (exchange.method() != HttpMethod.GET && exchange.method() != HttpMethod.POST) {
      error(exchange, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed");
      return;
    }
    LokiQueryRequest request;
    LogSelectorExpr selector;
    try {
      String tenant = Tenants.resolve(exchange.header(Tenants.HEADER));
      request =
          instant
              ? LokiQueryRequest.instantQuery(exchange, tenant, maxLimit)
              : LokiQueryRequest.rangeQuery(exchange, tenant, maxLimit);
      LogQLExpr expr = LogQL.parse(request.query());
      if (instant
          && expr instanceof SampleExpr sample
          && ConstantEvaluator.isConstant(sample)) {
        // Needs no data: e.g. Grafana's health check, vector(1)+vector(1).
        ConstantEvaluator.Value value = ConstantEvaluator.evaluate(sample);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LokiJson.writeInstant(
            out, value.scalar(), value.present(), request.range().endNanos() - 1, value.value());
        exchange.respond(HttpResponseStatus.OK, LokiErrors.CONTENT_TYPE, out.toByteArray());
        return;
      }
      if (!(expr instanceof LogSelectorExpr s)) {
        // Valid LogQL that this version cannot run yet: not the client's fault, so not a 4xx.
        error(exchange, HttpResponseStatus.NOT_IMPLEMENTED,
            "not implemented yet: metric queries (only log queries run in this version)");
        return;
      }
      selector = s;
    } catch (LogQLParseException | ProtocolException | IllegalArgumentException e) {
      error(exchange, HttpResponseStatus.BAD_REQUEST, e.getMessage());
      return;
    }
    LogQueryResult result;
    try {
      result = engine.select(selector, request.range(), exchange::clientGone);
    } catch (QueryCancelledException e) {
      if (e.timeout()) {
        error(exchange, HttpResponseStatus.GATEWAY_TIMEOUT, TIMEOUT_MESSAGE);
      } else {
        error(exchange, HttpResponseStatus.valueOf(499), "The request was cancelled by the client.");
      }
      return;
    } catch (UnsupportedOperationException e) {
      error(exchange, HttpResponseStatus.NOT_IMPLEMENTED, e.getMessage());
      return;
    } catch (OutOfMemoryException e) {
      error(exchange, HttpResponseStatus.BAD_REQUEST,
          "query exceeded memory limit of " + queryMemoryBytes + " bytes");
      return;
    }
    metrics.queryDuration.labelValues(instant ? "loki_query" : "loki_query_range")
        .observe(result.execNanos() / 1e9);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LokiJson.writeStreams(
        out,
        result.streams(),
        LokiStats.summarize(
            result.bytesScanned(), result.rowsScanned(), result.execNanos(), 0, result.entries()));
    exchange.respond(HttpResponseStatus.OK, LokiErrors.CONTENT_TYPE, out.toByteArray());
  }

  private static void error(HttpExchange exchange, HttpResponseStatus status, String message) {
    exchange.respond(status, LokiErrors.CONTENT_TYPE, LokiErrors.body(status.code(), message));
  }
}

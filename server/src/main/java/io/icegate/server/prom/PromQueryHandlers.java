package io.icegate.server.prom;

import io.icegate.promql.PromQL;
import io.icegate.promql.PromQLParseException;
import io.icegate.promql.ast.Expr;
import io.icegate.protocol.prom.PromJson;
import io.icegate.server.http.Handler;
import io.icegate.server.http.HttpExchange;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;

/**
 * The query-side endpoints of the Prometheus API. {@code format_query} and {@code parse_query}
 * work (the PromQL parser is complete); the endpoints that need stored metrics and the PromQL
 * engine ({@code query}, {@code query_range}, {@code query_exemplars}) check the query and then
 * answer 501 with errorType {@code unavailable} until the engine lands; the metadata endpoints
 * answer empty lists with a warning saying why.
 */
public final class PromQueryHandlers {
  /** What the query endpoints say until metrics can be stored and evaluated. */
  static final String NOT_YET =
      "PromQL evaluation is not available yet: this server does not store metrics yet";

  public Handler formatQuery() {
    return exchange -> {
      Expr expr = parsedQuery(exchange);
      if (expr != null) {
        String text = expr.toString();
        ok(exchange, PromJson.success(json -> json.writeString(text), List.of(), List.of()));
      }
    };
  }

  public Handler parseQuery() {
    return exchange -> {
      Expr expr = parsedQuery(exchange);
      if (expr != null) {
        ok(exchange, PromJson.success(json -> PromAstJson.write(json, expr), List.of(), List.of()));
      }
    };
  }

  /** {@code /api/v1/query}, {@code /api/v1/query_range}, {@code /api/v1/query_exemplars}. */
  public Handler query() {
    return exchange -> {
      if (parsedQuery(exchange) != null) {
        PromErrors.respond(
            exchange,
            HttpResponseStatus.NOT_IMPLEMENTED,
            PromJson.ErrorType.UNAVAILABLE,
            NOT_YET);
      }
    };
  }

  /** {@code /labels}, {@code /label/<name>/values}, {@code /series}: nothing is stored yet. */
  public Handler emptyList() {
    return exchange -> {
      if (!PromErrors.methodAllowed(exchange, true)) {
        return;
      }
      if (exchange.path().equals("/api/v1/series") && exchange.params("match[]").isEmpty()) {
        PromErrors.respond(exchange, PromJson.ErrorType.BAD_DATA, "no match[] parameter provided");
        return;
      }
      ok(exchange, PromJson.success(json -> {
        json.writeStartArray();
        json.writeEndArray();
      }, List.of(NOT_YET), List.of()));
    };
  }

  /** {@code /metadata}: an empty object. */
  public Handler emptyMetadata() {
    return exchange -> {
      if (!PromErrors.methodAllowed(exchange, false)) {
        return;
      }
      ok(exchange, PromJson.success(json -> {
        json.writeStartObject();
        json.writeEndObject();
      }, List.of(NOT_YET), List.of()));
    };
  }

  /** The {@code query} parameter parsed, or null after answering the error. */
  private static Expr parsedQuery(HttpExchange exchange) {
    if (!PromErrors.methodAllowed(exchange, true)) {
      return null;
    }
    String query = exchange.param("query");
    try {
      return PromQL.parse(query == null ? "" : query);
    } catch (PromQLParseException e) {
      PromErrors.respond(
          exchange, PromJson.ErrorType.BAD_DATA, "invalid parameter \"query\": " + e.getMessage());
      return null;
    }
  }

  private static void ok(HttpExchange exchange, byte[] body) {
    exchange.respond(HttpResponseStatus.OK, PromJson.CONTENT_TYPE, body);
  }
}

package io.icegate.server.loki;

import io.icegate.logql.LogQL;
import io.icegate.logql.LogQLFormatter;
import io.icegate.logql.LogQLParseException;
import io.icegate.protocol.loki.LokiMetadataJson;
import io.icegate.server.http.Handler;
import io.icegate.server.http.HttpExchange;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayOutputStream;

/**
 * {@code GET|POST /loki/api/v1/format_query?query=…}: the query pretty-printed as Loki prints it
 * (its parser's {@code ParseExpr}, then {@code Prettify}); parse errors as 400.
 */
public final class LokiFormatQueryHandler implements Handler {
  @Override
  public void handle(HttpExchange exchange) throws Exception {
    if (exchange.method() != HttpMethod.GET && exchange.method() != HttpMethod.POST) {
      LokiErrors.respond(exchange, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed");
      return;
    }
    String query = exchange.param("query");
    if (query == null || query.isBlank()) {
      LokiErrors.respond(exchange, HttpResponseStatus.BAD_REQUEST, "query parameter is required");
      return;
    }
    String formatted;
    try {
      formatted = LogQLFormatter.prettify(LogQL.parseExpr(query));
    } catch (LogQLParseException e) {
      LokiErrors.respond(exchange, HttpResponseStatus.BAD_REQUEST, e.getMessage());
      return;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LokiMetadataJson.writeString(out, formatted);
    exchange.respond(HttpResponseStatus.OK, LokiErrors.CONTENT_TYPE, out.toByteArray());
  }
}

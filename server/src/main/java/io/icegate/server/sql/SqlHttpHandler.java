package io.icegate.server.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.icegate.engine.exec.QueryCancelledException;
import io.icegate.engine.sql.SqlQueryEngine;
import io.icegate.engine.sql.SqlQueryException;
import io.icegate.engine.sql.SqlResult;
import io.icegate.server.Tenants;
import io.icegate.server.http.Handler;
import io.icegate.server.http.HttpExchange;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.memory.OutOfMemoryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/sql}: one SQL statement — the body as text, JSON {@code {"query": …}}, a
 * form's or the URL's {@code query} parameter — for the tenant of {@code X-Scope-OrgID} (default {@code
 * fake}). Answers {@link SqlJson}'s shape; a statement's own faults (parse, validation, a
 * construct not supported) are 400 {@code bad_data}, an answer too large or data an expression
 * can't take 422 {@code execution}, as is going over the query memory limit; a timeout 504, a
 * client gone 499.
 */
public final class SqlHttpHandler implements Handler {
  static final String CONTENT_TYPE = "application/json; charset=utf-8";
  private static final Logger LOG = LoggerFactory.getLogger(SqlHttpHandler.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final SqlQueryEngine engine;

  public SqlHttpHandler(SqlQueryEngine engine) {
    this.engine = engine;
  }

  @Override
  public void handle(HttpExchange exchange) {
    if (exchange.method() != HttpMethod.POST && exchange.method() != HttpMethod.GET) {
      error(exchange, HttpResponseStatus.METHOD_NOT_ALLOWED, "bad_data",
          "use POST with the SQL statement as the body");
      return;
    }
    String tenant;
    String sql;
    try {
      tenant = Tenants.resolve(exchange.header(Tenants.HEADER));
      sql = statement(exchange);
    } catch (IllegalArgumentException e) {
      error(exchange, HttpResponseStatus.BAD_REQUEST, "bad_data", e.getMessage());
      return;
    }
    SqlResult result;
    try {
      result = engine.execute(sql, tenant, exchange::clientGone);
    } catch (SqlQueryException e) {
      if (e.kind().isClientError()) {
        error(exchange, HttpResponseStatus.BAD_REQUEST, "bad_data", e.getMessage());
      } else {
        error(exchange, HttpResponseStatus.UNPROCESSABLE_ENTITY, "execution", e.getMessage());
      }
      return;
    } catch (QueryCancelledException e) {
      if (e.timeout()) {
        error(exchange, HttpResponseStatus.GATEWAY_TIMEOUT, "timeout", "query timed out");
      } else {
        error(exchange, HttpResponseStatus.valueOf(499), "canceled", "query cancelled");
      }
      return;
    } catch (OutOfMemoryException e) {
      error(exchange, HttpResponseStatus.UNPROCESSABLE_ENTITY, "execution",
          "query exceeded memory limit");
      return;
    } catch (RuntimeException e) {
      LOG.error("SQL query failed: {}", sql, e);
      error(exchange, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal",
          "internal error running the query");
      return;
    }
    exchange.respond(HttpResponseStatus.OK, CONTENT_TYPE, SqlJson.result(result));
  }

  /**
   * The statement: a form's or JSON body's {@code query}, else the body as text, else the
   * {@code query} URL parameter.
   */
  private static String statement(HttpExchange exchange) {
    String body = new String(exchange.body(), StandardCharsets.UTF_8);
    String contentType = exchange.header("Content-Type");
    String lowerType = contentType == null ? "" : contentType.toLowerCase(java.util.Locale.ROOT);
    if (lowerType.startsWith("application/x-www-form-urlencoded")
        && exchange.param("query") != null) {
      return exchange.param("query"); // a form: curl --data-urlencode 'query=SELECT …'
    }
    boolean json =
        lowerType.contains("json") || body.stripLeading().startsWith("{");
    if (json) {
      JsonNode node;
      try {
        node = MAPPER.readTree(body);
      } catch (IOException e) {
        throw new IllegalArgumentException("the body is not valid JSON");
      }
      JsonNode query = node == null ? null : node.get("query");
      if (query == null || !query.isTextual()) {
        throw new IllegalArgumentException("the JSON body needs a \"query\" string");
      }
      return query.asText();
    }
    if (!body.isBlank()) {
      return body;
    }
    String param = exchange.param("query");
    if (param == null || param.isBlank()) {
      throw new IllegalArgumentException("no SQL statement: send it as the body");
    }
    return param;
  }

  private static void error(
      HttpExchange exchange, HttpResponseStatus status, String type, String message) {
    exchange.respond(status, CONTENT_TYPE, SqlJson.error(type, message));
  }
}

package io.icegate.server.prom;

import io.icegate.protocol.prom.PromJson;
import io.icegate.server.http.ErrorRenderer;
import io.icegate.server.http.HttpExchange;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;

/** Errors on the Prometheus port in Prometheus's shape: {@code {"status":"error",…}}. */
public final class PromErrors {
  private PromErrors() {}

  /** For the listener's own errors (unknown path, body too large, shutting down). */
  public static ErrorRenderer renderer() {
    return (exchange, status, message) -> {
      PromJson.ErrorType type =
          switch (status.code()) {
            case 404 -> PromJson.ErrorType.NOT_FOUND;
            case 400, 405, 413 -> PromJson.ErrorType.BAD_DATA;
            case 503 -> PromJson.ErrorType.UNAVAILABLE;
            default -> PromJson.ErrorType.INTERNAL;
          };
      exchange.respond(
          status,
          PromJson.CONTENT_TYPE,
          PromJson.error(type, message),
          status.code() == 503 ? Map.of("Retry-After", "1") : Map.of());
    };
  }

  /** Answers with {@code type}'s HTTP status. */
  static void respond(HttpExchange exchange, PromJson.ErrorType type, String message) {
    respond(exchange, HttpResponseStatus.valueOf(type.httpStatus()), type, message);
  }

  static void respond(
      HttpExchange exchange, HttpResponseStatus status, PromJson.ErrorType type, String message) {
    exchange.respond(status, PromJson.CONTENT_TYPE, PromJson.error(type, message));
  }

  /** Prometheus answers GET and POST on its API paths; anything else is 405. */
  static boolean methodAllowed(HttpExchange exchange, boolean postToo) {
    var method = exchange.method();
    if (method == io.netty.handler.codec.http.HttpMethod.GET
        || (postToo && method == io.netty.handler.codec.http.HttpMethod.POST)) {
      return true;
    }
    respond(exchange, HttpResponseStatus.METHOD_NOT_ALLOWED, PromJson.ErrorType.BAD_DATA,
        "method " + method + " not allowed");
    return false;
  }
}

package io.icegate.server.loki;

import io.icegate.engine.exec.QueryCancelledException;
import io.icegate.protocol.loki.LokiJson;
import io.icegate.server.http.ErrorRenderer;
import io.icegate.server.http.HttpExchange;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Errors on the Loki port in Loki's JSON error shape ({@code code}, {@code message}, {@code status}). */
public final class LokiErrors {
  public static final String CONTENT_TYPE = "application/json; charset=utf-8";

  private LokiErrors() {}

  public static ErrorRenderer renderer() {
    return (exchange, status, message) ->
        exchange.respond(
            status,
            CONTENT_TYPE,
            body(status.code(), message),
            status.code() == 503 ? java.util.Map.of("Retry-After", "1") : java.util.Map.of());
  }

  /** Answers {@code status} with {@code message} in Loki's error shape. */
  static void respond(HttpExchange exchange, HttpResponseStatus status, String message) {
    exchange.respond(status, CONTENT_TYPE, body(status.code(), message));
  }

  /**
   * A query that stopped: 504 with Loki's timeout text when the engine's deadline or the tenant's
   * own {@code query_timeout} ({@code stop}, null before the tenant was known) passed, or 499 when
   * the client went away.
   */
  static void cancelled(HttpExchange exchange, QueryCancelledException e, QueryDeadline stop) {
    if (e.timeout() || stop != null && stop.passed()) {
      respond(exchange, HttpResponseStatus.GATEWAY_TIMEOUT, LokiQueryHandler.TIMEOUT_MESSAGE);
    } else {
      // Loki's ErrClientCanceled.
      respond(exchange, HttpResponseStatus.valueOf(499), "the request was cancelled by the client");
    }
  }

  public static byte[] body(int code, String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      LokiJson.writeError(out, code, message);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}

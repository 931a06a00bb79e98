package io.icegate.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Answers an error in the shape of the listener's protocol (OTLP Status, Loki error JSON), so
 * even errors raised before a handler runs — an oversized body, an unknown path — look native.
 */
@FunctionalInterface
public interface ErrorRenderer {
  void render(HttpExchange exchange, HttpResponseStatus status, String message);
}

package io.icegate.server.http;

/**
 * Answers requests on one path. It may answer later from another thread; an exception it throws
 * is answered by the listener's {@link ErrorRenderer} as a 500.
 */
@FunctionalInterface
public interface Handler {
  void handle(HttpExchange exchange) throws Exception;
}

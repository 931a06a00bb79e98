package io.icegate.server.http;

/** Told of every answered request, for metrics; {@code route} is null for unknown paths. */
@FunctionalInterface
public interface RequestObserver {
  void answered(String listener, String route, int status);
}

package io.icegate.tck;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;

/**
 * Talks to the Loki API over HTTP as Grafana does: GET with URL parameters or a POSTed form, the
 * tenant in {@code X-Scope-OrgID}. The port is asked for on every request, so the client follows a
 * server that was restarted on another ephemeral port.
 */
final class LokiClient {
  static final String QUERY_RANGE = "/loki/api/v1/query_range";
  static final String QUERY = "/loki/api/v1/query";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final IntSupplier port;

  LokiClient(IntSupplier port) {
    this.port = port;
  }

  /** {@code GET /loki/api/v1/query_range} with the query's parameters. */
  LokiResponse queryRange(LokiQuery query) {
    return get(QUERY_RANGE, query.tenant(), query.params());
  }

  /** {@code GET path?params}; a null tenant sends no {@code X-Scope-OrgID}. */
  LokiResponse get(String path, String tenant, Map<String, String> params) {
    String uri = base() + path + (params.isEmpty() ? "" : "?" + form(params));
    return send(request(URI.create(uri), tenant).GET());
  }

  /** {@code POST path} with the parameters as an {@code application/x-www-form-urlencoded} body. */
  LokiResponse postForm(String path, String tenant, Map<String, String> params) {
    return send(
        request(URI.create(base() + path), tenant)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form(params))));
  }

  private String base() {
    return "http://127.0.0.1:" + port.getAsInt();
  }

  private static HttpRequest.Builder request(URI uri, String tenant) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(TIMEOUT);
    if (tenant != null) {
      builder.header("X-Scope-OrgID", tenant);
    }
    return builder;
  }

  private LokiResponse send(HttpRequest.Builder request) {
    try {
      HttpResponse<byte[]> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      return LokiResponse.of(
          response.statusCode(),
          response.headers().firstValue("Content-Type").orElse(""),
          response.body());
    } catch (IOException e) {
      throw new AssertionError("Loki request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static String form(Map<String, String> params) {
    return params.entrySet().stream()
        .map(
            e ->
                URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }
}

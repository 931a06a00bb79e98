package io.icegate.tck;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * A plain HTTP client for the ingest-limit suites, which need the response headers ({@code
 * Retry-After}) that {@link OtlpHttpClient} does not keep.
 */
final class RawOtlpHttp {
  /** An answer: status, {@code Retry-After} (or null) and the body parsed as {@link OtlpResponse}. */
  record Answer(int status, String retryAfter, OtlpResponse otlp) {}

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final int port;

  RawOtlpHttp(int port) {
    this.port = port;
  }

  Answer post(String path, String contentType, Map<String, String> headers, byte[] body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(request::header);
    try {
      HttpResponse<byte[]> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Answer(
          response.statusCode(),
          response.headers().firstValue("Retry-After").orElse(null),
          new OtlpResponse(
              response.statusCode(),
              response.headers().firstValue("Content-Type").orElse(""),
              response.body()));
    } catch (IOException e) {
      throw new AssertionError("request to " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}

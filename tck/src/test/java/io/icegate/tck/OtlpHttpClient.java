package io.icegate.tck;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * Sends raw OTLP/HTTP requests, byte for byte as the test wrote them, including bodies no SDK would
 * produce. A request that gets no answer within the timeout fails the test: a hang is a bug.
 */
final class OtlpHttpClient {
  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final IntSupplier port;

  OtlpHttpClient(IntSupplier port) {
    this.port = port;
  }

  /** POSTs {@code body} to {@code path}; null headers are left out. */
  OtlpResponse post(
      String path, String contentType, String contentEncoding, String tenant, byte[] body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.getAsInt() + path))
            .timeout(TIMEOUT)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (contentEncoding != null) {
      request.header("Content-Encoding", contentEncoding);
    }
    if (tenant != null) {
      request.header("X-Scope-OrgID", tenant);
    }
    return send(request.build());
  }

  OtlpResponse get(String path) {
    return send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.getAsInt() + path))
            .timeout(TIMEOUT)
            .GET()
            .build());
  }

  /**
   * Like {@link #post} with the default tenant, but lets the caller see the IOException, e.g. when
   * the server is going away.
   */
  OtlpResponse tryPost(String contentType, byte[] body) throws IOException, InterruptedException {
    return trySend(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.getAsInt() + "/v1/logs"))
            .timeout(TIMEOUT)
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  private OtlpResponse trySend(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    return new OtlpResponse(
        response.statusCode(),
        response.headers().firstValue("Content-Type").orElse(""),
        response.body());
  }

  private OtlpResponse send(HttpRequest request) {
    try {
      return trySend(request);
    } catch (IOException e) {
      throw new AssertionError("OTLP request to " + request.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}

package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Loki query past the server's {@code query_timeout} is answered as Loki answers it: 504 with
 * Loki's {@code ErrDeadlineExceeded} text ({@code pkg/util/server/error.go}). The server runs with
 * a timeout of one nanosecond, so every query that reads data is past it before its first batch;
 * a query needing no data (Grafana's health check) still answers.
 */
class LokiQueryTimeoutTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dataDir;
  private static IceGateServer server;

  @BeforeAll
  static void start() throws Exception {
    Path config = dataDir.resolve("icegate.yaml");
    Files.writeString(config, "query_timeout: 1ns\n");
    server =
        IceGateServer.start(
            ServerConfig.load(config)
                .withDataDir(dataDir.resolve("data"))
                .withPorts("127.0.0.1", 0, 0));
    LokiApiEndToEndTest.push(server.lokiPort(), LokiApiEndToEndTest.LINES);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void logAndMetricQueriesPastTheTimeoutAre504WithLokisText() throws Exception {
    String message =
        "request timed out, decrease the duration of the request or add more label matchers"
            + " (prefer exact match over regex match) to reduce the amount of data processed";
    for (String query :
        new String[] {"{app=\"api\"}", "sum by (env) (count_over_time({app=\"api\"}[1m]))"}) {
      HttpResponse<String> r =
          get("/loki/api/v1/query_range?start=" + LokiApiEndToEndTest.T0 + "&end="
              + (LokiApiEndToEndTest.T0 + 60_000_000_000L) + "&query="
              + URLEncoder.encode(query, StandardCharsets.UTF_8));
      assertThat(r.statusCode()).as(query + ": " + r.body()).isEqualTo(504);
      assertThat(MAPPER.readTree(r.body()).get("message").asText()).isEqualTo(message);
    }
    // Needs no data, so no time: the health check still passes.
    HttpResponse<String> health =
        get("/loki/api/v1/query?query=" + URLEncoder.encode("vector(1)+vector(1)",
            StandardCharsets.UTF_8) + "&time=4000000000");
    assertThat(health.statusCode()).isEqualTo(200);
  }

  private static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.lokiPort() + pathAndQuery))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}

package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Grafana's Loki data source "Save & test": the exact request from
 * shared/reference/grafana/REQUESTS.md §1.1, and the conditions it checks (2xx, no error status,
 * one sample whose value is 2); and the small Loki API endpoints beside it.
 */
class GrafanaHealthCheckTest {
  @TempDir static Path dataDir;
  private static IceGateServer server;

  @BeforeAll
  static void start() throws Exception {
    server =
        IceGateServer.start(
            ServerConfig.defaults().withDataDir(dataDir).withPorts("127.0.0.1", 0, 0));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void healthCheckQueryAnswersOneSampleOfTwo() throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + server.lokiPort()
                        + "/loki/api/v1/query?direction=backward"
                        + "&query=vector%281%29%2Bvector%281%29&time=4000000000"))
            .header("X-Loki-Response-Encoding-Flags", "categorize-labels")
            .GET()
            .build();
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = new ObjectMapper().readTree(response.body());
    assertThat(body.path("status").asText()).isEqualTo("success");
    assertThat(body.path("data").path("resultType").asText()).isEqualTo("vector");
    JsonNode result = body.path("data").path("result");
    assertThat(result).hasSize(1);
    assertThat(result.get(0).path("metric").size()).isZero();
    assertThat(result.get(0).path("value")).hasSize(2);
    assertThat(Double.parseDouble(result.get(0).path("value").get(1).asText())).isEqualTo(2.0);
  }

  @Test
  void formatQueryPrintsTheQueryAsLokiDoes() throws Exception {
    // Input and expected text from Loki's own String() cases (reference/logql/string-roundtrip).
    String query = "{foo=\"bar\", bar!=\"baz\"}   !=  \"bip\" !~ \".+bop\"";
    HttpResponse<String> response = get("/loki/api/v1/format_query?query="
        + java.net.URLEncoder.encode(query, java.nio.charset.StandardCharsets.UTF_8));
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = new ObjectMapper().readTree(response.body());
    assertThat(body.path("data").asText())
        .isEqualTo("{foo=\"bar\", bar!=\"baz\"} != \"bip\" !~ \".+bop\"");

    HttpResponse<String> bad = get("/loki/api/v1/format_query?query=%7Bapp%3D");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(new ObjectMapper().readTree(bad.body()).path("message").asText())
        .startsWith("parse error at line 1, col 6");
  }

  private static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.lokiPort() + pathAndQuery))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}

package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.icegate.server.IceGateServer;
import io.icegate.server.config.ConfigException;
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
 * Loki's {@code query_timeout} is a per-tenant limit: here tenant {@code slow} has 1 ns, so each
 * of its queries that reads data is past its deadline before the first batch and gets Loki's 504;
 * tenant {@code team-b}, under the server's default timeout, reads the same lines on the same
 * server. A tenant's timeout may only shorten the server's ceiling.
 */
class LokiTenantQueryTimeoutTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String TIMEOUT_TEXT =
      "request timed out, decrease the duration of the request or add more label matchers"
          + " (prefer exact match over regex match) to reduce the amount of data processed";

  @TempDir static Path dataDir;
  private static IceGateServer server;

  @BeforeAll
  static void start() throws Exception {
    Path config = dataDir.resolve("icegate.yaml");
    Files.writeString(
        config, "tenant_limits:\n  slow:\n    query_timeout: 1ns\n");
    server =
        IceGateServer.start(
            ServerConfig.load(config)
                .withDataDir(dataDir.resolve("data"))
                .withPorts("127.0.0.1", 0, 0));
    for (String tenant : new String[] {"slow", "team-b"}) {
      LokiApiEndToEndTest.push(
          server.lokiPort(), LokiApiEndToEndTest.LINES, LokiApiEndToEndTest.T0, tenant);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void onlyTheTenantWithTheShortTimeoutTimesOut() throws Exception {
    for (String query :
        new String[] {"{app=\"api\"}", "sum by (env) (count_over_time({app=\"api\"}[1m]))"}) {
      HttpResponse<String> slow = queryRange("slow", query);
      assertThat(slow.statusCode()).as(query + ": " + slow.body()).isEqualTo(504);
      assertThat(MAPPER.readTree(slow.body()).get("message").asText()).isEqualTo(TIMEOUT_TEXT);

      HttpResponse<String> other = queryRange("team-b", query);
      assertThat(other.statusCode()).as(query + ": " + other.body()).isEqualTo(200);
      JsonNode result = MAPPER.readTree(other.body()).path("data").path("result");
      assertThat(result.size()).as(other.body()).isPositive();
    }
  }

  @Test
  void theMetadataAndIndexEndpointsKeepTheTenantsTimeoutToo() throws Exception {
    String range =
        "start=" + LokiApiEndToEndTest.T0 + "&end=" + (LokiApiEndToEndTest.T0 + 60_000_000_000L);
    String selector = URLEncoder.encode("{app=\"api\"}", StandardCharsets.UTF_8);
    // Each path, and what team-b's answer must name: a label, or the value api.
    for (String[] c :
        new String[][] {
          {"/loki/api/v1/labels?" + range, "\"app\""},
          {"/loki/api/v1/label/app/values?" + range, "\"api\""},
          {"/loki/api/v1/series?match[]=" + selector + "&" + range, "\"api\""},
          {"/loki/api/v1/index/volume?query=" + selector + "&" + range, "\"api\""},
          {"/loki/api/v1/detected_labels?query=" + selector + "&" + range, "\"env\""},
        }) {
      String path = c[0];
      HttpResponse<String> slow = get("slow", path);
      assertThat(slow.statusCode()).as(path + ": " + slow.body()).isEqualTo(504);
      assertThat(MAPPER.readTree(slow.body()).get("message").asText()).isEqualTo(TIMEOUT_TEXT);
      HttpResponse<String> other = get("team-b", path);
      assertThat(other.statusCode()).as(path + ": " + other.body()).isEqualTo(200);
      assertThat(other.body()).as(path).contains(c[1]);
    }
  }

  @Test
  void aTenantTimeoutAboveTheServersIsRefused() throws Exception {
    Path config = dataDir.resolve("too-long.yaml");
    Files.writeString(
        config, "query_timeout: 30s\ntenant_limits:\n  slow:\n    query_timeout: 2m\n");
    assertThatThrownBy(() -> ServerConfig.load(config).validate())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("tenant_limits.slow.query_timeout (2m) must not exceed"
            + " query_timeout (30s)");
    Path negative = dataDir.resolve("negative.yaml");
    Files.writeString(negative, "limits:\n  query_timeout: -1s\n");
    assertThatThrownBy(() -> ServerConfig.load(negative).validate())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("query_timeout: not a duration: \"-1s\"");
  }

  private static HttpResponse<String> queryRange(String tenant, String query) throws Exception {
    return get(
        tenant,
        "/loki/api/v1/query_range?start=" + LokiApiEndToEndTest.T0 + "&end="
            + (LokiApiEndToEndTest.T0 + 60_000_000_000L) + "&query="
            + URLEncoder.encode(query, StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> get(String tenant, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.lokiPort() + path))
            .header("X-Scope-OrgID", tenant)
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}

package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus API port as Grafana's Prometheus data source and promtool call it
 * (../shared/reference/grafana/REQUESTS.md §2): GET, and POST form bodies with extra parameters in
 * the URL; Prometheus's JSON envelope and error types, on a server with nothing stored.
 * PrometheusQueryTest and PromtoolTest query stored metrics.
 */
class PrometheusApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dataDir;
  private static IceGateServer server;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    server =
        IceGateServer.start(
            ServerConfig.defaults().withDataDir(dataDir).withPorts("127.0.0.1", 0, 0));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void buildInfoHasEveryFieldGrafanaReadsAndNoFeatures() throws Exception {
    HttpResponse<String> r = get("/api/v1/status/buildinfo");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("status").asText()).isEqualTo("success");
    JsonNode data = body.get("data");
    assertThat(data.get("version").asText()).isEqualTo("0.1.0");
    for (String field : new String[] {"revision", "branch", "buildUser", "buildDate", "goVersion"}) {
      assertThat(data.get(field).isTextual()).as(field).isTrue();
    }
    // Without features Grafana sees a plain Prometheus, ruler off (REQUESTS.md §2.1).
    assertThat(data.has("features")).isFalse();
  }

  @Test
  void runtimeInfoAndConfig() throws Exception {
    JsonNode runtime = JSON.readTree(get("/api/v1/status/runtimeinfo").body()).get("data");
    assertThat(runtime.get("reloadConfigSuccess").asBoolean()).isTrue();
    assertThat(runtime.get("GOMAXPROCS").asInt())
        .isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(runtime.get("startTime").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

    HttpResponse<String> config = get("/api/v1/status/config");
    assertThat(config.statusCode()).isEqualTo(200);
    String yaml = JSON.readTree(config.body()).get("data").get("yaml").asText();
    assertThat(yaml)
        .contains("host: 127.0.0.1\n")
        .contains("wal_max_delay: 5ms\n")
        .contains("query_timeout: 2m\n")
        .contains("max_label_value_length: 2048\n")
        .contains("maintenance_interval: 1h\n")
        .contains("orphan_min_age: 3d\n")
        .contains("type: embedded\n");
  }

  @Test
  void readyAndHealthy() throws Exception {
    assertThat(get("/-/ready").statusCode()).isEqualTo(200);
    assertThat(get("/-/healthy").statusCode()).isEqualTo(200);
  }

  @Test
  void formatQueryAsInPrometheusDocs() throws Exception {
    // docs/querying/api.md: format_query?query=foo/bar -> "foo / bar".
    HttpResponse<String> r = get("/api/v1/format_query?query=foo/bar");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"status\":\"success\",\"data\":\"foo / bar\"}");
  }

  @Test
  void formatQueryByPostFormWithExtraUrlParameters() throws Exception {
    HttpResponse<String> r =
        postForm(
            "/api/v1/format_query?stats=all",
            "query=sum+by%28job%29%28rate%28http_requests_total%5B1m%5D%29%29");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":\"sum by (job) (rate(http_requests_total[1m]))\"}");
  }

  @Test
  void aPostedFormValueWinsOverTheUrlsAsGoFormValueDoes() throws Exception {
    HttpResponse<String> r = postForm("/api/v1/format_query?query=url_metric", "query=body_metric");
    assertThat(r.body()).isEqualTo("{\"status\":\"success\",\"data\":\"body_metric\"}");
  }

  @Test
  void parseQueryAsInPrometheusDocs() throws Exception {
    // docs/querying/api.md: parse_query?query=foo/bar (keys sorted, as Go writes a map).
    HttpResponse<String> r = get("/api/v1/parse_query?query=foo/bar");
    assertThat(r.statusCode()).isEqualTo(200);
    String selector =
        "{\"matchers\":[{\"name\":\"__name__\",\"type\":\"=\",\"value\":\"%s\"}],\"name\":\"%s\","
            + "\"offset\":0,\"startOrEnd\":null,\"timestamp\":null,\"type\":\"vectorSelector\"}";
    assertThat(JSON.readTree(r.body()))
        .isEqualTo(
            JSON.readTree(
                "{\"status\":\"success\",\"data\":{\"bool\":false,\"lhs\":"
                    + selector.formatted("foo", "foo")
                    + ",\"matching\":{\"card\":\"one-to-one\",\"include\":[],\"labels\":[],"
                    + "\"on\":false},\"op\":\"/\",\"rhs\":"
                    + selector.formatted("bar", "bar")
                    + ",\"type\":\"binaryExpr\"}}"));
  }

  @Test
  void unparsableQueryIsBadData400() throws Exception {
    HttpResponse<String> r = postForm("/api/v1/query", "query=sum%28");
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("status").asText()).isEqualTo("error");
    assertThat(body.get("errorType").asText()).isEqualTo("bad_data");
    assertThat(body.get("error").asText()).startsWith("invalid parameter \"query\": 1:");
    assertThat(body.has("data")).isFalse();
  }

  @Test
  void grafanaHealthCheckQueryIsAScalar() throws Exception {
    HttpResponse<String> r = postForm("/api/v1/query", "query=1%2B1&time=4");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[4,\"2\"]}}");
  }

  @Test
  void rulesAndAlertsAreEmpty() throws Exception {
    assertThat(get("/api/v1/rules").body())
        .isEqualTo("{\"status\":\"success\",\"data\":{\"groups\":[]}}");
    assertThat(get("/api/v1/alerts").body())
        .isEqualTo("{\"status\":\"success\",\"data\":{\"alerts\":[]}}");
  }

  @Test
  void metadataListsAreEmptyWithNothingStored() throws Exception {
    HttpResponse<String> labels = postForm("/api/v1/labels", "limit=40000&start=1&end=2");
    assertThat(labels.statusCode()).isEqualTo(200);
    assertThat(labels.body()).isEqualTo("{\"status\":\"success\",\"data\":[]}");
    assertThat(get("/api/v1/label/__name__/values?limit=40000").body())
        .isEqualTo("{\"status\":\"success\",\"data\":[]}");
    HttpResponse<String> series = get("/api/v1/series");
    assertThat(series.statusCode()).isEqualTo(400);
    assertThat(series.body())
        .isEqualTo(
            "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"no match[] parameter"
                + " provided\"}");
  }

  @Test
  void unknownPathIsNotFoundInPrometheusShape() throws Exception {
    HttpResponse<String> r = get("/api/v1/status/flags");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(r.body()).get("errorType").asText()).isEqualTo("not_found");
  }

  private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> postForm(String path, String form)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(uri(path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.prometheusPort() + path);
  }
}

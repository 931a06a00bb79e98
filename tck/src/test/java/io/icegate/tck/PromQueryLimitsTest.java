package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PromQL engine's settings and limits through the real server, as Prometheus has them: the
 * {@code lookback_delta} parameter and the configured lookback ({@code --query.lookback-delta}),
 * the {@code timeout} parameter and configured timeout (503, errorType {@code timeout}), and the
 * sample limit ({@code --query.max-samples}: 422, errorType {@code execution}). Wording from
 * Prometheus's promql/engine.go error types.
 *
 * <p>Data: PrometheusQueryTest's, sent by remote-write — {@code req_total{code="200"}} 0, 60, …,
 * 240 at 1000, 1060, …, 1240 s and {@code code="500"} a tenth of that. Expected values are
 * hand-computed from it.
 */
class PromQueryLimitsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir static Path defaultDir;
  @TempDir static Path tightDir;
  /** Prometheus's defaults. */
  private static IceGateServer server;
  /** Lookback 1m, at most 5 samples per query. */
  private static IceGateServer tight;
  private static BufferAllocator ingest;

  @BeforeAll
  static void start() throws Exception {
    ingest = new RootAllocator();
    server = IceGateServer.start(
        ServerConfig.defaults().withDataDir(defaultDir).withPorts("127.0.0.1", 0, 0));
    PrometheusQueryTest.loadSampleData(server, ingest);
    tight = IceGateServer.start(
        ServerConfig.defaults().withDataDir(tightDir).withPorts("127.0.0.1", 0, 0)
            .withPromQuery(new ServerConfig.PromQuery(
                Duration.ofMinutes(1), Duration.ofMinutes(2), 5)));
    PrometheusQueryTest.loadSampleData(tight, ingest);
  }

  @AfterAll
  static void stop() throws Exception {
    for (IceGateServer s : new IceGateServer[] {server, tight}) {
      if (s != null) {
        s.close();
      }
    }
    if (ingest != null) {
      ingest.close();
    }
  }

  // ---- lookback ----

  @Test
  void defaultLookbackIsFiveMinutesLeftOpen() throws Exception {
    // The last sample is at 1240 s: within (t - 5m, t] up to t = 1539.999, not at 1540.
    assertThat(values(server, "req_total{code=\"200\"}", "time=1539.999")).containsExactly("240");
    assertThat(values(server, "req_total{code=\"200\"}", "time=1540")).isEmpty();
  }

  @Test
  void lookbackDeltaParameterShortensAndLengthensTheLookback() throws Exception {
    // 30 s: at 1300 s the 1240 s sample is 60 s old, too old; at 1260 s it is 20 s old.
    assertThat(values(server, "req_total{code=\"200\"}", "time=1300&lookback_delta=30s"))
        .isEmpty();
    assertThat(values(server, "req_total{code=\"200\"}", "time=1260&lookback_delta=30"))
        .containsExactly("240");
    // 2h: an hour after the last sample it is still the value, so the read covered the 2 hours.
    assertThat(values(server, "req_total{code=\"200\"}", "time=4840&lookback_delta=2h"))
        .containsExactly("240");
    // 0 keeps the configured lookback, as in Prometheus.
    assertThat(values(server, "req_total{code=\"200\"}", "time=1500&lookback_delta=0"))
        .containsExactly("240");
  }

  @Test
  void lookbackDeltaOnRangeQueries() throws Exception {
    // Steps 1240, 1270, 1300, 1330 with 45 s: the 1240 s sample counts at 1240 and 1270 only.
    JsonNode r = JSON.readTree(get(server, "/api/v1/query_range?query="
        + enc("req_total{code=\"500\"}")
        + "&start=1240&end=1330&step=30&lookback_delta=45s").body());
    assertThat(r.get("data").get("result").get(0).get("values").toString())
        .isEqualTo("[[1240,\"24\"],[1270,\"24\"]]");
  }

  @Test
  void badLookbackDeltaIsBadDataInPrometheusWording() throws Exception {
    PrometheusQueryTest.assertError(
        get(server, "/api/v1/query?query=up&lookback_delta=soon"), 400, "bad_data",
        "error parsing lookback delta duration: cannot parse \"soon\" to a valid duration");
  }

  @Test
  void configuredLookbackApplies() throws Exception {
    // 1m configured: (t - 1m, t] holds the 1240 s sample until t = 1299.999.
    assertThat(values(tight, "req_total{code=\"200\"}", "time=1299.999"))
        .containsExactly("240");
    assertThat(values(tight, "req_total{code=\"200\"}", "time=1300")).isEmpty();
    // And a request can still lengthen it.
    assertThat(values(tight, "req_total{code=\"200\"}", "time=1300&lookback_delta=5m"))
        .containsExactly("240");
  }

  // ---- timeout ----

  @Test
  void aTimeoutThatHasPassedBeforeEvaluationIs503() throws Exception {
    PrometheusQueryTest.assertError(
        get(server, "/api/v1/query?query=req_total&time=1240&timeout=0"), 503, "timeout",
        "query timed out in query execution");
  }

  @Test
  void aQueryPastItsTimeoutStopsWith503() throws Exception {
    // Three days of 1 s steps whose every step takes the max over three days of 1 s steps:
    // ~7e10 comparisons (most of a minute here), far beyond a 200 ms budget; the evaluator must
    // give up between steps.
    String heavy = "max_over_time(max_over_time(vector(time())[3d:1s])[3d:1s])";
    long started = System.nanoTime();
    HttpResponse<String> r =
        get(server, "/api/v1/query?time=600000&timeout=200ms&query=" + enc(heavy));
    long tookMillis = (System.nanoTime() - started) / 1_000_000;
    PrometheusQueryTest.assertError(r, 503, "timeout", "query timed out in expression evaluation");
    // Not a speed measurement: only that it stopped instead of running to the end.
    assertThat(tookMillis).isLessThan(20_000);
    // The server is free again.
    assertThat(values(server, "req_total{code=\"200\"}", "time=1240")).containsExactly("240");
  }

  @Test
  void aQueryWhoseClientLeftStopsAndFreesItsThread() throws Exception {
    // A heavier query of the same kind (~7e11 comparisons: many minutes, past the configured
    // 2-minute timeout and the 60 s waited below), without a timeout parameter: the client
    // sends it on a plain socket, waits until the server evaluates it, and hangs up.
    String heavy = "max_over_time(max_over_time(vector(time())[10d:1s])[10d:1s])";
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.prometheusPort())) {
      socket.getOutputStream().write(("GET /api/v1/query?time=1800000&query=" + enc(heavy)
          + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      assertThat(awaitEvaluating(true)).as("the query is being evaluated").isTrue();
    }
    // Once the server sees the connection closed, the evaluator stops between steps and the
    // worker thread returns; a bounded wait, not a speed measurement.
    assertThat(awaitEvaluating(false)).as("the evaluation stopped").isTrue();
    assertThat(values(server, "req_total{code=\"200\"}", "time=1240")).containsExactly("240");
  }

  /** Waits up to 60 s until some thread is (or no thread is) inside the PromQL evaluator. */
  private static boolean awaitEvaluating(boolean wanted) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (evaluating() == wanted) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }

  private static boolean evaluating() {
    for (StackTraceElement[] stack : Thread.getAllStackTraces().values()) {
      for (StackTraceElement frame : stack) {
        if (frame.getClassName().equals("io.icegate.engine.promql.PromQLEngine")) {
          return true;
        }
      }
    }
    return false;
  }

  @Test
  void theTimeoutParameterIsBoundedByTheConfiguredOne() throws Exception {
    // 1h asked, 2m configured: a quick query simply succeeds.
    assertThat(values(server, "req_total{code=\"500\"}", "time=1240&timeout=1h"))
        .containsExactly("24");
  }

  // ---- max samples ----

  @Test
  void tooManySamplesIs422WithPrometheusWording() throws Exception {
    // req_total[10m] at 1240 s: 5 samples per series, 10 in all, over the limit of 5.
    PrometheusQueryTest.assertError(
        get(tight, "/api/v1/query?time=1240&query=" + enc("req_total[10m]")), 422, "execution",
        "query processing would load too many samples into memory in query execution");
    // One series' 5 samples are within it.
    HttpResponse<String> ok =
        get(tight, "/api/v1/query?time=1240&query=" + enc("req_total{code=\"500\"}[10m]"));
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
  }

  // ---- helpers ----

  /** The sample values of an instant query's vector result. */
  private static java.util.List<String> values(IceGateServer s, String query, String params)
      throws Exception {
    HttpResponse<String> r = get(s, "/api/v1/query?query=" + enc(query) + "&" + params);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    java.util.List<String> out = new java.util.ArrayList<>();
    for (JsonNode sample : JSON.readTree(r.body()).get("data").get("result")) {
      out.add(sample.get("value").get(1).asText());
    }
    return out;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static HttpResponse<String> get(IceGateServer s, String pathAndQuery) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + s.prometheusPort() + pathAndQuery))
            .GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}

package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import io.icegate.tck.SdkLogShipper.Emit;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.sdk.resources.Resource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LogQL metric queries end to end: logs from the OpenTelemetry Java SDK over OTLP/HTTP into a real
 * server, {@code query_range} and {@code query} over HTTP, answers compared with Loki's JSON
 * worked out by hand. The records (seconds after T0, service, line):
 *
 * <pre>
 * 0    shop  "status=200 took=5ms"
 * 1.5  shop  "status=500 took=20ms"
 * 1.5  shop  "status=200 took=7ms"      (same time: both count)
 * 4    shop  "status=500 took=1s"
 * 2    auth  "status=200 took=3ms"
 * </pre>
 *
 * With step 2s and {@code [2s]} windows {@code (t−2s, t]}, shop's windows hold 1, 2, 1 and 0
 * lines at t = 0, 2, 4, 6; auth's hold 1 line at t = 2 only.
 */
class LogMetricsEndToEndTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long SECOND = 1_000_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dataDir;
  private static IceGateServer server;
  private static final LokiClient LOKI = new LokiClient(() -> server.lokiPort());

  @BeforeAll
  static void startServerAndShipLogs() throws Exception {
    server =
        IceGateServer.start(
            ServerConfig.defaults().withDataDir(dataDir).withPorts("127.0.0.1", 0, 0));
    SdkLogShipper.ship(
        server.otlpHttpPort(),
        null,
        "none",
        Resource.builder().put("service.name", "shop").build(),
        List.of(
            new Emit(T0, Severity.INFO, "status=200 took=5ms"),
            new Emit(T0 + 1_500_000_000L, Severity.ERROR, "status=500 took=20ms"),
            new Emit(T0 + 1_500_000_000L, Severity.INFO, "status=200 took=7ms"),
            new Emit(T0 + 4 * SECOND, Severity.ERROR, "status=500 took=1s")));
    SdkLogShipper.ship(
        server.otlpHttpPort(),
        null,
        "none",
        Resource.builder().put("service.name", "auth").build(),
        List.of(new Emit(T0 + 2 * SECOND, Severity.INFO, "status=200 took=3ms")));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void countOverTimeIsAMatrixInLokisShape() throws Exception {
    LokiResponse response =
        LOKI.queryRange(grid("count_over_time({service_name=\"shop\"}[2s])"));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().path("status").asText()).isEqualTo("success");
    assertThat(response.json().path("data").path("resultType").asText()).isEqualTo("matrix");
    assertThat(response.json().path("data").path("result"))
        .isEqualTo(
            JSON.readTree(
                "[{\"metric\":{\"service_name\":\"shop\"},\"values\":"
                    + "[[1700000000,\"1\"],[1700000002,\"2\"],[1700000004,\"1\"]]}]"));
    assertThat(response.json().path("data").path("stats").path("summary").has("execTime"))
        .isTrue();
  }

  @Test
  void rateDividesByTheRangeAndSumByGroups() throws Exception {
    LokiResponse response =
        LOKI.queryRange(grid("sum by (service_name) (rate({service_name=~\".+\"}[2s]))"));

    assertThat(response.json().path("data").path("result"))
        .isEqualTo(
            JSON.readTree(
                "[{\"metric\":{\"service_name\":\"auth\"},\"values\":[[1700000002,\"0.5\"]]},"
                    + "{\"metric\":{\"service_name\":\"shop\"},\"values\":"
                    + "[[1700000000,\"0.5\"],[1700000002,\"1\"],[1700000004,\"0.5\"]]}]"));
  }

  @Test
  void unwrapDurationWithLogfmt() throws Exception {
    LokiResponse response =
        LOKI.queryRange(
            grid(
                "max_over_time({service_name=\"shop\"} | logfmt | unwrap duration(took) [2s])"
                    + " by (service_name)"));

    // t0: 5ms; t2: max(20ms, 7ms); t4: 1s.
    assertThat(response.json().path("data").path("result"))
        .isEqualTo(
            JSON.readTree(
                "[{\"metric\":{\"service_name\":\"shop\"},\"values\":"
                    + "[[1700000000,\"0.005\"],[1700000002,\"0.02\"],[1700000004,\"1\"]]}]"));
  }

  @Test
  void grafanaLogsVolumeRequestAsSent() throws Exception {
    // REQUESTS.md's Explore logs-volume request: start aligned down to the step, end not,
    // step in ms, direction but no limit. Only the status=500 lines match: t2 (1.5s), t4 (4s).
    LokiResponse response =
        LOKI.get(
            LokiClient.QUERY_RANGE,
            null,
            Map.of(
                "direction", "backward",
                "end", Long.toString(T0 + 5_500_000_000L),
                "query",
                    "sum by (level, detected_level) (count_over_time({service_name=\"shop\"}"
                        + " |= \"status=500\" | drop __error__[2s]))",
                "start", Long.toString(T0),
                "step", "2000ms"));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().path("data").path("result"))
        .isEqualTo(
            JSON.readTree(
                "[{\"metric\":{},\"values\":[[1700000002,\"1\"],[1700000004,\"1\"]]}]"));
  }

  @Test
  void instantTopkIsAVector() throws Exception {
    LokiResponse response =
        LOKI.get(
            LokiClient.QUERY,
            null,
            Map.of(
                "query",
                "topk(1, sum by (service_name) (count_over_time({service_name=~\".+\"}[10s])))",
                "time",
                Long.toString(T0 + 5 * SECOND)));

    assertThat(response.json().path("data").path("resultType").asText()).isEqualTo("vector");
    assertThat(response.json().path("data").path("result"))
        .isEqualTo(
            JSON.readTree(
                "[{\"metric\":{\"service_name\":\"shop\"},\"value\":[1700000005,\"4\"]}]"));
  }

  @Test
  void grafanaInstantMetricRequestAsSent() throws Exception {
    // REQUESTS.md's instant metric query: direction and limit=1000 sent beside it, time in ns.
    LokiResponse response =
        LOKI.get(
            LokiClient.QUERY,
            null,
            Map.of(
                "direction", "backward",
                "limit", "1000",
                "query",
                    "topk(5, sum by (service_name) (count_over_time({service_name=~\".+\"}[1h])))",
                "time", Long.toString(T0 + 5 * SECOND)));

    assertThat(response.status()).isEqualTo(200);
    JsonNode result = response.json().path("data").path("result");
    assertThat(result).hasSize(2);
    assertThat(result)
        .containsExactlyInAnyOrder(
            JSON.readTree("{\"metric\":{\"service_name\":\"shop\"},\"value\":[1700000005,\"4\"]}"),
            JSON.readTree("{\"metric\":{\"service_name\":\"auth\"},\"value\":[1700000005,\"1\"]}"));
  }

  @Test
  void grafanaDashboardRangeRequestAsSent() throws Exception {
    // REQUESTS.md's dashboard metric range query: no limit, step 5000ms, start a step multiple.
    // Steps T0 and T0+5s; windows (T0-1m, T0] and (T0-55s, T0+5s]: 1 then 5 lines; no "level"
    // label, so one series without labels.
    LokiResponse response =
        LOKI.get(
            LokiClient.QUERY_RANGE,
            null,
            Map.of(
                "direction", "backward",
                "end", Long.toString(T0 + 5_500_000_000L),
                "query", "sum by (level) (rate({service_name=~\".+\"}[1m]))",
                "start", Long.toString(T0),
                "step", "5000ms"));

    assertThat(response.json().path("data").path("result"))
        .isEqualTo(
            JSON.readTree(
                "[{\"metric\":{},\"values\":[[1700000000,\"0.016666666666666666\"],"
                    + "[1700000005,\"0.08333333333333333\"]]}]"));
  }

  @Test
  void unwrapErrorIsA400PipelineError() {
    LokiResponse response =
        LOKI.queryRange(
            grid("sum_over_time({service_name=\"shop\"} | logfmt | unwrap status_x [2s])"));

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.rawBody()).contains("pipeline error: 'SampleExtractionErr'");
  }

  @Test
  void badTemplateInALogQueryIsA400() {
    LokiResponse response =
        LOKI.queryRange(grid("{service_name=\"shop\"} | line_format \"{{.status\""));

    assertThat(response.status()).isEqualTo(400);
  }

  @Test
  void zeroStepIsRefused() {
    LokiResponse response =
        LOKI.queryRange(grid("count_over_time({service_name=\"shop\"}[2s])").with("step", "0"));

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.rawBody()).contains("zero or negative query resolution step widths");
  }

  private static LokiQuery grid(String logql) {
    return LokiQuery.of(logql).between(T0, T0 + 6 * SECOND).with("step", "2000ms");
  }
}

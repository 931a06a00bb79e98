package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import io.icegate.tck.SdkLogShipper.Emit;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
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
 * lines at t = 0, 2, 4, 6; auth's hold 1 line at t = 2 only. Every record carries structured
 * metadata as Loki's OTLP mapping makes it: {@code severity_text}, {@code severity_number} (INFO
 * 9, ERROR 17) and the SDK's {@code scope_name}, which split a metric query's series as in Loki.
 *
 * <p>Tenant {@value #META} holds records of service {@code pay} with more metadata: a log
 * attribute {@code user}, a trace context (trace and span ids, flags 1) and an event name.
 *
 * <pre>
 * 0    A  INFO   "charge ok"      user=ann  trace 0af7…, span b7ad…
 * 1    B  INFO   "charge ok"      user=bob  trace 4bf9…, span 00f0…
 * 1.5  C  ERROR  "charge failed"  user=ann  trace 0af7…, span b7ad…
 * 3    D  INFO   "refund"         user=ann  event_name refund.issued
 * </pre>
 */
class LogMetricsEndToEndTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long SECOND = 1_000_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String META = "meta";
  private static final String TRACE_1 = "0af7651916cd43dd8448eb211c80319c";
  private static final String TRACE_2 = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN_1 = "b7ad6b7169203331";
  private static final String SPAN_2 = "00f067aa0ba902b7";

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
    SpanContext first =
        SpanContext.create(TRACE_1, SPAN_1, TraceFlags.getSampled(), TraceState.getDefault());
    SpanContext second =
        SpanContext.create(TRACE_2, SPAN_2, TraceFlags.getSampled(), TraceState.getDefault());
    SdkLogShipper.ship(
        server.otlpHttpPort(),
        META,
        "none",
        Resource.builder().put("service.name", "pay").build(),
        List.of(
            new Emit(T0, Severity.INFO, "charge ok", Map.of("user", "ann"), first, null),
            new Emit(T0 + SECOND, Severity.INFO, "charge ok", Map.of("user", "bob"), second, null),
            new Emit(
                T0 + 1_500_000_000L,
                Severity.ERROR,
                "charge failed",
                Map.of("user", "ann"),
                first,
                null),
            new Emit(
                T0 + 3 * SECOND,
                Severity.INFO,
                "refund",
                Map.of("user", "ann"),
                null,
                "refund.issued")));
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

    // As in Loki, the structured metadata splits the series: the ERROR lines (1.5 s, 4 s) and
    // the INFO lines (0, 1.5 s) are two series. Each carries the detected_level Loki stores,
    // from severity_text (one of its level fields), in lower case.
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().path("status").asText()).isEqualTo("success");
    assertThat(response.json().path("data").path("resultType").asText()).isEqualTo("matrix");
    assertThat(response.json().path("data").path("result"))
        .isEqualTo(
            JSON.readTree(
                "[{\"metric\":{\"detected_level\":\"error\","
                    + "\"scope_name\":\"io.icegate.tck\",\"service_name\":\"shop\","
                    + "\"severity_number\":\"17\",\"severity_text\":\"ERROR\"},"
                    + "\"values\":[[1700000002,\"1\"],[1700000004,\"1\"]]},"
                    + "{\"metric\":{\"detected_level\":\"info\","
                    + "\"scope_name\":\"io.icegate.tck\",\"service_name\":\"shop\","
                    + "\"severity_number\":\"9\",\"severity_text\":\"INFO\"},"
                    + "\"values\":[[1700000000,\"1\"],[1700000002,\"1\"]]}]"));
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
    // step in ms, direction but no limit. Only the status=500 lines match: t2 (1.5s), t4 (4s),
    // both ERROR records, so one series of detected_level "error" (no record has a "level").
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
                "[{\"metric\":{\"detected_level\":\"error\"},"
                    + "\"values\":[[1700000002,\"1\"],[1700000004,\"1\"]]}]"));
  }

  @Test
  void defaultStepAndTimesInEveryFormLokiReads() throws Exception {
    // No step: Loki's default, max(1, ⌊(end − start) / 250 s⌋) seconds. start in RFC 3339
    // (T0 is 2023-11-14T22:13:20Z), end in float seconds: 4.5 s → 1 s steps T0 … T0+4s;
    // [1s] windows (t−1s, t] hold 1 (t0), 2 (t2, both 1.5 s lines) and 1 (t4) lines.
    LokiResponse seconds =
        LOKI.get(
            LokiClient.QUERY_RANGE,
            null,
            Map.of(
                "query", "sum(count_over_time({service_name=\"shop\"}[1s]))",
                "start", "2023-11-14T22:13:20Z",
                "end", "1700000004.5"));
    assertThat(seconds.status()).isEqualTo(200);
    assertThat(seconds.json().path("data").path("result"))
        .isEqualTo(
            JSON.readTree(
                "[{\"metric\":{},\"values\":[[1700000000,\"1\"],[1700000002,\"2\"],"
                    + "[1700000004,\"1\"]]}]"));
    // 1000 s → 4 s steps; [4s] windows: t0 holds the line at 0, t4 the three in (0, 4].
    LokiResponse fourSeconds =
        LOKI.get(
            LokiClient.QUERY_RANGE,
            null,
            Map.of(
                "query", "sum(count_over_time({service_name=\"shop\"}[4s]))",
                "start", Long.toString(T0),
                "end", Long.toString(T0 + 1000 * SECOND)));
    assertThat(fourSeconds.json().path("data").path("result"))
        .isEqualTo(
            JSON.readTree(
                "[{\"metric\":{},\"values\":[[1700000000,\"1\"],[1700000004,\"3\"]]}]"));
    // No start: end − since. end T0+4s (ns), since 2s → start T0+2s, 1 s steps.
    LokiResponse since =
        LOKI.get(
            LokiClient.QUERY_RANGE,
            null,
            Map.of(
                "query", "sum(count_over_time({service_name=\"shop\"}[1s]))",
                "end", Long.toString(T0 + 4 * SECOND),
                "since", "2s"));
    assertThat(since.json().path("data").path("result"))
        .isEqualTo(
            JSON.readTree(
                "[{\"metric\":{},\"values\":[[1700000002,\"2\"],[1700000004,\"1\"]]}]"));
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
    // took=5ms is no float: a conversion error.
    LokiResponse response =
        LOKI.queryRange(
            grid("sum_over_time({service_name=\"shop\"} | logfmt | unwrap took [2s])"));

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.rawBody()).contains("pipeline error: 'SampleExtractionErr'");
  }

  @Test
  void unwrapOfAMissingLabelGivesNoSampleAndNoError() throws Exception {
    // As in Loki (its issue 6713): a line without the label is skipped, so no series at all.
    LokiResponse response =
        LOKI.queryRange(
            grid("sum_over_time({service_name=\"shop\"} | logfmt | unwrap status_x [2s])"));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().path("data").path("result")).isEqualTo(JSON.readTree("[]"));
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

  // ---- structured metadata in metric series (tenant META) ----

  @Test
  void sumByTraceIdGroupsByStructuredMetadata() throws Exception {
    LokiResponse response =
        metaRange("sum by (trace_id) (count_over_time({service_name=\"pay\"}[2s]))");

    // Trace 1: A (0) and C (1.5 s); trace 2: B (1 s); no trace: D (3 s), the series {}.
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().path("data").path("result"))
        .isEqualTo(
            JSON.readTree(
                "[{\"metric\":{},\"values\":[[1700000004,\"1\"]]},"
                    + "{\"metric\":{\"trace_id\":\"" + TRACE_1 + "\"},"
                    + "\"values\":[[1700000000,\"1\"],[1700000002,\"1\"]]},"
                    + "{\"metric\":{\"trace_id\":\"" + TRACE_2 + "\"},"
                    + "\"values\":[[1700000002,\"1\"]]}]"));
  }

  @Test
  void sumByALogAttribute() throws Exception {
    LokiResponse response =
        metaRange("sum by (user) (count_over_time({service_name=\"pay\"}[2s]))");

    // ann: A (0), C (1.5 s), D (3 s); bob: B (1 s).
    assertThat(response.json().path("data").path("result"))
        .isEqualTo(
            JSON.readTree(
                "[{\"metric\":{\"user\":\"ann\"},"
                    + "\"values\":[[1700000000,\"1\"],[1700000002,\"1\"],[1700000004,\"1\"]]},"
                    + "{\"metric\":{\"user\":\"bob\"},\"values\":[[1700000002,\"1\"]]}]"));
  }

  @Test
  void seriesCarryEveryStructuredMetadataLabel() throws Exception {
    // Only D in (T0+2s, T0+4s]: its series has every label Loki gives it — the stream's, the log
    // attribute, severity, the SDK's scope name and the record's event name (no trace context).
    LokiResponse response =
        metaInstant("count_over_time({service_name=\"pay\"}[2s])", T0 + 4 * SECOND);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().path("data").path("result"))
        .isEqualTo(
            JSON.readTree(
                "[{\"metric\":{\"detected_level\":\"info\",\"event_name\":\"refund.issued\","
                    + "\"scope_name\":\"io.icegate.tck\",\"service_name\":\"pay\","
                    + "\"severity_number\":\"9\",\"severity_text\":\"INFO\",\"user\":\"ann\"},"
                    + "\"value\":[1700000004,\"1\"]}]"));
  }

  @Test
  void traceContextIsMetadataOfTheSeries() throws Exception {
    // Only B in (T0, T0+1s]: trace and span ids in lower-case hex and the sampled flag, 1.
    LokiResponse response =
        metaInstant(
            "count_over_time({service_name=\"pay\"} | drop scope_name, severity_number [1s])",
            T0 + SECOND);

    assertThat(response.json().path("data").path("result"))
        .isEqualTo(
            JSON.readTree(
                "[{\"metric\":{\"detected_level\":\"info\",\"flags\":\"1\","
                    + "\"service_name\":\"pay\","
                    + "\"severity_text\":\"INFO\",\"span_id\":\"" + SPAN_2 + "\","
                    + "\"trace_id\":\"" + TRACE_2 + "\",\"user\":\"bob\"},"
                    + "\"value\":[1700000001,\"1\"]}]"));
  }

  @Test
  void keepLeavesTheNamedMetadataInTheSeries() throws Exception {
    // (T0, T0+4s]: B and C have no event name, D has one.
    LokiResponse response =
        metaInstant(
            "count_over_time({service_name=\"pay\"} | keep service_name, event_name [4s])",
            T0 + 4 * SECOND);

    assertThat(response.json().path("data").path("result"))
        .isEqualTo(
            JSON.readTree(
                "[{\"metric\":{\"event_name\":\"refund.issued\",\"service_name\":\"pay\"},"
                    + "\"value\":[1700000004,\"1\"]},"
                    + "{\"metric\":{\"service_name\":\"pay\"},\"value\":[1700000004,\"2\"]}]"));
  }

  @Test
  void unwrapOfMetadataUnderSumBy() throws Exception {
    LokiResponse response =
        metaRange(
            "sum by (user) (sum_over_time({service_name=\"pay\"} | unwrap severity_number [2s]))");

    // ann: A 9 (t0), C 17 (t2), D 9 (t4); bob: B 9 (t2).
    assertThat(response.json().path("data").path("result"))
        .isEqualTo(
            JSON.readTree(
                "[{\"metric\":{\"user\":\"ann\"},"
                    + "\"values\":[[1700000000,\"9\"],[1700000002,\"17\"],[1700000004,\"9\"]]},"
                    + "{\"metric\":{\"user\":\"bob\"},\"values\":[[1700000002,\"9\"]]}]"));
  }

  @Test
  void nestedApproxTopkIsSketchedAndSummed() throws Exception {
    // (T0-6s, T0+4s]: ann 3 lines, bob 1; the sketch's estimates for two series are exact, so
    // approx_topk(1, …) keeps ann's 3, and the sum over it is 3.
    LokiResponse response =
        metaInstant(
            "sum(approx_topk(1, sum by (user) (count_over_time({service_name=\"pay\"}[10s]))))",
            T0 + 4 * SECOND);

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().path("data").path("result"))
        .isEqualTo(JSON.readTree("[{\"metric\":{},\"value\":[1700000004,\"3\"]}]"));
  }

  @Test
  void nestedApproxTopkKeepsTheInnerLabels() throws Exception {
    LokiResponse response =
        metaInstant(
            "approx_topk(1, sum by (user) (count_over_time({service_name=\"pay\"}[10s]))) * 2",
            T0 + 4 * SECOND);

    assertThat(response.json().path("data").path("result"))
        .isEqualTo(
            JSON.readTree(
                "[{\"metric\":{\"user\":\"ann\"},\"value\":[1700000004,\"6\"]}]"));
  }

  @Test
  void nestedApproxTopkInARangeQueryIsRefused() {
    LokiResponse response =
        metaRange(
            "sum(approx_topk(1, sum by (user) (count_over_time({service_name=\"pay\"}[10s]))))");

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.rawBody())
        .contains("count min sketches are only supported on instant queries");
  }

  private static LokiResponse metaRange(String logql) {
    return LOKI.get(
        LokiClient.QUERY_RANGE,
        META,
        Map.of(
            "query", logql,
            "start", Long.toString(T0),
            "end", Long.toString(T0 + 6 * SECOND),
            "step", "2000ms"));
  }

  private static LokiResponse metaInstant(String logql, long timeNanos) {
    return LOKI.get(
        LokiClient.QUERY, META, Map.of("query", logql, "time", Long.toString(timeNanos)));
  }

  /**
   * Vector aggregations, comparisons, set operators and vector matching over X = {@code sum by
   * (service_name) (count_over_time(…[2s]))} at T0+2s, whose window (0s, 2s] holds shop's two
   * 1.5 s lines and auth's line at 2 s: X is shop 2, auth 1. Each answer worked out by hand.
   */
  @Test
  void vectorOperationsAsLokiEvaluatesThem() throws Exception {
    String x = "sum by (service_name) (count_over_time({service_name=~\"shop|auth\"}[2s]))";
    String shopOnly = "sum by (service_name) (count_over_time({service_name=\"shop\"}[2s]))";
    Map<String, List<String>> expected = new java.util.LinkedHashMap<>();
    expected.put("count(" + x + ")", List.of("{}=2"));
    expected.put("avg(" + x + ")", List.of("{}=1.5"));
    expected.put("min(" + x + ")", List.of("{}=1"));
    expected.put("max(" + x + ")", List.of("{}=2"));
    expected.put("stddev(" + x + ")", List.of("{}=0.5"));
    expected.put("stdvar(" + x + ")", List.of("{}=0.25"));
    expected.put("bottomk(1, " + x + ")", List.of("{service_name=auth}=1"));
    expected.put("topk(1, " + x + ")", List.of("{service_name=shop}=2"));
    // Loki orders an instant vector by labels unless the query sorts it.
    expected.put("sort(" + x + ")", List.of("{service_name=auth}=1", "{service_name=shop}=2"));
    expected.put(
        "sort_desc(" + x + ")", List.of("{service_name=shop}=2", "{service_name=auth}=1"));
    expected.put(x + " > 1", List.of("{service_name=shop}=2"));
    expected.put(x + " > bool 1", List.of("{service_name=auth}=0", "{service_name=shop}=1"));
    expected.put(x + " and on (service_name) " + shopOnly, List.of("{service_name=shop}=2"));
    expected.put(x + " unless on (service_name) " + shopOnly, List.of("{service_name=auth}=1"));
    // By labels, as Prometheus compares label sets: the empty set first.
    expected.put(
        x + " or vector(0)", List.of("{}=0", "{service_name=auth}=1", "{service_name=shop}=2"));
    // sum(X) = 3 over each series of X, the labels of the "many" side (the right one).
    expected.put(
        "sum(" + x + ") / on () group_right " + x,
        List.of("{service_name=auth}=3", "{service_name=shop}=1.5"));

    for (Map.Entry<String, List<String>> e : expected.entrySet()) {
      LokiResponse response =
          LOKI.get(
              LokiClient.QUERY,
              null,
              Map.of("query", e.getKey(), "time", Long.toString(T0 + 2 * SECOND)));
      assertThat(response.status()).as(e.getKey() + ": " + response.json()).isEqualTo(200);
      List<String> actual = new java.util.ArrayList<>();
      for (JsonNode sample : response.json().path("data").path("result")) {
        Map<String, String> labels = new java.util.TreeMap<>();
        sample.path("metric").fields().forEachRemaining(f -> labels.put(f.getKey(),
            f.getValue().asText()));
        double v = Double.parseDouble(sample.path("value").get(1).asText());
        actual.add(labels + "=" + (v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v)));
      }
      assertThat(actual).as(e.getKey()).containsExactlyElementsOf(e.getValue());
    }
  }

  /**
   * Every range function over the shop lines, on the grid t = 0, 2, 4, 6 s with {@code [2s]}
   * windows (t−2s, t]: t0 holds "took=5ms" (19 bytes), t2 "took=20ms" (20 bytes) and "took=7ms"
   * (19 bytes), both at 1.5 s, t4 "took=1s" (18 bytes), t6 nothing. Each grouped by
   * service_name, so one series; the values (unwrapped durations in seconds) worked out by hand.
   */
  @Test
  void everyRangeFunctionOverTheStepGrid() throws Exception {
    String lines = "{service_name=\"shop\"}";
    String took = "{service_name=\"shop\"} | logfmt | unwrap duration(took)";
    Map<String, Map<Long, Double>> expected = new java.util.LinkedHashMap<>();
    expected.put("sum by (service_name) (count_over_time(" + lines + "[2s]))",
        Map.of(0L, 1.0, 2L, 2.0, 4L, 1.0));
    expected.put("sum by (service_name) (rate(" + lines + "[2s]))",
        Map.of(0L, 0.5, 2L, 1.0, 4L, 0.5));
    expected.put("sum by (service_name) (bytes_over_time(" + lines + "[2s]))",
        Map.of(0L, 19.0, 2L, 39.0, 4L, 18.0));
    expected.put("sum by (service_name) (bytes_rate(" + lines + "[2s]))",
        Map.of(0L, 9.5, 2L, 19.5, 4L, 9.0));
    // Only t6's window is empty; the series is named by the selector's equality matchers.
    expected.put("absent_over_time(" + lines + "[2s])", Map.of(6L, 1.0));
    expected.put("sum by (service_name) (count_over_time(" + lines + "[2s] offset 2s))",
        Map.of(2L, 1.0, 4L, 2.0, 6L, 1.0));
    // Loki allows no grouping inside sum_over_time: a sum above (pushed into it) groups.
    expected.put("sum by (service_name) (sum_over_time(" + took + " [2s]))",
        Map.of(0L, 0.005, 2L, 0.027, 4L, 1.0));
    expected.put("avg_over_time(" + took + " [2s]) by (service_name)",
        Map.of(0L, 0.005, 2L, 0.0135, 4L, 1.0));
    expected.put("min_over_time(" + took + " [2s]) by (service_name)",
        Map.of(0L, 0.005, 2L, 0.007, 4L, 1.0));
    expected.put("max_over_time(" + took + " [2s]) by (service_name)",
        Map.of(0L, 0.005, 2L, 0.02, 4L, 1.0));
    // t2: mean 0.0135, each value 0.0065 away.
    expected.put("stdvar_over_time(" + took + " [2s]) by (service_name)",
        Map.of(0L, 0.0, 2L, 0.0065 * 0.0065, 4L, 0.0));
    expected.put("stddev_over_time(" + took + " [2s]) by (service_name)",
        Map.of(0L, 0.0, 2L, 0.0065, 4L, 0.0));
    // Prometheus's quantile: rank 0.5 · (2 − 1) between 0.007 and 0.02.
    expected.put("quantile_over_time(0.5, " + took + " [2s]) by (service_name)",
        Map.of(0L, 0.005, 2L, 0.0135, 4L, 1.0));
    // The status=200 lines only (0 s: 5ms, 1.5 s: 7ms), over [4s] windows (t−4s, t].
    String ok = "{service_name=\"shop\"} | logfmt | status=\"200\" | unwrap duration(took)";
    expected.put("first_over_time(" + ok + " [4s]) by (service_name)",
        Map.of(0L, 0.005, 2L, 0.005, 4L, 0.007));
    expected.put("last_over_time(" + ok + " [4s]) by (service_name)",
        Map.of(0L, 0.005, 2L, 0.007, 4L, 0.007));

    for (Map.Entry<String, Map<Long, Double>> e : expected.entrySet()) {
      LokiResponse response = LOKI.queryRange(grid(e.getKey()));
      assertThat(response.status()).as(e.getKey() + ": " + response.json()).isEqualTo(200);
      JsonNode result = response.json().path("data").path("result");
      assertThat(result).as(e.getKey()).hasSize(1);
      assertThat(result.get(0).path("metric").path("service_name").asText())
          .as(e.getKey())
          .isEqualTo("shop");
      Map<Long, Double> actual = new java.util.TreeMap<>();
      for (JsonNode point : result.get(0).path("values")) {
        actual.put(
            point.get(0).asLong() - T0 / SECOND, Double.parseDouble(point.get(1).asText()));
      }
      assertThat(actual.keySet()).as(e.getKey()).isEqualTo(new java.util.TreeSet<>(e.getValue().keySet()));
      e.getValue()
          .forEach(
              (t, v) ->
                  assertThat(actual.get(t))
                      .as(e.getKey() + " at t" + t)
                      .isCloseTo(v, org.assertj.core.api.Assertions.within(1e-12)));
    }
  }

  private static LokiQuery grid(String logql) {
    return LokiQuery.of(logql).between(T0, T0 + 6 * SECOND).with("step", "2000ms");
  }
}

package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.icegate.protocol.prometheus.RemoteWriteRequest;
import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import io.icegate.storage.table.MetricsTable;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PromQL over HTTP against the real server: {@code /api/v1/query}, {@code query_range}, {@code
 * series}, {@code labels}, {@code label/<name>/values}, {@code metadata}, {@code query_exemplars},
 * with Prometheus's parameters, errors and exact JSON, and the requests Grafana's Prometheus data
 * source sends (../shared/reference/grafana/REQUESTS.md §2). Expected bodies are hand-computed.
 *
 * <p>Data path: the samples are sent as Prometheus remote-write 1.0 ({@code POST /api/v1/write},
 * snappy protobuf) to the server, then compacted into Iceberg.
 *
 * <p>The data: {@code req_total{job="api",code="200"}} at 1000, 1060, 1120, 1180, 1240 s with
 * values 0, 60, 120, 180, 240, and {@code code="500"} with 0, 6, 12, 18, 24 (tenant "fake", the
 * default); tenant "other" has one series {@code req_total{job="web"}} = 7 at 1000 s.
 */
class PrometheusQueryTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @TempDir static Path dataDir;
  private static IceGateServer server;
  /** Closed after the server, which keeps written batches until they are compacted away. */
  private static BufferAllocator ingest;

  @BeforeAll
  static void start() throws Exception {
    ingest = new RootAllocator();
    server =
        IceGateServer.start(
            ServerConfig.defaults().withDataDir(dataDir).withPorts("127.0.0.1", 0, 0));
    loadSampleData(server, ingest);
  }

  /** Writes the data described in the class comment into {@code server}'s metrics table. */
  static void loadSampleData(IceGateServer server, BufferAllocator ingest) throws Exception {
    List<RemoteWriteRequest.Sample> ok = new ArrayList<>();
    List<RemoteWriteRequest.Sample> failed = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      long t = (1000 + 60L * i) * 1000;
      ok.add(new RemoteWriteRequest.Sample(60.0 * i, t));
      failed.add(new RemoteWriteRequest.Sample(6.0 * i, t));
    }
    write(server, ingest, "fake", List.of(
        series(ok, "__name__", "req_total", "code", "200", "job", "api"),
        series(failed, "__name__", "req_total", "code", "500", "job", "api")));
    write(server, ingest, "other", List.of(series(
        List.of(new RemoteWriteRequest.Sample(7, 1_000_000)),
        "__name__", "req_total", "job", "web")));
  }

  private static RemoteWriteRequest.TimeSeries series(
      List<RemoteWriteRequest.Sample> samples, String... labels) {
    List<RemoteWriteRequest.Label> l = new ArrayList<>();
    for (int i = 0; i < labels.length; i += 2) {
      l.add(new RemoteWriteRequest.Label(labels[i], labels[i + 1]));
    }
    return new RemoteWriteRequest.TimeSeries(l, samples, List.of(), List.of());
  }

  private static void write(
      IceGateServer server, BufferAllocator ingest, String tenant,
      List<RemoteWriteRequest.TimeSeries> series) throws Exception {
    // prometheus.WriteRequest { repeated TimeSeries timeseries = 1; } with
    // TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }.
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    com.google.protobuf.CodedOutputStream out =
        com.google.protobuf.CodedOutputStream.newInstance(body);
    for (RemoteWriteRequest.TimeSeries ts : series) {
      java.io.ByteArrayOutputStream one = new java.io.ByteArrayOutputStream();
      com.google.protobuf.CodedOutputStream o =
          com.google.protobuf.CodedOutputStream.newInstance(one);
      for (RemoteWriteRequest.Label l : ts.labels()) {
        java.io.ByteArrayOutputStream label = new java.io.ByteArrayOutputStream();
        com.google.protobuf.CodedOutputStream lo =
            com.google.protobuf.CodedOutputStream.newInstance(label);
        lo.writeString(1, l.name());
        lo.writeString(2, l.value());
        lo.flush();
        o.writeByteArray(1, label.toByteArray());
      }
      for (RemoteWriteRequest.Sample sample : ts.samples()) {
        java.io.ByteArrayOutputStream smp = new java.io.ByteArrayOutputStream();
        com.google.protobuf.CodedOutputStream so =
            com.google.protobuf.CodedOutputStream.newInstance(smp);
        so.writeDouble(1, sample.value());
        so.writeInt64(2, sample.timestampMillis());
        so.flush();
        o.writeByteArray(2, smp.toByteArray());
      }
      o.flush();
      out.writeByteArray(1, one.toByteArray());
    }
    out.flush();
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.prometheusPort() + "/api/v1/write"))
                .header("Content-Type", "application/x-protobuf")
                .header("Content-Encoding", "snappy")
                .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .header("X-Scope-OrgID", tenant)
                .POST(HttpRequest.BodyPublishers.ofByteArray(
                    org.xerial.snappy.Snappy.compress(body.toByteArray())))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    // Part of the data through Iceberg, the rest read from the WAL.
    server.lake().compact(MetricsTable.NAME);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (ingest != null) {
      ingest.close(); // fails the run if any batch leaked
    }
  }

  // ---- /api/v1/query ----

  @Test
  void instantVectorIsExactPrometheusJson() throws Exception {
    HttpResponse<String> r = get("/api/v1/query?query=req_total&time=1240");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(r.body()).isEqualTo(
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
            + "{\"metric\":{\"__name__\":\"req_total\",\"code\":\"200\",\"job\":\"api\"},"
            + "\"value\":[1240,\"240\"]},"
            + "{\"metric\":{\"__name__\":\"req_total\",\"code\":\"500\",\"job\":\"api\"},"
            + "\"value\":[1240,\"24\"]}]}}");
  }

  @Test
  void rateAndSumWithPrometheusExtrapolation() throws Exception {
    // (1120, 1240]: samples at 1180 and 1240; extrapolated to the 120 s window: 60 * 2 / 120.
    HttpResponse<String> r =
        get("/api/v1/query?query=" + enc("sum(rate(req_total[2m]))") + "&time=1240");
    assertThat(r.body()).isEqualTo(
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
            + "{\"metric\":{},\"value\":[1240,\"1.1\"]}]}}");
  }

  @Test
  void timeAsRfc3339AndWithMilliseconds() throws Exception {
    // 1970-01-01T00:20:40.5Z = 1240.5 s: the 1240 s sample is within the lookback.
    HttpResponse<String> r = get("/api/v1/query?query=" + enc("req_total{code=\"500\"}")
        + "&time=1970-01-01T00:20:40.5Z");
    assertThat(r.body()).contains("\"value\":[1240.500,\"24\"]");
    r = get("/api/v1/query?query=" + enc("req_total{code=\"500\"}") + "&time=1060.0004");
    assertThat(r.body()).contains("\"value\":[1060,\"6\"]");
  }

  @Test
  void timeDefaultsToNowWhereNothingIsStored() throws Exception {
    assertThat(get("/api/v1/query?query=req_total").body())
        .isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
  }

  @Test
  void tenantComesFromXScopeOrgId() throws Exception {
    HttpResponse<String> r = HTTP.send(
        HttpRequest.newBuilder(uri("/api/v1/query?query=req_total&time=1000"))
            .header("X-Scope-OrgID", "other").GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.body()).isEqualTo(
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
            + "{\"metric\":{\"__name__\":\"req_total\",\"job\":\"web\"},"
            + "\"value\":[1000,\"7\"]}]}}");
  }

  @Test
  void limitCutsSeriesWithAWarning() throws Exception {
    HttpResponse<String> r = get("/api/v1/query?query=req_total&time=1240&limit=1");
    assertThat(r.body()).isEqualTo(
        "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
            + "{\"metric\":{\"__name__\":\"req_total\",\"code\":\"200\",\"job\":\"api\"},"
            + "\"value\":[1240,\"240\"]}]},\"warnings\":[\"results truncated due to limit\"]}");
  }

  @Test
  void executionErrorIs422() throws Exception {
    // Both series become {__name__="req_total",code="x",job="api"}: a duplicate label set.
    HttpResponse<String> r = get("/api/v1/query?time=1240&query="
        + enc("label_replace(req_total, \"code\", \"x\", \"\", \"\")"));
    assertThat(r.statusCode()).isEqualTo(422);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("errorType").asText()).isEqualTo("execution");
    assertThat(body.get("error").asText()).contains("same labelset");
  }

  @Test
  void parameterErrorsAreBadDataInPrometheusWording() throws Exception {
    assertError(get("/api/v1/query?query=up&time=abc"), 400, "bad_data",
        "invalid parameter \"time\": invalid time value for 'time': cannot parse \"abc\" to a"
            + " valid timestamp");
    assertError(get("/api/v1/query?query=up&time=30s"), 400, "bad_data",
        "invalid parameter \"time\": invalid time value for 'time': cannot parse \"30s\" to a"
            + " valid timestamp");
    assertError(get("/api/v1/query?query=up&timeout=soon"), 400, "bad_data",
        "invalid parameter \"timeout\": cannot parse \"soon\" to a valid duration");
    assertError(get("/api/v1/query?query=" + enc("sum(up")), 400, "bad_data", null);
    assertThat(JSON.readTree(get("/api/v1/query?query=" + enc("sum(up")).body())
        .get("error").asText()).startsWith("invalid parameter \"query\": 1:");
    assertError(get("/api/v1/query?query=up&limit=-1"), 400, "bad_data",
        "invalid parameter \"limit\": limit must be non-negative");
  }

  @Test
  void statsAllAddsTimings() throws Exception {
    JsonNode data = JSON.readTree(
        post("/api/v1/query?stats=all", "query=req_total&time=1240").body()).get("data");
    assertThat(data.get("result").size()).isEqualTo(2);
    JsonNode timings = data.get("stats").get("timings");
    for (String f : new String[] {"evalTotalTime", "resultSortTime", "queryPreparationTime",
        "innerEvalTime", "execQueueTime", "execTotalTime"}) {
      assertThat(timings.get(f).isNumber()).as(f).isTrue();
    }
    JsonNode odd = JSON.readTree(get("/api/v1/query?query=1&time=1&stats=yes").body());
    assertThat(odd.get("warnings").get(0).asText()).isEqualTo(
        "value \"yes\" for parameter \"stats\" is deprecated and will be rejected in the next"
            + " major release, use \"true\" or \"all\"");
  }

  // ---- /api/v1/query_range ----

  @Test
  void rangeMatrixIsExactPrometheusJson() throws Exception {
    HttpResponse<String> r = get("/api/v1/query_range?query=" + enc("req_total{code=\"500\"}")
        + "&start=1000&end=1240&step=60");
    assertThat(r.body()).isEqualTo(
        "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
            + "{\"metric\":{\"__name__\":\"req_total\",\"code\":\"500\",\"job\":\"api\"},"
            + "\"values\":[[1000,\"0\"],[1060,\"6\"],[1120,\"12\"],[1180,\"18\"],[1240,\"24\"]]}"
            + "]}}");
  }

  @Test
  void rangeStepAsDurationAndFractionalSeconds() throws Exception {
    // Step 30 s: 1030 s still sees the 1000 s sample (lookback); step "0.5m" is not a duration.
    String expected =
        "\"values\":[[1000,\"0\"],[1030,\"0\"],[1060,\"6\"]]";
    assertThat(get("/api/v1/query_range?query=" + enc("req_total{code=\"500\"}")
        + "&start=1000&end=1060&step=30s").body()).contains(expected);
    assertThat(get("/api/v1/query_range?query=" + enc("req_total{code=\"500\"}")
        + "&start=1000&end=1060&step=30.0").body()).contains(expected);
    assertThat(get("/api/v1/query_range?query=" + enc("req_total{code=\"500\"}")
        + "&start=1000.5&end=1001&step=0.25").body())
        .contains("\"values\":[[1000.500,\"0\"],[1000.750,\"0\"],[1001,\"0\"]]");
  }

  @Test
  void scalarRangeIsOneSeriesWithoutLabels() throws Exception {
    assertThat(get("/api/v1/query_range?query=" + enc("1+1") + "&start=0&end=30&step=15").body())
        .isEqualTo("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
            + "{\"metric\":{},\"values\":[[0,\"2\"],[15,\"2\"],[30,\"2\"]]}]}}");
  }

  @Test
  void rangeErrorsAsPrometheusWordsThem() throws Exception {
    String q = "/api/v1/query_range?query=up";
    assertError(get(q + "&start=10&end=5&step=1"), 400, "bad_data",
        "invalid parameter \"end\": end timestamp must not be before start time");
    assertError(get(q + "&start=0&end=5&step=0"), 400, "bad_data",
        "invalid parameter \"step\": zero or negative query resolution step widths are not"
            + " accepted. Try a positive integer");
    assertError(get(q + "&start=0&end=5&step=-1s"), 400, "bad_data",
        "invalid parameter \"step\": cannot parse \"-1s\" to a valid duration");
    assertError(get(q + "&start=0&end=5"), 400, "bad_data",
        "invalid parameter \"step\": cannot parse \"\" to a valid duration");
    assertError(get(q + "&end=5&step=1"), 400, "bad_data",
        "invalid parameter \"start\": cannot parse \"\" to a valid timestamp");
    String tooMany = "exceeded maximum resolution of 11,000 points per timeseries. Try"
        + " decreasing the query resolution (?step=XX)";
    assertError(get(q + "&start=0&end=11001&step=1"), 400, "bad_data", tooMany);
    // Exactly 11 000 steps (11 001 points) is still allowed.
    assertThat(get(q + "&start=0&end=11000&step=1").statusCode()).isEqualTo(200);
  }

  // ---- metadata endpoints ----

  @Test
  void seriesLabelsAndLabelValues() throws Exception {
    assertThat(get("/api/v1/series?match[]=req_total&start=0&end=2000").body()).isEqualTo(
        "{\"status\":\"success\",\"data\":["
            + "{\"__name__\":\"req_total\",\"code\":\"200\",\"job\":\"api\"},"
            + "{\"__name__\":\"req_total\",\"code\":\"500\",\"job\":\"api\"}]}");
    // Outside the samples' times: nothing.
    assertThat(get("/api/v1/series?match[]=req_total&start=2000&end=3000").body())
        .isEqualTo("{\"status\":\"success\",\"data\":[]}");
    assertThat(post("/api/v1/labels", "start=0&end=2000").body())
        .isEqualTo("{\"status\":\"success\",\"data\":[\"__name__\",\"code\",\"job\"]}");
    assertThat(get("/api/v1/label/code/values").body())
        .isEqualTo("{\"status\":\"success\",\"data\":[\"200\",\"500\"]}");
    assertThat(get("/api/v1/label/U__code/values?match%5B%5D=" + enc("{code=~\"5..\"}")).body())
        .isEqualTo("{\"status\":\"success\",\"data\":[\"500\"]}");
    assertThat(get("/api/v1/label/__name__/values?limit=40000&start=0&end=2000").body())
        .isEqualTo("{\"status\":\"success\",\"data\":[\"req_total\"]}");
  }

  @Test
  void timesAsGoParsesThem() throws Exception {
    // Exponent form, and the far-away bounds older promtool versions send for "no limit".
    assertThat(get("/api/v1/query?query=" + enc("req_total{code=\"500\"}") + "&time=1.24e3")
        .body()).contains("\"value\":[1240,\"24\"]");
    assertThat(get("/api/v1/series?match[]=" + enc("req_total{code=\"200\"}")
        + "&start=-9223309901257974&end=9223309901257975").body())
        .isEqualTo("{\"status\":\"success\",\"data\":["
            + "{\"__name__\":\"req_total\",\"code\":\"200\",\"job\":\"api\"}]}");
    assertThat(get("/api/v1/labels?start=-292273086-05-16T16:47:06Z"
        + "&end=292277025-08-18T07:12:54.999999999Z").body())
        .isEqualTo("{\"status\":\"success\",\"data\":[\"__name__\",\"code\",\"job\"]}");
  }

  @Test
  void escapedLabelNamesInThePath() throws Exception {
    // U__ escaping of Prometheus 3: _64_ is the code point 0x64, 'd'.
    assertThat(get("/api/v1/label/U__co_64_e/values").body())
        .isEqualTo("{\"status\":\"success\",\"data\":[\"200\",\"500\"]}");
    assertThat(get("/api/v1/label/U______name____/values").body())
        .isEqualTo("{\"status\":\"success\",\"data\":[\"req_total\"]}");
    assertThat(get("/api/v1/label/nothere/values").body())
        .isEqualTo("{\"status\":\"success\",\"data\":[]}");
  }

  @Test
  void seriesErrors() throws Exception {
    assertError(get("/api/v1/series"), 400, "bad_data", "no match[] parameter provided");
    assertError(get("/api/v1/series?match[]=" + enc("{job=~\".*\"}")), 400, "bad_data",
        "invalid parameter \"match[]\": match[] must contain at least one non-empty matcher");
    assertError(get("/api/v1/series?match[]=req_total&start=x"), 400, "bad_data",
        "invalid parameter \"start\": invalid time value for 'start': cannot parse \"x\" to a"
            + " valid timestamp");
  }

  @Test
  void metadataAndExemplarsAreEmpty() throws Exception {
    assertThat(get("/api/v1/metadata?limit=40000").body())
        .isEqualTo("{\"status\":\"success\",\"data\":{}}");
    assertError(get("/api/v1/metadata?limit=x"), 400, "bad_data", "limit must be a number");
    // Grafana's exemplar probe: query=test with millisecond times (REQUESTS.md §2.3).
    HttpResponse<String> probe = post("/api/v1/query_exemplars",
        "query=test&start=1787311820500&end=1787313620500");
    assertThat(probe.statusCode()).isEqualTo(200);
    assertThat(probe.body()).isEqualTo("{\"status\":\"success\",\"data\":[]}");
  }

  // ---- Grafana (REQUESTS.md §2.5) ----

  @Test
  void grafanaHealthCheckByPostAndGet() throws Exception {
    String expected =
        "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[4,\"2\"]}}";
    HttpResponse<String> r = post("/api/v1/query", "query=1%2B1&time=4");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(expected);
    assertThat(get("/api/v1/query?query=1%2B1&time=4").body()).isEqualTo(expected);
  }

  @Test
  void grafanaRangeQueryPostWithStatsAndTimeoutInTheUrl() throws Exception {
    HttpResponse<String> r = post("/api/v1/query_range?stats=all",
        "end=1240&query=sum+by+%28job%29+%28rate%28req_total%5B2m%5D%29%29&start=1180&step=60"
            + "&timeout=60s");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode data = JSON.readTree(r.body()).get("data");
    assertThat(data.get("resultType").asText()).isEqualTo("matrix");
    assertThat(data.get("result").get(0).get("metric").toString()).isEqualTo("{\"job\":\"api\"}");
    // At 1180: (1060, 1180] holds 1120 and 1180, the same slope: 1.1 at both steps.
    assertThat(data.get("result").get(0).get("values").toString())
        .isEqualTo("[[1180,\"1.1\"],[1240,\"1.1\"]]");
    assertThat(data.get("stats").get("timings").get("execTotalTime").isNumber()).isTrue();
  }

  @Test
  void grafanaRulesProbe() throws Exception {
    assertThat(get("/api/v1/rules").body())
        .isEqualTo("{\"status\":\"success\",\"data\":{\"groups\":[]}}");
  }

  @Test
  void malformedEscapesAreBadDataAndTheServerKeepsServing() throws Exception {
    // What curl -d sends for a query holding a bare %: Go's form parser refuses it with 400.
    HttpResponse<String> form = post("/api/v1/query", "query=up%zz&time=1240");
    assertThat(form.statusCode()).as(form.body()).isEqualTo(400);
    assertThat(JSON.readTree(form.body()).get("errorType").asText()).isEqualTo("bad_data");
    assertThat(get("/api/v1/query?query=req_total&time=1240").statusCode()).isEqualTo(200);
  }

  @Test
  void invalidUtf8InAParameterIsBadDataButAnEncodedReplacementCharacterIsNot() throws Exception {
    // %A0%A1 is no UTF-8: Prometheus's parser refuses it; the decoded U+FFFD must not slip by.
    HttpResponse<String> raw =
        get("/api/v1/query?time=1240&query=req_total%7Bcode%3D%22%A0%A1%22%7D");
    assertThat(raw.statusCode()).as(raw.body()).isEqualTo(400);
    assertThat(JSON.readTree(raw.body()).get("errorType").asText()).isEqualTo("bad_data");
    HttpResponse<String> form =
        post("/api/v1/query", "time=1240&query=req_total%7Bcode%3D%22%FF%22%7D");
    assertThat(form.statusCode()).as(form.body()).isEqualTo(400);
    // The check is on the raw bytes: U+FFFD sent as its UTF-8 bytes is valid (an unused
    // parameter holding it changes nothing), the same parameter holding a bare byte is not.
    HttpResponse<String> real = get("/api/v1/query?time=1240&query=req_total&note=%EF%BF%BD");
    assertThat(real.statusCode()).as(real.body()).isEqualTo(200);
    HttpResponse<String> bare = get("/api/v1/query?time=1240&query=req_total&note=%BD");
    assertThat(bare.statusCode()).as(bare.body()).isEqualTo(400);
    assertThat(get("/api/v1/query?query=req_total&time=1240").statusCode()).isEqualTo(200);
  }

  // ---- explain (ours) ----

  @Test
  void explainPlanAnswersEachSelectionsScan() throws Exception {
    HttpResponse<String> r = get("/api/v1/query?time=1240&explain=plan&query="
        + enc("sum(rate(req_total{code=\"500\"}[2m]))"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode data = JSON.readTree(r.body()).get("data");
    assertThat(data.get("resultType").asText()).isEqualTo("explain");
    // (1120, 1240] in inclusive milliseconds.
    assertThat(data.get("explain").asText())
        .contains("selection 1: {code=\"500\", __name__=\"req_total\"} from "
            + "1970-01-01T00:18:40.001Z to 1970-01-01T00:20:40Z")
        .contains("ArrowTableScan", "'req_total'");
  }

  @Test
  void explainAnalyzeRunsARangeQuery() throws Exception {
    HttpResponse<String> r = post("/api/v1/query_range?explain=analyze",
        "query=req_total&start=1000&end=1240&step=120");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).get("data").get("explain").asText())
        .contains("result: matrix of 2 series, 6 points", "evaluated 2 series",
            "(instant evaluated in the plan)", "ArrowPromSelect(op=[instant], lookback=[5m]");
    assertError(get("/api/v1/query?query=up&explain=why"), 400, "bad_data",
        "invalid parameter \"explain\": must be \"plan\" or \"analyze\", not \"why\"");
  }

  // ---- helpers ----

  static void assertError(HttpResponse<String> r, int status, String type, String message)
      throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.get("status").asText()).isEqualTo("error");
    assertThat(body.get("errorType").asText()).isEqualTo(type);
    if (message != null) {
      assertThat(body.get("error").asText()).isEqualTo(message);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + server.prometheusPort() + pathAndQuery);
  }

  static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri(pathAndQuery)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String pathAndQuery, String form) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(uri(pathAndQuery))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}

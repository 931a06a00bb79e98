package io.icegate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.icegate.engine.logql.LogMetricResult;
import io.icegate.engine.logql.LogQueryEngine;
import io.icegate.engine.logql.LogQueryRange;
import io.icegate.engine.logql.LogQueryResult;
import io.icegate.engine.logql.MetricQueryRange;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.protocol.loki.Direction;
import io.icegate.engine.promql.QueryResult;
import io.icegate.engine.series.Series;
import io.icegate.logql.LogQL;
import io.icegate.logql.ast.SampleExpr;
import io.icegate.storage.Lake;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LogQL metric queries over a real local lake, evaluated on the grid T0, T0+10s … T0+40s with
 * {@code [10s]} windows {@code (t−10s, t]}. The data (seconds after T0, line, its byte length):
 *
 * <pre>
 * api:    0 "lat=1 dur=1s" (12)   10 "lat=3 dur=250ms" (15)   10 "lat=5 dur=2s" (12)
 *         30 "lat=x dur=1m" (12, lat doesn't unwrap)
 * worker: 20 "lat=2 dur=500ms" (15)
 * </pre>
 *
 * The lines at 10s "lat=3…" and the worker's carry the log attribute {@code http.method=POST}, the
 * others {@code GET}. So the api windows hold: t0 {a1}, t10 {a2, a3} (a1, at the window's open start, is out), t20 {},
 * t30 {a4}, t40 {}; the worker window holds w1 only at t20. Every expected matrix below is worked
 * out by hand from this table and Loki's rules (no extrapolation in rate; a step without samples
 * has no value).
 *
 * <p>As in Loki, the structured metadata labels a metric query's series: without grouping, the
 * api lines split into {@code http_method="GET"} (a1, a3, a4) and {@code "POST"} (a2) series.
 */
class LogMetricQueryTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long SECOND = 1_000_000_000L;
  private static final String API = "{deployment_environment=\"prod\", service_name=\"api\"}";
  private static final String WORKER =
      "{deployment_environment=\"prod\", service_name=\"worker\"}";
  /** The api and worker series once {@code drop http_method} merged them (metadata left). */
  private static final String API_DROPPED =
      "{deployment_environment=\"prod\", detected_level=\"unknown\", service_name=\"api\"}";
  private static final String WORKER_DROPPED =
      "{deployment_environment=\"prod\", detected_level=\"unknown\","
          + " service_name=\"worker\"}";
  private static final String API_GET =
      "{deployment_environment=\"prod\", detected_level=\"unknown\", http_method=\"GET\", service_name=\"api\"}";
  private static final String API_POST =
      "{deployment_environment=\"prod\", detected_level=\"unknown\", http_method=\"POST\", service_name=\"api\"}";
  private static final String WORKER_POST =
      "{deployment_environment=\"prod\", detected_level=\"unknown\", http_method=\"POST\", service_name=\"worker\"}";

  @TempDir static Path dir;
  private static Lake lake;
  private static RootAllocator root;
  private static LogQueryEngine engine;

  @BeforeAll
  static void loadData() throws Exception {
    root = new RootAllocator();
    lake = Lake.openLocal(dir, Duration.ofMillis(1));
    engine = new LogQueryEngine(lake.scanner(), root, 64L << 20, Duration.ofSeconds(30));
    append(
        request(
            "api",
            record(T0, "lat=1 dur=1s", "GET"),
            record(T0 + 10 * SECOND, "lat=3 dur=250ms", "POST"),
            record(T0 + 10 * SECOND, "lat=5 dur=2s", "GET"),
            record(T0 + 30 * SECOND, "lat=x dur=1m", "GET")));
    append(request("worker", record(T0 + 20 * SECOND, "lat=2 dur=500ms", "POST")));
  }

  @AfterAll
  static void close() throws Exception {
    lake.close();
    root.close();
  }

  @AfterEach
  void allocatorIsEmpty() {
    assertThat(root.getAllocatedMemory()).as("Arrow memory left after the query").isZero();
  }

  @Test
  void countOverTimeCountsEveryLineOfTheWindowIncludingEqualTimestamps() {
    assertThat(range("count_over_time({deployment_environment=\"prod\"}[10s])"))
        .isEqualTo(
            Map.of(
                API_GET, Map.of(0L, 1.0, 10L, 1.0, 30L, 1.0),
                API_POST, Map.of(10L, 1.0),
                WORKER_POST, Map.of(20L, 1.0)));
    // Dropping the metadata label merges a2 and a3 into one series again.
    assertThat(
            range("count_over_time({deployment_environment=\"prod\"} | drop http_method [10s])"))
        .isEqualTo(
            Map.of(
                API_DROPPED, Map.of(0L, 1.0, 10L, 2.0, 30L, 1.0),
                WORKER_DROPPED, Map.of(20L, 1.0)));
  }

  @Test
  void rateIsTheCountOverTheRangeWithoutExtrapolation() {
    assertThat(range("rate({deployment_environment=\"prod\"}[10s])"))
        .isEqualTo(
            Map.of(
                API_GET, Map.of(0L, 0.1, 10L, 0.1, 30L, 0.1),
                API_POST, Map.of(10L, 0.1),
                WORKER_POST, Map.of(20L, 0.1)));
    // A sum's grouping is pushed into the samples, as Loki does; the answer is the same.
    assertThat(range("sum by (service_name) (rate({deployment_environment=\"prod\"}[10s]))"))
        .isEqualTo(
            Map.of(
                "{service_name=\"api\"}", Map.of(0L, 0.1, 10L, 0.2, 30L, 0.1),
                "{service_name=\"worker\"}", Map.of(20L, 0.1)));
  }

  @Test
  void bytesOverTimeAndBytesRateSumLineLengths() {
    assertThat(range("bytes_over_time({deployment_environment=\"prod\"}[10s])"))
        .isEqualTo(
            Map.of(
                API_GET, Map.of(0L, 12.0, 10L, 12.0, 30L, 12.0),
                API_POST, Map.of(10L, 15.0),
                WORKER_POST, Map.of(20L, 15.0)));
    assertThat(range("bytes_rate({service_name=\"worker\"}[10s])"))
        .isEqualTo(Map.of(WORKER_POST, Map.of(20L, 1.5)));
  }

  @Test
  void offsetShiftsTheWindowBack() {
    // Window (t-20s, t-10s]: t10 sees a1, t20 sees a2 (POST) and a3, t40 sees a4.
    assertThat(range("count_over_time({service_name=\"api\"}[10s] offset 10s)"))
        .isEqualTo(
            Map.of(
                API_GET, Map.of(10L, 1.0, 20L, 1.0, 40L, 1.0),
                API_POST, Map.of(20L, 1.0)));
  }

  @Test
  void absentOverTimeIsOneWhereTheSelectorHasNoLines() {
    assertThat(range("absent_over_time({service_name=\"api\"}[10s])"))
        .isEqualTo(Map.of("{service_name=\"api\"}", Map.of(20L, 1.0, 40L, 1.0)));
  }

  @Test
  void unwrapErrorsFailTheQueryAsInLoki() {
    assertThatThrownBy(
            () -> range("sum_over_time({service_name=\"api\"} | logfmt | unwrap lat [10s])"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("pipeline error: 'SampleExtractionErr' for series:");
  }

  @Test
  void unwrapErrorOutsideEveryWindowDoesNotFailTheQuery() {
    // Step 20s, range 5s: windows (-5,0], (15,20], (35,40]; a4 (30s, lat=x) is in none.
    assertThat(range("sum_over_time({service_name=\"api\"} | logfmt | unwrap lat [5s])", 20))
        .isEqualTo(
            Map.of(
                "{deployment_environment=\"prod\", detected_level=\"unknown\", dur=\"1s\", http_method=\"GET\","
                    + " service_name=\"api\"}",
                Map.of(0L, 1.0)));
  }

  @Test
  void unwrapWithErrorFilterDropsTheBadLineAndGroupsInside() {
    String unwrap = "{service_name=\"api\"} | logfmt | unwrap lat | __error__=\"\" [10s]";
    assertThat(range("max_over_time(" + unwrap + ") by (service_name)"))
        .isEqualTo(Map.of("{service_name=\"api\"}", Map.of(0L, 1.0, 10L, 5.0)));
    assertThat(range("quantile_over_time(0.5, " + unwrap + ") by (service_name)"))
        .isEqualTo(Map.of("{service_name=\"api\"}", Map.of(0L, 1.0, 10L, 4.0)));
    assertThat(range("sum by (service_name) (sum_over_time(" + unwrap + "))"))
        .isEqualTo(Map.of("{service_name=\"api\"}", Map.of(0L, 1.0, 10L, 8.0)));
  }

  @Test
  void unwrapDurationConvertsToSeconds() {
    String q =
        "avg_over_time({service_name=\"api\"} | logfmt | unwrap duration(dur) [10s])"
            + " by (service_name)";
    // t10: (0.25 + 2) / 2; t30: 1m; lat=x is no error here, lat isn't unwrapped.
    assertThat(range(q))
        .isEqualTo(Map.of("{service_name=\"api\"}", Map.of(0L, 1.0, 10L, 1.125, 30L, 60.0)));
    assertThat(
            range(
                "stddev_over_time({service_name=\"api\"} | logfmt | unwrap duration_seconds(dur)"
                    + " [10s]) by (service_name)"))
        .isEqualTo(Map.of("{service_name=\"api\"}", Map.of(0L, 0.0, 10L, 0.875, 30L, 0.0)));
  }

  @Test
  void vectorAggregationsTopkAndBinaryOperatorsRunOverTheStepSeries() {
    assertThat(range("sum by (deployment_environment) (count_over_time({deployment_environment=\"prod\"}[10s]))"))
        .isEqualTo(
            Map.of("{deployment_environment=\"prod\"}", Map.of(0L, 1.0, 10L, 2.0, 20L, 1.0, 30L, 1.0)));
    String byService =
        "sum by (deployment_environment, service_name)"
            + " (count_over_time({deployment_environment=\"prod\"}[10s]))";
    assertThat(range("topk(1, " + byService + ")"))
        .isEqualTo(Map.of(API, Map.of(0L, 1.0, 10L, 2.0, 30L, 1.0), WORKER, Map.of(20L, 1.0)));
    assertThat(range(byService + " > bool 1"))
        .isEqualTo(
            Map.of(API, Map.of(0L, 0.0, 10L, 1.0, 30L, 0.0), WORKER, Map.of(20L, 0.0)));
    assertThat(range("count_over_time({service_name=\"worker\"}[10s]) * 2"))
        .isEqualTo(Map.of(WORKER_POST, Map.of(20L, 2.0)));
    // Each api count over the environment's total (1, 2, 1 at t0, t10, t30), matched on the
    // environment: GET 1/1, 1/2, 1/1; POST 1/2.
    assertThat(
            range(
                "count_over_time({service_name=\"api\"}[10s]) / on (deployment_environment)"
                    + " group_left sum by (deployment_environment)"
                    + " (count_over_time({deployment_environment=\"prod\"}[10s]))"))
        .isEqualTo(
            Map.of(API_GET, Map.of(0L, 1.0, 10L, 0.5, 30L, 1.0), API_POST, Map.of(10L, 0.5)));
    assertThat(
            range(
                "label_replace(count_over_time({service_name=\"worker\"}[10s]),"
                    + " \"svc\", \"$1\", \"service_name\", \"(.*)\")"))
        .isEqualTo(
            Map.of(
                "{deployment_environment=\"prod\", detected_level=\"unknown\", http_method=\"POST\","
                    + " service_name=\"worker\", svc=\"worker\"}",
                Map.of(20L, 1.0)));
  }

  @Test
  void divisionByZeroIsNaNAsInLoki() {
    Map<Long, Double> nan = Map.of(0L, Double.NaN, 10L, Double.NaN, 30L, Double.NaN);
    assertThat(range("sum(count_over_time({service_name=\"api\"}[10s])) / 0"))
        .isEqualTo(Map.of("{}", nan));
    assertThat(
            range(
                "count_over_time({service_name=\"api\"} | drop http_method [10s])"
                    + " / ignoring (service_name)"
                    + " (count_over_time({service_name=\"api\"} | drop http_method [10s]) - 1)"))
        // t0: 1/0 → NaN; t10: 2/1; t30: 1/0 → NaN. One-to-one matching drops ignored labels.
        .isEqualTo(
            Map.of(
                "{deployment_environment=\"prod\", detected_level=\"unknown\"}",
                Map.of(0L, Double.NaN, 10L, 2.0, 30L, Double.NaN)));
  }

  @Test
  void instantQueryReturnsAVectorAtTheTime() {
    SampleExpr expr =
        (SampleExpr)
            LogQL.parse(
                "sort_desc(sum by (service_name) (count_over_time({deployment_environment=\"prod\"}[30s])))");
    LogMetricResult result =
        engine.metric(expr, MetricQueryRange.instant("fake", T0 + 30 * SECOND), () -> false);
    // Window (0s, 30s]: api a2, a3, a4 = 3; worker w1 = 1.
    QueryResult.VectorResult vector = (QueryResult.VectorResult) result.value();
    assertThat(vector.samples()).hasSize(2);
    assertThat(vector.samples().get(0).labels().toString()).isEqualTo("{service_name=\"api\"}");
    assertThat(vector.samples().get(0).value()).isEqualTo(3.0);
    assertThat(vector.samples().get(0).timestamp()).isEqualTo((T0 + 30 * SECOND) / 1_000_000);
    assertThat(vector.samples().get(1).value()).isEqualTo(1.0);
  }

  @Test
  void approxTopkOfAFewSeriesIsTopkWithItsValuesLargestFirst() {
    String inner = "sum by (service_name) (count_over_time({deployment_environment=\"prod\"}[30s]))";
    // Window (0s, 30s]: api a2, a3, a4 = 3; worker w1 = 1.
    QueryResult.VectorResult one = instant("approx_topk(1, " + inner + ")", T0 + 30 * SECOND);
    assertThat(one.samples()).extracting(s -> s.labels().toString() + "=" + s.value())
        .containsExactly("{service_name=\"api\"}=3.0");
    QueryResult.VectorResult all = instant("approx_topk(5, " + inner + ")", T0 + 30 * SECOND);
    assertThat(all.samples()).extracting(s -> s.labels().toString() + "=" + s.value())
        .containsExactly("{service_name=\"api\"}=3.0", "{service_name=\"worker\"}=1.0");
    assertThat(all.samples().get(0).timestamp()).isEqualTo((T0 + 30 * SECOND) / 1_000_000);
  }

  @Test
  void approxTopkAnywhereInARangeQueryFailsAsInLoki() {
    for (String q :
        List.of(
            "approx_topk(2, sum by (service_name) (count_over_time({service_name=\"api\"}[10s])))",
            "sum(approx_topk(2, count_over_time({service_name=\"api\"}[10s])))")) {
      assertThatThrownBy(() -> range(q))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("count min sketches are only supported on instant queries");
    }
  }

  @Test
  void rateCounterOfASingleSampleWindowIsZero() {
    String q =
        "rate_counter({service_name=\"worker\"} | logfmt | unwrap lat [10s])";
    assertThat(range(q))
        .isEqualTo(
            Map.of(
                "{deployment_environment=\"prod\", detected_level=\"unknown\", dur=\"500ms\", http_method=\"POST\","
                    + " service_name=\"worker\"}",
                Map.of(20L, 0.0)));
  }

  @Test
  void groupingByStreamLabelsOrByMetadataCountsTheSameLines() {
    // Every stream has service_name: each entry's labels are its stream's (readLabels in the plan).
    String byService =
        "sum by (service_name) (count_over_time({deployment_environment=\"prod\"} |= \"lat\" [10s]))";
    assertThat(range(byService))
        .isEqualTo(
            Map.of(
                "{service_name=\"api\"}", Map.of(0L, 1.0, 10L, 2.0, 30L, 1.0),
                "{service_name=\"worker\"}", Map.of(20L, 1.0)));
    assertThat(
            engine.explainMetric(
                (SampleExpr) LogQL.parse(byService),
                new MetricQueryRange("fake", T0, T0 + 40 * SECOND, 10 * SECOND), false,
                () -> false))
        .contains("readLabels=[service_name]");
    // No stream has http_method: it comes from each entry's structured metadata.
    assertThat(
            range("sum by (http_method) (count_over_time({deployment_environment=\"prod\"}[10s]))"))
        .isEqualTo(
            Map.of(
                "{http_method=\"GET\"}", Map.of(0L, 1.0, 10L, 1.0, 30L, 1.0),
                "{http_method=\"POST\"}", Map.of(10L, 1.0, 20L, 1.0)));
    assertThat(
            range("sum by (service_name, http_method) (count_over_time("
                + "{deployment_environment=\"prod\"}[10s]))"))
        .isEqualTo(
            Map.of(
                "{http_method=\"GET\", service_name=\"api\"}",
                Map.of(0L, 1.0, 10L, 1.0, 30L, 1.0),
                "{http_method=\"POST\", service_name=\"api\"}", Map.of(10L, 1.0),
                "{http_method=\"POST\", service_name=\"worker\"}", Map.of(20L, 1.0)));
  }

  @Test
  void logAttributesAreStructuredMetadataForLabelFilters() {
    assertThat(range("count_over_time({deployment_environment=\"prod\"} | http_method=\"POST\" [10s])"))
        .isEqualTo(Map.of(API_POST, Map.of(10L, 1.0), WORKER_POST, Map.of(20L, 1.0)));
    LogQueryResult log =
        engine.select(
            (LogSelectorExpr)
                LogQL.parse("{service_name=\"api\"} | line_format \"{{.http_method}} {{.lat}}\" "),
            new LogQueryRange("fake", T0, T0 + 40 * SECOND, 10, Direction.FORWARD),
            () -> false);
    List<String> lines = new ArrayList<>();
    log.streams().forEach(s -> s.entries().forEach(e -> lines.add(e.line())));
    // line_format reads labels, so the attributes are there; lat isn't (no parser ran).
    assertThat(lines).containsExactlyInAnyOrder("GET ", "POST ", "GET ", "GET ");
  }

  @Test
  void maxQuerySeriesCountsTheAnswerAndEachRangeAggregation() {
    String all = "count_over_time({deployment_environment=\"prod\"}[10s])";
    String message =
        "maximum number of series (2) reached for a single query; consider reducing query"
            + " cardinality by adding more specific stream selectors, reducing the time range,"
            + " or aggregating results with functions like sum(), count() or topk()";
    MetricQueryRange grid = new MetricQueryRange("fake", T0, T0 + 40 * SECOND, 10 * SECOND);
    // Three series over the grid (api GET, api POST, worker POST): at most 3 passes, 2 fails.
    assertThat(engine.metric((SampleExpr) LogQL.parse(all), grid, 3, () -> false).value())
        .isInstanceOf(QueryResult.MatrixResult.class);
    assertThatThrownBy(() -> engine.metric((SampleExpr) LogQL.parse(all), grid, 2, () -> false))
        .isInstanceOf(io.icegate.engine.logql.SeriesLimitException.class)
        .hasMessage(message);
    // At T0+10s the window (0s, 10s] holds a2 (POST) and a3 (GET): two inner series, one answer.
    MetricQueryRange at10 = MetricQueryRange.instant("fake", T0 + 10 * SECOND);
    SampleExpr top = (SampleExpr) LogQL.parse("topk(1, " + all + ")");
    assertThat(
            ((QueryResult.VectorResult) engine.metric(top, at10, 0, () -> false).value())
                .samples())
        .hasSize(1);
    assertThatThrownBy(() -> engine.metric(top, at10, 1, () -> false))
        .isInstanceOf(io.icegate.engine.logql.SeriesLimitException.class)
        .hasMessageStartingWith("maximum number of series (1) reached for a single query;");
    // sum's grouping is pushed into the range aggregation (Loki shards it as a sum of sums), and
    // approx_topk's inner vector is a sketch in Loki, not series: neither counts two.
    assertThat(
            ((QueryResult.VectorResult)
                    engine.metric((SampleExpr) LogQL.parse("sum(" + all + ")"), at10, 1,
                        () -> false).value())
                .samples())
        .extracting(QueryResult.Sample::value)
        .containsExactly(2.0);
    assertThat(
            ((QueryResult.VectorResult)
                    engine.metric((SampleExpr) LogQL.parse("approx_topk(1, " + all + ")"), at10, 1,
                        () -> false).value())
                .samples())
        .hasSize(1);
  }

  private static QueryResult.VectorResult instant(String query, long timeNanos) {
    SampleExpr expr = (SampleExpr) LogQL.parse(query);
    return (QueryResult.VectorResult)
        engine.metric(expr, MetricQueryRange.instant("fake", timeNanos), () -> false).value();
  }

  /** The query over the grid as labels → (seconds after T0 → value). */
  private static Map<String, Map<Long, Double>> range(String query) {
    return range(query, 10);
  }

  private static Map<String, Map<Long, Double>> range(String query, long stepSeconds) {
    SampleExpr expr = (SampleExpr) LogQL.parse(query);
    LogMetricResult result =
        engine.metric(
            expr,
            new MetricQueryRange("fake", T0, T0 + 40 * SECOND, stepSeconds * SECOND),
            () -> false);
    Map<String, Map<Long, Double>> out = new TreeMap<>();
    for (Series s : ((QueryResult.MatrixResult) result.value()).series()) {
      Map<Long, Double> points = new TreeMap<>();
      for (int i = 0; i < s.size(); i++) {
        points.put((s.timestamps()[i] - T0 / 1_000_000) / 1000, round(s.values()[i]));
      }
      out.put(s.labels().toString(), points);
    }
    return out;
  }

  private static double round(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? v : Math.round(v * 1e9) / 1e9;
  }

  private static void append(ExportLogsServiceRequest request) throws Exception {
    var built = LogsBatchBuilder.build(request, "fake", T0, root);
    lake.logsWal().append("fake", built.batch()).get();
  }

  private static LogRecord record(long time, String body, String method) {
    return LogRecord.newBuilder()
        .setTimeUnixNano(time)
        .setBody(AnyValue.newBuilder().setStringValue(body))
        .addAttributes(kv("http.method", method))
        .build();
  }

  private static ExportLogsServiceRequest request(String service, LogRecord... records) {
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(kv("service.name", service))
                        .addAttributes(kv("deployment.environment", "prod")))
                .addScopeLogs(ScopeLogs.newBuilder().addAllLogRecords(List.of(records))))
        .build();
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}

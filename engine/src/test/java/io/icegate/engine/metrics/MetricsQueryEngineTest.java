package io.icegate.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.icegate.engine.promql.PromQLEngine;
import io.icegate.engine.promql.QueryResult;
import io.icegate.engine.series.LabelMatcher;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.StepGrid;
import io.icegate.storage.Lake;
import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.ingest.BatchResult;
import io.icegate.storage.ingest.MetricsBatchBuilder;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PromQL over the real metrics table: OTLP points go through the storage's batch builder and WAL
 * (and, for half the assertions, through compaction into Iceberg), and queries read them back
 * through the Calcite scan. Expected values are computed by hand from Prometheus's rules.
 */
class MetricsQueryEngineTest {
  private static final long T0 = 1_700_000_000_000L; // ms
  private static final long S = 1000;

  @TempDir static Path dir;
  private static Lake lake;
  private static RootAllocator root;
  private static MetricsQueryEngine engine;

  @BeforeAll
  static void load() throws Exception {
    root = new RootAllocator();
    lake =
        Lake.openLocal(
            dir, Duration.ofMillis(1),
            new Compactor.Policy(Duration.ZERO, Long.MAX_VALUE, Duration.ZERO), Duration.ZERO);
    engine =
        new MetricsQueryEngine(
            lake.scanner(), root, 64L << 20, Duration.ofSeconds(30), PromQLEngine.Options.DEFAULT);
    Sum.Builder requests =
        Sum.newBuilder()
            .setIsMonotonic(true)
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
    for (int i = 0; i <= 4; i++) {
      requests.addDataPoints(
          NumberDataPoint.newBuilder()
              .setTimeUnixNano((T0 + i * 15 * S) * 1_000_000)
              .setAsInt(i * 10L)
              .addAttributes(attr("method", "GET")));
    }
    Gauge temperature =
        Gauge.newBuilder()
            .addDataPoints(
                NumberDataPoint.newBuilder()
                    .setTimeUnixNano((T0 + 30 * S) * 1_000_000)
                    .setAsDouble(20.5))
            .addDataPoints(
                NumberDataPoint.newBuilder()
                    .setTimeUnixNano((T0 + 60 * S) * 1_000_000)
                    .setFlags(1)) // no recorded value: the series went stale
            .build();
    Histogram latency =
        Histogram.newBuilder()
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
            .addDataPoints(
                HistogramDataPoint.newBuilder()
                    .setTimeUnixNano((T0 + 60 * S) * 1_000_000)
                    .setCount(6)
                    .setSum(5.0)
                    .addExplicitBounds(0.1)
                    .addExplicitBounds(1)
                    .addBucketCounts(1)
                    .addBucketCounts(2)
                    .addBucketCounts(3))
            .build();
    Summary rpc =
        Summary.newBuilder()
            .addDataPoints(
                SummaryDataPoint.newBuilder()
                    .setTimeUnixNano((T0 + 60 * S) * 1_000_000)
                    .setCount(10)
                    .setSum(7.5)
                    .addQuantileValues(
                        SummaryDataPoint.ValueAtQuantile.newBuilder()
                            .setQuantile(0.5)
                            .setValue(0.25))
                    .addQuantileValues(
                        SummaryDataPoint.ValueAtQuantile.newBuilder()
                            .setQuantile(0.99)
                            .setValue(2)))
            .build();
    ExponentialHistogram exp =
        ExponentialHistogram.newBuilder()
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
            .addDataPoints(
                ExponentialHistogramDataPoint.newBuilder()
                    .setTimeUnixNano((T0 + 60 * S) * 1_000_000)
                    .setCount(6)
                    .setSum(10)
                    .setScale(0)
                    .setZeroCount(1)
                    .setPositive(
                        ExponentialHistogramDataPoint.Buckets.newBuilder()
                            .setOffset(0)
                            .addBucketCounts(2) // (1, 2]
                            .addBucketCounts(3))) // (2, 4]
            .build();
    append("fake", request("api",
        Metric.newBuilder().setName("lat_exp").setExponentialHistogram(exp).build(),
        Metric.newBuilder().setName("requests").setSum(requests).build(),
        Metric.newBuilder().setName("temperature").setGauge(temperature).build(),
        Metric.newBuilder().setName("latency").setUnit("s").setHistogram(latency).build(),
        Metric.newBuilder().setName("rpc").setUnit("s").setSummary(rpc).build()));
    append("other", request("api",
        Metric.newBuilder().setName("temperature").setGauge(temperature).build()));
    // A series longer than one scan batch, flagged stale once in the middle: its rows reach the
    // series builder in several batches, plain ones and one with a stale marker.
    Gauge.Builder longGauge = Gauge.newBuilder();
    for (int i = 0; i < LONG_POINTS; i++) {
      NumberDataPoint.Builder p =
          NumberDataPoint.newBuilder().setTimeUnixNano((LONG_T0 + i * S) * 1_000_000);
      longGauge.addDataPoints(i == LONG_STALE ? p.setFlags(1) : p.setAsDouble(i));
    }
    append("fake", request("api",
        Metric.newBuilder().setName("long_gauge").setGauge(longGauge).build()));
  }

  private static final long LONG_T0 = T0 + 100_000 * S;
  private static final int LONG_POINTS = 10_000;
  private static final int LONG_STALE = 5_000;

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
  void counterSampleCarriesTranslatedNameAndJobInstanceLabels() {
    QueryResult.VectorResult v = instant("requests_total", T0 + 60 * S);
    assertThat(v.samples()).hasSize(1);
    assertThat(v.samples().get(0).labels().toMap())
        .isEqualTo(
            Map.of("__name__", "requests_total", "job", "api", "instance", "i1", "method", "GET"));
    assertThat(v.samples().get(0).value()).isEqualTo(40);
  }

  @Test
  void aMetricNameOrTenantOutsideLatin1SelectsNothingRatherThanFailing() {
    // Prometheus 3's quoted UTF-8 names; Calcite's default literals are ISO-8859-1.
    assertThat(instant("{\"запросы_total\"}", T0 + 60 * S).samples()).isEmpty();
    assertThat(((QueryResult.VectorResult) engine.instant(
            "租户", "requests_total", T0 + 60 * S, () -> false)).samples())
        .isEmpty();
  }

  @Test
  void rateExtrapolatesAsPrometheusDoes() {
    // Samples 10,20,30,40 at +15..+60 s in (0, 60]: delta 30 over 45 s, extrapolated by 15 s to
    // the window start (less than 1.1 × the 15 s average gap; the zero point is 15 s back too).
    QueryResult.VectorResult v = instant("rate(requests_total[1m])", T0 + 60 * S);
    assertThat(v.samples()).hasSize(1);
    assertThat(v.samples().get(0).value()).isCloseTo(40.0 / 60, within(1e-12));
    assertThat(v.samples().get(0).labels().has("__name__")).isFalse();
  }

  @Test
  void aggregationOverStoredSeries() {
    QueryResult.VectorResult v = instant("sum by (job) (requests_total)", T0 + 60 * S);
    assertThat(v.samples()).hasSize(1);
    assertThat(v.samples().get(0).labels().toMap()).isEqualTo(Map.of("job", "api"));
    assertThat(v.samples().get(0).value()).isEqualTo(40);
  }

  @Test
  void noRecordedValueEndsTheSeries() {
    assertThat(instant("temperature", T0 + 45 * S).samples())
        .singleElement()
        .satisfies(s -> assertThat(s.value()).isEqualTo(20.5));
    // Within the 5 m lookback of the 20.5 sample, but after the stale marker at +60 s.
    assertThat(instant("temperature", T0 + 61 * S).samples()).isEmpty();
  }

  @Test
  void classicHistogramBecomesBucketSumAndCountSeries() {
    long t = T0 + 60 * S;
    assertThat(instant("latency_seconds_count", t).samples().get(0).value()).isEqualTo(6);
    assertThat(instant("latency_seconds_sum", t).samples().get(0).value()).isEqualTo(5);
    QueryResult.VectorResult buckets = instant("latency_seconds_bucket", t);
    assertThat(buckets.samples())
        .extracting(s -> s.labels().get("le") + "=" + s.value())
        .containsExactlyInAnyOrder("0.1=1.0", "1=3.0", "+Inf=6.0");
    // rank 3 of 6 falls at the top of the (0.1, 1] bucket (cumulative count 3 there).
    QueryResult.VectorResult q =
        instant("histogram_quantile(0.5, latency_seconds_bucket)", t);
    assertThat(q.samples().get(0).value()).isCloseTo(1.0, within(1e-12));
    QueryResult.VectorResult q25 =
        instant("histogram_quantile(0.25, latency_seconds_bucket)", t);
    // rank 1.5: 0.5 of the 2 observations of (0.1, 1] → 0.1 + 0.9 × 0.25.
    assertThat(q25.samples().get(0).value()).isCloseTo(0.325, within(1e-12));
  }

  @Test
  void exponentialHistogramIsANativeHistogram() {
    long t = T0 + 60 * S;
    assertThat(instant("histogram_count(lat_exp)", t).samples().get(0).value()).isEqualTo(6);
    assertThat(instant("histogram_sum(lat_exp)", t).samples().get(0).value()).isEqualTo(10);
    // rank 3 of 6: the zero bucket holds 1, (1, 2] the next 2 — the rank ends at its top.
    assertThat(instant("histogram_quantile(0.5, lat_exp)", t).samples().get(0).value())
        .isCloseTo(2.0, within(1e-9));
    // Observations above 2: the 3 of (2, 4], i.e. half of them.
    assertThat(instant("histogram_fraction(2, +Inf, lat_exp)", t).samples().get(0).value())
        .isCloseTo(0.5, within(1e-9));
  }

  @Test
  void summaryBecomesQuantileSeries() {
    long t = T0 + 60 * S;
    assertThat(instant("rpc_seconds", t).samples())
        .extracting(s -> s.labels().get("quantile") + "=" + s.value())
        .containsExactlyInAnyOrder("0.5=0.25", "0.99=2.0");
    assertThat(instant("rpc_seconds_count", t).samples().get(0).value()).isEqualTo(10);
    assertThat(instant("rpc_seconds_sum", t).samples().get(0).value()).isEqualTo(7.5);
  }

  @Test
  void seriesReadInManyBatchesKeepsEverySampleInOrder() {
    long last = LONG_T0 + (LONG_POINTS - 1) * S;
    // Every sample in (LONG_T0 - 1 s, last] but the stale marker: 0 + 1 + ... + 9999 - 5000.
    assertThat(instant("count_over_time(long_gauge[10000s])", last).samples())
        .singleElement()
        .satisfies(s -> assertThat(s.value()).isEqualTo(LONG_POINTS - 1));
    assertThat(instant("sum_over_time(long_gauge[10000s])", last).samples())
        .singleElement()
        .satisfies(s -> assertThat(s.value()).isEqualTo(49_995_000 - 5_000));
    // Each step sees the sample at its own time; at +5000 s that is the stale marker.
    QueryResult.MatrixResult m =
        (QueryResult.MatrixResult)
            engine.range("fake", "long_gauge", new StepGrid(LONG_T0, last, 1000 * S),
                () -> false);
    assertThat(m.series()).singleElement().satisfies(s -> assertThat(s.values())
        .containsExactly(0, 1000, 2000, 3000, 4000, 6000, 7000, 8000, 9000));
  }

  @Test
  void rangeQueryOverAStepGrid() {
    QueryResult.MatrixResult m =
        (QueryResult.MatrixResult)
            engine.range(
                "fake", "requests_total * 2", new StepGrid(T0, T0 + 60 * S, 30 * S), () -> false);
    assertThat(m.series()).hasSize(1);
    assertThat(m.series().get(0).values()).containsExactly(0, 40, 80);
  }

  @Test
  void explainPlanShowsEachSelectionWithItsWindowAndPushedDownScan() {
    String text =
        engine.explainInstant(
            "fake", "sum(rate(requests_total{method=\"GET\"}[1m] offset 30s)) + temperature",
            T0 + 60 * S, 0, false, () -> false);
    // The matrix selector at t − 30 s reads (t − 30 s − 1 m, t − 30 s]; the instant selector
    // looks back the default 5 m: (t − 5 m, t]. Times are inclusive milliseconds.
    long rateFrom = T0 + 60 * S - 30 * S - 60 * S + 1;
    long rateTo = T0 + 30 * S;
    long lookbackFrom = T0 + 60 * S - 300 * S + 1;
    assertThat(text)
        .startsWith("PromQL: ")
        .contains("selection 1: {method=\"GET\", __name__=\"requests_total\"} from "
            + Instant.ofEpochMilli(rateFrom) + " to " + Instant.ofEpochMilli(rateTo))
        .contains("selection 2: {__name__=\"temperature\"} from "
            + Instant.ofEpochMilli(lookbackFrom) + " to " + Instant.ofEpochMilli(T0 + 60 * S));
    String first = text.substring(text.indexOf("selection 1"), text.indexOf("selection 2"));
    // The rate is a plan node over the scan, which carries the tenant, the metric name and the
    // window in nanoseconds.
    assertThat(first)
        .contains("(rate evaluated in the plan)", "step selection:",
            "ArrowPromSelect(op=[rate], range=[1m], offset=[30s], "
                + "matchers=[{method=\"GET\", __name__=\"requests_total\"}], steps=["
                + Instant.ofEpochMilli(rateTo) + "])",
            "ArrowTableScan", "'fake'", "'requests_total'",
            Long.toString(rateFrom * 1_000_000), Long.toString((rateTo + 1) * 1_000_000));
    assertThat(first.indexOf("ArrowPromSelect")).isLessThan(first.indexOf("ArrowTableScan"));
    assertThat(text.substring(text.indexOf("selection 2")))
        .contains("(instant evaluated in the plan)", "ArrowPromSelect(op=[instant], lookback=[5m]");
    // The sum and the addition are plan nodes over the leaves' own plans: one plan for the whole
    // query, the rate's selection node the sum's input, the sum and the instant selection the
    // addition's inputs.
    String operators = text.substring(0, text.indexOf("selection 1"));
    assertThat(operators)
        .contains("operator plan 1:\n    ArrowVectorMatch(op=[+], card=[one-to-one],"
            + " matching=[ignoring()], steps=[1])\n"
            + "      ArrowPromAggregate(op=[sum], grouping=[by ()], steps=[1])\n"
            + "        ArrowPromSelect(op=[rate], range=[1m], offset=[30s]")
        .contains("\n      ArrowPromSelect(op=[instant], lookback=[5m], "
            + "matchers=[{__name__=\"temperature\"}]")
        .doesNotContain("operator plan 2")
        .doesNotContain("ArrowStepMatrixInput");
    assertThat(operators.split("ArrowTableScan", -1)).hasSize(3);
  }

  @Test
  void countValuesOverAPlannedLeafRunsInOnePlan() {
    // requests_total is 40 at +60 s: one series of value "40".
    assertThat(instant("count_values(\"v\", requests_total)", T0 + 60 * S).samples())
        .singleElement().satisfies(s -> {
          assertThat(s.labels().toMap()).isEqualTo(Map.of("v", "40"));
          assertThat(s.value()).isEqualTo(1);
        });
    assertThat(engine.explainInstant(
            "fake", "count_values(\"v\", requests_total)", T0 + 60 * S, 0, false, () -> false))
        .contains("ArrowPromAggregate(op=[count_values], grouping=[by ()], label=[v]")
        .contains("ArrowPromSelect(op=[instant]");
  }

  @Test
  void labelMatchersThatAbsentLabelsFailAreTestedInTheScan() {
    // requests_total{job="api", instance="i1", method="GET"} is 40 at +60 s.
    String pushed = engine.explainInstant(
        "fake", "requests_total{method=~\"G.T\", job=\"api\"}", T0 + 60 * S, 0, true,
        () -> false);
    assertThat(pushed)
        .contains("LABEL_VALUE($", "_UTF-8'method'", "(?s:G.T)", "_UTF-8'job'", "_UTF-8'api'")
        .contains("result: vector of 1 series");
    assertThat(instant("requests_total{method=~\"G.T\", job=\"api\"}", T0 + 60 * S).samples())
        .singleElement().satisfies(s -> assertThat(s.value()).isEqualTo(40));
    // A matcher no row passes: the filter keeps nothing of the name's rows.
    String none = engine.explainInstant(
        "fake", "requests_total{method=\"POST\"}", T0 + 60 * S, 0, true, () -> false);
    assertThat(none).contains("_UTF-8'POST'").contains("ArrowFilter(").containsPattern(
        "ArrowFilter\\([^\\n]*\\) \\[batches=0 rows=0 ");
    assertThat(instant("requests_total{method=\"POST\"}", T0 + 60 * S).samples()).isEmpty();
    // Matchers a series without the label passes stay with the series' own test: a row without
    // label text is such a series.
    String kept = engine.explainInstant(
        "fake", "requests_total{method!=\"POST\", zone=~\"|x\"}", T0 + 60 * S, 0, false,
        () -> false);
    assertThat(kept).doesNotContain("LABEL_VALUE");
    assertThat(instant("requests_total{method!=\"POST\", zone=~\"|x\"}", T0 + 60 * S)
            .samples())
        .singleElement().satisfies(s -> assertThat(s.value()).isEqualTo(40));
  }

  @Test
  void explainAnalyzeShowsTheVectorMatchWithWhatItDid() {
    String text =
        engine.explainRange(
            "fake", "requests_total / on (method) group_left requests_total",
            new StepGrid(T0, T0 + 60 * S, 30 * S), 0, true, () -> false);
    assertThat(text)
        .contains("operator plan 1:\n    ArrowVectorMatch(op=[/], card=[many-to-one],"
            + " matching=[on(method) group_left()], steps=[3]) [batches=1 rows=1 ")
        // Each side is the leaf's plan, with what each of its own nodes did.
        .contains("\n      ArrowPromSelect(op=[instant], lookback=[5m], "
            + "matchers=[{__name__=\"requests_total\"}], steps=[" + Instant.ofEpochMilli(T0)
            + ".." + Instant.ofEpochMilli(T0 + 60 * S) + " by 30s (3)]) [batches=1 rows=1 ")
        .contains("selection 2: {__name__=\"requests_total\"}",
            "evaluated in an operator plan with the nodes above it")
        .doesNotContain("ArrowStepMatrixInput");
    String plan = text.substring(0, text.indexOf("selection 1"));
    // Below each side's gather, the split's thread reads the side's 5 rows into samples.
    assertThat(plan.split("\n          ArrowPromSelectSplit\\(matchers=\\[\\{__name__="
        + "\"requests_total\"\\}\\]\\) \\[batches=\\d+ rows=\\d+ [^\n]*\n"
        + " *ArrowProject[^\n]* rows=5 ", -1)).hasSize(3);
  }

  @Test
  void explainShowsARangeFunctionOverASubqueryAsItsOwnNode() {
    String query = "max_over_time(rate(requests_total[30s])[1m:15s])";
    StepGrid grid = new StepGrid(T0 + 30 * S, T0 + 60 * S, 30 * S);
    // Plan only: the inner rate is a leaf over the scan, the subquery a node over its result on
    // the inner grid (here over nothing: the plan reads no data). The grid of 15 s steps in
    // (first time - 1m, last time] has 6 steps; the outer grid 2.
    String plan = engine.explainRange("fake", query, grid, 0, false, () -> false);
    assertThat(plan.substring(0, plan.indexOf("selection 1")))
        .contains("operator plan 1:\n    ArrowPromSubquery(op=[max_over_time], subquery=[1m:15s],"
            + " inner_steps=[6], steps=[2])\n      ArrowStepMatrixInput(expr=[rate("
            + "requests_total[30s])], series=[0])");
    assertThat(plan.substring(plan.indexOf("selection 1"))).contains("(rate evaluated in the plan)");
    // Analyze: the one series went through it.
    String analyze = engine.explainRange("fake", query, grid, 0, true, () -> false);
    assertThat(analyze)
        .contains("result: matrix of 1 series")
        .contains("ArrowPromSubquery(op=[max_over_time], subquery=[1m:15s], inner_steps=[6],"
            + " steps=[2]) [batches=1 rows=1 ")
        .contains("ArrowStepMatrixInput(expr=[rate(requests_total[30s])], series=[1])"
            + " [batches=1 rows=1 ");
  }

  @Test
  void explainAnalyzeRunsTheQueryAndCountsWhatItRead() {
    String text =
        engine.explainRange(
            "fake", "requests_total", new StepGrid(T0, T0 + 60 * S, 30 * S), 0, true,
            () -> false);
    assertThat(text)
        .contains("result: matrix of 1 series, 3 points")
        .contains("evaluated 1 series")
        .contains("step selection:")
        .contains("ArrowPromSelect(op=[instant], lookback=[5m], "
            + "matchers=[{__name__=\"requests_total\"}], steps=[" + Instant.ofEpochMilli(T0)
            + ".." + Instant.ofEpochMilli(T0 + 60 * S) + " by 30s (3)]) [batches=1 rows=1")
        // No histogram or summary row is named requests_total, so that plan never ran.
        .doesNotContain("histogram and summary points");
  }

  @Test
  void aLeafOverHistogramOrSummaryRowsIsLeftToTheSeriesWay() {
    // latency_seconds_bucket: the family's rows (latency_seconds) are histogram rows; rpc_seconds:
    // the name's own rows are summary rows. Neither leaf runs in the plan; the family rows the
    // leaf's look found are not looked for again by the selection.
    String text =
        engine.explainInstant(
            "fake", "max_over_time(latency_seconds_bucket[2m]) + max_over_time(rpc_seconds[2m])",
            T0 + 60 * S, 0, true, () -> false);
    assertThat(text).doesNotContain("evaluated in the plan").doesNotContain("ArrowPromSelect");
    String first = text.substring(text.indexOf("selection 1"), text.indexOf("selection 2"));
    assertThat(first.split("number points:", -1)).hasSize(2);
    assertThat(first.split("histogram and summary points", -1)).hasSize(3);
    assertThat(text.substring(text.indexOf("selection 2")))
        .contains("number points:", "histogram and summary points");
    // Each bucket series' one sample in the window is its maximum, each quantile's likewise;
    // nothing matches across them, so the sum is empty — the leaves themselves answer:
    assertThat(instant("max_over_time(latency_seconds_bucket[2m])", T0 + 60 * S).samples())
        .extracting(x -> x.labels().get("le") + "=" + x.value())
        .containsExactlyInAnyOrder("0.1=1.0", "1=3.0", "+Inf=6.0");
    assertThat(instant("max_over_time(rpc_seconds[2m])", T0 + 60 * S).samples())
        .extracting(x -> x.labels().get("quantile") + "=" + x.value())
        .containsExactlyInAnyOrder("0.5=0.25", "0.99=2.0");
  }

  @Test
  void explainOfAQueryWithoutSelectorsReadsNothing() {
    assertThat(engine.explainInstant("fake", "1 + 1", T0, 0, false, () -> false))
        .contains("no series selections");
  }

  @Test
  void tenantsSeeOnlyTheirOwnSeries() {
    assertThat(
            engine.series(
                "other",
                List.of(List.of(LabelMatcher.of("job", LabelMatcher.Type.EQ, "api"))),
                T0, T0 + 60 * S, () -> false))
        .extracting(l -> l.get(Labels.METRIC_NAME))
        .containsExactly("temperature");
    assertThat(engine.labelValues("fake", "__name__", List.of(), T0, T0 + 60 * S, () -> false))
        .containsExactly(
            "lat_exp", "latency_seconds_bucket", "latency_seconds_count", "latency_seconds_sum",
            "requests_total", "rpc_seconds", "rpc_seconds_count", "rpc_seconds_sum",
            "temperature");
  }

  @Test
  void sameAnswersAfterCompactionIntoIceberg() throws Exception {
    lake.compact();
    assertThat(instant("requests_total", T0 + 60 * S).samples().get(0).value()).isEqualTo(40);
    assertThat(instant("histogram_quantile(0.5, latency_seconds_bucket)", T0 + 60 * S)
            .samples().get(0).value())
        .isCloseTo(1.0, within(1e-12));
    assertThat(instant("temperature", T0 + 61 * S).samples()).isEmpty();
  }

  @Test
  void timesBeyondTheTablesNanosecondsFindNothingInsteadOfFailing() {
    // Prometheus keeps milliseconds in an int64 and answers such times with an empty vector;
    // the table's nanoseconds end in the year 2262.
    long farFuture = 9_000_000_000_000_000L;
    assertThat(instant("temperature", farFuture).samples()).isEmpty();
    assertThat(instant("temperature", -farFuture).samples()).isEmpty();
    assertThat(instant("count_over_time(temperature[100y])", farFuture).samples()).isEmpty();
  }

  @Test
  void aSelectionAskedAgainRunsItsKeptPlanAndSeesRowsWrittenSince() throws Exception {
    long t = T0 + 300_000 * S;
    append("fake", request("api", gauge("replanned", t - 20 * S, 1)));
    int before = engine.cachedPlans();
    assertThat(instant("replanned", t).samples()).extracting(QueryResult.Sample::value)
        .containsExactly(1.0);
    int planned = engine.cachedPlans();
    assertThat(planned).as("the selection's plan is kept").isGreaterThan(before);

    // A later point; the same query again takes the kept plan, which still plans its files
    // when it runs, so the new row is read.
    append("fake", request("api", gauge("replanned", t - 10 * S, 2)));
    assertThat(instant("replanned", t).samples()).extracting(QueryResult.Sample::value)
        .containsExactly(2.0);
    assertThat(engine.cachedPlans()).as("no second plan for the same selection")
        .isEqualTo(planned);
    // Another tenant's same selection is planned (and answered) on its own.
    assertThat(((QueryResult.VectorResult) engine.instant("other", "replanned", t, () -> false))
        .samples()).isEmpty();
    assertThat(engine.cachedPlans()).isGreaterThan(planned);
  }

  private static Metric gauge(String name, long timeMillis, double value) {
    return Metric.newBuilder().setName(name).setGauge(Gauge.newBuilder().addDataPoints(
        NumberDataPoint.newBuilder().setTimeUnixNano(timeMillis * 1_000_000).setAsDouble(value)))
        .build();
  }

  private static QueryResult.VectorResult instant(String query, long t) {
    return (QueryResult.VectorResult) engine.instant("fake", query, t, () -> false);
  }

  private static ExportMetricsServiceRequest request(String service, Metric... metrics) {
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(
            ResourceMetrics.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(attr("service.name", service))
                        .addAttributes(attr("service.instance.id", "i1")))
                .addScopeMetrics(ScopeMetrics.newBuilder().addAllMetrics(List.of(metrics))))
        .build();
  }

  private static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  private static void append(String tenant, ExportMetricsServiceRequest request) throws Exception {
    BatchResult result =
        MetricsBatchBuilder.build(request, tenant, System.currentTimeMillis() * 1_000_000, root);
    assertThat(result.rejected()).as(result.rejectionMessage()).isZero();
    lake.metricsWal().append(tenant, result.batch()).get(); // the WAL owns and closes the batch
  }
}

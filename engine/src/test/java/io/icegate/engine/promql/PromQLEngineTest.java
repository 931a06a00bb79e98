package io.icegate.engine.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.engine.series.Labels;
import io.icegate.engine.series.StepGrid;
import io.icegate.promql.PromQLOptions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's own contract beyond the promqltest scripts: limits and errors worded as
 * Prometheus words them, and results shaped as its API returns them. Values are hand-computed.
 */
class PromQLEngineTest {
  private final InMemorySeriesSource source = new InMemorySeriesSource();

  @BeforeEach
  void load() {
    // up{job="a"} = 0, 1, ..., 9 and up{job="b"} = 10 at one-minute steps from t=0.
    for (int i = 0; i < 10; i++) {
      source.add(Labels.of("__name__", "up", "job", "a"), i * 60_000L, i);
      source.add(Labels.of("__name__", "up", "job", "b"), i * 60_000L, 10);
    }
  }

  private PromQLEngine engine(long maxSamples) {
    return new PromQLEngine(
        source,
        PromQLEngine.Options.DEFAULT
            .withMaxSamples(maxSamples)
            .withParserOptions(PromQLOptions.ALL_ENABLED));
  }

  @Test
  void tooManySamplesFailsWithPrometheusWording() {
    // Two series of ten samples in the window, read one series at a time: the first series'
    // result (1) is held with the second's window (10) and its result (1): 12 at the peak.
    assertThatThrownBy(() -> engine(11).instantQuery("sum_over_time(up[10m])", 9 * 60_000))
        .isInstanceOf(PromQLException.class)
        .hasMessage("query processing would load too many samples into memory in query execution");
    assertThat(engine(12).instantQuery("sum_over_time(up[10m])", 9 * 60_000))
        .isInstanceOf(QueryResult.VectorResult.class);
  }

  @Test
  void rangeQueryOfARangeVectorIsRejected() {
    assertThatThrownBy(() -> engine(1000).rangeQuery("up[5m]", new StepGrid(0, 60_000, 60_000)))
        .hasMessage(
            "invalid expression type \"range vector\" for range query, must be Scalar or instant Vector");
  }

  @Test
  void droppingTheNameOfTwoSeriesWithTheSameLabelsIsAnError() {
    source.add(Labels.of("__name__", "down", "job", "a"), 0, 1);
    assertThatThrownBy(() -> engine(1000).instantQuery("{job=\"a\"} * 2", 0))
        .hasMessage("vector cannot contain metrics with the same labelset");
  }

  @Test
  void rangeQueryGivesOneSeriesPerLabelSetSortedByLabels() {
    QueryResult r = engine(1000).rangeQuery("up * 2", new StepGrid(60_000, 180_000, 60_000));

    assertThat(r).isInstanceOf(QueryResult.MatrixResult.class);
    var series = ((QueryResult.MatrixResult) r).series();
    assertThat(series).extracting(s -> s.labels().toString())
        .containsExactly("{job=\"a\"}", "{job=\"b\"}");
    assertThat(series.get(0).timestamps()).containsExactly(60_000, 120_000, 180_000);
    assertThat(series.get(0).values()).containsExactly(2, 4, 6);
  }

  @Test
  void instantQueryRateExtrapolatesToTheWindowEdges() {
    // rate(up{job="a"}[5m]) at 9m: (4m, 9m] holds the samples 5..9 at 5m..9m. The increase of 4
    // over 240s is extrapolated to the window's start, 60s away (within 1.1 average intervals,
    // and before the counter's zero point 300s back), and not at the end, which has a sample:
    // 4 * (240 + 60) / 240 / 300s = 1/60.
    QueryResult r = engine(1000).instantQuery("rate(up{job=\"a\"}[5m])", 9 * 60_000);

    var samples = ((QueryResult.VectorResult) r).samples();
    assertThat(samples).hasSize(1);
    assertThat(samples.get(0).labels()).isEqualTo(Labels.of("job", "a"));
    assertThat(samples.get(0).value()).isCloseTo(1.0 / 60, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(r.infos()).containsExactly(
        "PromQL info: metric might not be a counter, name does not end in "
            + "_total/_sum/_count/_bucket: \"up\" (1:6)");
  }

  @Test
  void topkAndBottomkKeepTheFirstKOfAStableOrderNaNLast() {
    // At t=0: v{i="1"}=3, v{i="2"}=NaN, v{i="3"}=5, v{i="4"}=3, v{i="5"}=1, v{i="6"}=5 (members
    // in label order). topk(3): 5 (i=3), 5 (i=6), then the first 3 in member order (i=1).
    // bottomk(2): 1 (i=5), then 3 (i=1); NaN sorts last both ways, so bottomk(6) ends with it.
    double[] values = {3, Double.NaN, 5, 3, 1, 5};
    for (int i = 0; i < values.length; i++) {
      source.add(Labels.of("__name__", "v", "i", String.valueOf(i + 1)), 0, values[i]);
    }
    assertThat(labelsOf(engine(1000).instantQuery("topk(3, v)", 0)))
        .containsExactly("{__name__=\"v\", i=\"3\"}", "{__name__=\"v\", i=\"6\"}",
            "{__name__=\"v\", i=\"1\"}");
    assertThat(labelsOf(engine(1000).instantQuery("bottomk(2, v)", 0)))
        .containsExactly("{__name__=\"v\", i=\"5\"}", "{__name__=\"v\", i=\"1\"}");
    assertThat(labelsOf(engine(1000).instantQuery("topk(5, v)", 0)))
        .containsExactly("{__name__=\"v\", i=\"3\"}", "{__name__=\"v\", i=\"6\"}",
            "{__name__=\"v\", i=\"1\"}", "{__name__=\"v\", i=\"4\"}",
            "{__name__=\"v\", i=\"5\"}");
    assertThat(labelsOf(engine(1000).instantQuery("bottomk(5, v)", 0)))
        .containsExactly("{__name__=\"v\", i=\"5\"}", "{__name__=\"v\", i=\"1\"}",
            "{__name__=\"v\", i=\"4\"}", "{__name__=\"v\", i=\"3\"}",
            "{__name__=\"v\", i=\"6\"}");
    assertThat(labelsOf(engine(1000).instantQuery("topk(0, v)", 0))).isEmpty();
  }

  private static List<String> labelsOf(QueryResult r) {
    return ((QueryResult.VectorResult) r).samples().stream()
        .map(s -> s.labels().toString()).toList();
  }

  @Test
  void countValuesAndLimitkOfFloatsRunAsAggregationPlans() {
    List<String> plans = new java.util.ArrayList<>();
    PromQLEngine engine = engine(1000).withPlanListener(
        (plan, stats) -> plans.add(io.icegate.engine.plan.QueryOptimizer.explain(plan)));
    // At 9m up{job="a"} is 9 and up{job="b"} 10: one series of each value.
    QueryResult r = engine.instantQuery("count_values(\"v\", up)", 9 * 60_000);
    assertThat(((QueryResult.VectorResult) r).samples())
        .extracting(s -> s.labels() + " " + s.value())
        .containsExactlyInAnyOrder("{v=\"9\"} 1.0", "{v=\"10\"} 1.0");
    assertThat(plans).anySatisfy(p -> assertThat(p).contains("op=[count_values]", "label=[v]"));
    // Over 0..2m job a counts 0, 1, 2 once each and job b 10 at every step; writing "job"
    // over the grouping label merges both jobs' counts of one value (none here).
    r = engine.rangeQuery(
        "count_values by (job) (\"job\", up)", new StepGrid(0, 120_000, 60_000));
    assertThat(((QueryResult.MatrixResult) r).series())
        .extracting(s -> s.labels() + " " + java.util.Arrays.toString(s.timestamps()) + " "
            + java.util.Arrays.toString(s.values()))
        .containsExactly(
            "{job=\"0\"} [0] [1.0]", "{job=\"1\"} [60000] [1.0]",
            "{job=\"10\"} [0, 60000, 120000] [1.0, 1.0, 1.0]",
            "{job=\"2\"} [120000] [1.0]");
    // limitk keeps the first series in label order at each step.
    plans.clear();
    assertThat(labelsOf(engine.instantQuery("limitk(1, up)", 0)))
        .containsExactly("{__name__=\"up\", job=\"a\"}");
    assertThat(plans).anySatisfy(p -> assertThat(p).contains("op=[limitk]"));
  }

  @Test
  void operandsLargerThanTheQueryMemoryAreEvaluatedSeriesBySeries() {
    // 300 series, each with one sample at t=0 (value 1) and at t=0 a second metric of value 2:
    // over 0..299 s at 1 s steps (within the 5 m lookback) each operand's step matrix is 300 x
    // 300 doubles, 720 kB, past a 256 KiB query allocator. Prometheus's only limit is its
    // sample count (here 90,000 per operand), so the answers must still come.
    for (int i = 0; i < 300; i++) {
      source.add(Labels.of("__name__", "one", "i", String.valueOf(i)), 0, 1);
      source.add(Labels.of("__name__", "two", "i", String.valueOf(i)), 0, 2);
    }
    List<org.apache.arrow.memory.BufferAllocator> made = new java.util.ArrayList<>();
    org.apache.arrow.memory.RootAllocator root = new org.apache.arrow.memory.RootAllocator();
    PromQLEngine small = new PromQLEngine(
        source, PromQLEngine.Options.DEFAULT.withParserOptions(PromQLOptions.ALL_ENABLED),
        () -> false,
        () -> {
          var a = root.newChildAllocator("query", 0, 256 * 1024);
          made.add(a);
          return a;
        },
        (plan, stats) -> {});
    StepGrid grid = new StepGrid(0, 299_000, 1_000);
    var sum = ((QueryResult.MatrixResult) small.rangeQuery("sum(one)", grid)).series();
    assertThat(sum).singleElement().satisfies(s -> {
      assertThat(s.values()).hasSize(300).containsOnly(300.0);
    });
    var ratio = ((QueryResult.MatrixResult) small.rangeQuery("two / one", grid)).series();
    assertThat(ratio).hasSize(300)
        .allSatisfy(s -> assertThat(s.values()).hasSize(300).containsOnly(2.0));
    var top = ((QueryResult.MatrixResult) small.rangeQuery("sum(topk(2, one))", grid)).series();
    assertThat(top).singleElement().satisfies(s -> assertThat(s.values()).containsOnly(2.0));
    // A subquery's inner grid of 400 steps: one batch of it is past the limit too.
    var max = ((QueryResult.MatrixResult) small.rangeQuery("max_over_time(two[100s:1s])", grid))
        .series();
    assertThat(max).hasSize(300)
        .allSatisfy(s -> assertThat(s.values()).hasSize(300).containsOnly(2.0));
    assertThat(made).isNotEmpty().allSatisfy(a -> assertThat(a.getAllocatedMemory()).isZero());
    root.close();
  }
}

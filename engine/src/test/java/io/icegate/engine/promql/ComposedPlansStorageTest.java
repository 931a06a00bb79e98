package io.icegate.engine.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.icegate.engine.exec.QueryCancelledException;
import io.icegate.engine.plan.QueryOptimizer;
import io.icegate.engine.series.Series;
import io.icegate.engine.series.StepGrid;
import io.icegate.promql.PromQLOptions;
import io.icegate.storage.Lake;
import io.icegate.storage.compaction.Compactor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.calcite.rel.RelNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Aggregations and vector matching over leaves evaluated in the metrics table's plans run as one
 * plan ({@link ComposedPlans}): answers computed by hand from Prometheus's rules, the plan's
 * shape, the sample limit, the fallback when a leaf meets a histogram mid-scan, cancellation,
 * and every buffer released after each query.
 */
class ComposedPlansStorageTest {
  private static final long M = 60_000;

  /*
   * Counters rising by a constant per minute: a rate over 5m at a multiple of a minute sees five
   * samples 4m apart from the first to the last, extrapolated over the 1m gap to the window's
   * start (under 1.1 times the average interval), so the rate is exactly the slope per second.
   */
  private static final String LOAD = """
      load 1m
        req_total{job="a", i="1"} 0+60x10
        req_total{job="a", i="2"} 0+120x10
        req_total{job="b", i="1"} 0+30x10
        err_total{job="a"} 0+6x10
        err_total{job="b"} 0+3x10
        mixed{k="f"} 1+0x10
        mixed{k="h"} {{schema:0 sum:1 count:1 buckets:[1]}}x10
      """;

  @TempDir static Path dir;
  private static RootAllocator root;
  private static Lake lake;
  private static LakeSeriesStore store;
  private RootAllocator evaluation;
  private final List<RelNode> plans = new ArrayList<>();

  @BeforeAll
  static void load() throws Exception {
    root = new RootAllocator();
    lake =
        Lake.openLocal(
            dir, Duration.ofMillis(1),
            new Compactor.Policy(Duration.ZERO, Long.MAX_VALUE, Duration.ZERO), Duration.ZERO);
    store = new LakeSeriesStore(lake, root);
    assertThat(new PromQLScript(store).run(LOAD)).isEmpty();
  }

  @AfterAll
  static void close() throws Exception {
    lake.close();
    root.close();
  }

  @BeforeEach
  void allocator() {
    evaluation = new RootAllocator();
    plans.clear();
    store.cancelWhen(() -> false);
  }

  @AfterEach
  void released() {
    assertThat(root.getAllocatedMemory()).as("the plans' buffers").isZero();
    assertThat(evaluation.getAllocatedMemory()).as("the evaluation's buffers").isZero();
    evaluation.close();
  }

  private PromQLEngine engine() {
    return new PromQLEngine(
        store, PromQLEngine.Options.DEFAULT.withParserOptions(PromQLOptions.ALL_ENABLED),
        () -> false, () -> evaluation.newChildAllocator("query", 0, Long.MAX_VALUE),
        (plan, stats) -> plans.add(plan));
  }

  private List<String> instant(String query, long time) {
    QueryResult.VectorResult v = (QueryResult.VectorResult) engine().instantQuery(query, time);
    assertThat(v.warnings()).isEmpty();
    assertThat(v.infos()).isEmpty();
    return v.samples().stream().map(s -> s.labels() + "=" + s.value()).toList();
  }

  private String onlyPlan() {
    assertThat(plans).hasSize(1);
    return QueryOptimizer.explain(plans.get(0));
  }

  @Test
  void anAggregationOfARateIsOnePlanOverTheScan() {
    int composed = store.composed();
    assertThat(instant("sum by (job) (rate(req_total[5m]))", 10 * M))
        .containsExactlyInAnyOrder("{job=\"a\"}=3.0", "{job=\"b\"}=0.5");
    assertThat(store.composed()).isEqualTo(composed + 1);
    String plan = onlyPlan();
    assertThat(plan)
        .startsWith("ArrowPromAggregate(op=[sum], grouping=[by (job)], steps=[1])\n"
            + "  ArrowPromSelect(op=[rate], range=[5m], ")
        .contains("ArrowTableScan")
        .doesNotContain("ArrowStepMatrixInput");
  }

  @Test
  void aJoinOfTwoLeavesIsOnePlan() {
    // 600/60, 1200/60 and 300/30 at 10m.
    assertThat(instant("req_total / on (job) group_left err_total", 10 * M))
        .containsExactlyInAnyOrder(
            "{i=\"1\", job=\"a\"}=10.0", "{i=\"2\", job=\"a\"}=20.0", "{i=\"1\", job=\"b\"}=10.0");
    String plan = onlyPlan();
    assertThat(plan)
        .startsWith("ArrowVectorMatch(op=[/], card=[many-to-one], matching=[on(job) "
            + "group_left()], steps=[1])\n"
            + "  ArrowPromSelect(op=[instant], lookback=[5m], "
            + "matchers=[{__name__=\"req_total\"}]")
        .contains("\n  ArrowPromSelect(op=[instant], lookback=[5m], "
            + "matchers=[{__name__=\"err_total\"}]");
    assertThat(plan.split("ArrowTableScan", -1)).hasSize(3);
  }

  @Test
  void aRatioOfTwoAggregationsIsOnePlanAtEveryStep() {
    // a: 0.1 / (1 + 2); b: 0.05 / 0.5; the same at every step from 5m on.
    QueryResult.MatrixResult m = (QueryResult.MatrixResult) engine().rangeQuery(
        "sum by (job) (rate(err_total[5m])) / sum by (job) (rate(req_total[5m]))",
        new StepGrid(5 * M, 10 * M, M));
    assertThat(m.series()).extracting(s -> s.labels().toString())
        .containsExactly("{job=\"a\"}", "{job=\"b\"}");
    Series a = m.series().get(0);
    Series b = m.series().get(1);
    assertThat(a.timestamps()).containsExactly(5 * M, 6 * M, 7 * M, 8 * M, 9 * M, 10 * M);
    for (int i = 0; i < 6; i++) {
      assertThat(a.values()[i]).isCloseTo(0.1 / 3, within(1e-12));
      assertThat(b.values()[i]).isCloseTo(0.1, within(1e-12));
    }
    assertThat(onlyPlan())
        .startsWith("ArrowVectorMatch(op=[/], card=[one-to-one], matching=[ignoring()], "
            + "steps=[6])\n"
            + "  ArrowPromAggregate(op=[sum], grouping=[by (job)], steps=[6])\n"
            + "    ArrowPromSelect(op=[rate], range=[5m], matchers=[{__name__=\"err_total\"}]")
        .contains("\n  ArrowPromAggregate(op=[sum], grouping=[by (job)], steps=[6])\n"
            + "    ArrowPromSelect(op=[rate], range=[5m], matchers=[{__name__=\"req_total\"}]");
  }

  @Test
  void theSampleLimitCountsAComposedPlanAsTheEvaluatorDoes() {
    int composed = store.composed();
    // The rate holds, series after series in label order, the outputs so far plus one series'
    // 5 samples and its output: 0 + 6, 1 + 6, 2 + 6; the sum's 2 outputs replace its 3 inputs.
    String sum = "sum by (job) (rate(req_total[5m]))";
    assertThatCode(() -> MaxSamplesTest.run(store, sum, 8, 10 * M, 10 * M, 0))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> MaxSamplesTest.run(store, sum, 7, 10 * M, 10 * M, 0))
        .isInstanceOf(PromQLException.class)
        .hasMessage("query processing would load too many samples into memory in query execution");
    // The join holds both sides (3 + 2) and its 3 outputs at once.
    String join = "req_total / on (job) group_left err_total";
    assertThatCode(() -> MaxSamplesTest.run(store, join, 8, 10 * M, 10 * M, 0))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> MaxSamplesTest.run(store, join, 7, 10 * M, 10 * M, 0))
        .isInstanceOf(PromQLException.class);
    assertThat(store.composed()).isEqualTo(composed + 4);
  }

  @Test
  void aHistogramMetMidScanStopsThePlanAndTheEvaluatorAnswers() {
    int composed = store.composed();
    int planned = store.planned();
    // The leaf's plan is composed (nothing tells the name holds histograms before its scan);
    // its scan meets the histogram row, the plan stops, and the count is the evaluator's, which
    // counts the histogram sample too.
    assertThat(instant("count(mixed)", 10 * M)).containsExactly("{}=2.0");
    assertThat(store.planned()).as("the leaf's plan was composed").isEqualTo(planned + 1);
    assertThat(store.composed()).isEqualTo(composed);
    assertThat(plans).isEmpty();
    // Here the other side's leaf has been read whole (its step matrix held by the match) when
    // the histogram stops the plan: 600 + 1200 + 300, plus the count.
    assertThat(instant("sum(req_total) + on () count(mixed)", 10 * M))
        .containsExactly("{}=2102.0");
    // Both leaves composed into the whole, then (once that stopped) each into its aggregation:
    // the sum's plan runs; the count's stops again (this store's sources keep nothing between
    // calls, so nothing tells it the name has histograms).
    assertThat(store.planned()).isEqualTo(planned + 5);
    assertThat(store.composed()).isEqualTo(composed + 1);
    // The sum over its leaf, then the addition over the two operands as step series.
    assertThat(plans).hasSize(2);
    assertThat(QueryOptimizer.explain(plans.get(0)))
        .startsWith("ArrowPromAggregate(op=[sum], grouping=[by ()], steps=[1])\n"
            + "  ArrowPromSelect(op=[instant]");
    assertThat(QueryOptimizer.explain(plans.get(1)))
        .startsWith("ArrowVectorMatch(op=[+]")
        .contains("ArrowStepMatrixInput(expr=[count(mixed)]");
  }

  @Test
  void aCancelledComposedPlanStopsAndReleasesEverything() {
    int composed = store.composed();
    int planned = store.planned();
    store.cancelWhen(() -> true);
    assertThatThrownBy(() -> engine().instantQuery("sum by (job) (rate(req_total[5m]))", 10 * M))
        .isInstanceOf(QueryCancelledException.class);
    assertThat(store.planned()).as("the leaf's plan was composed").isEqualTo(planned + 1);
    assertThat(store.composed()).isEqualTo(composed);
    assertThat(plans).isEmpty();
  }
}

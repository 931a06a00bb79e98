package io.icegate.engine.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.engine.exec.QueryCancelledException;
import io.icegate.engine.rel.ArrowPromSubquery;
import io.icegate.engine.series.StepGrid;
import io.icegate.promql.PromQL;
import io.icegate.promql.PromQLOptions;
import io.icegate.promql.ast.Expr;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.calcite.rel.RelNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A range function over a subquery gives the same through the plan node ({@link
 * ArrowPromSubquery}) as through the evaluator's range vector: series, bit-exact values, notes
 * and the most samples held at once; the node runs for float inner results and the ported
 * functions only.
 */
class PlannedSubqueriesTest {
  private static final InMemorySeriesSource SOURCE = new InMemorySeriesSource();

  @BeforeAll
  static void load() {
    assertThat(new PromQLScript(SOURCE).run("""
        load 10s
          http_requests_total{job="a", i="1"} 1+3x20 2+5x30 0+1x40
          http_requests_total{job="a", i="2"} 5+2x10 _x5 7+1x20 stale 4+4x30
          http_requests_total{job="b", i="1"} 0 NaN 3 Inf 5 -Inf 7+1x50 1 2 3
          temperature{job="a"} 20+0.5x40 30-0.25x60
          temperature{job="b"} 1 1 1 2 2 2 NaN NaN 3 3 3 1+0x50
          other{job="a"} 1+1x100
          hist {{schema:1 count:5 sum:20 buckets:[1 2 1 1]}}+{{schema:1 count:10 sum:5 buckets:[1 2 3 4]}}x50
        """)).isEmpty();
  }

  private static final List<String> FUNCTIONS = List.of(
      "rate", "increase", "delta", "irate", "idelta", "deriv", "resets", "changes",
      "sum_over_time", "avg_over_time", "count_over_time", "min_over_time", "max_over_time",
      "stddev_over_time", "stdvar_over_time", "last_over_time", "first_over_time",
      "present_over_time", "mad_over_time", "ts_of_last_over_time", "ts_of_first_over_time",
      "ts_of_max_over_time", "ts_of_min_over_time");

  /** Inner expressions: a selector, a rate (name dropped), a scalar, an offset, an @, nested. */
  private static final List<String> SUBQUERIES = List.of(
      "http_requests_total[2m:20s]",
      "rate(http_requests_total[1m])[3m:30s]",
      "temperature[90s:15s] offset 1m",
      "(temperature * 2)[1m:]",
      "other[2m:10s] @ 500",
      "vector(time())[1m:15s]",
      "max_over_time(rate(http_requests_total[1m])[2m:20s])[5m:1m]",
      "label_replace(other, \"x\", \"$1\", \"job\", \"(.*)\")[100s:25s]",
      "nothing_here[1m:10s]");

  private static final long[][] GRIDS = {{300, 300, 0}, {0, 800, 30}, {95, 905, 45}};

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String f : FUNCTIONS) {
      for (String sq : SUBQUERIES) {
        for (long[] g : GRIDS) {
          out.add(Arguments.of(f + "(" + sq + ")", g[0] * 1000, g[1] * 1000, g[2] * 1000));
        }
      }
    }
    // Above an aggregation and under one.
    for (long[] g : GRIDS) {
      out.add(Arguments.of("sum by (job) (avg_over_time(temperature[2m:10s]))",
          g[0] * 1000, g[1] * 1000, g[2] * 1000));
      out.add(Arguments.of("max_over_time(sum by (job) (rate(http_requests_total[1m]))[3m:20s])",
          g[0] * 1000, g[1] * 1000, g[2] * 1000));
    }
    return out.stream();
  }

  /** What an evaluation gave: its value as text (series in label order), notes, peak. */
  private record Outcome(String value, List<String> warnings, List<String> infos, long peak) {}

  private static Outcome run(String query, long start, long end, long step, boolean planned,
      List<RelNode> plans) {
    Expr expr = PromQL.parse(query, PromQLOptions.ALL_ENABLED);
    long[] times = step == 0 ? new long[] {start} : new StepGrid(start, end, step).times();
    try (RootAllocator allocator = new RootAllocator()) {
      Evaluator ev = new Evaluator(SOURCE, PromQLEngine.Options.DEFAULT
          .withParserOptions(PromQLOptions.ALL_ENABLED), query, start, end, step).plan(expr);
      if (planned) {
        ev.withStepPlans(new StepPlans(allocator, () -> false, (p, s) -> plans.add(p)));
      }
      Value v = ev.eval(expr, times);
      Outcome o = new Outcome(text((Value.Vector) v), List.copyOf(ev.warnings),
          List.copyOf(ev.infos), ev.peakSamples());
      assertThat(allocator.getAllocatedMemory()).isZero();
      return o;
    }
  }

  private static String text(Value.Vector v) {
    List<StepSeries> series = new ArrayList<>(v.series());
    series.sort(Comparator.comparing((StepSeries s) -> s.finalLabels()));
    StringBuilder out = new StringBuilder();
    for (StepSeries s : series) {
      out.append(s.finalLabels()).append(':');
      for (int i = 0; i < s.values.length; i++) {
        out.append(' ').append(s.present[i]
            ? s.histogram(i) != null ? "h" : Long.toHexString(Double.doubleToRawLongBits(s.values[i]))
            : "_");
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static boolean subqueryPlanRan(List<RelNode> plans) {
    for (RelNode p : plans) {
      if (p instanceof ArrowPromSubquery) {
        return true;
      }
    }
    return false;
  }

  @ParameterizedTest(name = "{0} from {1} to {2} by {3}")
  @MethodSource("cases")
  void theNodeGivesWhatTheRangeVectorGives(String query, long start, long end, long step) {
    List<RelNode> plans = new ArrayList<>();
    Outcome planned = run(query, start, end, step, true, plans);
    Outcome series = run(query, start, end, step, false, new ArrayList<>());
    assertThat(planned).isEqualTo(series);
    assertThat(subqueryPlanRan(plans)).as("the subquery node ran").isTrue();
  }

  @Test
  void countersNoteNamesThatAreNotCountersOnce() {
    List<RelNode> plans = new ArrayList<>();
    Outcome o = run("rate(temperature[2m:10s])", 300_000, 300_000, 0, true, plans);
    assertThat(subqueryPlanRan(plans)).isTrue();
    assertThat(o.infos()).containsExactly("PromQL info: metric might not be a counter, name does"
        + " not end in _total/_sum/_count/_bucket: \"temperature\" (1:6)");
  }

  @Test
  void histogramResultsAndFunctionsWithArgumentsStayWithTheEvaluator() {
    for (String q : List.of("rate(hist[2m:10s])", "count_over_time(hist[2m:10s])",
        "quantile_over_time(0.5, temperature[2m:10s])",
        "predict_linear(temperature[2m:10s], 60)", "absent_over_time(nothing_here[2m:10s])")) {
      List<RelNode> plans = new ArrayList<>();
      Outcome planned = run(q, 0, 600_000, 60_000, true, plans);
      assertThat(subqueryPlanRan(plans)).as(q).isFalse();
      assertThat(planned).as(q).isEqualTo(run(q, 0, 600_000, 60_000, false, new ArrayList<>()));
      assertThat(planned.value()).as(q).isNotEmpty();
    }
  }

  @Test
  void theInnerMatrixIsMadeABatchAtATime() {
    // 3000 series over 360 inner steps: 8.6 MB of values as one matrix, more than the 6 MiB
    // the query may hold; a batch at a time (1024 series) it holds under 3 MB at once.
    InMemorySeriesSource source = new InMemorySeriesSource();
    for (int i = 0; i < 3000; i++) {
      io.icegate.engine.series.Labels l =
          io.icegate.engine.series.Labels.of("__name__", "x", "i", Integer.toString(i));
      for (int k = 1; k <= 360; k++) {
        source.add(l, k * 60_000L, i + k);
      }
    }
    String query = "max_over_time(x[6h:1m])";
    Expr expr = PromQL.parse(query);
    try (RootAllocator root = new RootAllocator();
        org.apache.arrow.memory.BufferAllocator allocator =
            root.newChildAllocator("query", 0, 6L << 20)) {
      List<RelNode> plans = new ArrayList<>();
      Evaluator ev = new Evaluator(source, PromQLEngine.Options.DEFAULT, query, 21_600_000,
          21_600_000, 0).plan(expr)
          .withStepPlans(new StepPlans(allocator, () -> false, (p, s) -> plans.add(p)));
      Value.Vector v = (Value.Vector) ev.eval(expr, new long[] {21_600_000});
      assertThat(subqueryPlanRan(plans)).isTrue();
      assertThat(v.series()).hasSize(3000);
      // Series i's newest sample, at 6 h, is i + 360: the largest.
      assertThat(v.series()).allMatch(
          s -> s.values[0] == Integer.parseInt(s.labels.get("i")) + 360);
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void aCancelledQueryStopsInTheNodeAndLeavesNothingAllocated() {
    Expr expr = PromQL.parse("max_over_time(other[2m:10s])");
    try (RootAllocator allocator = new RootAllocator()) {
      // Cancelled once the inner selection is done: the next check is the node's.
      int[] asked = {0};
      Evaluator[] ev = new Evaluator[1];
      ev[0] = new Evaluator(SOURCE, PromQLEngine.Options.DEFAULT, "q", 0, 600_000, 60_000,
          () -> ++asked[0] > 3).plan(expr);
      ev[0].withStepPlans(new StepPlans(allocator, () -> asked[0] > 3, (p, s) -> {}));
      assertThatThrownBy(() -> ev[0].eval(expr, new StepGrid(0, 600_000, 60_000).times()))
          .isInstanceOf(QueryCancelledException.class)
          .hasMessage("query was canceled in expression evaluation");
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }
}

package io.icegate.engine.logql;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.engine.series.Labels;
import io.icegate.engine.series.Series;
import io.icegate.engine.series.StaleMarker;
import io.icegate.logql.LogQL;
import io.icegate.logql.ast.RangeAggregationExpr;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The per-step series of a range aggregation: values only at the steps whose window {@code (t −
 * range, t]} holds a sample, each run of them closed by a stale marker at the next step, worked
 * out by hand.
 */
class LogRangeAggregationTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void aSparseSeriesHasPointsOnlyNearItsSamples() {
    RangeAggregationExpr expr =
        (RangeAggregationExpr) LogQL.parse("count_over_time({a=\"b\"}[10s])");
    LogSampleCollector.SampleSeries samples =
        new LogSampleCollector.SampleSeries(Labels.of("a", "b"));
    samples.add(5 * SECOND, 1);
    samples.add(55 * SECOND, 1);
    samples.add(57 * SECOND, 1);
    long[] steps = new long[11_001]; // 0 s … 110,000 s every 10 s
    for (int i = 0; i < steps.length; i++) {
      steps[i] = i * 10 * SECOND;
    }

    List<Series> out = LogRangeAggregation.evaluate(expr, List.of(samples), steps);

    // Step 10 s holds 5 s; step 60 s holds 55 s and 57 s; 20 s and 70 s close the runs.
    assertThat(out).hasSize(1);
    Series s = out.get(0);
    assertThat(s.timestamps()).containsExactly(10_000L, 20_000L, 60_000L, 70_000L);
    assertThat(s.values()[0]).isEqualTo(1.0);
    assertThat(StaleMarker.isStale(s.values()[1])).isTrue();
    assertThat(s.values()[2]).isEqualTo(2.0);
    assertThat(StaleMarker.isStale(s.values()[3])).isTrue();
  }

  @Test
  void overlappingWindowsMakeOneRunAndOffsetShiftsIt() {
    // [25s] every 10 s with offset 10s: step t covers (t − 35 s, t − 10 s]. The sample at 12 s is
    // in the windows of steps 30 and 40 s, not 20 s (ends at 10 s) nor 50 s (opens at 15 s).
    RangeAggregationExpr expr =
        (RangeAggregationExpr) LogQL.parse("count_over_time({a=\"b\"}[25s] offset 10s)");
    LogSampleCollector.SampleSeries samples =
        new LogSampleCollector.SampleSeries(Labels.of("a", "b"));
    samples.add(12 * SECOND, 1);
    long[] steps = new long[10];
    for (int i = 0; i < steps.length; i++) {
      steps[i] = i * 10 * SECOND;
    }

    Series s = LogRangeAggregation.evaluate(expr, List.of(samples), steps).get(0);

    assertThat(s.timestamps()).containsExactly(30_000L, 40_000L, 50_000L);
    assertThat(s.values()[0]).isEqualTo(1.0);
    assertThat(s.values()[1]).isEqualTo(1.0);
    assertThat(StaleMarker.isStale(s.values()[2])).isTrue();
  }
}

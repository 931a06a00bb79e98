package io.icegate.engine.logql.range;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.engine.series.Labels;
import io.icegate.logql.LogQL;
import io.icegate.logql.ast.RangeAggregationExpr;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The per-step values of a range aggregation: values only at the steps whose window {@code (t −
 * range, t]} holds a sample, nothing at the others, worked out by hand.
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
    long[] steps = grid(11_001, 10 * SECOND); // 0 s … 110,000 s every 10 s

    LogRangeAggregation.StepValues s =
        LogRangeAggregation.evaluate(expr, samples, steps, 10 * SECOND, 0);

    // Step 10 s (index 1) holds 5 s; step 60 s (index 6) holds 55 s and 57 s.
    assertThat(s.labels()).isEqualTo(Labels.of("a", "b"));
    assertThat(Arrays.copyOf(s.steps(), s.size())).containsExactly(1, 6);
    assertThat(Arrays.copyOf(s.values(), s.size())).containsExactly(1.0, 2.0);
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

    LogRangeAggregation.StepValues s =
        LogRangeAggregation.evaluate(expr, samples, grid(10, 10 * SECOND), 25 * SECOND,
            10 * SECOND);

    assertThat(Arrays.copyOf(s.steps(), s.size())).containsExactly(3, 4);
    assertThat(Arrays.copyOf(s.values(), s.size())).containsExactly(1.0, 1.0);
  }

  @Test
  void absentOverTimeIsOneWhereNoSeriesHasASample() {
    // [10s] every 10 s: the sample at 15 s is in the window of step 20 s only.
    RangeAggregationExpr expr =
        (RangeAggregationExpr) LogQL.parse("absent_over_time({a=\"b\", c=~\"d.*\"}[10s])");
    LogSampleCollector.SampleSeries samples =
        new LogSampleCollector.SampleSeries(Labels.of("a", "b", "c", "dd"));
    samples.add(15 * SECOND, 1);

    LogRangeAggregation.StepValues s =
        LogRangeAggregation.absent(expr, List.of(samples), grid(4, 10 * SECOND), 10 * SECOND, 0);

    assertThat(s.labels()).isEqualTo(Labels.of("a", "b"));
    assertThat(Arrays.copyOf(s.steps(), s.size())).containsExactly(0, 1, 3);
    assertThat(Arrays.copyOf(s.values(), s.size())).containsExactly(1.0, 1.0, 1.0);
  }

  @Test
  void samplesSummedPerStepGiveEachWindowsCountAndTotal() {
    // Many samples (more than steps, so the series sums them per step) against a direct count of
    // each window (t − offset − range, t − offset]: ranges equal to the step, a multiple of it and
    // neither, with and without offset; samples on window edges and outside the grid.
    long step = 10 * SECOND;
    int n = 12;
    long[] steps = grid(n, step);
    long[] times = new long[200];
    for (int i = 0; i < times.length; i++) {
      // −20 s … 160 s: before the first window and after the last; every 10th on an edge.
      times[i] = i % 10 == 0 ? (i / 10) * step - 20 * SECOND : -20 * SECOND + i * 911_000_000L;
    }
    for (String query : List.of(
        "count_over_time({a=\"b\"}[10s])",
        "count_over_time({a=\"b\"}[50s])",
        "rate({a=\"b\"}[25s] offset 10s)",
        "bytes_over_time({a=\"b\"}[15s])",
        "bytes_rate({a=\"b\"}[30s] offset 5s)")) {
      RangeAggregationExpr expr = (RangeAggregationExpr) LogQL.parse(query);
      long range = expr.range().range().toNanos();
      long offset = expr.range().offset().toNanos();
      LogSampleCollector.SampleSeries summed = new LogSampleCollector.SampleSeries(
          Labels.of("a", "b"), new StepSums(0, step, n, range, offset));
      for (int i = 0; i < times.length; i++) {
        summed.add(times[i], 100 + i);
      }
      assertThat(summed.countChange).as("summed per step").isNotNull();

      LogRangeAggregation.StepValues s =
          LogRangeAggregation.evaluate(expr, summed, steps, range, offset);

      double seconds = range / 1e9;
      boolean bytes = query.startsWith("bytes");
      List<Integer> expectedSteps = new java.util.ArrayList<>();
      List<Double> expectedValues = new java.util.ArrayList<>();
      for (int k = 0; k < n; k++) {
        long end = steps[k] - offset;
        int count = 0;
        double total = 0;
        for (int i = 0; i < times.length; i++) {
          if (times[i] > end - range && times[i] <= end) {
            count++;
            total += 100 + i;
          }
        }
        if (count > 0) {
          expectedSteps.add(k);
          double v = bytes ? total : count;
          expectedValues.add(query.contains("rate") ? v / seconds : v);
        }
      }
      assertThat(expectedSteps).as(query).hasSizeGreaterThan(n / 2);
      assertThat(Arrays.stream(Arrays.copyOf(s.steps(), s.size())).boxed().toList())
          .as(query).isEqualTo(expectedSteps);
      assertThat(Arrays.stream(Arrays.copyOf(s.values(), s.size())).boxed().toList())
          .as(query).isEqualTo(expectedValues);
    }
  }

  private static long[] grid(int n, long step) {
    long[] steps = new long[n];
    for (int i = 0; i < n; i++) {
      steps[i] = i * step;
    }
    return steps;
  }
}

package io.icegate.engine.exec;

import static io.icegate.engine.exec.StepMatrixFixture.batches;
import static io.icegate.engine.exec.StepMatrixFixture.context;
import static io.icegate.engine.exec.StepMatrixFixture.drain;
import static io.icegate.engine.exec.StepMatrixFixture.dropped;
import static io.icegate.engine.exec.StepMatrixFixture.row;
import static io.icegate.engine.exec.StepMatrixFixture.source;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.engine.exec.StepMatrixFixture.Row;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

class StepRangeOperatorTest {
  private static final Double NAN = Double.NaN;
  private static final Double INF = Double.POSITIVE_INFINITY;
  /** The inner grid: 10 s to 60 s every 10 s. */
  private static final long[] INNER = {10_000, 20_000, 30_000, 40_000, 50_000, 60_000};

  private static List<String> run(String function, long range, long[] outer, int perBatch,
      List<Row> in) {
    return run(function, range, INNER, outer, perBatch, in);
  }

  private static List<String> run(
      String function, long range, long[] inner, long[] outer, int perBatch, List<Row> in) {
    try (RootAllocator allocator = new RootAllocator()) {
      try {
        StepRangeOperator op = new StepRangeOperator(
            context(allocator), source(batches(allocator, inner.length, perBatch, in)),
            new StepRangeSpec(function, range, 10_000, inner, outer), new LabelSetCache());
        return drain(op).stream().map(Row::toString).toList();
      } finally {
        assertThat(allocator.getAllocatedMemory()).isZero();
      }
    }
  }

  private static List<String> expect(Row... rows) {
    return Arrays.stream(rows).map(Row::toString).toList();
  }

  @Test
  void windowsAreLeftOpenOnTheInnerGrid() {
    List<Row> in = List.of(row("{k=\"1\"}", 1.0, 2.0, 3.0, 4.0, 5.0, 6.0));
    // (0, 30] holds 10 20 30; (30, 60] holds 40 50 60; (25, 55] holds 30 40 50; (60, 90]
    // holds nothing.
    assertThat(run("sum_over_time", 30_000, new long[] {30_000, 60_000, 55_000, 90_000}, 1, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", 6.0, 15.0, 12.0, null)));
    // Windows narrower than a step: (25, 30] holds 30, (30, 35] nothing.
    assertThat(run("count_over_time", 5_000, new long[] {30_000, 35_000}, 1, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", 1.0, null)));
    assertThat(run("last_over_time", 25_000, new long[] {45_000, 60_000}, 1, in))
        .isEqualTo(expect(row("{k=\"1\"}", 4.0, 6.0)));
    assertThat(run("first_over_time", 25_000, new long[] {45_000, 60_000}, 1, in))
        .isEqualTo(expect(row("{k=\"1\"}", 3.0, 4.0)));
  }

  @Test
  void counterResetsAcrossInnerStepsAndExtrapolation() {
    List<Row> in = List.of(row("{k=\"1\"}", 1.0, 3.0, 0.0, 2.0, null, null));
    // (0, 40]: 1 3 0 2, one reset adding 3: raw increase 2 - 1 + 3 = 4 over 30 s sampled. The
    // start is 10 s from the first sample (under 1.1 average intervals of 10 s), but a counter
    // reaches zero 30 * 1/4 = 7.5 s before it; the end is at the last sample: factor 37.5/30.
    assertThat(run("increase", 40_000, new long[] {40_000}, 1, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", 5.0)));
    assertThat(run("rate", 40_000, new long[] {40_000}, 1, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", 0.125)));
    // delta has no resets: 2 - 1 = 1, extrapolated 10 s to the start: 1 * 40/30.
    assertThat(run("delta", 40_000, new long[] {40_000}, 1, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", 40.0 / 30)));
    assertThat(run("resets", 40_000, new long[] {40_000}, 1, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", 1.0)));
    assertThat(run("changes", 40_000, new long[] {40_000}, 1, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", 3.0)));
    // irate: the last two (0 then 2, no reset) over 10 s; idelta the same difference.
    assertThat(run("irate", 40_000, new long[] {40_000, 30_000}, 1, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", 0.2, 0.0)));
    assertThat(run("idelta", 40_000, new long[] {40_000, 30_000}, 1, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", 2.0, -3.0)));
  }

  @Test
  void extrapolationStopsHalfAnIntervalShortOfFarEdges() {
    // Samples at 30 and 40 only, window (0, 60]: both edges are further than 1.1 * 10 s, so
    // each extends 5 s: 10 s sampled becomes 20 s; 7 - 5 = 2 gives 4. The counter would reach
    // zero 10 * 5/2 = 25 s before 30, further than 5 s.
    List<Row> in = List.of(row("{k=\"1\"}", null, null, 5.0, 7.0, null, null));
    assertThat(run("increase", 60_000, new long[] {60_000}, 1, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", 4.0)));
    // A single sample, (35, 40] holding only 40, has no rate.
    assertThat(run("rate", 5_000, new long[] {40_000}, 1, in)).isEmpty();
  }

  @Test
  void absentStepsAreNoSamples() {
    List<Row> in = List.of(row("{k=\"1\"}", 2.0, null, 4.0, null, null, 9.0));
    assertThat(run("count_over_time", 30_000, new long[] {30_000, 50_000, 60_000}, 1, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", 2.0, 1.0, 1.0)));
    assertThat(run("avg_over_time", 60_000, new long[] {60_000}, 1, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", 5.0)));
    // deriv over 10 s -> 2, 30 s -> 4: slope 2/20 s.
    assertThat(run("deriv", 30_000, new long[] {30_000}, 1, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", 0.1)));
    assertThat(run("ts_of_first_over_time", 60_000, new long[] {60_000}, 1, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", 10.0)));
    assertThat(run("present_over_time", 10_000, new long[] {20_000, 30_000}, 1, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", null, 1.0)));
  }

  @Test
  void nanAndInfinities() {
    List<Row> in = List.of(
        row("{k=\"1\"}", NAN, 1.0, NAN, 3.0, null, null),
        row("{k=\"2\"}", INF, -INF, 2.0, null, null, null));
    // max and min skip a NaN unless it is all there is; Inf - Inf is NaN in a sum.
    assertThat(run("max_over_time", 30_000, new long[] {10_000, 40_000}, 2, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", NAN, 3.0), dropped("{k=\"2\"}", INF, 2.0)));
    assertThat(run("min_over_time", 30_000, new long[] {40_000}, 2, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", 1.0), dropped("{k=\"2\"}", -INF)));
    assertThat(run("sum_over_time", 30_000, new long[] {30_000}, 2, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", NAN), dropped("{k=\"2\"}", NAN)));
    // The newest time of the maximum: 40 s (3) and 10 s (+Inf).
    assertThat(run("ts_of_max_over_time", 40_000, new long[] {40_000}, 2, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", 40.0), dropped("{k=\"2\"}", 10.0)));
  }

  @Test
  void slidingMaxAndMinGiveWhatAScanGives() {
    List<Row> in = List.of(row("{k=\"1\"}", NAN, 5.0, -0.0, 0.0, NAN, NAN));
    // Windows of two steps, moving forward, then back to (10, 30] and on to (40, 60]. A NaN never
    // beats a number; of equal values (0 and -0 too) the oldest wins; only NaNs: the newest.
    long[] outer = {10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 30_000, 60_000};
    assertThat(run("max_over_time", 20_000, outer, 1, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", NAN, 5.0, 5.0, -0.0, 0.0, NAN, 5.0, NAN)));
    assertThat(run("min_over_time", 20_000, outer, 1, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", NAN, 5.0, -0.0, -0.0, 0.0, NAN, -0.0, NAN)));
    // Windows that skip samples: (0, 10], (30, 40], (50, 60].
    List<Row> up = List.of(row("{k=\"1\"}", 3.0, 9.0, 1.0, 2.0, 8.0, 7.0));
    assertThat(run("max_over_time", 10_000, new long[] {10_000, 40_000, 60_000}, 1, up))
        .isEqualTo(expect(dropped("{k=\"1\"}", 3.0, 2.0, 7.0)));
    // A long window over a falling then rising run: the candidates expire one by one.
    assertThat(run("max_over_time", 30_000,
            new long[] {30_000, 40_000, 50_000, 60_000}, 1, up))
        .isEqualTo(expect(dropped("{k=\"1\"}", 9.0, 9.0, 8.0, 8.0)));
    assertThat(run("min_over_time", 30_000,
            new long[] {30_000, 40_000, 50_000, 60_000}, 1, up))
        .isEqualTo(expect(dropped("{k=\"1\"}", 1.0, 1.0, 1.0, 2.0)));
  }

  @Test
  void theNameGoesWhereTheInputWasMarkedAndTheFunctionDropsIt() {
    List<Row> in = List.of(
        dropped("{__name__=\"x\", k=\"1\"}", 1.0, 2.0, null, null, null, null),
        row("{__name__=\"y\", k=\"2\"}", 3.0, null, null, null, null, null));
    assertThat(run("last_over_time", 20_000, new long[] {20_000}, 1, in))
        .isEqualTo(expect(row("{k=\"1\"}", 2.0), row("{__name__=\"y\", k=\"2\"}", 3.0)));
    assertThat(run("stdvar_over_time", 20_000, new long[] {20_000}, 1, in))
        .isEqualTo(expect(dropped("{k=\"1\"}", 0.25), dropped("{__name__=\"y\", k=\"2\"}", 0.0)));
  }

  @Test
  void seriesWithoutAnyWindowedSampleAreLeftOutAndEmptyInputGivesNothing() {
    List<Row> in = List.of(
        row("{k=\"1\"}", null, null, null, null, null, null),
        row("{k=\"2\"}", 1.0, null, null, null, null, null),
        row("{k=\"3\"}", null, null, null, null, null, 4.0));
    assertThat(run("sum_over_time", 20_000, new long[] {40_000, 60_000}, 1, in))
        .isEqualTo(expect(dropped("{k=\"3\"}", null, 4.0)));
    assertThat(run("sum_over_time", 20_000, new long[] {40_000}, 1, List.of())).isEmpty();
    // No outer step at all.
    assertThat(run("sum_over_time", 20_000, new long[0], 1, in)).isEmpty();
  }

  @Test
  void manySeriesOverManyStepsComeInBoundedBatchesInInputOrder() {
    int series = 3000;
    int steps = 600;
    long[] inner = new long[steps];
    for (int k = 0; k < steps; k++) {
      inner[k] = (k + 1) * 10_000L;
    }
    List<Row> in = new ArrayList<>();
    for (int i = 0; i < series; i++) {
      Double[] v = new Double[steps];
      for (int k = 0; k < steps; k++) {
        v[k] = (k + i) % 7 == 0 ? null : (double) k;
      }
      in.add(row("{i=\"" + i + "\"}", v));
    }
    long[] outer = Arrays.copyOf(inner, steps);
    try (RootAllocator allocator = new RootAllocator()) {
      StepRangeOperator op = new StepRangeOperator(
          context(allocator), source(batches(allocator, steps, 1000, in)),
          new StepRangeSpec("max_over_time", 30_000, 10_000, inner, outer), new LabelSetCache());
      int rows = 0;
      int batches = 0;
      try (op) {
        for (VectorSchemaRoot next = op.next(); next != null; next = op.next()) {
          try (VectorSchemaRoot b = next) {
            batches++;
            assertThat(b.getRowCount()).isLessThanOrEqualTo(StepRangeOperator.BATCH_VALUES / steps);
            for (int r = 0; r < b.getRowCount(); r++, rows++) {
              assertThat(StepMatrix.labelText(b, r)).isEqualTo("{i=\"" + rows + "\"}");
              // At step k the window holds k-2, k-1, k: the newest present one is the max.
              int k = 100;
              int newest = (k + rows) % 7 == 0 ? k - 1 : k;
              assertThat(StepMatrix.value(b, r, k)).isEqualTo(newest);
            }
          }
        }
      }
      assertThat(rows).isEqualTo(series);
      assertThat(batches).isGreaterThan(3);
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void cancellationStopsBetweenSeriesAndLeavesNothingAllocated() {
    try (RootAllocator allocator = new RootAllocator()) {
      boolean[] cancelled = {false};
      ExecContext context = new ExecContext(
          allocator, null, System.nanoTime() + Long.MAX_VALUE, () -> cancelled[0]);
      List<Row> in = List.of(
          row("{k=\"1\"}", 1.0, 2.0, 3.0, 4.0, 5.0, 6.0),
          row("{k=\"2\"}", 1.0, 2.0, 3.0, 4.0, 5.0, 6.0));
      StepRangeOperator op = new StepRangeOperator(
          context, source(batches(allocator, 6, 1, in)),
          new StepRangeSpec("sum_over_time", 30_000, 10_000, INNER, new long[] {60_000}),
          new LabelSetCache());
      try (op) {
        VectorSchemaRoot first = op.next();
        first.close();
        cancelled[0] = true;
        assertThatThrownBy(op::next).isInstanceOf(QueryCancelledException.class);
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void aFailingInputLeavesNothingAllocated() {
    try (RootAllocator allocator = new RootAllocator()) {
      List<VectorSchemaRoot> in = batches(allocator, 6, 1, List.of(
          row("{k=\"1\"}", 1.0, 2.0, 3.0, 4.0, 5.0, 6.0),
          row("{k=\"2\"}", 1.0, 2.0, 3.0, 4.0, 5.0, 6.0)));
      StepRangeOperator op = new StepRangeOperator(
          context(allocator), BatchSource.failingAfter(in.get(0), in.get(1)),
          new StepRangeSpec("sum_over_time", 30_000, 10_000, INNER, new long[] {60_000}),
          new LabelSetCache());
      try (op) {
        op.next().close();
        assertThatThrownBy(op::next).hasMessage("storage failed");
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void anInputOnAnotherGridIsRefused() {
    try (RootAllocator allocator = new RootAllocator()) {
      StepRangeOperator op = new StepRangeOperator(
          context(allocator), source(batches(allocator, 2, 1, List.of(row("{k=\"1\"}", 1.0, 2.0)))),
          new StepRangeSpec("sum_over_time", 30_000, 10_000, new long[] {1, 2, 3}, new long[] {3}),
          new LabelSetCache());
      try (op) {
        assertThatThrownBy(op::next).isInstanceOf(IllegalStateException.class)
            .hasMessage("input of 2 steps for an inner grid of 3");
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
    assertThatThrownBy(() -> new StepRangeSpec("quantile_over_time", 1, 1, INNER, INNER))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

package io.icegate.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.icegate.engine.series.LabelMatcher;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.StepSelection;
import io.icegate.storage.table.MetricsTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The PromQL leaf operator over hand-built batches of number-point rows (labels, timestamp, double
 * and integer value, flags, family count — all named {@code m}), on the grid T0, T0+10s …
 * T0+50s. Every expected value is worked out by hand in the comments; every test ends with the
 * allocator empty, also after errors and cancellation.
 */
class PromSelectOperatorTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final long S = 1_000L;
  private static final int STEPS = 6;
  private static final String A = "{job=\"a\"}";
  private static final String B = "{job=\"b\"}";
  private static final String OUT_A = "{__name__=\"m\", job=\"a\"}";
  private static final String OUT_B = "{__name__=\"m\", job=\"b\"}";

  private final BufferAllocator allocator = new RootAllocator();
  private ExecContext context;

  @AfterEach
  void allocatorIsEmpty() {
    assertThat(allocator.getAllocatedMemory()).as("Arrow memory left").isZero();
    allocator.close();
  }

  /** A series' values by step (null: no value) and its name-dropping mark. */
  record Row(List<Double> values, boolean dropName) {}

  @Test
  void noRowsGiveNoBatches() {
    assertThat(run(instant(10 * S), List.of())).isEmpty();
    assertThat(run(range("rate", 20 * S), List.of())).isEmpty();
  }

  @Test
  void instantSelectionLooksBackLeftOpen() {
    // Lookback 10 s: step t takes the newest sample in (t − 10 s, t]. 5 s → steps 10 s; 20 s →
    // step 20 s; at 30 s the window (20 s, 30 s] no longer holds the sample at 20 s.
    Map<String, Row> out =
        run(instant(10 * S), List.of(batch(row(A, 5, 1), row(A, 20, 2))));
    assertThat(out).containsOnlyKeys(OUT_A);
    assertThat(out.get(OUT_A)).isEqualTo(new Row(values(null, 1.0, 2.0, null, null, null), false));
  }

  @Test
  void aStaleMarkerEndsTheSeriesAtOnce() {
    // Lookback 5 m: 5 s is picked at 10 s; the marker at 12 s is the newest sample from step
    // 20 s on, so the series has no value there, though 5 s is still within the lookback.
    Map<String, Row> out =
        run(instant(300 * S), List.of(batch(row(A, 5, 1), stale(A, 12))));
    assertThat(out.get(OUT_A)).isEqualTo(new Row(values(null, 1.0, null, null, null, null), false));
  }

  @Test
  void increaseAddsCounterResetsAndExtrapolatesToTheWindowEdges() {
    // Samples 1 s:10, 6 s:20, 11 s:5 (a reset), 16 s:15; increase over 20 s.
    // t=10 s, (−10, 10]: 10 → 20, +10; 1 s from the start is 11 s, past 1.1 × the 5 s interval,
    //   so half an interval (2.5 s); 4 s to the end: 10 × (5 + 2.5 + 4) / 5 = 23.
    // t=20 s, (0, 20]: 15 − 10 + 20 (the reset) = 25; 1 s to the start, 4 s to the end:
    //   25 × (15 + 1 + 4) / 15 = 33.33…
    // t=30 s, (10, 30]: 5 → 15, +10; 1 s to the start; 14 s to the end becomes 2.5 s:
    //   10 × (5 + 1 + 2.5) / 5 = 17.
    // t=40 s, (20, 40]: no sample.
    List<VectorSchemaRoot> input =
        List.of(batch(row(A, 1, 10), row(A, 6, 20), row(A, 11, 5), row(A, 16, 15)));
    Row increase = run(range("increase", 20 * S), input).get(OUT_A);
    assertThat(increase.dropName()).isTrue();
    assertValues(increase, null, 23.0, 100.0 / 3, 17.0, null, null);
    Row rate = run(range("rate", 20 * S), input(input)).get(OUT_A);
    assertValues(rate, null, 23.0 / 20, 100.0 / 3 / 20, 17.0 / 20, null, null);
  }

  @Test
  void windowsLeaveOutTheirStartAndKeepTheirEnd() {
    // count_over_time over 10 s: 10 s is in (0, 10] only; both 20 s and 19 s are in (10, 20].
    Map<String, Row> out =
        run(range("count_over_time", 10 * S),
            List.of(batch(row(A, 10, 1), row(A, 19, 1), row(A, 20, 1))));
    assertValues(out.get(OUT_A), null, 1.0, 2.0, null, null, null);
  }

  @Test
  void aSeriesSplitOverBatchesInAnyOrderIsOneSeries() {
    // The same samples as one batch: a at 5, 15, 25 s (values 1, 2, 4) split over one-row
    // batches, b's rows in between. sum_over_time over 10 s: a's windows hold one sample each.
    Map<String, Row> out =
        run(range("sum_over_time", 10 * S),
            List.of(batch(row(A, 25, 4)), batch(row(B, 7, 9)), batch(row(A, 5, 1)),
                batch(row(A, 15, 2))));
    assertThat(new ArrayList<>(out.keySet())).containsExactly(OUT_A, OUT_B);
    assertValues(out.get(OUT_A), null, 1.0, 2.0, 4.0, null, null);
    assertValues(out.get(OUT_B), null, 9.0, null, null, null, null);
  }

  @Test
  void aSeriesReadInPiecesBySplitsIsJoinedInSplitOrder() {
    // Split 1 (two batches): a at 5 s (1) and 15 s (2), b at 7 s (9); split 2: a at 15 s again
    // (5, read later: it wins) and at 25 s (4). sum_over_time over 10 s: a has 1 in (0, 10],
    // 5 in (10, 20], 4 in (20, 30]; b has 9 in (0, 10].
    context = context(() -> false);
    StepSelection selection = range("sum_over_time", 10 * S);
    PromSelectSplitOperator.Parts parts = new PromSelectSplitOperator.Parts();
    List<VectorSchemaRoot> numbers = new ArrayList<>();
    for (List<VectorSchemaRoot> split : List.of(
        List.of(batch(row(A, 5, 1), row(B, 7, 9)), batch(row(A, 15, 2))),
        List.of(batch(row(A, 15, 5), row(A, 25, 4))))) {
      try (Operator reader = new PromSelectSplitOperator(context, source(split), selection, parts)) {
        VectorSchemaRoot number = reader.next();
        assertThat(number.getRowCount()).isEqualTo(1);
        numbers.add(number);
        assertThat(reader.next()).isNull();
      }
    }
    Map<String, Row> out = collect(
        new PromSelectOperator(context, 0, source(numbers), selection, parts), new ArrayList<>());
    assertThat(new ArrayList<>(out.keySet())).containsExactly(OUT_A, OUT_B);
    assertValues(out.get(OUT_A), null, 1.0, 5.0, 4.0, null, null);
    assertValues(out.get(OUT_B), null, 9.0, null, null, null, null);
  }

  @Test
  void aRowTwiceAtOneMillisecondKeepsTheLaterRead() {
    Map<String, Row> out =
        run(instant(300 * S), List.of(batch(row(A, 5, 1)), batch(row(A, 5, 7))));
    assertValues(out.get(OUT_A), null, 7.0, 7.0, 7.0, 7.0, 7.0);
  }

  @Test
  void notANumberAndInfinitiesAreValues() {
    // max_over_time over 10 s of NaN, +Inf, 1 in (0, 10]: NaN gives way to anything: +Inf.
    // sum_over_time of +Inf and −Inf in (10, 20]: NaN. The instant selection keeps NaN as a
    // value.
    List<VectorSchemaRoot> input =
        List.of(batch(row(A, 1, Double.NaN), row(A, 2, Double.POSITIVE_INFINITY), row(A, 3, 1),
            row(A, 12, Double.POSITIVE_INFINITY), row(A, 13, Double.NEGATIVE_INFINITY)));
    assertValues(run(range("max_over_time", 10 * S), input).get(OUT_A),
        null, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, null, null, null);
    Row sum = run(range("sum_over_time", 10 * S), input(input)).get(OUT_A);
    assertThat(sum.values().get(2)).isNaN();
    Row picked =
        run(instant(300 * S), List.of(batch(row(A, 1, Double.NaN)))).get(OUT_A);
    assertThat(picked.values().get(1)).isNaN();
  }

  @Test
  void integerValuesAreRead() {
    Map<String, Row> out = run(instant(10 * S), List.of(batch(intRow(A, 5, 42))));
    assertValues(out.get(OUT_A), null, 42.0, null, null, null, null);
  }

  @Test
  void lastOverTimeKeepsTheName() {
    Row last = run(range("last_over_time", 10 * S), List.of(batch(row(A, 5, 3)))).get(OUT_A);
    assertThat(last.dropName()).isFalse();
    assertValues(last, null, 3.0, null, null, null, null);
  }

  @Test
  void theSamplesHeldAreCountedAsTheEvaluatorDoes() {
    // count_over_time over 20 s. a (1, 6, 11, 16 s): windows of 0, 2, 4, 2, 0, 0 samples, 3
    // outputs: the peak so far is max(0 + 4, 0 + 0 + 3) = 4. b (45 s), after a's 3 outputs:
    // one window of 1 at the last step and 1 output: max(3 + 1, 3 + 1 + 1) = 5.
    run(range("count_over_time", 20 * S),
        List.of(batch(row(A, 1, 1), row(A, 6, 1), row(A, 11, 1), row(A, 16, 1), row(B, 45, 1))));
    assertThat(context.stats().heldSamples()).isEqualTo(5);
  }

  @Test
  void aHistogramOrSummaryRowHandsTheSelectionBack() {
    VectorSchemaRoot family = batch(row(A, 5, 1));
    ((BigIntVector) family.getVector(5)).setSafe(0, 3);
    assertThatThrownBy(() -> run(instant(10 * S), List.of(batch(row(A, 4, 1)), family)))
        .isInstanceOf(PromSelectOperator.NotFloats.class);
  }

  @Test
  void manySeriesComeOutInBoundedBatchesInLabelOrder() {
    int series = PromSelectOperator.OUTPUT_ROWS + 5;
    List<Object[]> rows = new ArrayList<>();
    for (int i = series - 1; i >= 0; i--) {
      rows.add(row(String.format("{i=\"%05d\"}", i), 5, i));
    }
    List<Integer> sizes = new ArrayList<>();
    Map<String, Row> out =
        run(instant(10 * S), List.of(batch(rows.toArray(new Object[0][]))), sizes, () -> false);
    assertThat(sizes).containsExactly(PromSelectOperator.OUTPUT_ROWS, 5);
    List<String> keys = new ArrayList<>(out.keySet());
    assertThat(keys.get(0)).isEqualTo("{__name__=\"m\", i=\"00000\"}");
    assertThat(keys.get(series - 1)).isEqualTo(String.format("{__name__=\"m\", i=\"%05d\"}", series - 1));
    assertThat(out.get(keys.get(7)).values().get(1)).isEqualTo(7.0);
  }

  @Test
  void theMatchersChooseTheSeries() {
    StepSelection onlyB =
        new StepSelection(
            List.of(LabelMatcher.of(Labels.METRIC_NAME, LabelMatcher.Type.EQ, "m"),
                LabelMatcher.of("job", LabelMatcher.Type.NEQ, "a")),
            null, 0, 10 * S, 0, null, grid());
    assertThat(run(onlyB, List.of(batch(row(A, 5, 1), row(B, 5, 2))))).containsOnlyKeys(OUT_B);
  }

  @Test
  void cancellationWhileReadingStopsAndFreesEverything() {
    AtomicBoolean cancelled = new AtomicBoolean();
    Operator source = source(List.of(batch(row(A, 5, 1)), batch(row(A, 6, 1))));
    Operator cancelsAfterFirst =
        new Operator() {
          @Override
          public VectorSchemaRoot next() {
            VectorSchemaRoot batch = source.next();
            cancelled.set(true);
            return batch;
          }

          @Override
          public void close() {
            source.close();
          }
        };
    context = context(cancelled::get);
    try (Operator op = new PromSelectOperator(context, 0, cancelsAfterFirst, instant(10 * S))) {
      assertThatThrownBy(op::next).isInstanceOf(QueryCancelledException.class);
    }
  }

  @Test
  void cancellationBetweenOutputBatchesStops() {
    AtomicBoolean cancelled = new AtomicBoolean();
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < PromSelectOperator.OUTPUT_ROWS + 1; i++) {
      rows.add(row("{i=\"" + i + "\"}", 5, i));
    }
    context = context(cancelled::get);
    try (Operator op =
        new PromSelectOperator(
            context, 0, source(List.of(batch(rows.toArray(new Object[0][])))), instant(10 * S))) {
      try (VectorSchemaRoot first = op.next()) {
        assertThat(first.getRowCount()).isEqualTo(PromSelectOperator.OUTPUT_ROWS);
      }
      cancelled.set(true);
      assertThatThrownBy(op::next).isInstanceOf(QueryCancelledException.class);
    }
  }

  @Test
  void aFailingInputFailsAndFreesEverything() {
    VectorSchemaRoot first = batch(row(A, 5, 1));
    VectorSchemaRoot unread = batch(row(A, 6, 1));
    Operator failing = BatchSource.failingAfter(first, unread);
    context = context(() -> false);
    try (Operator op = new PromSelectOperator(context, 0, failing, instant(10 * S))) {
      assertThatThrownBy(op::next).hasMessage("storage failed");
    }
  }

  // ---- helpers ----

  private static long[] grid() {
    long[] times = new long[STEPS];
    for (int i = 0; i < STEPS; i++) {
      times[i] = T0 + i * 10 * S;
    }
    return times;
  }

  private static List<LabelMatcher> named() {
    return List.of(LabelMatcher.of(Labels.METRIC_NAME, LabelMatcher.Type.EQ, "m"));
  }

  private static StepSelection instant(long lookback) {
    return new StepSelection(named(), null, 0, lookback, 0, null, grid());
  }

  private static StepSelection range(String function, long range) {
    return new StepSelection(named(), function, range, 300 * S, 0, null, grid());
  }

  private static List<Double> values(Double... v) {
    return java.util.Arrays.asList(v);
  }

  private static void assertValues(Row row, Double... expected) {
    assertThat(row.values()).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      if (expected[i] == null) {
        assertThat(row.values().get(i)).as("step %d", i).isNull();
      } else if (expected[i].isInfinite()) {
        assertThat(row.values().get(i)).as("step %d", i).isEqualTo(expected[i]);
      } else {
        assertThat(row.values().get(i)).as("step %d", i).isCloseTo(expected[i], within(1e-9));
      }
    }
  }

  private Map<String, Row> run(StepSelection selection, List<VectorSchemaRoot> input) {
    return run(selection, input, new ArrayList<>(), () -> false);
  }

  private Map<String, Row> run(
      StepSelection selection, List<VectorSchemaRoot> input, List<Integer> sizes,
      BooleanSupplier cancelled) {
    context = context(cancelled);
    return collect(new PromSelectOperator(context, 0, source(input), selection), sizes);
  }

  /** Runs {@code operator} to its end (closing it), its rows by label text. */
  private Map<String, Row> collect(Operator operator, List<Integer> sizes) {
    Map<String, Row> out = new LinkedHashMap<>();
    try (Operator op = operator) {
      for (VectorSchemaRoot batch = op.next(); batch != null; batch = op.next()) {
        try (VectorSchemaRoot owned = batch) {
          assertThat(owned.getRowCount()).isPositive();
          assertThat(StepMatrix.steps(owned)).isEqualTo(STEPS);
          sizes.add(owned.getRowCount());
          for (int r = 0; r < owned.getRowCount(); r++) {
            List<Double> values = new ArrayList<>();
            for (int s = 0; s < STEPS; s++) {
              values.add(StepMatrix.present(owned, r, s) ? StepMatrix.value(owned, r, s) : null);
            }
            out.put(StepMatrix.labelText(owned, r),
                new Row(values, StepMatrix.dropName(owned).get(r) == 1));
          }
        }
      }
    }
    return out;
  }

  private ExecContext context(BooleanSupplier cancelled) {
    return new ExecContext(allocator, null, System.nanoTime() + 60_000_000_000L, cancelled);
  }

  /** A copy of batches already run (each run closes its input). */
  private List<VectorSchemaRoot> input(List<VectorSchemaRoot> closed) {
    return List.of(batch(inputRows.toArray(new Object[0][])));
  }

  /** The rows of the last batch made, to make it again. */
  private List<Object[]> inputRows = List.of();

  private static Object[] row(String labels, long seconds, double value) {
    return new Object[] {labels, T0 + seconds * S, value, null, null};
  }

  private static Object[] intRow(String labels, long seconds, long value) {
    return new Object[] {labels, T0 + seconds * S, null, value, null};
  }

  private static Object[] stale(String labels, long seconds) {
    return new Object[] {labels, T0 + seconds * S, null, null, MetricsTable.FLAG_NO_RECORDED_VALUE};
  }

  /** Number-point rows (labels, time, double, integer, flags), no family count. */
  private VectorSchemaRoot batch(Object[]... rows) {
    inputRows = List.of(rows);
    VarCharVector labels = new VarCharVector("series_labels", allocator);
    TimeStampNanoVector time = new TimeStampNanoVector("timestamp", allocator);
    Float8Vector doubles = new Float8Vector("value_double", allocator);
    BigIntVector longs = new BigIntVector("value_int", allocator);
    IntVector flags = new IntVector("flags", allocator);
    BigIntVector count = new BigIntVector("count", allocator);
    for (int i = 0; i < rows.length; i++) {
      Object[] r = rows[i];
      labels.setSafe(i, ((String) r[0]).getBytes(StandardCharsets.UTF_8));
      time.setSafe(i, (Long) r[1] * 1_000_000L);
      if (r[2] != null) {
        doubles.setSafe(i, (Double) r[2]);
      } else {
        doubles.setNull(i);
      }
      if (r[3] != null) {
        longs.setSafe(i, (Long) r[3]);
      } else {
        longs.setNull(i);
      }
      if (r[4] != null) {
        flags.setSafe(i, (Integer) r[4]);
      } else {
        flags.setNull(i);
      }
      count.setNull(i);
    }
    List<FieldVector> vectors = List.of(labels, time, doubles, longs, flags, count);
    vectors.forEach(v -> v.setValueCount(rows.length));
    return new VectorSchemaRoot(vectors);
  }

  private static Operator source(List<VectorSchemaRoot> batches) {
    return new BatchSource(batches);
  }
}

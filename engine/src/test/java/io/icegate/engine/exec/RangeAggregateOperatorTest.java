package io.icegate.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.engine.logql.range.LogRangeAggregation;
import io.icegate.engine.logql.range.RangeAggregateSpec;
import io.icegate.logql.LogQL;
import io.icegate.logql.ast.RangeAggregationExpr;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampNanoVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The range aggregation operator over hand-built entry batches, on the grid T0, T0+10s …
 * T0+50s: each step {@code t}'s window is {@code (t − offset − range, t − offset]}, and a row
 * comes out only for a series and step whose window holds a sample. Every expected row is worked
 * out by hand; every test ends with the allocator empty, also after errors and cancellation.
 */
class RangeAggregateOperatorTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long SECOND = 1_000_000_000L;
  private static final int STEPS = 6;

  private final BufferAllocator allocator = new RootAllocator();

  @AfterEach
  void allocatorIsEmpty() {
    assertThat(allocator.getAllocatedMemory()).as("Arrow memory left").isZero();
    allocator.close();
  }

  /** One output row: the series' encoded labels, the step in seconds after T0, the value. */
  record Row(String labels, long stepSeconds, double value) {}

  @Test
  void noEntriesGiveNoRows() {
    assertThat(run("count_over_time({app=\"a\"}[10s])", List.of())).isEmpty();
  }

  @Test
  void oneSampleCountsAtTheOneStepWhoseWindowHoldsIt() {
    // 15 s lies in (10 s, 20 s] only.
    assertThat(run("count_over_time({app=\"a\"}[10s])", List.of(batch(entry(15, "{app=\"a\"}")))))
        .containsExactly(new Row("{app=\"a\"}", 20, 1));
  }

  @Test
  void aWindowExcludesItsStartAndIncludesItsEnd() {
    // The line at 10 s is in (0, 10] but not in (10, 20]; both lines at 20 s are in (10, 20].
    List<Row> rows =
        run(
            "count_over_time({app=\"a\"}[10s])",
            List.of(
                batch(entry(10, "{app=\"a\"}"), entry(20, "{app=\"a\"}"),
                    entry(20, "{app=\"a\"}"))));

    assertThat(rows)
        .containsExactly(new Row("{app=\"a\"}", 10, 1), new Row("{app=\"a\"}", 20, 2));
  }

  @Test
  void offsetShiftsTheWindowBack() {
    // offset 20s: step t covers (t − 30 s, t − 20 s], which holds 15 s only for t = 40 s.
    assertThat(
            run(
                "count_over_time({app=\"a\"}[10s] offset 20s)",
                List.of(batch(entry(15, "{app=\"a\"}")))))
        .containsExactly(new Row("{app=\"a\"}", 40, 1));
  }

  @Test
  void aRunOfValuesEndsWithoutARowAtTheNextStep() {
    // 5 s is in the window of step 10 s, 35 s in that of step 40 s; steps 20 and 30 s and 50 s
    // have empty windows and no row (the consumer marks the run's end as stale).
    assertThat(
            run(
                "count_over_time({app=\"a\"}[10s])",
                List.of(batch(entry(5, "{app=\"a\"}"), entry(35, "{app=\"a\"}")))))
        .containsExactly(new Row("{app=\"a\"}", 10, 1), new Row("{app=\"a\"}", 40, 1));
  }

  @Test
  void batchesOfOneRowInAnyOrderMakeTheSameWindows() {
    // rate over [20s] is the count over 20 s: step 10 s holds 1 s and 2 s (0.1), step 20 s holds
    // 1, 2 and 11 s (0.15), step 30 s holds 11 s (0.05). The series of b has 25 s only: its
    // steps are 30 s and 40 s (0.05 each).
    List<Row> rows =
        run(
            "rate({app=~\".+\"}[20s])",
            List.of(
                batch(entry(11, "{app=\"a\"}")),
                batch(entry(25, "{app=\"b\"}")),
                batch(entry(2, "{app=\"a\"}")),
                batch(entry(1, "{app=\"a\"}"))));

    assertThat(rows)
        .containsExactly(
            new Row("{app=\"a\"}", 10, 0.1),
            new Row("{app=\"a\"}", 20, 0.15),
            new Row("{app=\"a\"}", 30, 0.05),
            new Row("{app=\"b\"}", 30, 0.05),
            new Row("{app=\"b\"}", 40, 0.05));
  }

  @Test
  void bytesAndUnwrappedValuesAggregatePerWindow() {
    // bytes_over_time sums line lengths: "abc" + "de" in (0, 10].
    assertThat(
            run(
                "bytes_over_time({app=\"a\"}[10s])",
                List.of(batch(entry(3, "{app=\"a\"}", "abc"), entry(4, "{app=\"a\"}", "de")))))
        .containsExactly(new Row("{app=\"a\"}", 10, 5));
    // max_over_time of the unwrapped label; the unwrapped label leaves the series' labels.
    assertThat(
            run(
                "max_over_time({app=\"a\"} | unwrap lat [10s])",
                List.of(
                    batch(
                        entry(3, "{app=\"a\", lat=\"7\"}"),
                        entry(4, "{app=\"a\", lat=\"2.5\"}"),
                        entry(14, "{app=\"a\", lat=\"-1\"}")))))
        .containsExactly(new Row("{app=\"a\"}", 10, 7), new Row("{app=\"a\"}", 20, -1));
  }

  @Test
  void manySeriesComeOutInBoundedBatchesInFirstSeenOrder() {
    // 10,000 series, one line each at 5 s: one row each, at step 10 s, over three batches.
    int series = 10_000;
    List<VectorSchemaRoot> input = new ArrayList<>();
    for (int from = 0; from < series; from += 3_000) {
      List<Object[]> entries = new ArrayList<>();
      for (int i = from; i < Math.min(series, from + 3_000); i++) {
        entries.add(entry(5, "{app=\"s" + i + "\"}"));
      }
      input.add(batch(entries.toArray(new Object[0][])));
    }
    List<Integer> batchSizes = new ArrayList<>();

    List<Row> rows = run("count_over_time({app=~\".+\"}[10s])", input, batchSizes, () -> false);

    assertThat(batchSizes)
        .containsExactly(
            RangeAggregateOperator.OUTPUT_ROWS,
            RangeAggregateOperator.OUTPUT_ROWS,
            series - 2 * RangeAggregateOperator.OUTPUT_ROWS);
    assertThat(rows).hasSize(series);
    for (int i = 0; i < series; i++) {
      assertThat(rows.get(i)).isEqualTo(new Row("{app=\"s" + i + "\"}", 10, 1));
    }
  }

  @Test
  void aSeriesWithAPipelineErrorInAWindowFailsAndFreesEverything() {
    // "x" does not convert: the series carries __error__ and its sample at 3 s is in a window.
    String query = "sum_over_time({app=\"a\"} | unwrap lat [10s])";
    List<VectorSchemaRoot> input =
        List.of(
            batch(entry(3, "{app=\"a\", lat=\"x\"}")),
            batch(entry(4, "{app=\"b\", lat=\"1\"}")));

    assertThatThrownBy(() -> run(query, input))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pipeline error: 'SampleExtractionErr'");
  }

  @Test
  void aFailingInputFailsTheQueryAndFreesEverything() {
    RangeAggregateSpec spec = spec("count_over_time({app=\"a\"}[10s])");
    VectorSchemaRoot first = batch(entry(5, "{app=\"a\"}"));
    VectorSchemaRoot unread = batch(entry(6, "{app=\"a\"}"));
    Operator failing = BatchSource.failingAfter(first, unread);

    try (Operator op =
        new RangeAggregateOperator(
            context(() -> false), failing, new LogRangeAggregation(spec), spec.times())) {
      assertThatThrownBy(op::next).hasMessage("storage failed");
    }
  }

  @Test
  void cancellationWhileReadingStopsTheQueryAndFreesEverything() {
    AtomicBoolean cancelled = new AtomicBoolean();
    RangeAggregateSpec spec = spec("count_over_time({app=\"a\"}[10s])");
    List<VectorSchemaRoot> input =
        List.of(batch(entry(5, "{app=\"a\"}")), batch(entry(6, "{app=\"a\"}")));
    Operator source = source(input);
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

    try (Operator op =
        new RangeAggregateOperator(
            context(cancelled::get), cancelsAfterFirst, new LogRangeAggregation(spec),
            spec.times())) {
      assertThatThrownBy(op::next)
          .isInstanceOf(QueryCancelledException.class)
          .hasMessage("query cancelled");
    }
  }

  @Test
  void cancellationBetweenOutputBatchesStopsTheQuery() {
    AtomicBoolean cancelled = new AtomicBoolean();
    List<Object[]> entries = new ArrayList<>();
    for (int i = 0; i < RangeAggregateOperator.OUTPUT_ROWS + 1; i++) {
      entries.add(entry(5, "{app=\"s" + i + "\"}"));
    }
    RangeAggregateSpec spec = spec("count_over_time({app=~\".+\"}[10s])");
    try (Operator op =
        new RangeAggregateOperator(
            context(cancelled::get), source(List.of(batch(entries.toArray(new Object[0][])))),
            new LogRangeAggregation(spec), spec.times())) {
      try (VectorSchemaRoot first = op.next()) {
        assertThat(first.getRowCount()).isEqualTo(RangeAggregateOperator.OUTPUT_ROWS);
      }
      cancelled.set(true);
      assertThatThrownBy(op::next).isInstanceOf(QueryCancelledException.class);
    }
  }

  @Test
  void seriesHeldOnTheHeapCountAgainstTheQueryMemoryLimit() {
    // 30,000 series of one line each hold some 15 MB of heap: past a 4 MiB limit the query
    // fails as an allocation over it would, and gives back what it reserved; under 64 MiB it runs.
    String query = "count_over_time({app=~\".+\"}[10s])";
    for (long limit : new long[] {4L << 20, 64L << 20}) {
      List<VectorSchemaRoot> input = new ArrayList<>();
      for (int from = 0; from < 30_000; from += 3_000) {
        List<Object[]> entries = new ArrayList<>();
        for (int i = from; i < from + 3_000; i++) {
          entries.add(entry(5, "{app=\"s" + i + "\"}"));
        }
        input.add(batch(entries.toArray(new Object[0][])));
      }
      RangeAggregateSpec spec = spec(query);
      try (BufferAllocator queryMemory = allocator.newChildAllocator("query", 0, limit)) {
        ExecContext context =
            new ExecContext(queryMemory, null, System.nanoTime() + 60_000_000_000L, () -> false);
        int rows = 0;
        try (Operator op =
            new RangeAggregateOperator(
                context, source(input), new LogRangeAggregation(spec), spec.times())) {
          if (limit == 4L << 20) {
            assertThatThrownBy(op::next)
                .isInstanceOf(OutOfMemoryException.class)
                .hasMessageContaining("range aggregation samples")
                .hasMessageContaining("memory limit");
            assertThat(queryMemory.getAllocatedMemory()).isGreaterThanOrEqualTo(4L << 19);
          } else {
            for (VectorSchemaRoot b = op.next(); b != null; b = op.next()) {
              rows += b.getRowCount();
              b.close();
            }
            assertThat(rows).isEqualTo(30_000);
            // Still reserved while the operator is open: the series are still held.
            assertThat(queryMemory.getAllocatedMemory()).isGreaterThan(8L << 20);
          }
        }
        assertThat(queryMemory.getAllocatedMemory()).isZero();
      }
    }
  }

  private List<Row> run(String query, List<VectorSchemaRoot> input) {
    return run(query, input, new ArrayList<>(), () -> false);
  }

  private List<Row> run(
      String query, List<VectorSchemaRoot> input, List<Integer> batchSizes,
      BooleanSupplier cancelled) {
    RangeAggregateSpec spec = spec(query);
    List<Row> rows = new ArrayList<>();
    try (Operator op =
        new RangeAggregateOperator(
            context(cancelled), source(input), new LogRangeAggregation(spec), spec.times())) {
      for (VectorSchemaRoot batch = op.next(); batch != null; batch = op.next()) {
        try (VectorSchemaRoot owned = batch) {
          assertThat(owned.getRowCount()).isPositive();
          batchSizes.add(owned.getRowCount());
          VarCharVector labels = (VarCharVector) owned.getVector("labels");
          BigIntVector step = (BigIntVector) owned.getVector("step");
          Float8Vector value = (Float8Vector) owned.getVector("value");
          for (int r = 0; r < owned.getRowCount(); r++) {
            rows.add(
                new Row(
                    new String(labels.get(r), StandardCharsets.UTF_8),
                    (step.get(r) - T0) / SECOND,
                    value.get(r)));
          }
        }
      }
    }
    return rows;
  }

  private static RangeAggregateSpec spec(String query) {
    return new RangeAggregateSpec(
        (RangeAggregationExpr) LogQL.parse(query), null, T0, 10 * SECOND, STEPS);
  }

  private ExecContext context(BooleanSupplier cancelled) {
    return new ExecContext(allocator, null, System.nanoTime() + 60_000_000_000L, cancelled);
  }

  private static Object[] entry(long seconds, String labels) {
    return entry(seconds, labels, "line");
  }

  private static Object[] entry(long seconds, String labels, String line) {
    return new Object[] {T0 + seconds * SECOND, labels, line};
  }

  /** A batch of entries (time, labels, line), as a metric query's pipeline emits them. */
  private VectorSchemaRoot batch(Object[]... entries) {
    TimeStampNanoVector time = new TimeStampNanoVector("timestamp", allocator);
    VarCharVector labels = new VarCharVector("stream_labels", allocator);
    VarCharVector body = new VarCharVector("body", allocator);
    for (int i = 0; i < entries.length; i++) {
      time.setSafe(i, (Long) entries[i][0]);
      labels.setSafe(i, ((String) entries[i][1]).getBytes(StandardCharsets.UTF_8));
      body.setSafe(i, ((String) entries[i][2]).getBytes(StandardCharsets.UTF_8));
    }
    List<FieldVector> vectors = List.of(time, labels, body);
    vectors.forEach(v -> v.setValueCount(entries.length));
    return new VectorSchemaRoot(vectors);
  }

  private static Operator source(List<VectorSchemaRoot> batches) {
    return new BatchSource(batches);
  }
}

package io.icegate.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.engine.exec.AggregateFunction.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.util.Text;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The hash aggregate over hand-built batches; every expected value is computed by hand in the
 * test. Each test ends with the allocator empty, also after errors and cancellation.
 */
class HashAggregateOperatorTest {
  private static final ArrowType BIGINT = new ArrowType.Int(64, true);
  private static final ArrowType INT = new ArrowType.Int(32, true);
  private static final ArrowType DOUBLE =
      new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
  private static final AggregateFunction COUNT_STAR = fn(Kind.COUNT, BIGINT, false);

  private final BufferAllocator allocator = new RootAllocator();

  @AfterEach
  void allocatorIsEmpty() {
    assertThat(allocator.getAllocatedMemory()).as("Arrow memory left").isZero();
    allocator.close();
  }

  @Test
  void countsRowsPerStringKeyInFirstSeenOrderWithNullsAsOneGroup() {
    List<VectorSchemaRoot> input =
        List.of(batch(strings("k", "a", "b", "a", null)), batch(strings("k", "b", "a", null)));

    List<List<Object>> rows = run(input, List.of(0), List.of(COUNT_STAR));

    assertThat(rows)
        .containsExactly(
            List.of("a", 3L), List.of("b", 2L), Arrays.asList(null, 2L));
  }

  @Test
  void groupsByKeysOfEveryScalarType() {
    // Rows 0, 2 and 4 share every key: -0.0 equals 0.0 and NaN equals NaN as GROUP BY keys.
    List<VectorSchemaRoot> input =
        List.of(
            batch(
                strings("s", "x", "x", "x", "x", "x"),
                longs("l", 7L, 7L, 7L, 8L, 7L),
                ints("i", 1, 1, 1, 1, 1),
                doubles("d", 0.0, Double.NaN, -0.0, 0.0, 0.0),
                bits("b", true, true, true, true, true),
                timestamps("t", 5L, 5L, 5L, 5L, 5L),
                fixed("f", 2, "ab", "ab", "ab", "ab", "ab")),
            batch(
                strings("s", "x", "x"),
                longs("l", 7L, 7L),
                ints("i", 1, 1),
                doubles("d", Double.NaN, 0.0),
                bits("b", true, false),
                timestamps("t", 5L, 5L),
                fixed("f", 2, "ab", "ab")));

    List<List<Object>> rows = run(input, List.of(0, 1, 2, 3, 4, 5, 6), List.of(COUNT_STAR));

    assertThat(rows).extracting(r -> r.get(3)).containsExactly(0.0, Double.NaN, 0.0, 0.0);
    assertThat(rows).extracting(r -> r.get(1)).containsExactly(7L, 7L, 8L, 7L);
    assertThat(rows).extracting(r -> r.get(4)).containsExactly(true, true, true, false);
    assertThat(rows).extracting(r -> r.get(7)).containsExactly(3L, 2L, 1L, 1L);
    assertThat(rows.get(0).subList(0, 7))
        .containsExactly("x", 7L, 1, 0.0, true, 5L, "ab");
  }

  @Test
  void sqlAggregatesOverIntegersAndDoublesSkipNulls() {
    // Group a: ints 1, null, 4; doubles 1.5, null, 2.5. Group b: ints null; doubles null.
    List<VectorSchemaRoot> input =
        List.of(
            batch(strings("k", "a", "a", "b"), ints("i", 1, null, null),
                doubles("d", 1.5, null, null)),
            batch(strings("k", "a"), ints("i", 4), doubles("d", 2.5)));
    List<AggregateFunction> functions =
        List.of(
            COUNT_STAR,
            fn(Kind.COUNT, BIGINT, false, 1),
            fn(Kind.SUM, INT, true, 1),
            fn(Kind.SUM0, INT, false, 1),
            fn(Kind.MIN, INT, true, 1),
            fn(Kind.MAX, INT, true, 1),
            fn(Kind.AVG, DOUBLE, true, 1),
            fn(Kind.SUM, DOUBLE, true, 2),
            fn(Kind.MIN, DOUBLE, true, 2),
            fn(Kind.MAX, DOUBLE, true, 2),
            fn(Kind.AVG, DOUBLE, true, 2));

    List<List<Object>> rows = run(input, List.of(0), functions);

    assertThat(rows)
        .containsExactly(
            List.of("a", 3L, 2L, 5, 5, 1, 4, 2.5, 4.0, 1.5, 2.5, 2.0),
            Arrays.asList("b", 1L, 0L, null, 0, null, null, null, null, null, null, null));
  }

  @Test
  void avgTypedAsIntegerIsTruncatedAsCalciteTypesIt() {
    List<VectorSchemaRoot> input = List.of(batch(ints("i", 1, 2, 2)));

    List<List<Object>> rows = run(input, List.of(), List.of(fn(Kind.AVG, INT, true, 0)));

    assertThat(rows).containsExactly(List.of(1)); // 5 / 3
  }

  @Test
  void withoutKeysNoInputGivesOneRowOfCountZeroAndNulls() {
    List<AggregateFunction> functions =
        List.of(
            COUNT_STAR,
            fn(Kind.COUNT, BIGINT, false, 0),
            fn(Kind.SUM, BIGINT, true, 0),
            fn(Kind.SUM0, BIGINT, false, 0),
            fn(Kind.AVG, DOUBLE, true, 0),
            fn(Kind.MIN, BIGINT, true, 0),
            fn(Kind.STDDEV_POP, DOUBLE, true, 0));

    List<List<Object>> rows = run(List.of(), List.of(), functions);

    assertThat(rows).containsExactly(Arrays.asList(0L, 0L, null, 0L, null, null, null));
  }

  @Test
  void withKeysNoInputGivesNoRows() {
    assertThat(run(List.of(), List.of(0), List.of(COUNT_STAR))).isEmpty();
  }

  @Test
  void variancesAndStandardDeviations() {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32.
    List<VectorSchemaRoot> input =
        List.of(
            batch(strings("k", "a", "a", "a", "a", "b"), values("v", 2, 4, 4, 4, 3)),
            batch(strings("k", "a", "a", "a", "a"), values("v", 5, 5, 7, 9)));
    List<AggregateFunction> functions =
        List.of(
            fn(Kind.VAR_POP, DOUBLE, true, 1),
            fn(Kind.STDDEV_POP, DOUBLE, true, 1),
            fn(Kind.VAR_SAMP, DOUBLE, true, 1),
            fn(Kind.STDDEV_SAMP, DOUBLE, true, 1));

    List<List<Object>> rows = run(input, List.of(0), functions);

    assertThat(rows.get(0)).containsExactly("a", 4.0, 2.0, 32.0 / 7, Math.sqrt(32.0 / 7));
    // One value: the population variance is 0, the sample variance undefined (NULL).
    assertThat(rows.get(1)).containsExactly("b", 0.0, 0.0, null, null);
  }

  @Test
  void nanAndInfinityFollowIeeeAndPromqlMinMax() {
    double inf = Double.POSITIVE_INFINITY;
    double nan = Double.NaN;
    List<VectorSchemaRoot> input =
        List.of(
            batch(
                strings("k", "inf", "inf", "both", "both", "nan", "nan", "nan", "onlynan"),
                values("v", 1, inf, inf, -inf, nan, 3, 1, nan)));
    List<AggregateFunction> functions =
        List.of(
            fn(Kind.SUM, DOUBLE, true, 1),
            fn(Kind.AVG, DOUBLE, true, 1),
            fn(Kind.MIN, DOUBLE, true, 1),
            fn(Kind.MAX, DOUBLE, true, 1),
            fn(Kind.STDDEV_POP, DOUBLE, true, 1));

    List<List<Object>> rows = run(input, List.of(0), functions);

    assertThat(rows)
        .containsExactly(
            List.of("inf", inf, inf, 1.0, inf, nan),
            List.of("both", nan, nan, -inf, inf, nan),
            List.of("nan", nan, nan, 1.0, 3.0, nan),
            List.of("onlynan", nan, nan, nan, nan, nan));
  }

  @Test
  void filteredFunctionsSeeOnlyRowsWhereTheFilterIsTrue() {
    List<VectorSchemaRoot> input =
        List.of(
            batch(strings("k", "a", "a", "a", "b"), longs("v", 1L, 2L, 3L, 4L),
                bits("f", true, false, false, false)),
            batch(strings("k", "b", "c"), longs("v", 5L, 6L), bits("f", true, false)));
    List<AggregateFunction> functions =
        List.of(
            COUNT_STAR,
            new AggregateFunction(Kind.COUNT, List.of(), BIGINT, false, 2),
            new AggregateFunction(Kind.SUM, List.of(1), BIGINT, true, 2),
            new AggregateFunction(Kind.AVG, List.of(1), DOUBLE, true, 2),
            new AggregateFunction(Kind.MAX, List.of(1), BIGINT, true, 2));

    List<List<Object>> rows = run(input, List.of(0), functions);

    assertThat(rows)
        .containsExactly(
            List.of("a", 3L, 1L, 1L, 1.0, 1L),
            List.of("b", 2L, 1L, 5L, 5.0, 5L),
            Arrays.asList("c", 1L, 0L, null, null, null));
  }

  @Test
  void keysWithTheSameHashStayApart() {
    // Two integers whose 32-bit hashes are equal (found by a birthday search): the table must
    // compare the keys themselves, also when a row's first candidate is the other key.
    Map<Integer, Long> seen = new HashMap<>();
    long a = -1;
    long b = -1;
    for (long v = 0; a < 0; v++) {
      Long earlier = seen.putIfAbsent(GroupKeyTable.mix(v), v);
      if (earlier != null) {
        a = earlier;
        b = v;
      }
    }
    List<VectorSchemaRoot> input =
        List.of(batch(longs("k", a, b, a, b)), batch(longs("k", b, 7L, b)));

    List<List<Object>> rows = run(input, List.of(0), List.of(COUNT_STAR));

    assertThat(rows).containsExactly(List.of(a, 2L), List.of(b, 4L), List.of(7L, 1L));
  }

  @Test
  void countDistinctCountsNonNullValuesPerGroup() {
    List<VectorSchemaRoot> input =
        List.of(
            batch(strings("k", "a", "a", "b", "a"), strings("v", "x", "y", "x", null)),
            batch(strings("k", "a", "b", "b"), strings("v", "x", "x", "z")));

    List<List<Object>> rows =
        run(input, List.of(0), List.of(fn(Kind.COUNT_DISTINCT, BIGINT, false, 1)));

    assertThat(rows).containsExactly(List.of("a", 2L), List.of("b", 2L));
  }

  @Test
  void batchesOfOneRowAndRunsOfEqualKeysAcrossBatches() {
    List<VectorSchemaRoot> input = new ArrayList<>();
    String[] keys = {"s1", "s1", "s1", "s2", "s2", "s1", "s3", "s3", "s3", "s3"};
    for (String key : keys) {
      input.add(batch(strings("k", key), longs("v", 1L)));
    }
    // Long runs, then a batch alternating, so the run check turns off and on again.
    String[] run = new String[40];
    Arrays.fill(run, 0, 20, "s2");
    Arrays.fill(run, 20, 40, "s4");
    input.add(batch(strings("k", run), longs("v", new Long[40])));
    String[] alternating = new String[40];
    for (int i = 0; i < 40; i++) {
      alternating[i] = i % 2 == 0 ? "s1" : "s4";
    }
    input.add(batch(strings("k", alternating), longs("v", new Long[40])));

    List<List<Object>> rows =
        run(input, List.of(0), List.of(COUNT_STAR, fn(Kind.SUM, BIGINT, true, 1)));

    assertThat(rows)
        .containsExactly(
            List.of("s1", 24L, 4L),
            List.of("s2", 22L, 2L),
            List.of("s3", 4L, 4L),
            Arrays.asList("s4", 40L, null));
  }

  @Test
  void aMillionDistinctKeysComeOutInBatchesOnceEach() {
    int rows = 2_000_000;
    List<VectorSchemaRoot> input = new ArrayList<>();
    for (int from = 0; from < rows; from += 4096) {
      int n = Math.min(4096, rows - from);
      Long[] ts = new Long[n];
      String[] names = new String[n];
      for (int i = 0; i < n; i++) {
        // Each of a million keys twice, half the input apart.
        long key = (from + i) % (rows / 2);
        ts[i] = key * 1_000_003L;
        names[i] = "series-" + key;
      }
      input.add(batch(longs("ts", ts), strings("name", names)));
    }
    ExecContext context = context(() -> false);
    long groups = 0;
    long counted = 0;
    int batches = 0;
    Map<Long, String> sample = new HashMap<>();
    try (Operator aggregate =
        new HashAggregateOperator(
            context, new BatchSource(input), List.of(0, 1), List.of(COUNT_STAR),
            List.of("ts", "name", "n"))) {
      for (VectorSchemaRoot out = aggregate.next(); out != null; out = aggregate.next()) {
        try (VectorSchemaRoot batch = out) {
          batches++;
          groups += out.getRowCount();
          BigIntVector n = (BigIntVector) out.getVector(2);
          for (int i = 0; i < out.getRowCount(); i++) {
            counted += n.get(i);
            assertThat(n.get(i)).isEqualTo(2);
            long ts = ((BigIntVector) out.getVector(0)).get(i);
            if (ts % 99_991 == 0) {
              sample.put(ts, out.getVector(1).getObject(i).toString());
            }
          }
        }
      }
    }
    assertThat(groups).isEqualTo(rows / 2);
    assertThat(counted).isEqualTo(rows);
    assertThat(batches).isGreaterThan(1);
    sample.forEach((ts, name) -> assertThat(name).isEqualTo("series-" + ts / 1_000_003L));
  }

  @Test
  void partialStatesMergeToTheSingleAnswer() {
    // Three splits of one group's values 2, 4, 4 | 4, 5 | 5, 7, 9 (and an empty split); each
    // makes partial states, the final aggregate merges them.
    List<double[]> splits =
        List.of(new double[] {2, 4, 4}, new double[] {4, 5}, new double[] {}, new double[] {
          5, 7, 9});
    List<AggregateFunction> partial =
        List.of(
            COUNT_STAR,
            fn(Kind.SUM, DOUBLE, true, 0),
            fn(Kind.MIN, DOUBLE, true, 0),
            fn(Kind.SUM_STATE, DOUBLE, false, 0),
            fn(Kind.COUNT, BIGINT, false, 0),
            fn(Kind.COUNT, BIGINT, false, 0),
            fn(Kind.MEAN_STATE, DOUBLE, false, 0),
            fn(Kind.M2_STATE, DOUBLE, false, 0));
    List<VectorSchemaRoot> states = new ArrayList<>();
    for (double[] split : splits) {
      List<VectorSchemaRoot> in =
          split.length == 0 ? List.of() : List.of(batch(values("v", split)));
      ExecContext context = context(() -> false);
      try (Operator op =
          new HashAggregateOperator(
              context, new BatchSource(in), List.of(), partial,
              List.of("n", "s", "m", "as", "ac", "vc", "vm", "vq"))) {
        states.add(op.next());
      }
    }
    List<AggregateFunction> merge =
        List.of(
            fn(Kind.SUM0, BIGINT, false, 0),
            fn(Kind.SUM, DOUBLE, true, 1),
            fn(Kind.MIN, DOUBLE, true, 2),
            fn(Kind.AVG_MERGE, DOUBLE, true, 3, 4),
            fn(Kind.VAR_POP_MERGE, DOUBLE, true, 5, 6, 7),
            fn(Kind.STDDEV_SAMP_MERGE, DOUBLE, true, 5, 6, 7));

    List<List<Object>> rows = run(states, List.of(), merge);

    assertThat(rows).hasSize(1);
    List<Object> row = rows.get(0);
    assertThat(row.subList(0, 4)).containsExactly(8L, 40.0, 2.0, 5.0);
    assertThat((Double) row.get(4)).isCloseTo(4.0, org.assertj.core.data.Offset.offset(1e-12));
    assertThat((Double) row.get(5))
        .isCloseTo(Math.sqrt(32.0 / 7), org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void integerSumOverflowIsAnErrorAndFreesEverything() {
    List<VectorSchemaRoot> input =
        List.of(batch(strings("k", "a"), longs("v", Long.MAX_VALUE)),
            batch(strings("k", "a"), longs("v", 1L)));

    assertThatThrownBy(
            () -> run(input, List.of(0), List.of(fn(Kind.SUM, BIGINT, true, 1))))
        .isInstanceOf(ArithmeticException.class)
        .hasMessageContaining("SUM");
  }

  @Test
  void sumLeavingItsIntegerTypeIsAnError() {
    List<VectorSchemaRoot> input = List.of(batch(ints("v", Integer.MAX_VALUE, 1)));

    assertThatThrownBy(() -> run(input, List.of(), List.of(fn(Kind.SUM, INT, true, 0))))
        .isInstanceOf(ArithmeticException.class)
        .hasMessageContaining("INTEGER");
  }

  @Test
  void cancellationBetweenBatchesStopsAndFreesTheKeyArena() {
    AtomicBoolean cancelled = new AtomicBoolean();
    List<VectorSchemaRoot> input =
        List.of(batch(strings("k", "a", "b")), batch(strings("k", "c")), batch(strings("k", "d")));
    Operator source = new BatchSource(input);
    Operator afterFirst =
        new Operator() {
          int given;

          @Override
          public VectorSchemaRoot next() {
            if (given++ == 1) {
              cancelled.set(true);
            }
            return source.next();
          }

          @Override
          public void close() {
            source.close();
          }
        };

    try (Operator aggregate =
        new HashAggregateOperator(
            context(cancelled::get), afterFirst, List.of(0), List.of(COUNT_STAR),
            List.of("k", "n"))) {
      assertThatThrownBy(aggregate::next).isInstanceOf(QueryCancelledException.class);
      assertThat(allocator.getAllocatedMemory()).isPositive(); // the arena, until close
    }
  }

  // ------------------------------------------------------------------ fixtures

  private List<List<Object>> run(
      List<VectorSchemaRoot> input, List<Integer> keys, List<AggregateFunction> functions) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < keys.size() + functions.size(); i++) {
      names.add("c" + i);
    }
    List<List<Object>> rows = new ArrayList<>();
    try (Operator aggregate =
        new HashAggregateOperator(context(() -> false), new BatchSource(input), keys, functions, names)) {
      for (VectorSchemaRoot out = aggregate.next(); out != null; out = aggregate.next()) {
        try (VectorSchemaRoot batch = out) {
          for (int r = 0; r < out.getRowCount(); r++) {
            List<Object> row = new ArrayList<>();
            for (FieldVector v : out.getFieldVectors()) {
              Object value = v.getObject(r);
              if (v instanceof TimeStampNanoVector t) {
                value = t.get(r);
              } else if (value instanceof Text t) {
                value = t.toString();
              } else if (value instanceof byte[] b) {
                value = new String(b, StandardCharsets.UTF_8);
              }
              row.add(value);
            }
            rows.add(row);
          }
        }
      }
    }
    return rows;
  }

  private ExecContext context(java.util.function.BooleanSupplier cancelled) {
    return new ExecContext(allocator, null, System.nanoTime() + 60_000_000_000L, cancelled);
  }

  /** The batches one by one; those not taken are closed with the operator. */

  private static AggregateFunction fn(Kind kind, ArrowType type, boolean nullable, int... args) {
    return new AggregateFunction(
        kind, Arrays.stream(args).boxed().toList(), type, nullable);
  }

  private static VectorSchemaRoot batch(FieldVector... vectors) {
    VectorSchemaRoot root = new VectorSchemaRoot(List.of(vectors));
    root.setRowCount(vectors[0].getValueCount());
    return root;
  }

  private FieldVector strings(String name, String... values) {
    VarCharVector v = new VarCharVector(name, allocator);
    v.allocateNew();
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        v.setNull(i);
      } else {
        v.setSafe(i, values[i].getBytes(StandardCharsets.UTF_8));
      }
    }
    v.setValueCount(values.length);
    return v;
  }

  private FieldVector fixed(String name, int width, String... values) {
    FixedSizeBinaryVector v = new FixedSizeBinaryVector(name, allocator, width);
    v.allocateNew(values.length);
    for (int i = 0; i < values.length; i++) {
      v.set(i, values[i].getBytes(StandardCharsets.UTF_8));
    }
    v.setValueCount(values.length);
    return v;
  }

  private FieldVector longs(String name, Long... values) {
    BigIntVector v = new BigIntVector(name, allocator);
    v.allocateNew(values.length);
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        v.setNull(i);
      } else {
        v.set(i, values[i]);
      }
    }
    v.setValueCount(values.length);
    return v;
  }

  private FieldVector timestamps(String name, Long... values) {
    TimeStampNanoVector v = new TimeStampNanoVector(name, allocator);
    v.allocateNew(values.length);
    for (int i = 0; i < values.length; i++) {
      v.set(i, values[i]);
    }
    v.setValueCount(values.length);
    return v;
  }

  private FieldVector ints(String name, Integer... values) {
    IntVector v = new IntVector(name, allocator);
    v.allocateNew(values.length);
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        v.setNull(i);
      } else {
        v.set(i, values[i]);
      }
    }
    v.setValueCount(values.length);
    return v;
  }

  private FieldVector doubles(String name, Double... values) {
    Float8Vector v = new Float8Vector(name, allocator);
    v.allocateNew(values.length);
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        v.setNull(i);
      } else {
        v.set(i, values[i]);
      }
    }
    v.setValueCount(values.length);
    return v;
  }

  private FieldVector values(String name, double... values) {
    return doubles(name, Arrays.stream(values).boxed().toArray(Double[]::new));
  }

  private FieldVector bits(String name, boolean... values) {
    BitVector v = new BitVector(name, allocator);
    v.allocateNew(values.length);
    for (int i = 0; i < values.length; i++) {
      v.set(i, values[i] ? 1 : 0);
    }
    v.setValueCount(values.length);
    return v;
  }
}

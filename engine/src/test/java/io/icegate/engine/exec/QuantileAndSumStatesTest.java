package io.icegate.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.engine.exec.AggregateFunction.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The quantile kinds of the hash aggregate and the 128-bit partial states of integer sums, over
 * hand-built batches with hand-computed answers. Column 0 is the key, 1 φ, 2 the value.
 */
class QuantileAndSumStatesTest {
  private static final ArrowType DOUBLE =
      new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
  private static final ArrowType BIGINT = new ArrowType.Int(64, true);

  private final BufferAllocator allocator = new RootAllocator();

  @AfterEach
  void allocatorIsEmpty() {
    assertThat(allocator.getAllocatedMemory()).as("Arrow memory left").isZero();
    allocator.close();
  }

  /**
   * One row per batch. a: 3, NaN, 1; b: -Inf, 2; c: only a NULL. SQL order a = 1, 3, NaN;
   * PromQL order a = NaN, 1, 3. At φ 0.5: CONT a rank 1 is exactly 3 (PostgreSQL/DuckDB take a
   * whole rank's value), b halfway is -Inf + 0.5·(2 − -Inf) = NaN as there; DISC ⌈1.5⌉−1 = 1 →
   * 3, b ⌈1⌉−1 = 0 → -Inf; QUANTILE (Prometheus's weighted sum) a rank 1 → 1, b -Inf·0.5 +
   * 2·0.5 = -Inf; c NULL in all.
   */
  @Test
  void quantilesPerGroupWithNaNInfinitiesAndNulls() {
    String[] keys = {"a", "b", "a", "c", "b", "a"};
    Double[] values = {3.0, Double.NEGATIVE_INFINITY, Double.NaN, null, 2.0, 1.0};
    List<VectorSchemaRoot> input = new ArrayList<>();
    for (int i = 0; i < keys.length; i++) {
      input.add(batch(strings(keys[i]), doubles(0.5), doubles(values[i])));
    }
    assertThat(run(input, List.of(0), List.of(
        fn(Kind.PERCENTILE_CONT, DOUBLE), fn(Kind.PERCENTILE_DISC, DOUBLE),
        fn(Kind.QUANTILE, DOUBLE))))
        .containsExactly("a|3.0|3.0|1.0", "b|NaN|-Infinity|-Infinity", "c|null|null|null");
  }

  @Test
  void withoutKeysNoInputIsOneNullRowAndOneRowIsItself() {
    assertThat(run(List.of(), List.of(), List.of(fn(Kind.PERCENTILE_CONT, DOUBLE),
        fn(Kind.QUANTILE, DOUBLE))))
        .containsExactly("null|null");
    assertThat(run(List.of(batch(strings("x"), doubles(0.3), doubles(7.0))), List.of(),
        List.of(fn(Kind.PERCENTILE_CONT, DOUBLE), fn(Kind.PERCENTILE_DISC, DOUBLE),
            fn(Kind.QUANTILE, DOUBLE))))
        .containsExactly("7.0|7.0|7.0");
  }

  /**
   * 10 000 rows in batches of 4 096, 100 groups (row i in group i mod 100, value i): group g
   * holds g, g + 100, …, g + 9900. CONT 0.5 at rank 49.5 → g + 4950; DISC ⌈50⌉−1 = 49 → g +
   * 4900, exact as a BIGINT.
   */
  @Test
  void groupsLargerThanABatchOverIntegers() {
    List<VectorSchemaRoot> input = new ArrayList<>();
    for (int from = 0; from < 10_000; from += 4096) {
      int n = Math.min(4096, 10_000 - from);
      String[] k = new String[n];
      Double[] phi = new Double[n];
      Long[] v = new Long[n];
      for (int i = 0; i < n; i++) {
        k[i] = "g" + (from + i) % 100;
        phi[i] = 0.5;
        v[i] = (long) (from + i);
      }
      input.add(batch(strings(k), doubles(phi), longs(v)));
    }
    List<String> out = run(input, List.of(0),
        List.of(fn(Kind.PERCENTILE_CONT, DOUBLE), fn(Kind.PERCENTILE_DISC, BIGINT)));
    assertThat(out).hasSize(100);
    for (int g = 0; g < 100; g++) {
      assertThat(out.get(g)).isEqualTo("g" + g + "|" + (g + 4950.0) + "|" + (g + 4900));
    }
  }

  @Test
  void quantileValuesCountAgainstTheQueryMemoryLimit() {
    // 409,600 kept values (about 4.9 MB with their group ids) cannot fit a 2 MiB query limit.
    List<VectorSchemaRoot> input = new ArrayList<>();
    for (int b = 0; b < 100; b++) {
      String[] k = new String[4096];
      Double[] phi = new Double[4096];
      Double[] v = new Double[4096];
      for (int i = 0; i < 4096; i++) {
        k[i] = "g";
        phi[i] = 0.5;
        v[i] = (double) i;
      }
      input.add(batch(strings(k), doubles(phi), doubles(v)));
    }
    try (BufferAllocator query = allocator.newChildAllocator("query", 0, 2L << 20)) {
      try (Operator aggregate =
          new HashAggregateOperator(
              new ExecContext(query, null, System.nanoTime() + 60_000_000_000L, () -> false),
              new BatchSource(input), List.of(0), List.of(fn(Kind.QUANTILE, DOUBLE)), List.of("k", "q"))) {
        assertThatThrownBy(aggregate::next)
            .isInstanceOf(org.apache.arrow.memory.OutOfMemoryException.class)
            .hasMessageContaining("quantile values");
      }
      assertThat(query.getAllocatedMemory()).isZero();
    }
  }

  /**
   * Split 1 sums MAX and 5: wrapped low half MIN + 4 with one upward wrap. Split 2 sums -10.
   * Merged: MAX - 5, which fits although split 1's sum did not.
   */
  @Test
  void integerSumStatesCarryWrapsAcrossSplits() {
    List<String> split1 = run(List.of(batch(strings("a", "a"), doubles(0.0, 0.0),
        longs(Long.MAX_VALUE, 5L))), List.of(0),
        List.of(fn(Kind.SUM_LOW_STATE, BIGINT), fn(Kind.SUM_WRAPS_STATE, BIGINT)));
    assertThat(split1).containsExactly("a|" + (Long.MIN_VALUE + 4) + "|1");
    List<String> split2 = run(List.of(batch(strings("a"), doubles(0.0), longs(-10L))),
        List.of(0), List.of(fn(Kind.SUM_LOW_STATE, BIGINT), fn(Kind.SUM_WRAPS_STATE, BIGINT)));
    assertThat(split2).containsExactly("a|-10|0");
    // The merge reads (key, low, wraps); an empty split's NULL low is skipped.
    List<VectorSchemaRoot> states = List.of(
        batch(strings("a", "a", "a"), longs(Long.MIN_VALUE + 4, -10L, null), longs(1L, 0L, 0L)));
    assertThat(run(states, List.of(0), List.of(
        new AggregateFunction(Kind.SUM_MERGE, List.of(1, 2), BIGINT, true))))
        .containsExactly("a|" + (Long.MAX_VALUE - 5));
  }

  // ------------------------------------------------------------------ fixtures

  private static AggregateFunction fn(Kind kind, ArrowType type) {
    return new AggregateFunction(
        kind, kind.name().startsWith("SUM") ? List.of(2) : List.of(1, 2), type, true);
  }

  private List<String> run(
      List<VectorSchemaRoot> input, List<Integer> keys, List<AggregateFunction> functions) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < keys.size() + functions.size(); i++) {
      names.add("c" + i);
    }
    List<String> rows = new ArrayList<>();
    try (Operator aggregate =
        new HashAggregateOperator(
            new ExecContext(allocator, null, System.nanoTime() + 60_000_000_000L, () -> false),
            new BatchSource(input), keys, functions, names)) {
      rows.addAll(BatchSource.textRows(aggregate));
    }
    return rows;
  }


  private static VectorSchemaRoot batch(FieldVector... vectors) {
    VectorSchemaRoot root = new VectorSchemaRoot(List.of(vectors));
    root.setRowCount(vectors[0].getValueCount());
    return root;
  }

  private FieldVector strings(String... values) {
    VarCharVector v = new VarCharVector("k", allocator);
    v.allocateNew();
    for (int i = 0; i < values.length; i++) {
      v.setSafe(i, values[i].getBytes(StandardCharsets.UTF_8));
    }
    v.setValueCount(values.length);
    return v;
  }

  private FieldVector longs(Long... values) {
    BigIntVector v = new BigIntVector("l", allocator);
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

  private FieldVector doubles(Double... values) {
    Float8Vector v = new Float8Vector("d", allocator);
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
}

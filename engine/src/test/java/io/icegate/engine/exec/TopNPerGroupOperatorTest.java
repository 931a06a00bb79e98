package io.icegate.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.engine.exec.TopNPerGroupOperator.NaNOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Per-group top N over hand-built batches; expected rows are worked out by hand. Rows are
 * written {@code key|id|value|row number}; each test ends with the allocator empty.
 */
class TopNPerGroupOperatorTest {
  private final BufferAllocator allocator = new RootAllocator();

  @AfterEach
  void allocatorIsEmpty() {
    assertThat(allocator.getAllocatedMemory()).as("Arrow memory left").isZero();
    allocator.close();
  }

  /** Group a: ids 0, 2, 3, 5 with 1, 3, 3, NaN; group b: ids 1, 4 with 5, 2. */
  private List<VectorSchemaRoot> sample() {
    return List.of(
        batch(strings("k", "a", "b", "a"), ints("id", 0, 1, 2), doubles("v", 1.0, 5.0, 3.0)),
        batch(strings("k", "a", "b", "a"), ints("id", 3, 4, 5),
            doubles("v", 3.0, 2.0, Double.NaN)));
  }

  @Test
  void sqlDescendingPutsNaNFirstAndTiesKeepArrivalOrder() {
    assertThat(run(sample(), List.of(0), true, false, NaNOrder.SQL, 2))
        .containsExactly("a|5|NaN|1", "a|2|3.0|2", "b|1|5.0|1", "b|4|2.0|2");
  }

  @Test
  void promqlTopkKeepsNaNLast() {
    assertThat(run(sample(), List.of(0), true, false, NaNOrder.LAST, 3))
        .containsExactly("a|2|3.0|1", "a|3|3.0|2", "a|0|1.0|3", "b|1|5.0|1", "b|4|2.0|2");
    // bottomk: ascending, NaN still last.
    assertThat(run(sample(), List.of(0), false, false, NaNOrder.LAST, 4))
        .containsExactly("a|0|1.0|1", "a|2|3.0|2", "a|3|3.0|3", "a|5|NaN|4", "b|4|2.0|1",
            "b|1|5.0|2");
  }

  @Test
  void withoutKeysOneGroupAndInfinitiesOrderAsNumbers() {
    List<VectorSchemaRoot> input =
        List.of(batch(strings("k", "x", "y", "z"), ints("id", 0, 1, 2),
            doubles("v", Double.NEGATIVE_INFINITY, 0.0, Double.POSITIVE_INFINITY)));
    assertThat(run(input, List.of(), false, false, NaNOrder.SQL, 2))
        .containsExactly("x|0|-Infinity|1", "y|1|0.0|2");
  }

  @Test
  void nullsGoFirstOrLastAsAsked() {
    assertThat(run(withNulls(), List.of(0), true, true, NaNOrder.SQL, 2))
        .containsExactly("a|1|null|1", "a|2|7.0|2");
    assertThat(run(withNulls(), List.of(0), true, false, NaNOrder.SQL, 3))
        .containsExactly("a|2|7.0|1", "a|0|4.0|2", "a|1|null|3");
  }

  private List<VectorSchemaRoot> withNulls() {
    return List.of(batch(strings("k", "a", "a", "a"), ints("id", 0, 1, 2),
        doubles("v", 4.0, null, 7.0)));
  }

  @Test
  void integersOrderExactlyAtTheEndsOfTheirRange() {
    List<VectorSchemaRoot> input =
        List.of(batch(strings("k", "a", "a", "a"), ints("id", 0, 1, 2),
            longs("v", Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE - 1)));
    assertThat(run(input, List.of(0), true, false, NaNOrder.SQL, 2))
        .containsExactly("a|1|" + Long.MAX_VALUE + "|1", "a|2|" + (Long.MAX_VALUE - 1) + "|2");
    List<VectorSchemaRoot> again =
        List.of(batch(strings("k", "a", "a", "a"), ints("id", 0, 1, 2),
            longs("v", Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE - 1)));
    assertThat(run(again, List.of(0), false, false, NaNOrder.SQL, 1))
        .containsExactly("a|0|" + Long.MIN_VALUE + "|1");
  }

  @Test
  void withoutARowNumberNameTheRowsComeAsTheyWere() {
    List<String> rows = new ArrayList<>();
    try (Operator top =
        new TopNPerGroupOperator(
            new ExecContext(allocator, null, System.nanoTime() + 60_000_000_000L, () -> false),
            new BatchSource(sample()), List.of(0), 2, true, false, NaNOrder.LAST, 1, null)) {
      for (VectorSchemaRoot out = top.next(); out != null; out = top.next()) {
        try (VectorSchemaRoot batch = out) {
          assertThat(batch.getFieldVectors()).hasSize(3);
          for (int r = 0; r < batch.getRowCount(); r++) {
            rows.add(batch.getVector(1).getObject(r) + "");
          }
        }
      }
    }
    assertThat(rows).containsExactly("2", "1"); // a's first 3.0, b's 5.0
  }

  @Test
  void emptyInputAndLimitZeroGiveNoRows() {
    assertThat(run(List.of(), List.of(0), true, false, NaNOrder.SQL, 3)).isEmpty();
    assertThat(run(sample(), List.of(0), true, false, NaNOrder.SQL, 0)).isEmpty();
  }

  @Test
  void batchesOfOneRowGiveTheSameAnswer() {
    List<VectorSchemaRoot> input = new ArrayList<>();
    String[] keys = {"a", "b", "a", "a", "b", "a"};
    double[] values = {1, 5, 3, 3, 2, Double.NaN};
    for (int i = 0; i < keys.length; i++) {
      input.add(batch(strings("k", keys[i]), ints("id", i), doubles("v", values[i])));
    }
    assertThat(run(input, List.of(0), true, false, NaNOrder.SQL, 2))
        .containsExactly("a|5|NaN|1", "a|2|3.0|2", "b|1|5.0|1", "b|4|2.0|2");
  }

  /**
   * 300 000 rising values over 1 000 groups (row i in group i mod 1000), in batches of 4 096:
   * every row beats its group's worst, so the store fills with evicted rows and is compacted
   * several times. Group g's top 3 are the last three rows of g: 299000 + g, 298000 + g,
   * 297000 + g.
   */
  @Test
  void manyGroupsLargerThanABatchSurviveCompaction() {
    List<VectorSchemaRoot> input = new ArrayList<>();
    int rows = 300_000;
    for (int from = 0; from < rows; from += 4096) {
      int n = Math.min(4096, rows - from);
      Integer[] group = new Integer[n];
      Integer[] id = new Integer[n];
      Long[] value = new Long[n];
      for (int i = 0; i < n; i++) {
        group[i] = (from + i) % 1000;
        id[i] = from + i;
        value[i] = (long) (from + i);
      }
      input.add(batch(ints("g", group), ints("id", id), longs("v", value)));
    }
    List<String> out = run(input, List.of(0), true, false, NaNOrder.SQL, 3);
    assertThat(out).hasSize(3000);
    for (int g = 0; g < 1000; g++) {
      assertThat(out.subList(3 * g, 3 * g + 3)).containsExactly(
          g + "|" + (299_000 + g) + "|" + (299_000 + g) + "|1",
          g + "|" + (298_000 + g) + "|" + (298_000 + g) + "|2",
          g + "|" + (297_000 + g) + "|" + (297_000 + g) + "|3");
    }
  }

  // ------------------------------------------------------------------ fixtures

  private List<String> run(
      List<VectorSchemaRoot> input, List<Integer> keys, boolean descending, boolean nullsFirst,
      NaNOrder nanOrder, long limit) {
    List<String> rows = new ArrayList<>();
    try (Operator top =
        new TopNPerGroupOperator(
            new ExecContext(allocator, null, System.nanoTime() + 60_000_000_000L, () -> false),
            new BatchSource(input), keys, 2, descending, nullsFirst, nanOrder, limit, "rn")) {
      rows.addAll(BatchSource.textRows(top));
    }
    return rows;
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
      v.setSafe(i, values[i].getBytes(StandardCharsets.UTF_8));
    }
    v.setValueCount(values.length);
    return v;
  }

  private FieldVector ints(String name, Integer... values) {
    IntVector v = new IntVector(name, allocator);
    v.allocateNew(values.length);
    for (int i = 0; i < values.length; i++) {
      v.set(i, values[i]);
    }
    v.setValueCount(values.length);
    return v;
  }

  private FieldVector longs(String name, Long... values) {
    BigIntVector v = new BigIntVector(name, allocator);
    v.allocateNew(values.length);
    for (int i = 0; i < values.length; i++) {
      v.set(i, values[i]);
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
}

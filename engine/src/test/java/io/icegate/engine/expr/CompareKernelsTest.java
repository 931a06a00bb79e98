package io.icegate.engine.expr;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.calcite.sql.SqlKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Column-versus-constant comparisons on 8-byte and narrower integers, nulls failing. */
class CompareKernelsTest {
  private final RootAllocator allocator = new RootAllocator();

  @AfterEach
  void empty() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  // Values -5, 0, null, 7, Long.MIN_VALUE, Long.MAX_VALUE, 3 against the constant 3.
  private static final Long[] VALUES = {-5L, 0L, null, 7L, Long.MIN_VALUE, Long.MAX_VALUE, 3L};

  @Test
  void everyOperatorOnLongsAndTimestampsWithNulls() {
    expect(SqlKind.EQUALS, false, false, false, false, false, false, true);
    expect(SqlKind.NOT_EQUALS, true, true, false, true, true, true, false);
    expect(SqlKind.LESS_THAN, true, true, false, false, true, false, false);
    expect(SqlKind.LESS_THAN_OR_EQUAL, true, true, false, false, true, false, true);
    expect(SqlKind.GREATER_THAN, false, false, false, true, false, true, false);
    expect(SqlKind.GREATER_THAN_OR_EQUAL, false, false, false, true, false, true, true);
  }

  private void expect(SqlKind kind, Boolean... expected) {
    for (FieldVector vector :
        List.<FieldVector>of(
            new BigIntVector("v", allocator),
            new TimeStampNanoTZVector("t", allocator, "UTC"))) {
      try (VectorSchemaRoot batch = batch(vector)) {
        boolean[] out = new boolean[VALUES.length];
        CompareKernels.longs(0, kind, 3L).evaluate(batch, out);
        assertThat(box(out)).as("%s on %s", kind, vector.getClass().getSimpleName())
            .containsExactly(expected);
      }
    }
    // Narrower integers take the generic path, with the same answers where values fit.
    try (IntVector ints = new IntVector("i", allocator)) {
      int[] small = {-5, 0, 0, 7, Integer.MIN_VALUE, Integer.MAX_VALUE, 3};
      ints.allocateNew(small.length);
      for (int i = 0; i < small.length; i++) {
        if (VALUES[i] == null) {
          ints.setNull(i);
        } else {
          ints.set(i, small[i]);
        }
      }
      ints.setValueCount(small.length);
      VectorSchemaRoot batch = VectorSchemaRoot.of(ints);
      boolean[] out = new boolean[small.length];
      CompareKernels.longs(0, kind, 3L).evaluate(batch, out);
      assertThat(box(out)).as("%s on ints", kind).containsExactly(expected);
    }
  }

  @Test
  void stringsCompareAsUnsignedUtf8BytesWithNullsFailing() {
    // "b" against: "a", "b", null, "ba", "", "é" (0xC3 0xA9, above ASCII), "b", "B".
    String[] values = {"a", "b", null, "ba", "", "é", "b", "B"};
    byte[] b = "b".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Object[][] cases = {
      {SqlKind.EQUALS, new Boolean[] {false, true, false, false, false, false, true, false}},
      {SqlKind.NOT_EQUALS, new Boolean[] {true, false, false, true, true, true, false, true}},
      {SqlKind.LESS_THAN, new Boolean[] {true, false, false, false, true, false, false, true}},
      {SqlKind.LESS_THAN_OR_EQUAL,
          new Boolean[] {true, true, false, false, true, false, true, true}},
      {SqlKind.GREATER_THAN, new Boolean[] {false, false, false, true, false, true, false, false}},
      {SqlKind.GREATER_THAN_OR_EQUAL,
          new Boolean[] {false, true, false, true, false, true, true, false}},
    };
    try (org.apache.arrow.vector.VarCharVector strings =
        new org.apache.arrow.vector.VarCharVector("s", allocator)) {
      strings.allocateNew();
      for (int i = 0; i < values.length; i++) {
        if (values[i] == null) {
          strings.setNull(i);
        } else {
          strings.setSafe(i, values[i].getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      strings.setValueCount(values.length);
      VectorSchemaRoot batch = VectorSchemaRoot.of(strings);
      for (Object[] c : cases) {
        VectorPredicate predicate = CompareKernels.bytes(0, (SqlKind) c[0], b);
        for (int round = 0; round < 2; round++) { // the kernel keeps a buffer between batches
          boolean[] out = new boolean[values.length];
          predicate.evaluate(batch, out);
          assertThat(box(out)).as("%s", c[0]).containsExactly((Boolean[]) c[1]);
        }
      }
    }
  }

  private static VectorSchemaRoot batch(FieldVector vector) {
    vector.allocateNew();
    for (int i = 0; i < VALUES.length; i++) {
      if (VALUES[i] == null) {
        vector.setNull(i);
      } else if (vector instanceof BigIntVector longs) {
        longs.setSafe(i, VALUES[i]);
      } else {
        ((TimeStampNanoTZVector) vector).setSafe(i, VALUES[i]);
      }
    }
    vector.setValueCount(VALUES.length);
    return VectorSchemaRoot.of(vector);
  }

  private static Boolean[] box(boolean[] values) {
    Boolean[] out = new Boolean[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }
}

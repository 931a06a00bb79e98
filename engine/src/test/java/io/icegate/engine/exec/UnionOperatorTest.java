package io.icegate.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UnionOperatorTest {
  private final BufferAllocator allocator = new RootAllocator();
  private final AtomicInteger closed = new AtomicInteger();

  @AfterEach
  void allocatorIsEmpty() {
    assertThat(allocator.getAllocatedMemory()).as("Arrow memory left").isZero();
    allocator.close();
  }

  @Test
  void batchesOfEveryInputInTurnUnderTheUnionsNames() {
    List<Long> values = new ArrayList<>();
    List<String> names = new ArrayList<>();
    try (Operator union = union(
        source(longs("a", 1, 2), longs("a", 3)), source(), source(longs("b", 4)))) {
      for (VectorSchemaRoot b = union.next(); b != null; b = union.next()) {
        try (VectorSchemaRoot owned = b) {
          names.add(owned.getVector(0).getName());
          BigIntVector v = (BigIntVector) owned.getVector(0);
          for (int r = 0; r < owned.getRowCount(); r++) {
            values.add(v.get(r));
          }
        }
      }
      assertThat(union.next()).isNull();
    }
    assertThat(values).containsExactly(1L, 2L, 3L, 4L);
    assertThat(names).containsOnly("x");
    assertThat(closed).hasValue(3);
  }

  @Test
  void anInputOfAnotherTypeIsRefusedAndEverythingIsFreed() {
    Operator union = union(source(longs("a", 1)), source(ints("b", 2), longs("b", 3)));
    VectorSchemaRoot first = union.next();
    first.close();
    assertThatThrownBy(union::next)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("UNION column x")
        .hasMessageContaining("input 2");
    union.close();
    assertThat(closed).hasValue(2);
  }

  @Test
  void cancellationStopsBetweenBatches() {
    boolean[] cancelled = {false};
    ExecContext context =
        new ExecContext(allocator, null, System.nanoTime() + 60_000_000_000L, () -> cancelled[0]);
    try (Operator union = new UnionOperator(
        context, List.of(source(longs("a", 1), longs("a", 2))), List.of("x"))) {
      union.next().close();
      cancelled[0] = true;
      assertThatThrownBy(union::next).isInstanceOf(QueryCancelledException.class);
    }
  }

  private Operator union(Operator... inputs) {
    ExecContext context =
        new ExecContext(allocator, null, System.nanoTime() + 60_000_000_000L, () -> false);
    return new UnionOperator(context, List.of(inputs), List.of("x"));
  }

  private VectorSchemaRoot longs(String name, long... values) {
    BigIntVector v = new BigIntVector(name, allocator);
    v.allocateNew(values.length);
    for (int i = 0; i < values.length; i++) {
      v.set(i, values[i]);
    }
    v.setValueCount(values.length);
    return VectorSchemaRoot.of(v);
  }

  private VectorSchemaRoot ints(String name, int... values) {
    IntVector v = new IntVector(name, allocator);
    v.allocateNew(values.length);
    for (int i = 0; i < values.length; i++) {
      v.set(i, values[i]);
    }
    v.setValueCount(values.length);
    return VectorSchemaRoot.of(v);
  }

  /** The batches in order; closing closes the ones not read. */
  private Operator source(VectorSchemaRoot... batches) {
    return new Operator() {
      int next;

      @Override
      public VectorSchemaRoot next() {
        return next < batches.length ? batches[next++] : null;
      }

      @Override
      public void close() {
        closed.incrementAndGet();
        while (next < batches.length) {
          batches[next++].close();
        }
      }
    };
  }
}

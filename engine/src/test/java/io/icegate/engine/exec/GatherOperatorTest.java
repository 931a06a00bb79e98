package io.icegate.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.storage.scan.ScanFile;
import io.icegate.storage.scan.ScanSplit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gather runs one fragment copy per split on its own thread. The fragments here are small
 * operators that number their rows by split (no storage: the gather only sees what a fragment
 * returns), so the tests can check order, early close, errors and that memory comes back.
 */
class GatherOperatorTest {
  private RootAllocator root;
  private BufferAllocator query;

  @BeforeEach
  void setUp() {
    root = new RootAllocator();
    query = root.newChildAllocator("query", 0, Long.MAX_VALUE);
  }

  @AfterEach
  void tearDown() {
    assertThat(query.getAllocatedMemory()).as("query allocator empty").isZero();
    query.close();
    root.close();
  }

  private ExecContext context(int parallelism) {
    return new ExecContext(query, null, System.nanoTime() + 60_000_000_000L, () -> false,
        parallelism);
  }

  private static List<ScanSplit> splits(int n) {
    List<ScanSplit> splits = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      splits.add(new ScanSplit(new ScanFile(null, 1000, false), i, 1));
    }
    return splits;
  }

  /** Split i yields {@code batches} batches of {@code rows} values i·1e6 + running number. */
  private static Operator numbers(ExecContext context, int batches, int rows) {
    long split = context.assignedSplits().get(0).start();
    return new Operator() {
      int made;

      @Override
      public VectorSchemaRoot next() {
        context.checkContinue();
        if (made == batches) {
          return null;
        }
        BigIntVector v = new BigIntVector("n", context.allocator());
        v.allocateNew(rows);
        for (int r = 0; r < rows; r++) {
          v.set(r, split * 1_000_000 + made * rows + r);
        }
        v.setValueCount(rows);
        made++;
        VectorSchemaRoot root = VectorSchemaRoot.of(v);
        root.setRowCount(rows);
        return root;
      }

      @Override
      public void close() {}
    };
  }

  private static List<Long> drain(Operator op, int maxBatches) {
    List<Long> out = new ArrayList<>();
    int taken = 0;
    for (VectorSchemaRoot next = op.next(); next != null;
        next = taken < maxBatches ? op.next() : null) {
      try (VectorSchemaRoot b = next) {
        BigIntVector v = (BigIntVector) b.getVector(0);
        for (int i = 0; i < b.getRowCount(); i++) {
          out.add(v.get(i));
        }
      }
      taken++;
    }
    return out;
  }

  @Test
  void batchesComeInSplitOrderWhateverTheThreadsDo() {
    List<Long> expected = new ArrayList<>();
    for (long s = 0; s < 7; s++) {
      for (int i = 0; i < 25 * 3; i++) {
        expected.add(s * 1_000_000 + i);
      }
    }
    Set<String> threads = ConcurrentHashMap.newKeySet();
    try (GatherOperator gather =
        new GatherOperator(context(3), splits(7), c -> {
          threads.add(Thread.currentThread().getName());
          return numbers(c, 25, 3);
        })) {
      assertThat(drain(gather, Integer.MAX_VALUE)).isEqualTo(expected);
    }
    assertThat(threads).allMatch(n -> n.startsWith("icegate-scan-"));
  }

  @Test
  void inAnyOrderASlowSplitDoesNotHoldUpTheOthers() throws Exception {
    // Split 0 produces nothing until the consumer has taken 20 batches of the other splits: in
    // split order that would never happen (the consumer would wait for split 0 forever).
    java.util.concurrent.CountDownLatch othersSeen = new java.util.concurrent.CountDownLatch(20);
    List<Long> rows = new ArrayList<>();
    try (GatherOperator gather =
        new GatherOperator(context(2), splits(5), c -> {
          Operator inner = numbers(c, 25, 3);
          if (c.assignedSplits().get(0).start() != 0) {
            return inner;
          }
          return new Operator() {
            @Override
            public VectorSchemaRoot next() {
              try {
                if (!othersSeen.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                  throw new IllegalStateException("the other splits never came through");
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
              }
              return inner.next();
            }

            @Override
            public void close() {}
          };
        }, false)) {
      for (VectorSchemaRoot next = gather.next(); next != null; next = gather.next()) {
        try (VectorSchemaRoot b = next) {
          BigIntVector v = (BigIntVector) b.getVector(0);
          for (int i = 0; i < b.getRowCount(); i++) {
            rows.add(v.get(i));
          }
          if (v.get(0) >= 1_000_000) {
            othersSeen.countDown();
          }
        }
      }
    }
    List<Long> expected = new ArrayList<>();
    for (long s = 0; s < 5; s++) {
      for (int i = 0; i < 25 * 3; i++) {
        expected.add(s * 1_000_000 + i);
      }
    }
    assertThat(rows).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(rows).isNotEqualTo(expected); // split 0's rows came after others'
    // Each split's own rows still come in its order.
    for (long s = 0; s < 5; s++) {
      long split = s;
      assertThat(rows.stream().filter(n -> n / 1_000_000 == split).toList()).isSorted();
    }
  }

  @Test
  void inAnyOrderAnErrorOrAnEarlyCloseStillReleasesEverything() {
    try (GatherOperator gather =
        new GatherOperator(context(2), splits(6), c -> {
          if (c.assignedSplits().get(0).start() == 3) {
            throw new IllegalStateException("split 3 is broken");
          }
          return numbers(c, 40, 5);
        }, false)) {
      assertThatThrownBy(() -> drain(gather, Integer.MAX_VALUE))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("split 3 is broken");
    }
    GatherOperator gather =
        new GatherOperator(context(2), splits(50), c -> numbers(c, 10_000, 64), false);
    assertThat(drain(gather, 3)).hasSize(3 * 64);
    gather.close();
    // tearDown checks that the batches queued by every lane were freed
  }

  @Test
  void noSplitsMeansNoRows() {
    try (GatherOperator gather = new GatherOperator(context(2), splits(0), c -> numbers(c, 1, 1))) {
      assertThat(gather.next()).isNull();
    }
  }

  @Test
  void closingEarlyStopsTheThreadsAndFreesWhatTheyQueued() {
    AtomicInteger opened = new AtomicInteger();
    AtomicInteger closed = new AtomicInteger();
    GatherOperator gather =
        new GatherOperator(context(2), splits(50), c -> {
          opened.incrementAndGet();
          Operator inner = numbers(c, 10_000, 64); // far more than anyone reads
          return new Operator() {
            @Override
            public VectorSchemaRoot next() {
              return inner.next();
            }

            @Override
            public void close() {
              closed.incrementAndGet();
            }
          };
        });
    List<Long> firstTwo = drain(gather, 2);
    gather.close();
    assertThat(firstTwo).hasSize(128).startsWith(0L, 1L, 2L);
    assertThat(opened.get()).isBetween(1, 3);
    assertThat(closed.get()).isEqualTo(opened.get());
    // tearDown checks that the queued batches were freed
  }

  @Test
  void anErrorInASplitFailsTheQueryAndEverythingIsReleased() {
    try (GatherOperator gather =
        new GatherOperator(context(2), splits(4), c -> {
          if (c.assignedSplits().get(0).start() == 2) {
            throw new IllegalStateException("split 2 is broken");
          }
          return numbers(c, 3, 5);
        })) {
      assertThatThrownBy(() -> drain(gather, Integer.MAX_VALUE))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("split 2 is broken");
    }
  }

  @Test
  void aCancelledQueryStopsPromptly() {
    AtomicInteger batches = new AtomicInteger();
    ExecContext context =
        new ExecContext(query, null, System.nanoTime() + 60_000_000_000L,
            () -> batches.get() >= 3, 2);
    try (GatherOperator gather = new GatherOperator(context, splits(3), c -> numbers(c, 1000, 8))) {
      assertThatThrownBy(() -> {
            for (VectorSchemaRoot b = gather.next(); b != null; b = gather.next()) {
              b.close();
              batches.incrementAndGet();
            }
          })
          .isInstanceOf(QueryCancelledException.class)
          .hasMessageContaining("cancelled");
    }
  }

  @Test
  void aQueryPastItsDeadlineTimesOutInsideTheSplits() {
    ExecContext context = new ExecContext(query, null, System.nanoTime() - 1, () -> false, 2);
    try (GatherOperator gather = new GatherOperator(context, splits(3), c -> numbers(c, 5, 8))) {
      assertThatThrownBy(gather::next)
          .isInstanceOf(QueryCancelledException.class)
          .hasMessageContaining("timed out");
    }
  }
}

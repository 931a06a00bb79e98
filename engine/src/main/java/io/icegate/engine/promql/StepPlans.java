package io.icegate.engine.promql;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.LabelSetCache;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.exec.PromAggregateSpec;
import io.icegate.engine.exec.QueryCancelledException;
import io.icegate.engine.exec.QueryStats;
import io.icegate.engine.exec.StepMatrix;
import io.icegate.engine.exec.StepRangeSpec;
import io.icegate.engine.exec.StepRows;
import io.icegate.engine.exec.VectorMatchSpec;
import io.icegate.engine.rel.ArrowPromAggregate;
import io.icegate.engine.rel.ArrowPromSubquery;
import io.icegate.engine.rel.ArrowRel;
import io.icegate.engine.rel.ArrowStepMatrixInput;
import io.icegate.engine.rel.ArrowVectorMatch;
import io.icegate.engine.series.FloatHistogram;
import io.icegate.engine.series.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.rel.RelNode;

/**
 * The evaluator's way into the plan nodes over step matrices: an operand evaluated series by
 * series is converted to a {@link StepMatrix} batch (in the query's allocator), handed to an
 * {@link ArrowVectorMatch} or {@link ArrowPromAggregate} through an {@link ArrowStepMatrixInput}
 * leaf, and the plan's output converted back. Only float operands take this way: a native
 * histogram sample has no place in a step matrix.
 *
 * <p>Conversions copy whole step arrays at once, and label sets go through one {@link
 * LabelSetCache} per query, so a series that passes through keeps its {@link Labels} object.
 */
final class StepPlans {
  private final BufferAllocator allocator;
  private final BooleanSupplier cancelled;
  private final BiConsumer<RelNode, QueryStats> listener;
  private final LabelSetCache cache = new LabelSetCache();
  private RelOptCluster cluster;

  StepPlans(
      BufferAllocator allocator, BooleanSupplier cancelled,
      BiConsumer<RelNode, QueryStats> listener) {
    this.allocator = allocator;
    this.cancelled = cancelled;
    this.listener = listener;
  }

  /** Whether no series of {@code v} holds a native histogram sample. */
  static boolean floatsOnly(Value.Vector v) {
    for (StepSeries s : v.series()) {
      if (s.histograms != null) {
        for (FloatHistogram h : s.histograms) {
          if (h != null) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /**
   * {@code lhs op rhs} between two float vectors, as an {@link ArrowVectorMatch}; null when the
   * operands' matrices don't fit in the query's memory (the caller then evaluates it series by
   * series, as Prometheus, whose only bound is the sample count, would answer it).
   */
  Value.Vector vectorMatch(
      VectorMatchSpec spec, String lhsText, Value.Vector lhs, String rhsText, Value.Vector rhs) {
    try {
      RelOptCluster c = cluster();
      ArrowStepMatrixInput left = input(c, lhsText, lhs, spec.steps());
      ArrowStepMatrixInput right;
      try {
        right = input(c, rhsText, rhs, spec.steps());
      } catch (RuntimeException | Error e) {
        left.release();
        throw e;
      }
      return run(ArrowVectorMatch.of(left, right, spec, cache), spec.steps(), left, right);
    } catch (OutOfMemoryException e) {
      return null;
    }
  }

  /** An aggregation of a float vector, as an {@link ArrowPromAggregate}; null as above. */
  Value.Vector aggregate(PromAggregateSpec spec, String inputText, Value.Vector in) {
    try {
      ArrowStepMatrixInput input = input(cluster(), inputText, in, spec.steps());
      return run(ArrowPromAggregate.of(input, spec, cache), spec.steps(), input);
    } catch (OutOfMemoryException e) {
      return null;
    }
  }

  /**
   * A range function over a subquery's float result, as an {@link ArrowPromSubquery}. The inner
   * grid is usually the longer one, so its matrix is made a batch at a time as the node reads
   * it: the query holds one input and one output batch at once, whatever the series count.
   */
  Value.Vector subquery(StepRangeSpec spec, String innerText, Value.Vector inner) {
    List<StepSeries> series = inner.series();
    int steps = spec.innerSteps();
    int perBatch = Math.max(1, Math.min(1024, (1 << 19) / Math.max(1, steps)));
    /** The series' batches, made one by one; closed, it makes no more. */
    final class Batches implements java.util.Iterator<VectorSchemaRoot>, AutoCloseable {
      private int next;

      @Override
      public boolean hasNext() {
        return next < series.size();
      }

      @Override
      public VectorSchemaRoot next() {
        int to = Math.min(series.size(), next + perBatch);
        VectorSchemaRoot b = toMatrix(series.subList(next, to), steps);
        next = to;
        return b;
      }

      @Override
      public void close() {
        next = series.size();
      }
    }

    ArrowStepMatrixInput input =
        ArrowStepMatrixInput.lazy(cluster(), innerText, series.size(), new Batches());
    try {
      return run(ArrowPromSubquery.of(input, spec, cache), spec.outerSteps(), input);
    } catch (OutOfMemoryException e) {
      return null; // as above
    }
  }

  private RelOptCluster cluster() {
    if (cluster == null) {
      cluster = ArrowStepMatrixInput.newCluster();
    }
    return cluster;
  }

  private ArrowStepMatrixInput input(RelOptCluster c, String text, Value.Vector v, int steps) {
    VectorSchemaRoot batch = toMatrix(v.series(), steps);
    return ArrowStepMatrixInput.of(c, text, List.of(batch));
  }

  private Value.Vector run(ArrowRel plan, int steps, ArrowStepMatrixInput... leaves) {
    ExecContext context =
        new ExecContext(allocator, null, System.nanoTime() + Long.MAX_VALUE, cancelled);
    List<StepSeries> out = new ArrayList<>();
    Operator op;
    try {
      op = plan.implement(context);
    } catch (RuntimeException | Error e) {
      for (ArrowStepMatrixInput leaf : leaves) {
        leaf.release();
      }
      throw e;
    }
    try (Operator running = op) {
      VectorSchemaRoot batch;
      while ((batch = running.next()) != null) {
        try (VectorSchemaRoot b = batch) {
          fromMatrix(b, steps, out);
        }
      }
    } catch (QueryCancelledException e) {
      // In the evaluator's words (the handler tells a timeout by its own deadline).
      throw new QueryCancelledException("query was canceled in expression evaluation", false);
    }
    listener.accept(plan, context.stats());
    return new Value.Vector(out);
  }

  /** The label sets of this query's step matrices. */
  LabelSetCache cache() {
    return cache;
  }

  /** What a plan composed over the source's leaves gave, and what its nodes did. */
  record Composed(List<StepSeries> series, QueryStats stats) {}

  /**
   * Runs {@code plan}, PromQL plan nodes over leaves of {@code source} ({@link
   * io.icegate.engine.series.SeriesSource#stepsPlan}), in the source; its output as step series,
   * or null when the source declined a leaf mid-scan or the plan outgrew the query's memory
   * (nothing is kept then).
   */
  Composed runComposed(
      io.icegate.engine.series.SeriesSource source, RelNode plan, int steps) {
    List<StepSeries> out = new ArrayList<>();
    QueryStats stats;
    try {
      stats = source.runSteps(plan, batch -> fromMatrix(batch, steps, out));
    } catch (OutOfMemoryException e) {
      return null;
    }
    if (stats == null) {
      return null;
    }
    listener.accept(plan, stats);
    return new Composed(out, stats);
  }

  /** {@code series} as one step matrix batch (the caller closes it). */
  VectorSchemaRoot toMatrix(List<StepSeries> series, int steps) {
    VectorSchemaRoot root = StepRows.allocate(allocator, steps, series.size());
    try {
      int row = 0;
      for (StepSeries s : series) {
        StepRows.set(root, row++, cache.encode(s.labels), s.values, 0, s.present, 0, s.dropName);
      }
      StepMatrix.finish(root, series.size());
      return root;
    } catch (RuntimeException | Error e) {
      root.close();
      throw e;
    }
  }

  /** Appends the series of step matrix {@code batch} to {@code out}. */
  void fromMatrix(VectorSchemaRoot batch, int steps, List<StepSeries> out) {
    var labels = StepMatrix.labels(batch);
    var drop = StepMatrix.dropName(batch);
    for (int r = 0; r < batch.getRowCount(); r++) {
      StepSeries s = new StepSeries(cache.decode(labels.get(r)), steps, drop.get(r) != 0);
      StepRows.get(batch, r, s.values, s.present);
      out.add(s);
    }
  }
}

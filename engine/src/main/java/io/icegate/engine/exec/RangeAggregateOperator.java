package io.icegate.engine.exec;

import io.icegate.engine.logql.range.LogRangeAggregation;
import io.icegate.engine.logql.range.LogRangeAggregation.StepValues;
import io.icegate.engine.series.Labels;
import io.icegate.protocol.loki.LabelSetCodec;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A LogQL range aggregation over batches of log entries ({@code timestamp, labels, line}, what a
 * metric query's pipeline emits): it drains its input into per-series samples, then emits one
 * row per series and step whose window holds a sample — {@code (labels, step, value)}, the
 * series' label set in the canonical encoding ({@link LabelSetCodec}), the step's time in
 * nanoseconds and the aggregated value — in batches of at most {@value #OUTPUT_ROWS} rows. The
 * rows of one series are consecutive and in step order; series come in the order they first
 * appeared. Steps without a value have no row: a stale marker after a run of values is the
 * consumer's to add, if it looks back from a step (the PromQL evaluator does).
 *
 * <p>The semantics (sample extraction, windows, the functions) are {@link LogRangeAggregation}'s.
 * Samples are held on the Java heap, as the PromQL evaluator's series are; the output batches
 * come from the query's allocator. The query's deadline and cancellation are checked between
 * input batches and between output batches.
 */
public final class RangeAggregateOperator implements Operator {
  static final int OUTPUT_ROWS = 4096;

  public static final Schema SCHEMA =
      new Schema(
          List.of(
              new Field("labels", FieldType.notNullable(ArrowType.Utf8.INSTANCE), null),
              new Field("step", FieldType.notNullable(new ArrowType.Int(64, true)), null),
              new Field(
                  "value",
                  FieldType.notNullable(
                      new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                  null)));

  private final ExecContext context;
  private final Operator input;
  private final LogRangeAggregation kernel;
  private final long[] stepsNanos;
  /** The kernel's series and samples, counted against the query's memory limit. */
  private final HeapBudget budget;
  /** The series still to emit, null until the input is drained. */
  private Iterator<StepValues> results;
  /** The series being emitted, its encoded labels, and how many of its points are out. */
  private StepValues current;
  private byte[] currentLabels;
  private int emitted;

  /**
   * @param stepsNanos the step grid the kernel evaluates at (its {@link
   *     io.icegate.engine.logql.range.RangeAggregateSpec#times})
   */
  public RangeAggregateOperator(
      ExecContext context, Operator input, LogRangeAggregation kernel, long[] stepsNanos) {
    this.context = context;
    this.input = input;
    this.kernel = kernel;
    this.stepsNanos = stepsNanos;
    this.budget = new HeapBudget(context.allocator(), "range aggregation samples");
    kernel.budget(budget);
  }

  @Override
  public VectorSchemaRoot next() {
    if (results == null) {
      drain();
    }
    context.checkContinue();
    VectorSchemaRoot out = null;
    try {
      int rows = 0;
      while (rows < OUTPUT_ROWS) {
        if (current == null || emitted == current.size()) {
          if (!results.hasNext()) {
            break;
          }
          current = results.next();
          currentLabels = encode(current.labels());
          emitted = 0;
        }
        if (out == null) {
          out = Batches.allocate(SCHEMA, context.allocator(), OUTPUT_ROWS);
        }
        VarCharVector labels = (VarCharVector) out.getVector(0);
        BigIntVector step = (BigIntVector) out.getVector(1);
        Float8Vector value = (Float8Vector) out.getVector(2);
        int n = Math.min(OUTPUT_ROWS - rows, current.size() - emitted);
        int[] steps = current.steps();
        double[] values = current.values();
        for (int i = 0; i < n; i++) {
          labels.setSafe(rows + i, currentLabels);
          step.set(rows + i, stepsNanos[steps[emitted + i]]);
          value.set(rows + i, values[emitted + i]);
        }
        rows += n;
        emitted += n;
      }
      if (out == null) {
        return null;
      }
      for (FieldVector v : out.getFieldVectors()) {
        v.setValueCount(rows);
      }
      out.setRowCount(rows);
      return out;
    } catch (RuntimeException | Error e) {
      if (out != null) {
        out.close();
      }
      throw e;
    }
  }

  /** Reads the whole input into the kernel, closing each batch as soon as it is added. */
  private void drain() {
    for (VectorSchemaRoot batch = input.next(); batch != null; batch = input.next()) {
      try (VectorSchemaRoot owned = batch) {
        kernel.add(owned);
      }
      context.checkContinue();
    }
    results = kernel.finish();
  }

  private static byte[] encode(Labels labels) {
    return LabelSetCodec.encode(new TreeMap<>(labels.toMap())).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    try {
      input.close();
    } finally {
      budget.close();
    }
  }
}

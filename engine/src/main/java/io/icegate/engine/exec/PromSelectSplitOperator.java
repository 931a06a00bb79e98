package io.icegate.engine.exec;

import io.icegate.engine.metrics.NumberRows;
import io.icegate.engine.metrics.SeriesBuilder;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.StepSelection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The per-row half of a PromQL leaf ({@link PromSelectOperator}), run by each split's thread
 * below the gather: reads its split's rows of number points into per-series samples ({@link
 * NumberRows}: label sets decoded and matched once per run of rows, values and times read out of
 * the vectors) and leaves them in the query's {@link Parts}; its one output row is the number
 * of that part, so the operator above the gather takes the parts in split order — the order
 * the rows would have reached it in — and only joins each series' pieces.
 *
 * <p>A histogram or summary row stops it with {@link PromSelectOperator.NotFloats}, as above.
 */
public final class PromSelectSplitOperator implements Operator {
  /** The one column of the output: the number of a part in {@link Parts}. */
  public static final String PART = "part";

  /** The samples the splits read, each split's under its own number, until taken. */
  public static final class Parts {
    private final AtomicInteger next = new AtomicInteger();
    private final Map<Integer, Map<Labels, SeriesBuilder>> parts = new ConcurrentHashMap<>();

    int put(Map<Labels, SeriesBuilder> part) {
      int id = next.getAndIncrement();
      parts.put(id, part);
      return id;
    }

    /** Takes part {@code id} (it is then no longer held here). */
    Map<Labels, SeriesBuilder> take(int id) {
      Map<Labels, SeriesBuilder> part = parts.remove(id);
      if (part == null) {
        throw new IllegalStateException("no part " + id);
      }
      return part;
    }
  }

  private final ExecContext context;
  private final Operator input;
  private final StepSelection selection;
  private final Parts parts;
  private boolean done;

  public PromSelectSplitOperator(
      ExecContext context, Operator input, StepSelection selection, Parts parts) {
    this.context = context;
    this.input = input;
    this.selection = selection;
    this.parts = parts;
  }

  @Override
  public VectorSchemaRoot next() {
    if (done) {
      return null;
    }
    done = true;
    String name = selection.metricName();
    List<io.icegate.engine.series.LabelMatcher> matchers = selection.matchers();
    Map<Labels, SeriesBuilder> builders = new HashMap<>();
    Map<String, Labels> decoded = new HashMap<>();
    for (VectorSchemaRoot batch = input.next(); batch != null; batch = input.next()) {
      try (VectorSchemaRoot owned = batch) {
        if (NumberRows.add(owned, name, name, matchers, builders, decoded)) {
          throw new PromSelectOperator.NotFloats(name);
        }
      }
      context.checkContinue();
    }
    int id = parts.put(builders);
    VectorSchemaRoot out = VectorSchemaRoot.create(
        new org.apache.arrow.vector.types.pojo.Schema(List.of(
            org.apache.arrow.vector.types.pojo.Field.notNullable(
                PART, new org.apache.arrow.vector.types.pojo.ArrowType.Int(32, true)))),
        context.allocator());
    try {
      IntVector part = (IntVector) out.getVector(0);
      part.allocateNew(1);
      part.set(0, id);
      out.setRowCount(1);
      return out;
    } catch (RuntimeException | Error e) {
      out.close();
      throw e;
    }
  }

  @Override
  public void close() {
    input.close();
  }
}

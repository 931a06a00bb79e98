package io.icegate.engine.exec;

import io.icegate.engine.promql.FloatRangeKernels;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A range function over a subquery, as nested step evaluation: the input is a {@link StepMatrix}
 * on the subquery's inner grid (the inner expression's value at each inner step), the output a
 * step matrix on the outer times, where each series' value at outer time {@code t} is the
 * function ({@link FloatRangeKernels}) of its inner samples in the left-open window {@code (t −
 * range, t]}. A step where the series has no inner sample is no sample; a window without samples
 * (or where the kernel gives none, e.g. a rate of one sample) gives no output sample, and a series
 * without any is left out. Series keep their input order.
 *
 * <p>Every series shares the inner grid, so each window's bounds on the grid are found once; per
 * series, a running count of its present steps turns them into bounds on its own samples, which
 * the kernel reads as the evaluator reads a subquery's range vector: the same numbers, the same
 * extrapolation and counter resets ({@code max_over_time} and {@code min_over_time} slide over
 * the windows instead of rescanning them, with the scan's result). A series marked for name
 * removal ({@code drop_name}) enters the window without its name, as the evaluator's range vector
 * holds it; the output is marked again unless the function keeps the name ({@code
 * last_over_time}, {@code first_over_time}).
 *
 * <p>Output batches hold at most about {@value #BATCH_VALUES} values; the deadline and
 * cancellation are checked per series and every 1024 outer steps of one.
 */
public final class StepRangeOperator implements Operator {
  /** About how many values one output batch holds (4 MiB of doubles). */
  static final int BATCH_VALUES = 1 << 19;
  /** The most series one output batch holds. */
  static final int OUTPUT_ROWS = 1024;

  private final ExecContext context;
  private final Operator input;
  private final StepRangeSpec spec;
  private final LabelSetCache cache;
  private final FloatRangeKernels.Kernel kernel;
  private final boolean dropName;
  /** max_over_time: 1, min_over_time: -1 (both slide over the windows), others 0. */
  private final int extreme;
  /** The sliding extreme's candidates, as sample indexes (see {@link #slideExtreme}). */
  private final int[] candidates;
  private final long[] outer;
  private final long range;
  // Window bounds on the inner grid, one per outer step.
  private final int[] from;
  private final int[] to;
  // Per-series scratch: the inner row, its present steps' running count, its samples, the output.
  private final double[] rowValues;
  private final boolean[] rowPresent;
  private final int[] counts;
  private final long[] ts;
  private final double[] vs;
  private final double[] values;
  private final boolean[] present;
  /** The input batch being read, and its next row. */
  private VectorSchemaRoot batch;
  private int row;

  public StepRangeOperator(
      ExecContext context, Operator input, StepRangeSpec spec, LabelSetCache cache) {
    this.context = context;
    this.input = input;
    this.spec = spec;
    this.cache = cache;
    this.kernel = FloatRangeKernels.of(spec.function());
    this.dropName = FloatRangeKernels.dropsName(spec.function());
    this.extreme = switch (spec.function()) {
      case "max_over_time" -> 1;
      case "min_over_time" -> -1;
      default -> 0;
    };
    this.outer = spec.outerTimes();
    this.range = spec.rangeMillis();
    int inner = spec.innerSteps();
    int n = spec.outerSteps();
    this.from = new int[n];
    this.to = new int[n];
    spec.windows(from, to);
    this.rowValues = new double[inner];
    this.rowPresent = new boolean[inner];
    this.counts = new int[inner + 1];
    this.ts = new long[inner];
    this.vs = new double[inner];
    this.candidates = new int[extreme == 0 ? 0 : inner];
    this.values = new double[n];
    this.present = new boolean[n];
  }

  @Override
  public VectorSchemaRoot next() {
    int outerSteps = spec.outerSteps();
    int perBatch = Math.max(1, Math.min(OUTPUT_ROWS, BATCH_VALUES / Math.max(1, outerSteps)));
    while (true) {
      if (batch == null) {
        VectorSchemaRoot b = input.next();
        if (b == null) {
          return null;
        }
        int steps = StepMatrix.steps(b);
        if (steps != spec.innerSteps()) {
          b.close();
          throw new IllegalStateException(
              "input of " + steps + " steps for an inner grid of " + spec.innerSteps());
        }
        batch = b;
        row = 0;
      }
      VectorSchemaRoot out = null;
      try {
        int rows = 0;
        int rowCount = batch.getRowCount();
        while (rows < perBatch && row < rowCount) {
          context.checkContinue();
          int r = row++;
          if (!evaluate(r)) {
            continue;
          }
          if (out == null) {
            out = StepRows.allocate(
                context.allocator(), outerSteps, Math.min(perBatch, rowCount - row + 1));
          }
          StepRows.set(out, rows++, labels(r), values, 0, present, 0, dropName);
        }
        if (row >= rowCount) {
          batch.close();
          batch = null;
        }
        if (out != null) {
          StepMatrix.finish(out, rows);
          return out;
        }
      } catch (RuntimeException | Error e) {
        if (out != null) {
          out.close();
        }
        throw e;
      }
    }
  }

  /** Evaluates input row {@code r} at every outer step into the scratch; whether it has a value. */
  private boolean evaluate(int r) {
    StepRows.get(batch, r, rowValues, rowPresent);
    int inner = rowValues.length;
    int j = 0;
    for (int k = 0; k < inner; k++) {
      counts[k] = j;
      if (rowPresent[k]) {
        ts[j] = spec.innerTimes()[k];
        vs[j++] = rowValues[k];
      }
    }
    counts[inner] = j;
    if (j == 0) {
      return false;
    }
    if (extreme != 0) {
      return slideExtreme();
    }
    boolean any = false;
    for (int i = 0; i < outer.length; i++) {
      if ((i & 1023) == 1023) {
        context.checkContinue();
      }
      present[i] = false;
      int a = counts[from[i]];
      int b = counts[to[i]];
      if (a >= b) {
        continue;
      }
      double v = kernel.apply(ts, vs, a, b, outer[i], range);
      if (!FloatRangeKernels.isNone(v)) {
        values[i] = v;
        present[i] = true;
        any = true;
      }
    }
    return any;
  }

  /**
   * max_over_time (min_over_time) over windows that move forward, without rescanning them: the
   * candidates are the window's samples that no later sample beats, oldest first, so the first
   * is the window's extreme. It gives what the kernel's scan gives, bit for bit: a NaN never
   * beats a number and is no candidate (a window of NaNs only gives its newest), and of equal
   * values (also 0 and -0) the oldest wins.
   */
  private boolean slideExtreme() {
    boolean any = false;
    int head = 0;
    int tail = 0;
    int pushed = 0;
    int lastFrom = 0;
    for (int i = 0; i < outer.length; i++) {
      present[i] = false;
      int a = counts[from[i]];
      int b = counts[to[i]];
      if (a >= b) {
        continue;
      }
      if (a < lastFrom || b < pushed) {
        // A window behind the last one (times not ascending): start over.
        head = 0;
        tail = 0;
        pushed = a;
      } else if (a > pushed) {
        head = 0;
        tail = 0;
        pushed = a;
      }
      lastFrom = a;
      for (; pushed < b; pushed++) {
        double x = vs[pushed];
        if (Double.isNaN(x)) {
          continue;
        }
        while (tail > head && beats(x, vs[candidates[tail - 1]])) {
          tail--;
        }
        candidates[tail++] = pushed;
      }
      while (head < tail && candidates[head] < a) {
        head++;
      }
      values[i] = head < tail ? vs[candidates[head]] : vs[b - 1];
      present[i] = true;
      any = true;
    }
    return any;
  }

  private boolean beats(double x, double y) {
    return extreme > 0 ? x > y : x < y;
  }

  /** Row {@code r}'s label text, without the name when the row is marked for its removal. */
  private byte[] labels(int r) {
    byte[] text = StepMatrix.labels(batch).get(r);
    if (StepMatrix.dropName(batch).get(r) == 0) {
      return text;
    }
    return cache.encode(cache.decode(text).withoutName());
  }

  @Override
  public void close() {
    try {
      if (batch != null) {
        batch.close();
        batch = null;
      }
    } finally {
      input.close();
    }
  }
}

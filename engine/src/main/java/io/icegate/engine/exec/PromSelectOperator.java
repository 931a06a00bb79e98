package io.icegate.engine.exec;

import io.icegate.engine.metrics.NumberRows;
import io.icegate.engine.metrics.SeriesBuilder;
import io.icegate.engine.promql.FloatRangeKernels;
import io.icegate.engine.series.InstantSelection;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.RangeWindows;
import io.icegate.engine.series.Series;
import io.icegate.engine.series.StepSelection;
import io.icegate.protocol.loki.LabelSetCodec;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A PromQL leaf over a scan of the metrics table's number points ({@link StepSelection}): an
 * instant selection (the newest sample in the lookback window at each step, none past a stale
 * marker) or a range function of the floats in each left-open window {@code (t − range, t]}.
 * Emits {@link StepMatrix} batches, one row per series with a value at some step, series in
 * label order.
 *
 * <p>A series' rows may come in any number of batches and splits, in any order: the input is
 * drained into per-series sample arrays first ({@link NumberRows}, as the series selection reads
 * the same scan: de-duplicated per millisecond, the later row winning), then each series is
 * evaluated straight into the output's value column, a batch's worth of series at a time. A
 * histogram or summary row met in the input means the selection is not one of floats only: the
 * operator stops with {@link NotFloats} before emitting anything, and the caller evaluates the
 * selection the series way.
 *
 * <p>The samples a range function held, as the PromQL evaluator counts them ({@link
 * StepSelection.Held}), go to the query's stats ({@link QueryStats#heldSamples}) once the last
 * series is out. The deadline and cancellation are checked between input batches and between
 * series.
 */
public final class PromSelectOperator implements Operator {
  /** About how many values one output batch holds (4 MiB of doubles). */
  static final int BATCH_VALUES = 1 << 19;
  /** The most series one output batch holds. */
  static final int OUTPUT_ROWS = 1024;

  /** Raised while draining when the input holds histogram or summary rows. */
  public static final class NotFloats extends RuntimeException {
    private final String metricName;

    public NotFloats(String metricName) {
      super("the selection has histogram or summary rows", null, false, false);
      this.metricName = metricName;
    }

    /** The metric name of the selection that met them. */
    public String metricName() {
      return metricName;
    }
  }

  private final ExecContext context;
  /** The plan node's id, which the held samples are counted under. */
  private final int node;
  private final Operator input;
  /** Where the splits below left their samples, when the input is their part numbers. */
  private final PromSelectSplitOperator.Parts parts;
  private final StepSelection selection;
  private final FloatRangeKernels.Kernel kernel;
  private final boolean dropName;
  private final long[] times;
  /** The selected series in label order, null until the input is drained. */
  private List<Series> series;
  private int nextSeries;
  // Per-series scratch, one slot per step.
  private final double[] values;
  private final boolean[] present;
  private final long[] sampleTimes;
  private final int[] from;
  private final int[] to;
  // The evaluator's count of held samples (range functions).
  private long outputsSoFar;
  private long windowPeak;
  private boolean counted;

  public PromSelectOperator(
      ExecContext context, int node, Operator input, StepSelection selection) {
    this(context, node, input, selection, null);
  }

  /**
   * An operator over the part numbers of {@link PromSelectSplitOperator}s, which read the rows
   * into {@code parts} (null: the input is the rows themselves).
   */
  public PromSelectOperator(
      ExecContext context, int node, Operator input, StepSelection selection,
      PromSelectSplitOperator.Parts parts) {
    this.context = context;
    this.node = node;
    this.input = input;
    this.parts = parts;
    this.selection = selection;
    this.kernel = selection.instant() ? null : FloatRangeKernels.of(selection.function());
    this.dropName = !selection.instant() && FloatRangeKernels.dropsName(selection.function());
    this.times = selection.times();
    int n = times.length;
    this.values = new double[n];
    this.present = new boolean[n];
    this.sampleTimes = new long[n];
    this.from = new int[n];
    this.to = new int[n];
  }

  @Override
  public VectorSchemaRoot next() {
    if (series == null) {
      drain();
    }
    int steps = times.length;
    int perBatch = Math.max(1, Math.min(OUTPUT_ROWS, BATCH_VALUES / steps));
    VectorSchemaRoot out = null;
    try {
      int rows = 0;
      while (rows < perBatch && nextSeries < series.size()) {
        context.checkContinue();
        Series s = series.get(nextSeries++);
        if (!evaluate(s)) {
          continue;
        }
        if (out == null) {
          out = StepMatrix.allocate(context.allocator(), steps, Math.min(perBatch,
              series.size() - nextSeries + 1));
        }
        StepMatrix.setRow(out, rows++, encode(s.labels()), values, present, dropName);
      }
      if (nextSeries == series.size() && !counted) {
        counted = true;
        context.stats().addStepHeld(node, windowPeak);
      }
      if (out == null) {
        return null;
      }
      StepMatrix.finish(out, rows);
      return out;
    } catch (RuntimeException | Error e) {
      if (out != null) {
        out.close();
      }
      throw e;
    }
  }

  /** Evaluates {@code s} at every step into the scratch arrays; whether it has a value. */
  private boolean evaluate(Series s) {
    int n = times.length;
    boolean any = false;
    if (kernel == null) {
      InstantSelection.select(s, times, selection.lookbackMillis(), values, sampleTimes, present);
      for (int i = 0; i < n && !any; i++) {
        any = present[i];
      }
      return any;
    }
    Series clean = s.withoutStaleMarkers();
    long[] ts = clean.timestamps();
    double[] vs = clean.values();
    long range = selection.rangeMillis();
    RangeWindows.bounds(clean, times, range, from, to);
    long widest = 0;
    long outputs = 0;
    for (int i = 0; i < n; i++) {
      present[i] = false;
      int size = to[i] - from[i];
      if (size <= 0) {
        continue;
      }
      widest = Math.max(widest, size);
      double v = kernel.apply(ts, vs, from[i], to[i], times[i], range);
      if (!FloatRangeKernels.isNone(v)) {
        values[i] = v;
        present[i] = true;
        outputs++;
      }
    }
    long last = n == 0 ? 0 : Math.max(0, to[n - 1] - from[n - 1]);
    windowPeak = Math.max(windowPeak, outputsSoFar + Math.max(widest, last + outputs));
    outputsSoFar += outputs;
    return outputs > 0;
  }

  /** Reads the whole input into per-series samples, closing each batch once read. */
  private void drain() {
    String name = selection.metricName();
    Map<Labels, SeriesBuilder> builders = new HashMap<>();
    Map<String, Labels> decoded = new HashMap<>();
    for (VectorSchemaRoot batch = input.next(); batch != null; batch = input.next()) {
      try (VectorSchemaRoot owned = batch) {
        if (parts != null) {
          join(owned, builders);
        } else if (NumberRows.add(owned, name, name, selection.matchers(), builders, decoded)) {
          throw new NotFloats(name);
        }
      }
      context.checkContinue();
    }
    series = SeriesBuilder.buildAll(builders, selection.minTime());
  }

  /**
   * Joins the samples of the parts numbered in {@code batch} to {@code builders}: parts come in
   * split order, so a series' samples are joined in the order its rows were read.
   */
  private void join(VectorSchemaRoot batch, Map<Labels, SeriesBuilder> builders) {
    org.apache.arrow.vector.IntVector numbers = (org.apache.arrow.vector.IntVector)
        batch.getVector(0);
    for (int r = 0; r < batch.getRowCount(); r++) {
      for (Map.Entry<Labels, SeriesBuilder> e : parts.take(numbers.get(r)).entrySet()) {
        SeriesBuilder before = builders.putIfAbsent(e.getKey(), e.getValue());
        if (before != null) {
          before.absorb(e.getValue());
        }
      }
    }
  }

  private static byte[] encode(Labels labels) {
    return LabelSetCodec.encode(new TreeMap<>(labels.toMap())).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    input.close();
  }
}

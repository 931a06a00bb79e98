package io.icegate.engine.logql.range;

import io.icegate.engine.exec.HeapBudget;
import io.icegate.engine.logql.pipeline.CategorizedLabels;
import io.icegate.engine.logql.pipeline.GoValues;
import io.icegate.engine.logql.pipeline.LabelsBuilder;
import io.icegate.engine.logql.pipeline.LogPipeline;
import io.icegate.engine.series.Labels;
import io.icegate.logql.ast.Grouping;
import io.icegate.logql.ast.LabelFilterStage;
import io.icegate.logql.ast.PipelineStage;
import io.icegate.logql.ast.RangeAggregationExpr;
import io.icegate.logql.ast.Unwrap;
import io.icegate.protocol.loki.LabelSetCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Turns the entries of a range aggregation's log query (columns {@link
 * io.icegate.engine.logql.LogQueryPlanner#OUTPUT}, after the pipeline) into samples, grouped into
 * the series the aggregation keeps apart, as Loki's sample extractors do: the value is 1 per line
 * (counts and rates), the line's byte length ({@code bytes_*}), or the {@code unwrap}ped label
 * converted to a number (an entry without the label has no sample). The unwrapped label leaves
 * the series' labels (unless the aggregation groups {@code by} labels); a value that doesn't
 * convert sets {@code __error__="SampleExtractionErr"}, which the label filters after {@code
 * unwrap} may drop. A series still carrying {@code __error__} fails the query when one of its
 * samples lands in a window, as in Loki.
 *
 * <p>Everything per entry that depends only on its labels (value, series, error) is computed once
 * per distinct label set, so the per-row work is a map lookup and an append.
 */
public final class LogSampleCollector {
  private static final String SAMPLE_EXTRACTION_ERROR = "SampleExtractionErr";
  private static final int MEMO_LIMIT = 16_384;

  /** Samples of one series, appended in arrival order and sorted by time when read. */
  static final class SampleSeries {
    final Labels labels;
    /** Loki's pipeline error for this series, raised if a window ever holds one of its samples. */
    String error;
    long[] times = new long[16];
    double[] values = new double[16];
    int size;

    /** The grid the samples may be summed into per window, or null (see {@link StepSums}). */
    private final StepSums grid;
    /**
     * Once the samples outnumber the steps (with a {@link #grid}): per step, the change in the
     * count and in the sum of the samples its window holds against the step before (difference
     * arrays, one longer than the grid); the samples then stop being kept.
     */
    double[] countChange;
    double[] sumChange;

    /** Where the heap this series holds is counted. */
    private final HeapBudget budget;

    SampleSeries(Labels labels) {
      this(labels, null);
    }

    SampleSeries(Labels labels, StepSums grid) {
      this(labels, grid, HeapBudget.unlimited());
    }

    SampleSeries(Labels labels, StepSums grid, HeapBudget budget) {
      this.labels = labels;
      this.grid = grid;
      this.budget = budget;
    }

    void add(long time, double value) {
      if (countChange != null) {
        grid.add(countChange, sumChange, time, value);
        return;
      }
      if (size == times.length) {
        if (grid != null && size >= grid.steps()) {
          // Summing into the steps now costs less than keeping the samples.
          budget.grow(2L * Double.BYTES * (grid.steps() + 1));
          countChange = new double[grid.steps() + 1];
          sumChange = new double[grid.steps() + 1];
          for (int i = 0; i < size; i++) {
            grid.add(countChange, sumChange, times[i], values[i]);
          }
          times = null;
          values = null;
          size = 0;
          grid.add(countChange, sumChange, time, value);
          return;
        }
        budget.grow((long) size * (Long.BYTES + Double.BYTES));
        times = java.util.Arrays.copyOf(times, size * 2);
        values = java.util.Arrays.copyOf(values, size * 2);
      }
      times[size] = time;
      values[size++] = value;
    }

    /** Sorts by time; entries at the same time keep their order and each counts. */
    void sort() {
      if (countChange != null) {
        return; // summed per step: no samples kept
      }
      boolean sorted = true;
      for (int i = 1; i < size && sorted; i++) {
        sorted = times[i - 1] <= times[i];
      }
      if (sorted) {
        return; // the usual case: a stream's entries come in time order
      }
      boolean oneValue = true;
      for (int i = 1; i < size && oneValue; i++) {
        oneValue = Double.doubleToRawLongBits(values[i]) == Double.doubleToRawLongBits(values[0]);
      }
      if (oneValue) {
        // Counts and rates (every value 1), as batches of a parallel scan interleave: the times
        // alone are sorted, a primitive sort that merges the batches' ordered runs.
        Arrays.sort(times, 0, size);
        return;
      }
      int[] order = new int[size];
      for (int i = 0; i < size; i++) {
        order[i] = i;
      }
      long[] at = times;
      io.icegate.engine.exec.IntMergeSort.sort(order, (a, b) -> Long.compare(at[a], at[b]));
      long[] t = new long[size];
      double[] v = new double[size];
      for (int i = 0; i < size; i++) {
        t[i] = times[order[i]];
        v[i] = values[order[i]];
      }
      times = t;
      values = v;
    }
  }

  /** What a distinct label set becomes: its series (null: dropped) and its unwrapped value. */
  private record Extracted(SampleSeries series, double value) {}

  private final RangeAggregationExpr.RangeOp op;
  private final Optional<Unwrap> unwrap;
  private final Optional<Grouping> grouping;
  private final LogPipeline postFilters;
  private final LabelsBuilder builder = new LabelsBuilder();
  private final Map<String, Extracted> byKey = new HashMap<>();
  private final Map<Labels, SampleSeries> series = new LinkedHashMap<>();
  /** The grid a series' samples may be summed into (see {@link #sumPerStep}), or null. */
  private StepSums stepSums;
  /** Where the heap the series hold is counted (the query's limit, in a plan). */
  private HeapBudget budget = HeapBudget.unlimited();

  /**
   * @param pushed the grouping of a {@code sum} directly above, used when the aggregation has none
   *     of its own (null: none)
   */
  public LogSampleCollector(RangeAggregationExpr expr, Grouping pushed) {
    this.op = expr.op();
    this.unwrap = expr.range().unwrap();
    this.grouping = expr.grouping().isPresent() ? expr.grouping() : Optional.ofNullable(pushed);
    List<PipelineStage> filters = new ArrayList<>();
    unwrap.ifPresent(u -> u.postFilters().forEach(f -> filters.add(new LabelFilterStage(f))));
    this.postFilters = filters.isEmpty() ? null : LogPipeline.compile(filters);
  }

  /** Adds the entries of one batch; doesn't close it. */
  public void add(VectorSchemaRoot batch) {
    TimeStampVector time = (TimeStampVector) batch.getVector(0);
    VarCharVector labels = (VarCharVector) batch.getVector(1);
    VarCharVector body = (VarCharVector) batch.getVector(2);
    boolean bytes =
        op == RangeAggregationExpr.RangeOp.BYTES_OVER_TIME
            || op == RangeAggregationExpr.RangeOp.BYTES_RATE;
    for (int i = 0; i < batch.getRowCount(); i++) {
      Extracted e = sameAsLast(labels, i) ? last : null;
      if (e == null) {
        String key = new String(lastKey, 0, lastKeyLength, StandardCharsets.UTF_8);
        e = byKey.get(key);
        if (e == null) {
          if (byKey.size() >= MEMO_LIMIT) {
            byKey.clear();
          }
          e = extract(key);
          byKey.put(key, e);
        }
        last = e;
      }
      if (e.series() == null) {
        continue;
      }
      double value;
      if (bytes) {
        value = body.isNull(i) ? 0 : body.getValueLength(i);
      } else if (unwrap.isPresent()) {
        value = e.value();
      } else {
        value = 1;
      }
      e.series().add(time.get(i), value);
    }
  }

  /** The label set of the previous entry, as bytes, and what it was extracted to. */
  private byte[] lastKey = new byte[256];
  private byte[] scratch = new byte[256];
  private int lastKeyLength = -1;
  private Extracted last;

  /**
   * Whether entry {@code i}'s labels equal the previous entry's (entries come in runs of one
   * stream); if not, they become the previous ones ({@link #lastKey}) and {@link #last} is
   * cleared.
   */
  private boolean sameAsLast(VarCharVector labels, int i) {
    int start = labels.getStartOffset(i);
    int length = labels.getEndOffset(i) - start;
    if (scratch.length < length) {
      scratch = new byte[Math.max(length, 2 * scratch.length)];
    }
    labels.getDataBuffer().getBytes(start, scratch, 0, length);
    if (last != null && length == lastKeyLength
        && java.util.Arrays.equals(scratch, 0, length, lastKey, 0, length)) {
      return true;
    }
    byte[] swap = lastKey;
    lastKey = scratch;
    scratch = swap;
    lastKeyLength = length;
    last = null;
    return false;
  }

  /**
   * Lets a series whose samples come to outnumber the steps sum them into the windows of
   * {@code grid} instead of keeping them; only for the aggregations that are sums of exact
   * integers — counts and rates of lines, byte totals and rates — whose value in a window doesn't
   * depend on which samples it holds beyond their count and total. Call before the first {@link
   * #add}.
   */
  void sumPerStep(StepSums grid) {
    boolean summable =
        switch (op) {
          case COUNT_OVER_TIME, BYTES_OVER_TIME, BYTES_RATE -> true;
          case RATE -> unwrap.isEmpty();
          default -> false;
        };
    this.stepSums = summable ? grid : null;
  }

  /**
   * Counts the heap the series hold (their labels and samples) in {@code budget}. Call before the
   * first {@link #add}.
   */
  void budget(HeapBudget budget) {
    this.budget = budget;
  }

  /** The series with their samples sorted by time. */
  List<SampleSeries> series() {
    List<SampleSeries> out = new ArrayList<>(series.values());
    out.forEach(SampleSeries::sort);
    return out;
  }

  private Extracted extract(String key) {
    // Series carry every label, structured metadata included, as Loki's do.
    SortedMap<String, String> labels =
        CategorizedLabels.fromMarked(LabelSetCodec.decode(key)).all();
    double value = 0;
    if (unwrap.isPresent()) {
      Unwrap u = unwrap.get();
      String error = labels.remove(LabelsBuilder.ERROR);
      String details = labels.remove(LabelsBuilder.ERROR_DETAILS);
      String text = labels.get(u.label());
      if (text == null || text.isEmpty()) {
        // An entry without the label (or with it empty) has no sample, as in Loki since its
        // issue 6713: no error, and the post filters don't see it.
        return new Extracted(null, 0);
      }
      String conversionError = null;
      try {
        value = convert(u.conversion(), text);
      } catch (GoValues.ConversionException ex) {
        conversionError = ex.getMessage();
      }
      builder.reset(labels, Map.of());
      if (error != null) {
        builder.setError(error, details);
      }
      if (conversionError != null && error == null) {
        builder.setError(SAMPLE_EXTRACTION_ERROR, conversionError);
      }
      if (postFilters != null && postFilters.process(0, "", builder) == null) {
        return new Extracted(null, 0);
      }
      labels = new TreeMap<>(builder.toMap());
      boolean keepsUnwrapped = grouping.isPresent() && !grouping.get().without();
      if (!keepsUnwrapped) {
        labels.remove(u.label());
      }
    }
    String error = labels.get(LabelsBuilder.ERROR);
    Labels out = Labels.of(labels);
    if (grouping.isPresent()) {
      Grouping g = grouping.get();
      out = g.without() ? out.without(g.labels()) : out.keep(g.labels());
    }
    SampleSeries target = series.get(out);
    if (target == null) {
      budget.grow(seriesBytes(out));
      target = new SampleSeries(out, stepSums, budget);
      series.put(out, target);
    }
    if (error != null && !error.isEmpty() && target.error == null) {
      target.error = pipelineError(error, labels);
    }
    return new Extracted(target, value);
  }

  /**
   * About what a new series holds: its labels (two strings a label), map entry and first
   * arrays of 16 samples.
   */
  private static long seriesBytes(Labels labels) {
    long bytes = 160 + 16L * (Long.BYTES + Double.BYTES);
    for (int i = 0; i < labels.size(); i++) {
      bytes += 96 + labels.name(i).length() + labels.value(i).length();
    }
    return bytes;
  }

  private static double convert(Unwrap.Conversion conversion, String text)
      throws GoValues.ConversionException {
    return switch (conversion) {
      case NONE -> GoValues.parseFloat(text);
      case BYTES -> GoValues.parseBytes(text);
      case DURATION, DURATION_SECONDS -> GoValues.parseDuration(text) / 1e9;
    };
  }

  /** The message Loki gives when a metric query meets an entry with an error label. */
  static String pipelineError(String error, SortedMap<String, String> labels) {
    StringBuilder series = new StringBuilder("{");
    labels.forEach(
        (k, v) -> {
          if (series.length() > 1) {
            series.append(", ");
          }
          series.append(k).append("=\"").append(v.replace("\"", "\\\"")).append('"');
        });
    series.append('}');
    return "pipeline error: '"
        + error
        + "' for series: '"
        + series
        + "'.\n"
        + "Use a label filter to intentionally skip this error. (e.g | __error__!=\""
        + error
        + "\").\n"
        + "To skip all potential errors you can match empty errors.(e.g __error__=\"\")\n"
        + "The label filter can also be specified after unwrap. "
        + "(e.g | unwrap latency | __error__=\"\" )\n";
  }
}

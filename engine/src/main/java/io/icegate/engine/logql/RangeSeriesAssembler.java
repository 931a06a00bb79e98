package io.icegate.engine.logql;

import io.icegate.engine.logql.range.RangeAggregateSpec;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.Series;
import io.icegate.engine.series.StaleMarker;
import io.icegate.protocol.loki.LabelSetCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Turns the rows of a range aggregation's plan ({@code labels, step, value}, each series' rows
 * together and in step order, see {@link io.icegate.engine.rel.ArrowRangeAggregate}) into the
 * series the PromQL evaluator selects: times in milliseconds, and a stale marker at the first
 * step after each run of values, so that its instant selection, which looks back from a step,
 * finds exactly these values and nothing looked back to.
 */
final class RangeSeriesAssembler {
  private static final long NANOS_PER_MILLI = 1_000_000L;

  private final RangeAggregateSpec spec;
  private final int maxSeries;
  private final List<Series> series = new ArrayList<>();
  /** The series being assembled: its labels' bytes, points, and its last step's index. */
  private byte[] labels = new byte[0];
  private int labelsLength = -1;
  private byte[] scratch = new byte[256];
  private long[] times = new long[16];
  private double[] values = new double[16];
  private int size;
  private int lastStep;

  /**
   * @param maxSeries the most series the range aggregation may have (0: no limit); one more
   *     fails the query with {@link SeriesLimitException} as soon as it arrives
   */
  RangeSeriesAssembler(RangeAggregateSpec spec, int maxSeries) {
    this.spec = spec;
    this.maxSeries = maxSeries;
  }

  /** Adds one batch's rows; doesn't keep or close the batch. */
  void add(VectorSchemaRoot batch) {
    VarCharVector labelColumn = (VarCharVector) batch.getVector(0);
    BigIntVector stepColumn = (BigIntVector) batch.getVector(1);
    Float8Vector valueColumn = (Float8Vector) batch.getVector(2);
    for (int r = 0; r < batch.getRowCount(); r++) {
      if (!sameSeries(labelColumn, r)) {
        finishSeries();
        byte[] swap = labels;
        labels = scratch;
        scratch = swap;
        labelsLength = labelColumn.getValueLength(r);
        if (maxSeries > 0 && series.size() + 1 > maxSeries) {
          throw new SeriesLimitException(maxSeries);
        }
      }
      long stepNanos = stepColumn.get(r);
      int step = spec.stepIndex(stepNanos);
      if (size > 0 && step > lastStep + 1) {
        append(spec.firstStepNanos() + (lastStep + 1) * spec.stepNanos(), StaleMarker.STALE_NAN);
      }
      append(stepNanos, valueColumn.get(r));
      lastStep = step;
    }
  }

  /** The series, in the order they came; call after the last batch. */
  List<Series> series() {
    finishSeries();
    return series;
  }

  /** Whether row {@code r}'s labels are the current series'; else they are left in scratch. */
  private boolean sameSeries(VarCharVector column, int r) {
    int start = column.getStartOffset(r);
    int length = column.getEndOffset(r) - start;
    if (scratch.length < length) {
      scratch = new byte[Math.max(length, 2 * scratch.length)];
    }
    column.getDataBuffer().getBytes(start, scratch, 0, length);
    return length == labelsLength && Arrays.equals(scratch, 0, length, labels, 0, length);
  }

  private void append(long stepNanos, double value) {
    if (size == times.length) {
      times = Arrays.copyOf(times, size * 2);
      values = Arrays.copyOf(values, size * 2);
    }
    times[size] = Math.floorDiv(stepNanos, NANOS_PER_MILLI);
    values[size++] = value;
  }

  private void finishSeries() {
    if (size == 0) {
      return;
    }
    if (lastStep + 1 < spec.steps()) {
      append(spec.firstStepNanos() + (lastStep + 1) * spec.stepNanos(), StaleMarker.STALE_NAN);
    }
    Labels set =
        Labels.of(
            LabelSetCodec.decode(new String(labels, 0, labelsLength, StandardCharsets.UTF_8)));
    series.add(new Series(set, Arrays.copyOf(times, size), Arrays.copyOf(values, size)));
    size = 0;
  }
}

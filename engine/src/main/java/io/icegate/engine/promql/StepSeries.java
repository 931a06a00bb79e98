package io.icegate.engine.promql;

import io.icegate.engine.series.FloatHistogram;
import io.icegate.engine.series.Labels;

/**
 * One series of an instant-vector expression evaluated over all steps of a query: a value slot per
 * step and whether the series has a sample at that step. Evaluating whole step columns at once,
 * rather than one vector per step, keeps the loops over primitive arrays.
 *
 * <p>{@code dropName} is Prometheus's delayed {@code __name__} removal: an operation that drops
 * the metric name only marks the series, and the name goes when the query's result is built, so
 * that {@code label_replace} can still read (or keep) it.
 */
final class StepSeries {
  Labels labels;
  final double[] values;
  final boolean[] present;
  /** Native histogram samples (null entries are floats); null while the series has none. */
  FloatHistogram[] histograms;
  boolean dropName;

  StepSeries(Labels labels, int steps, boolean dropName) {
    this.labels = labels;
    this.values = new double[steps];
    this.present = new boolean[steps];
    this.dropName = dropName;
  }

  void set(int step, double value) {
    values[step] = value;
    present[step] = true;
  }

  void setHistogram(int step, FloatHistogram h) {
    if (histograms == null) {
      histograms = new FloatHistogram[values.length];
    }
    histograms[step] = h;
    values[step] = Double.NaN;
    present[step] = true;
  }

  /** The histogram at {@code step}, or null when the sample there is a float (or absent). */
  FloatHistogram histogram(int step) {
    return histograms == null ? null : histograms[step];
  }

  /** Whether there is a float sample (not a histogram) at {@code step}. */
  boolean isFloat(int step) {
    return present[step] && (histograms == null || histograms[step] == null);
  }

  boolean isEmpty() {
    for (boolean p : present) {
      if (p) {
        return false;
      }
    }
    return true;
  }

  /** The labels the series will have in the result. */
  Labels finalLabels() {
    return dropName ? labels.withoutName() : labels;
  }
}

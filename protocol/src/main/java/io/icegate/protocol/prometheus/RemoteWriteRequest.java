package io.icegate.protocol.prometheus;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A decoded Prometheus remote-write 1.0 request ({@code prometheus.WriteRequest}), field for field,
 * as {@link RemoteWriteDecoder} produces it: every series has a {@code __name__} and its labels
 * sorted by name and unique. Timestamps are milliseconds since the epoch, as on the wire. Sample
 * values are kept bit for bit, so a {@linkplain StaleMarker staleness marker} stays one.
 *
 * @see <a href="https://prometheus.io/docs/specs/prw/remote_write_spec/">Remote-Write 1.0</a>
 */
public record RemoteWriteRequest(List<TimeSeries> timeseries, List<MetricMetadata> metadata) {
  public RemoteWriteRequest {
    timeseries = List.copyOf(timeseries);
    metadata = List.copyOf(metadata);
  }

  /** One series: its label set (sorted by name) and what was sampled for it. */
  public record TimeSeries(
      List<Label> labels,
      List<Sample> samples,
      List<Exemplar> exemplars,
      List<Histogram> histograms) {
    public TimeSeries {
      labels = List.copyOf(labels);
      samples = List.copyOf(samples);
      exemplars = List.copyOf(exemplars);
      histograms = List.copyOf(histograms);
    }

    /** The value of {@code __name__}. */
    public String metricName() {
      for (Label label : labels) {
        if (label.name().equals(RemoteWriteDecoder.METRIC_NAME)) {
          return label.value();
        }
      }
      throw new IllegalStateException("a decoded series always has a metric name");
    }
  }

  /** A label; the value may be empty, which PromQL treats as the label being absent. */
  public record Label(String name, String value) {
    public Label {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
    }
  }

  /** A float sample. */
  public record Sample(double value, long timestampMillis) {}

  /** An exemplar: a sample of one event (a trace) behind a series value; labels may be empty. */
  public record Exemplar(List<Label> labels, double value, long timestampMillis) {
    public Exemplar {
      labels = List.copyOf(labels);
    }
  }

  /** A run of {@code length} consecutive buckets, {@code offset} buckets after the previous run. */
  public record BucketSpan(int offset, int length) {}

  /** {@code Histogram.ResetHint}: what the sender knows about counter resets. */
  public enum ResetHint {
    UNKNOWN,
    YES,
    NO,
    GAUGE
  }

  /**
   * A native histogram sample, field for field ({@code prometheus.Histogram}). An integer histogram
   * carries {@code countInt}, {@code zeroCountInt} and bucket <em>deltas</em>; a float histogram
   * ({@link #isFloat()}) carries {@code countFloat}, {@code zeroCountFloat} and absolute bucket
   * <em>counts</em>. The unused fields are zero or empty.
   *
   * <p>The arrays belong to the record: nobody may change them after construction (they are not
   * copied, to keep decoding free of a second pass over every bucket). {@code equals} compares
   * their contents.
   *
   * @param isFloat whether the count was sent as {@code count_float}, which makes this a float
   *     histogram (Prometheus's {@code IsFloatHistogram})
   * @param countInt the observation count of an integer histogram, an unsigned 64-bit value
   * @param zeroCountInt the zero bucket's count of an integer histogram, unsigned
   * @param schema the bucket schema: -4..8 are base-2 exponential, -53 has custom bounds
   * @param customValues the upper bounds of a custom-bucket histogram (schema -53)
   */
  public record Histogram(
      boolean isFloat,
      long countInt,
      double countFloat,
      double sum,
      int schema,
      double zeroThreshold,
      long zeroCountInt,
      double zeroCountFloat,
      List<BucketSpan> negativeSpans,
      long[] negativeDeltas,
      double[] negativeCounts,
      List<BucketSpan> positiveSpans,
      long[] positiveDeltas,
      double[] positiveCounts,
      ResetHint resetHint,
      long timestampMillis,
      double[] customValues) {
    public Histogram {
      negativeSpans = List.copyOf(negativeSpans);
      positiveSpans = List.copyOf(positiveSpans);
      Objects.requireNonNull(negativeDeltas, "negativeDeltas");
      Objects.requireNonNull(negativeCounts, "negativeCounts");
      Objects.requireNonNull(positiveDeltas, "positiveDeltas");
      Objects.requireNonNull(positiveCounts, "positiveCounts");
      Objects.requireNonNull(resetHint, "resetHint");
      Objects.requireNonNull(customValues, "customValues");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Histogram h
          && isFloat == h.isFloat
          && countInt == h.countInt
          && sameBits(countFloat, h.countFloat)
          && sameBits(sum, h.sum)
          && schema == h.schema
          && sameBits(zeroThreshold, h.zeroThreshold)
          && zeroCountInt == h.zeroCountInt
          && sameBits(zeroCountFloat, h.zeroCountFloat)
          && negativeSpans.equals(h.negativeSpans)
          && Arrays.equals(negativeDeltas, h.negativeDeltas)
          && Arrays.equals(negativeCounts, h.negativeCounts)
          && positiveSpans.equals(h.positiveSpans)
          && Arrays.equals(positiveDeltas, h.positiveDeltas)
          && Arrays.equals(positiveCounts, h.positiveCounts)
          && resetHint == h.resetHint
          && timestampMillis == h.timestampMillis
          && Arrays.equals(customValues, h.customValues);
    }

    @Override
    public int hashCode() {
      int hash =
          Objects.hash(
              isFloat,
              countInt,
              countFloat,
              sum,
              schema,
              zeroThreshold,
              zeroCountInt,
              zeroCountFloat,
              negativeSpans,
              positiveSpans,
              resetHint,
              timestampMillis);
      hash = 31 * hash + Arrays.hashCode(negativeDeltas);
      hash = 31 * hash + Arrays.hashCode(negativeCounts);
      hash = 31 * hash + Arrays.hashCode(positiveDeltas);
      hash = 31 * hash + Arrays.hashCode(positiveCounts);
      return 31 * hash + Arrays.hashCode(customValues);
    }

    @Override
    public String toString() {
      return "Histogram[isFloat="
          + isFloat
          + ", countInt="
          + Long.toUnsignedString(countInt)
          + ", countFloat="
          + countFloat
          + ", sum="
          + sum
          + ", schema="
          + schema
          + ", zeroThreshold="
          + zeroThreshold
          + ", zeroCountInt="
          + Long.toUnsignedString(zeroCountInt)
          + ", zeroCountFloat="
          + zeroCountFloat
          + ", negativeSpans="
          + negativeSpans
          + ", negativeDeltas="
          + Arrays.toString(negativeDeltas)
          + ", negativeCounts="
          + Arrays.toString(negativeCounts)
          + ", positiveSpans="
          + positiveSpans
          + ", positiveDeltas="
          + Arrays.toString(positiveDeltas)
          + ", positiveCounts="
          + Arrays.toString(positiveCounts)
          + ", resetHint="
          + resetHint
          + ", timestampMillis="
          + timestampMillis
          + ", customValues="
          + Arrays.toString(customValues)
          + "]";
    }

    private static boolean sameBits(double a, double b) {
      return Double.doubleToLongBits(a) == Double.doubleToLongBits(b);
    }
  }

  /** {@code MetricMetadata.MetricType}, in the wire order. */
  public enum MetricType {
    UNKNOWN,
    COUNTER,
    GAUGE,
    HISTOGRAM,
    GAUGEHISTOGRAM,
    SUMMARY,
    INFO,
    STATESET
  }

  /** What a sender knows about a metric family: its type, help text and unit. */
  public record MetricMetadata(MetricType type, String metricFamilyName, String help, String unit) {
    public MetricMetadata {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(metricFamilyName, "metricFamilyName");
      Objects.requireNonNull(help, "help");
      Objects.requireNonNull(unit, "unit");
    }
  }
}

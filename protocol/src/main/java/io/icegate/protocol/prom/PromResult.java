package io.icegate.protocol.prom;

import java.util.List;
import java.util.Map;

/**
 * A PromQL query result as the HTTP API returns it under {@code data.result}, with {@code
 * data.resultType} given by the variant. Timestamps are milliseconds since the epoch, the unit the
 * engine works in; labels are written in byte order of their names whatever the map's order.
 */
public sealed interface PromResult {
  /** The {@code resultType} string. */
  String type();

  /** {@code vector}: one sample per series, float or native histogram. */
  record Vector(List<VectorSample> samples) implements PromResult {
    @Override
    public String type() {
      return "vector";
    }
  }

  /** {@code matrix}: series with float points and/or histogram points. */
  record Matrix(List<Series> series) implements PromResult {
    @Override
    public String type() {
      return "matrix";
    }
  }

  /** {@code scalar}: one number at one time. */
  record Scalar(long timestampMillis, double value) implements PromResult {
    @Override
    public String type() {
      return "scalar";
    }
  }

  /** {@code string}: one string at one time. */
  record StringValue(long timestampMillis, String value) implements PromResult {
    @Override
    public String type() {
      return "string";
    }
  }

  /** A vector element: a float sample, or a histogram sample when {@code histogram} is set. */
  record VectorSample(
      Map<String, String> metric, long timestampMillis, double value, Histogram histogram) {
    public static VectorSample of(Map<String, String> metric, long timestampMillis, double value) {
      return new VectorSample(metric, timestampMillis, value, null);
    }
  }

  /** A matrix element; either list may be empty (and is then left out of the JSON). */
  record Series(
      Map<String, String> metric, List<FloatPoint> floats, List<HistogramPoint> histograms) {}

  record FloatPoint(long timestampMillis, double value) {}

  /**
   * Float points held as two arrays ({@code timestamps[i]}, {@code values[i]} for {@code i <
   * size}), so a large matrix needs no object per point; the JSON writer reads the arrays.
   */
  final class FloatPoints extends java.util.AbstractList<FloatPoint>
      implements java.util.RandomAccess {
    private final long[] timestamps;
    private final double[] values;
    private final int size;

    public FloatPoints(long[] timestamps, double[] values, int size) {
      if (size > timestamps.length || size > values.length) {
        throw new IllegalArgumentException("size " + size + " beyond the arrays");
      }
      this.timestamps = timestamps;
      this.values = values;
      this.size = size;
    }

    public long timestampMillis(int i) {
      return timestamps[i];
    }

    public double value(int i) {
      return values[i];
    }

    @Override
    public FloatPoint get(int i) {
      java.util.Objects.checkIndex(i, size);
      return new FloatPoint(timestamps[i], values[i]);
    }

    @Override
    public int size() {
      return size;
    }
  }

  record HistogramPoint(long timestampMillis, Histogram histogram) {}

  /**
   * A native histogram rendered for the API: its count and sum and its buckets already turned into
   * boundaries, in the order they are written (negative buckets from the most negative, the zero
   * bucket, positive buckets). Buckets of count zero are skipped when written.
   */
  record Histogram(double count, double sum, List<Bucket> buckets) {}

  /**
   * One bucket. {@code boundaryRule}: 0 = (lower, upper], 1 = [lower, upper), 2 = (lower, upper),
   * 3 = [lower, upper].
   */
  record Bucket(int boundaryRule, double lower, double upper, double count) {
    public static final int OPEN_LEFT = 0;
    public static final int OPEN_RIGHT = 1;
    public static final int OPEN_BOTH = 2;
    public static final int CLOSED_BOTH = 3;
  }
}

package io.icegate.storage.ingest;

import io.icegate.protocol.loki.LabelSetCodec;
import io.icegate.protocol.prometheus.RemoteWriteDecoder;
import io.icegate.protocol.prometheus.RemoteWriteRequest;
import io.icegate.protocol.prometheus.RemoteWriteRequest.BucketSpan;
import io.icegate.protocol.prometheus.RemoteWriteRequest.Exemplar;
import io.icegate.protocol.prometheus.RemoteWriteRequest.Histogram;
import io.icegate.protocol.prometheus.RemoteWriteRequest.Label;
import io.icegate.protocol.prometheus.RemoteWriteRequest.MetricMetadata;
import io.icegate.protocol.prometheus.RemoteWriteRequest.MetricType;
import io.icegate.protocol.prometheus.RemoteWriteRequest.ResetHint;
import io.icegate.protocol.prometheus.RemoteWriteRequest.Sample;
import io.icegate.protocol.prometheus.RemoteWriteRequest.TimeSeries;
import io.icegate.protocol.prometheus.StaleMarker;
import io.icegate.storage.table.MetricsTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Remote-write series as rows of the {@code metrics} table (docs/storage-tables.md):
 *
 * <ul>
 *   <li>a float sample is a row with {@code metric_name = __name__}, the other labels as {@code
 *       series_labels}, the value in {@code value_double}; a staleness marker is a row with
 *       {@code flags} bit 0 set ({@link MetricsTable#FLAG_NO_RECORDED_VALUE}, what OTLP uses for
 *       the same thing) and a NaN value — the flag is the marker, because Parquet's writer
 *       canonicalises NaN bits ({@code Double.doubleToLongBits}), so StaleNaN's payload cannot
 *       survive a file; a native histogram whose sum is StaleNaN is flagged the same way;
 *   <li>a native histogram (schemas -4..8) is an {@code exponential_histogram} row: the schema is
 *       OTLP's scale (same base, 2^(2^-scale)), and Prometheus's bucket index i (upper bound
 *       base^i) is OTLP's index i − 1 (lower bound base^(i−1)), so the spans are laid out densely
 *       from the first bucket with {@code offset} = first index − 1, and integer deltas are summed
 *       into absolute counts; a custom-bucket histogram (schema -53) is a {@code histogram} row
 *       whose explicit bounds are its custom values; a float histogram whose counts are not all
 *       whole numbers (a rate, an average) keeps them exactly in the {@code *_double} count
 *       columns, and rounded in the integer ones;
 *   <li>{@code job}/{@code instance} fill {@code service_name}/{@code service_instance_id};
 *       metadata sent for the metric family fills type, unit and description, a counter becoming
 *       a monotonic cumulative {@code sum};
 *   <li>exemplars (sent per series, not per sample) go on the series' latest row in the request.
 * </ul>
 */
final class RemoteWriteRows {
  private static final long NANOS_PER_MILLI = 1_000_000L;
  private static final int CUSTOM_BUCKETS_SCHEMA = -53;
  private static final String[] FAMILY_SUFFIXES = {
    "_bucket", "_sum", "_count", "_total", "_created", "_info", "_gcount", "_gsum"
  };

  private RemoteWriteRows() {}

  static void write(RemoteWriteRequest request, String tenant, long nowNanos, RowWriter w) {
    Map<String, MetricMetadata> metadata = new HashMap<>();
    for (MetricMetadata m : request.metadata()) {
      metadata.put(m.metricFamilyName(), m);
    }
    for (TimeSeries series : request.timeseries()) {
      writeSeries(series, family(metadata, series.metricName()), tenant, nowNanos, w);
    }
  }

  /** The metadata of the series' family: its own name, or the name without a series suffix. */
  private static MetricMetadata family(Map<String, MetricMetadata> metadata, String name) {
    MetricMetadata exact = metadata.get(name);
    if (exact != null) {
      return exact;
    }
    for (String suffix : FAMILY_SUFFIXES) {
      if (name.endsWith(suffix)) {
        MetricMetadata m = metadata.get(name.substring(0, name.length() - suffix.length()));
        if (m != null) {
          return m;
        }
      }
    }
    return null;
  }

  /**
   * One converted histogram, ready to write. {@code exact} is null when every count is a whole
   * number (the integer columns hold them); otherwise it holds the counts as sent and the
   * integer fields hold them rounded.
   */
  private record ConvertedHistogram(
      Histogram source, long timestampNanos, String type, long count, long zeroCount,
      Integer positiveOffset, List<Long> positive, Integer negativeOffset, List<Long> negative,
      List<Double> bounds, List<Long> bucketCounts, ExactCounts exact) {}

  /**
   * A float histogram's counts as sent, laid out as the integer ones are: {@code positive} and
   * {@code negative} for an exponential histogram, {@code buckets} for custom buckets.
   */
  private record ExactCounts(
      double count, double zeroCount, List<Double> positive, List<Double> negative,
      List<Double> buckets) {}

  private static void writeSeries(
      TimeSeries series, MetricMetadata meta, String tenant, long nowNanos, RowWriter w) {
    String name = series.metricName();
    SortedMap<String, String> labels = new TreeMap<>();
    for (Label label : series.labels()) {
      if (!label.name().equals(RemoteWriteDecoder.METRIC_NAME) && !label.value().isEmpty()) {
        labels.put(label.name(), label.value());
      }
    }
    String encoded = LabelSetCodec.encode(labels);
    String what = "series " + name + encoded;
    // Everything is checked before anything is written, so exemplars can go on the latest row.
    List<Sample> samples = new ArrayList<>();
    for (Sample sample : series.samples()) {
      if (nanos(sample.timestampMillis()) == null) {
        w.reject(1, what + " has a sample timestamp out of range");
      } else {
        samples.add(sample);
      }
    }
    List<ConvertedHistogram> histograms = new ArrayList<>();
    for (Histogram h : series.histograms()) {
      Object converted = convert(h);
      if (converted instanceof String problem) {
        w.reject(1, what + " has a native histogram that cannot be stored: " + problem);
      } else {
        histograms.add((ConvertedHistogram) converted);
      }
    }
    long latest = Long.MIN_VALUE;
    for (Sample s : samples) {
      latest = Math.max(latest, nanos(s.timestampMillis()));
    }
    for (ConvertedHistogram h : histograms) {
      latest = Math.max(latest, h.timestampNanos());
    }
    List<Object> exemplars = exemplars(series.exemplars());
    if (!exemplars.isEmpty() && samples.isEmpty() && histograms.isEmpty()) {
      w.reject(0, what + " has exemplars but no sample to attach them to");
    }
    boolean exemplarsWritten = false;
    Map<String, String> rowMetadata = metadataMap(meta, null);
    for (Sample s : samples) {
      long t = nanos(s.timestampMillis());
      boolean here = !exemplarsWritten && t == latest;
      exemplarsWritten |= here;
      boolean counter = meta != null && meta.type() == MetricType.COUNTER;
      common(w, tenant, nowNanos, name, encoded, labels, meta, t, here ? exemplars : List.of(),
          rowMetadata);
      w.set(MetricsTable.METRIC_TYPE, counter ? MetricsTable.SUM_TYPE : MetricsTable.GAUGE);
      w.set(MetricsTable.IS_MONOTONIC, counter ? Boolean.TRUE : null);
      w.set(MetricsTable.AGGREGATION_TEMPORALITY, counter ? MetricsTable.CUMULATIVE : null);
      w.set(MetricsTable.VALUE_DOUBLE, s.value());
      w.set(
          MetricsTable.FLAGS,
          StaleMarker.isStaleNaN(s.value()) ? MetricsTable.FLAG_NO_RECORDED_VALUE : 0);
      w.endRow();
    }
    for (ConvertedHistogram h : histograms) {
      boolean here = !exemplarsWritten && h.timestampNanos() == latest;
      exemplarsWritten |= here;
      Histogram src = h.source();
      boolean gauge =
          src.resetHint() == ResetHint.GAUGE
              || (meta != null && meta.type() == MetricType.GAUGEHISTOGRAM);
      common(w, tenant, nowNanos, name, encoded, labels, meta, h.timestampNanos(),
          here ? exemplars : List.of(), metadataMap(meta, src.resetHint()));
      w.set(MetricsTable.METRIC_TYPE, h.type());
      w.set(MetricsTable.AGGREGATION_TEMPORALITY, gauge ? null : MetricsTable.CUMULATIVE);
      w.set(MetricsTable.COUNT, h.count());
      ExactCounts exact = h.exact();
      if (exact != null) {
        w.set(MetricsTable.COUNT_DOUBLE, exact.count());
      }
      w.set(MetricsTable.SUM, src.sum());
      w.set(
          MetricsTable.FLAGS,
          StaleMarker.isStaleNaN(src.sum()) ? MetricsTable.FLAG_NO_RECORDED_VALUE : 0);
      if (h.bounds() != null) {
        w.set(MetricsTable.EXPLICIT_BOUNDS, h.bounds());
        w.set(MetricsTable.BUCKET_COUNTS, h.bucketCounts());
        if (exact != null) {
          w.set(MetricsTable.BUCKET_COUNTS_DOUBLE, exact.buckets());
        }
      } else {
        w.set(MetricsTable.SCALE, src.schema());
        w.set(MetricsTable.ZERO_THRESHOLD, src.zeroThreshold());
        w.set(MetricsTable.ZERO_COUNT, h.zeroCount());
        w.set(MetricsTable.POSITIVE_OFFSET, h.positiveOffset());
        w.set(MetricsTable.POSITIVE_BUCKET_COUNTS, h.positive());
        w.set(MetricsTable.NEGATIVE_OFFSET, h.negativeOffset());
        w.set(MetricsTable.NEGATIVE_BUCKET_COUNTS, h.negative());
        if (exact != null) {
          w.set(MetricsTable.ZERO_COUNT_DOUBLE, exact.zeroCount());
          w.set(MetricsTable.POSITIVE_BUCKET_COUNTS_DOUBLE, exact.positive());
          w.set(MetricsTable.NEGATIVE_BUCKET_COUNTS_DOUBLE, exact.negative());
        }
      }
      w.endRow();
    }
  }

  private static void common(
      RowWriter w, String tenant, long nowNanos, String name, String encoded,
      SortedMap<String, String> labels, MetricMetadata meta, long timestampNanos,
      List<Object> exemplars, Map<String, String> metadata) {
    w.set(MetricsTable.TENANT_ID, tenant);
    w.set(MetricsTable.SERVICE_NAME, labels.get("job"));
    w.set(MetricsTable.SERVICE_INSTANCE_ID, labels.get("instance"));
    w.set(MetricsTable.TIMESTAMP, timestampNanos);
    w.set(MetricsTable.INGESTED_TIMESTAMP, nowNanos);
    w.set(MetricsTable.METRIC_NAME, name);
    w.set(MetricsTable.DESCRIPTION, meta == null || meta.help().isEmpty() ? null : meta.help());
    w.set(MetricsTable.UNIT, meta == null || meta.unit().isEmpty() ? null : meta.unit());
    w.set(MetricsTable.DATA_POINT_ATTRIBUTES, labels);
    w.set(MetricsTable.EXEMPLARS, exemplars);
    w.set(MetricsTable.METADATA, metadata);
    w.set(MetricsTable.RESOURCE_ATTRIBUTES, Map.of());
    w.set(MetricsTable.SCOPE_ATTRIBUTES, Map.of());
    w.set(MetricsTable.SERIES_LABELS, encoded);
    w.set(MetricsTable.SERIES_ID, MetricsTable.seriesId(encoded));
  }

  /** What the sender told about the family, as {@code prometheus.*} keys; null if nothing. */
  private static Map<String, String> metadataMap(MetricMetadata meta, ResetHint hint) {
    Map<String, String> out = new TreeMap<>();
    if (meta != null) {
      out.put("prometheus.type", meta.type().name().toLowerCase(Locale.ROOT));
    }
    if (hint != null && hint != ResetHint.UNKNOWN) {
      out.put("prometheus.reset_hint", hint.name().toLowerCase(Locale.ROOT));
    }
    return out.isEmpty() ? null : out;
  }

  private static List<Object> exemplars(List<Exemplar> exemplars) {
    List<Object> out = new ArrayList<>(exemplars.size());
    for (Exemplar e : exemplars) {
      SortedMap<String, String> attributes = new TreeMap<>();
      for (Label label : e.labels()) {
        attributes.put(label.name(), label.value());
      }
      out.add(
          RowWriter.struct(
              e.timestampMillis() == 0 ? null : nanos(e.timestampMillis()),
              e.value(),
              null,
              hexId(attributes.get("span_id"), 8),
              hexId(attributes.get("trace_id"), 16),
              attributes));
    }
    return out;
  }

  /** The id a {@code trace_id}/{@code span_id} exemplar label holds, if it is valid hex. */
  private static byte[] hexId(String hex, int length) {
    if (hex == null || hex.length() != 2 * length) {
      return null;
    }
    try {
      return HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The histogram as rows want it, or a String saying why it cannot be stored. */
  private static Object convert(Histogram h) {
    Long t = nanos(h.timestampMillis());
    if (t == null) {
      return "timestamp out of range";
    }
    long count;
    long zeroCount;
    long[] positive;
    long[] negative;
    boolean fractional = false;
    if (h.isFloat()) {
      // Prometheus refuses negative bucket counts (FloatHistogram.Validate); a count that is
      // not finite cannot be stored either.
      if (!countable(h.countFloat()) || !countable(h.zeroCountFloat())
          || !countable(h.positiveCounts()) || !countable(h.negativeCounts())) {
        return "a float histogram's counts must be finite numbers >= 0";
      }
      fractional = !whole(h.countFloat()) || !whole(h.zeroCountFloat())
          || !whole(h.positiveCounts()) || !whole(h.negativeCounts());
      count = Math.round(h.countFloat());
      zeroCount = Math.round(h.zeroCountFloat());
      positive = rounded(h.positiveCounts());
      negative = rounded(h.negativeCounts());
    } else {
      count = h.countInt();
      zeroCount = h.zeroCountInt();
      positive = cumulate(h.positiveDeltas());
      negative = cumulate(h.negativeDeltas());
      if (positive == null || negative == null) {
        return "its bucket deltas add up to a negative count";
      }
    }
    if (h.schema() == CUSTOM_BUCKETS_SCHEMA) {
      if (!h.negativeSpans().isEmpty()) {
        return "a custom-bucket histogram has no negative buckets";
      }
      double[] bounds = h.customValues();
      Object dense = dense(h.positiveSpans(), positive.length);
      if (dense instanceof String problem) {
        return problem;
      }
      Dense d = (Dense) dense;
      int buckets = bounds.length + 1;
      boolean outside = d.first() < 0 || d.first() + d.from().length > buckets;
      if (d.from().length > 0 && outside) {
        return "its buckets lie outside its " + bounds.length + " custom bounds";
      }
      // Every bucket from the first bound on, as a dense layout starting at 0.
      int[] from = new int[buckets];
      java.util.Arrays.fill(from, -1);
      if (d.from().length > 0) {
        System.arraycopy(d.from(), 0, from, d.first(), d.from().length);
      }
      Dense all = new Dense(0, from);
      List<Double> boundList = new ArrayList<>(bounds.length);
      for (double b : bounds) {
        boundList.add(b);
      }
      ExactCounts exact =
          fractional
              ? new ExactCounts(
                  h.countFloat(), h.zeroCountFloat(), null, null,
                  all.doubles(h.positiveCounts()))
              : null;
      return new ConvertedHistogram(
          h, t, MetricsTable.HISTOGRAM, count, zeroCount, null, null, null, null, boundList,
          all.longs(positive), exact);
    }
    if (h.schema() < -4 || h.schema() > 8) {
      return "schema " + h.schema() + " is not an exponential schema (-4 to 8) or custom buckets";
    }
    Object pos = dense(h.positiveSpans(), positive.length);
    if (pos instanceof String problem) {
      return problem;
    }
    Object neg = dense(h.negativeSpans(), negative.length);
    if (neg instanceof String problem) {
      return problem;
    }
    Dense p = (Dense) pos;
    Dense n = (Dense) neg;
    ExactCounts exact =
        fractional
            ? new ExactCounts(
                h.countFloat(), h.zeroCountFloat(), p.doubles(h.positiveCounts()),
                n.doubles(h.negativeCounts()), null)
            : null;
    // Prometheus's bucket i is (base^(i-1), base^i]; OTLP's bucket i is (base^i, base^(i+1)].
    return new ConvertedHistogram(
        h, t, MetricsTable.EXPONENTIAL_HISTOGRAM, count, zeroCount,
        p.from().length == 0 ? 0 : p.first() - 1, p.longs(positive),
        n.from().length == 0 ? 0 : n.first() - 1, n.longs(negative), null, null, exact);
  }

  /**
   * Buckets laid out densely from index {@code first} on: for each, the position of its count
   * among the counts sent, or -1 for a bucket in a gap between spans (count zero).
   */
  private record Dense(int first, int[] from) {
    List<Long> longs(long[] counts) {
      List<Long> out = new ArrayList<>(from.length);
      for (int k : from) {
        out.add(k < 0 ? 0L : counts[k]);
      }
      return out;
    }

    List<Double> doubles(double[] counts) {
      List<Double> out = new ArrayList<>(from.length);
      for (int k : from) {
        out.add(k < 0 ? 0.0 : counts[k]);
      }
      return out;
    }
  }

  private static Object dense(List<BucketSpan> spans, int counts) {
    long covered = 0;
    for (BucketSpan span : spans) {
      covered += span.length();
    }
    if (covered != counts) {
      return "its spans cover " + covered + " buckets but " + counts + " counts were sent";
    }
    int[] out = new int[Math.max(counts, 16)];
    int size = 0;
    int first = 0;
    long index = 0; // the absolute index of the next bucket
    int next = 0;
    for (int s = 0; s < spans.size(); s++) {
      BucketSpan span = spans.get(s);
      if (s == 0) {
        index = span.offset();
        first = span.offset();
      } else {
        if (span.offset() < 0) {
          return "span " + s + " has a negative offset";
        }
        index += span.offset();
      }
      for (int j = 0; j < span.length(); j++) {
        // Zeros for the gap before this bucket, then the bucket.
        while (first + (long) size <= index) {
          boolean gap = first + (long) size < index;
          if (gap && size >= 1 << 20) {
            return "its spans are too sparse";
          }
          if (size == out.length) {
            out = java.util.Arrays.copyOf(out, size * 2);
          }
          out[size++] = gap ? -1 : next++;
        }
        index++;
      }
    }
    return new Dense(first, java.util.Arrays.copyOf(out, size));
  }

  private static long[] cumulate(long[] deltas) {
    long[] out = new long[deltas.length];
    long running = 0;
    for (int i = 0; i < deltas.length; i++) {
      running += deltas[i];
      if (running < 0) {
        return null;
      }
      out[i] = running;
    }
    return out;
  }

  /** A float count we can store: finite and not negative. */
  private static boolean countable(double value) {
    return value >= 0 && value < Double.POSITIVE_INFINITY;
  }

  private static boolean countable(double[] values) {
    for (double v : values) {
      if (!countable(v)) {
        return false;
      }
    }
    return true;
  }

  /** A count the integer columns hold exactly. */
  private static boolean whole(double value) {
    return value == Math.rint(value) && value < 0x1p63;
  }

  private static boolean whole(double[] values) {
    for (double v : values) {
      if (!whole(v)) {
        return false;
      }
    }
    return true;
  }

  /** The counts rounded to the nearest whole number (saturated at the long's maximum). */
  private static long[] rounded(double[] values) {
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Math.round(values[i]);
    }
    return out;
  }

  private static Long nanos(long millis) {
    try {
      return Math.multiplyExact(millis, NANOS_PER_MILLI);
    } catch (ArithmeticException e) {
      return null;
    }
  }
}

package io.icegate.protocol.prometheus;

import com.google.protobuf.ByteString;
import io.icegate.protocol.Compression;
import io.icegate.protocol.GoQuoting;
import io.icegate.protocol.PayloadTooLargeException;
import io.icegate.protocol.ProtobufReader;
import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.prometheus.RemoteWriteRequest.BucketSpan;
import io.icegate.protocol.prometheus.RemoteWriteRequest.Exemplar;
import io.icegate.protocol.prometheus.RemoteWriteRequest.Histogram;
import io.icegate.protocol.prometheus.RemoteWriteRequest.Label;
import io.icegate.protocol.prometheus.RemoteWriteRequest.MetricMetadata;
import io.icegate.protocol.prometheus.RemoteWriteRequest.MetricType;
import io.icegate.protocol.prometheus.RemoteWriteRequest.ResetHint;
import io.icegate.protocol.prometheus.RemoteWriteRequest.Sample;
import io.icegate.protocol.prometheus.RemoteWriteRequest.TimeSeries;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes Prometheus remote-write 1.0 bodies ({@code POST /api/v1/write}, {@code Content-Encoding:
 * snappy}, {@code Content-Type: application/x-protobuf}): a {@code prometheus.WriteRequest}
 * compressed in the Snappy block format.
 *
 * <p>The message is read by hand ({@link ProtobufReader} over protobuf's {@code CodedInputStream}),
 * following {@code prompb/types.proto} and {@code remote.proto}, rather than from generated
 * classes: there is no protoc in this build, the model is a handful of records, and reading
 * straight into them costs one pass and no intermediate message tree. Unknown fields are skipped,
 * as protobuf does; a known field with the wrong wire type is an error.
 *
 * <p>Every series is validated as the remote-write specification requires of senders and
 * Prometheus's receiver checks: a non-empty {@code __name__}, non-empty valid UTF-8 label names,
 * valid UTF-8 values, no label name twice, and names in sorted order. The messages for the first
 * four are Prometheus's ({@code invalid metric name or labels, got {...}}, {@code invalid labels
 * for series, labels {...}, duplicated label job}). Two deliberate differences: Prometheus sorts an
 * unsorted label set instead of rejecting it, but the specification says senders MUST sort, and a
 * sender that does not is broken in ways (duplicates hidden by the order) better reported than
 * guessed around; and Prometheus's 1.0 handler drops an invalid series silently and stores the
 * rest, where one invalid series here rejects the whole request (HTTP 400), so the sender learns of
 * it and no half of a request is stored.
 */
public final class RemoteWriteDecoder {
  /** The label that holds the metric name. */
  public static final String METRIC_NAME = "__name__";

  private static final String PREFIX = "invalid remote write request: ";

  private RemoteWriteDecoder() {}

  /**
   * Decodes a request body as it arrives: Snappy-compressed protobuf.
   *
   * @param maxBytes the largest uncompressed size accepted
   * @throws PayloadTooLargeException if the body declares an uncompressed size above {@code
   *     maxBytes}
   * @throws ProtocolException if the body is not valid Snappy, not a valid {@code WriteRequest}, or
   *     a series is invalid, e.g. {@code invalid remote write request: timeseries[3]: invalid
   *     labels for series, labels {__name__="up", job="a", job="b"}, duplicated label job}
   */
  public static RemoteWriteRequest decode(byte[] snappyBody, int maxBytes) {
    byte[] body = Compression.snappyUncompress(snappyBody, maxBytes);
    return new Reader(new ProtobufReader(body, PREFIX)).writeRequest();
  }

  /** Reads one request into the records. */
  private static final class Reader {
    private final ProtobufReader in;

    /** Whether the name and value of the label read last were valid UTF-8. */
    private boolean lastLabelWasUtf8;

    Reader(ProtobufReader in) {
      this.in = in;
    }

    RemoteWriteRequest writeRequest() {
      List<TimeSeries> timeseries = new ArrayList<>();
      List<MetricMetadata> metadata = new ArrayList<>();
      for (int tag = in.nextTag(); tag != 0; tag = in.nextTag()) {
        switch (ProtobufReader.field(tag)) {
          case 1 -> {
            in.push("timeseries", timeseries.size());
            timeseries.add(timeSeries(tag));
            in.pop();
          }
          case 3 -> {
            in.push("metadata", metadata.size());
            metadata.add(metricMetadata(tag));
            in.pop();
          }
          default -> in.skip(tag);
        }
      }
      return new RemoteWriteRequest(timeseries, metadata);
    }

    private TimeSeries timeSeries(int tag) {
      int limit = in.enter(tag, "timeseries");
      List<Label> labels = new ArrayList<>();
      List<Sample> samples = new ArrayList<>();
      List<Exemplar> exemplars = new ArrayList<>();
      List<Histogram> histograms = new ArrayList<>();
      boolean validUtf8 = true;
      for (int t = in.nextTag(); t != 0; t = in.nextTag()) {
        switch (ProtobufReader.field(t)) {
          case 1 -> {
            in.push("labels", labels.size());
            labels.add(label(t));
            validUtf8 &= lastLabelWasUtf8;
            in.pop();
          }
          case 2 -> {
            in.push("samples", samples.size());
            samples.add(sample(t));
            in.pop();
          }
          case 3 -> {
            in.push("exemplars", exemplars.size());
            exemplars.add(exemplar(t));
            in.pop();
          }
          case 4 -> {
            in.push("histograms", histograms.size());
            histograms.add(histogram(t));
            in.pop();
          }
          default -> in.skip(t);
        }
      }
      in.leave(limit);
      validate(labels, validUtf8);
      return new TimeSeries(labels, samples, exemplars, histograms);
    }

    /**
     * A label. Invalid UTF-8 is replaced by U+FFFD so that an error can show the label; {@link
     * #lastLabelWasUtf8} says whether there was any.
     */
    private Label label(int tag) {
      int limit = in.enter(tag, "labels");
      ByteString name = ByteString.EMPTY;
      ByteString value = ByteString.EMPTY;
      for (int t = in.nextTag(); t != 0; t = in.nextTag()) {
        switch (ProtobufReader.field(t)) {
          case 1 -> name = in.bytes(t, "name");
          case 2 -> value = in.bytes(t, "value");
          default -> in.skip(t);
        }
      }
      in.leave(limit);
      lastLabelWasUtf8 = name.isValidUtf8() && value.isValidUtf8();
      return new Label(name.toStringUtf8(), value.toStringUtf8());
    }

    private Sample sample(int tag) {
      int limit = in.enter(tag, "samples");
      double value = 0;
      long timestamp = 0;
      for (int t = in.nextTag(); t != 0; t = in.nextTag()) {
        switch (ProtobufReader.field(t)) {
          case 1 -> value = in.fixedDouble(t, "value");
          case 2 -> timestamp = in.varint(t, "timestamp");
          default -> in.skip(t);
        }
      }
      in.leave(limit);
      return new Sample(value, timestamp);
    }

    private Exemplar exemplar(int tag) {
      int limit = in.enter(tag, "exemplars");
      List<Label> labels = new ArrayList<>();
      double value = 0;
      long timestamp = 0;
      for (int t = in.nextTag(); t != 0; t = in.nextTag()) {
        switch (ProtobufReader.field(t)) {
          case 1 -> {
            // Exemplar labels are not validated (Prometheus ignores exemplar errors in 1.0).
            in.push("labels", labels.size());
            labels.add(label(t));
            in.pop();
          }
          case 2 -> value = in.fixedDouble(t, "value");
          case 3 -> timestamp = in.varint(t, "timestamp");
          default -> in.skip(t);
        }
      }
      in.leave(limit);
      return new Exemplar(labels, value, timestamp);
    }

    private Histogram histogram(int tag) {
      int limit = in.enter(tag, "histograms");
      boolean isFloat = false;
      long countInt = 0;
      double countFloat = 0;
      double sum = 0;
      int schema = 0;
      double zeroThreshold = 0;
      long zeroCountInt = 0;
      double zeroCountFloat = 0;
      List<BucketSpan> negativeSpans = new ArrayList<>();
      LongArray negativeDeltas = new LongArray();
      DoubleArray negativeCounts = new DoubleArray();
      List<BucketSpan> positiveSpans = new ArrayList<>();
      LongArray positiveDeltas = new LongArray();
      DoubleArray positiveCounts = new DoubleArray();
      ResetHint resetHint = ResetHint.UNKNOWN;
      long timestamp = 0;
      DoubleArray customValues = new DoubleArray();
      for (int t = in.nextTag(); t != 0; t = in.nextTag()) {
        switch (ProtobufReader.field(t)) {
          // count and zero_count are oneofs: the field read last is the one set.
          case 1 -> {
            countInt = in.varint(t, "count_int");
            countFloat = 0;
            isFloat = false;
          }
          case 2 -> {
            countFloat = in.fixedDouble(t, "count_float");
            countInt = 0;
            isFloat = true;
          }
          case 3 -> sum = in.fixedDouble(t, "sum");
          case 4 -> schema = in.sint32(t, "schema");
          case 5 -> zeroThreshold = in.fixedDouble(t, "zero_threshold");
          case 6 -> {
            zeroCountInt = in.varint(t, "zero_count_int");
            zeroCountFloat = 0;
          }
          case 7 -> {
            zeroCountFloat = in.fixedDouble(t, "zero_count_float");
            zeroCountInt = 0;
          }
          case 8 -> negativeSpans.add(bucketSpan(t, "negative_spans", negativeSpans.size()));
          case 9 -> in.sint64s(t, "negative_deltas", negativeDeltas::add);
          case 10 -> in.doubles(t, "negative_counts", negativeCounts::add);
          case 11 -> positiveSpans.add(bucketSpan(t, "positive_spans", positiveSpans.size()));
          case 12 -> in.sint64s(t, "positive_deltas", positiveDeltas::add);
          case 13 -> in.doubles(t, "positive_counts", positiveCounts::add);
          case 14 -> resetHint = resetHint(in.varint(t, "reset_hint"));
          case 15 -> timestamp = in.varint(t, "timestamp");
          case 16 -> in.doubles(t, "custom_values", customValues::add);
          default -> in.skip(t);
        }
      }
      in.leave(limit);
      return new Histogram(
          isFloat,
          countInt,
          countFloat,
          sum,
          schema,
          zeroThreshold,
          zeroCountInt,
          zeroCountFloat,
          negativeSpans,
          negativeDeltas.toArray(),
          negativeCounts.toArray(),
          positiveSpans,
          positiveDeltas.toArray(),
          positiveCounts.toArray(),
          resetHint,
          timestamp,
          customValues.toArray());
    }

    private BucketSpan bucketSpan(int tag, String field, int index) {
      in.push(field, index);
      int limit = in.enter(tag, field);
      int offset = 0;
      int length = 0;
      for (int t = in.nextTag(); t != 0; t = in.nextTag()) {
        switch (ProtobufReader.field(t)) {
          case 1 -> offset = in.sint32(t, "offset");
          case 2 -> length = (int) in.varint(t, "length");
          default -> in.skip(t);
        }
      }
      in.leave(limit);
      in.pop();
      return new BucketSpan(offset, length);
    }

    private MetricMetadata metricMetadata(int tag) {
      int limit = in.enter(tag, "metadata");
      MetricType type = MetricType.UNKNOWN;
      String name = "";
      String help = "";
      String unit = "";
      for (int t = in.nextTag(); t != 0; t = in.nextTag()) {
        switch (ProtobufReader.field(t)) {
          case 1 -> type = metricType(in.varint(t, "type"));
          case 2 -> name = in.string(t, "metric_family_name");
          case 4 -> help = in.string(t, "help");
          case 5 -> unit = in.string(t, "unit");
          default -> in.skip(t);
        }
      }
      in.leave(limit);
      return new MetricMetadata(type, name, help, unit);
    }

    // ---- validation ----

    private void validate(List<Label> labels, boolean validUtf8) {
      boolean hasName = false;
      boolean valid = validUtf8;
      for (Label label : labels) {
        valid &= !label.name().isEmpty();
        if (label.name().equals(METRIC_NAME)) {
          hasName = true;
          valid &= !label.value().isEmpty();
        }
      }
      if (!hasName || !valid) {
        throw in.error("invalid metric name or labels, got " + describe(labels));
      }
      for (int i = 1; i < labels.size(); i++) {
        String previous = labels.get(i - 1).name();
        String name = labels.get(i).name();
        int order = GoQuoting.UTF8_ORDER.compare(previous, name);
        if (order == 0) {
          throw in.error(
              "invalid labels for series, labels "
                  + describe(labels)
                  + ", duplicated label "
                  + name);
        }
        if (order > 0) {
          throw in.error(
              "invalid labels for series, labels "
                  + describe(labels)
                  + ", label "
                  + GoQuoting.quote(name)
                  + " is out of order (labels must be sorted by name)");
        }
      }
    }

    /** A label set as Prometheus prints one ({@code labels.Labels.String}), in wire order. */
    private static String describe(List<Label> labels) {
      StringBuilder text = new StringBuilder(32 * labels.size() + 2).append('{');
      for (int i = 0; i < labels.size(); i++) {
        if (i > 0) {
          text.append(", ");
        }
        Label label = labels.get(i);
        if (isLegacyLabelName(label.name())) {
          text.append(label.name());
        } else {
          GoQuoting.quote(label.name(), text);
        }
        text.append('=');
        GoQuoting.quote(label.value(), text);
      }
      return text.append('}').toString();
    }
  }

  private static MetricType metricType(long number) {
    MetricType[] types = MetricType.values();
    // proto3 enums are open: a number this version does not know is an unknown type.
    return number >= 0 && number < types.length ? types[(int) number] : MetricType.UNKNOWN;
  }

  private static ResetHint resetHint(long number) {
    ResetHint[] hints = ResetHint.values();
    return number >= 0 && number < hints.length ? hints[(int) number] : ResetHint.UNKNOWN;
  }

  private static boolean isLegacyLabelName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      if (!letter && !(i > 0 && c >= '0' && c <= '9')) {
        return false;
      }
    }
    return true;
  }

  /** A growable {@code long[]}, so bucket deltas are never boxed. */
  private static final class LongArray {
    private long[] values = new long[8];
    private int size;

    void add(long value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, 2 * size);
      }
      values[size++] = value;
    }

    long[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }

  /** A growable {@code double[]}. */
  private static final class DoubleArray {
    private double[] values = new double[8];
    private int size;

    void add(double value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, 2 * size);
      }
      values[size++] = value;
    }

    double[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}

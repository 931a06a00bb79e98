package io.icegate.protocol.prometheus;

import static io.icegate.protocol.ProtoBytes.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.protocol.Fuzzer;
import io.icegate.protocol.PayloadTooLargeException;
import io.icegate.protocol.ProtoBytes;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xerial.snappy.Snappy;

class RemoteWriteDecoderTest {
  private static final int LIMIT = 1 << 20;

  // ---- round trips ----

  @Test
  void samplesExemplarsAndMetadataSurviveTheRoundTrip() {
    byte[] body =
        message()
            .message(
                1,
                series(
                        label("__name__", "http_requests_total"),
                        label("job", "api"),
                        label("path", "/checkout"))
                    .message(2, sample(1.5, 1_700_000_000_000L))
                    .message(2, sample(StaleMarker.STALE_NAN, 1_700_000_015_000L))
                    .message(
                        3,
                        message()
                            .message(1, label("trace_id", "5b8efff798038103d269b633813fc60c"))
                            .fixedDouble(2, 0.25)
                            .varint(3, 1_700_000_000_500L)))
            .message(
                3,
                message()
                    .varint(1, 1) // COUNTER
                    .string(2, "http_requests")
                    .string(4, "Requests served.")
                    .string(5, "requests"))
            .toByteArray();

    RemoteWriteRequest request = decode(body);

    TimeSeries series = request.timeseries().get(0);
    assertThat(series.labels())
        .containsExactly(
            new Label("__name__", "http_requests_total"),
            new Label("job", "api"),
            new Label("path", "/checkout"));
    assertThat(series.metricName()).isEqualTo("http_requests_total");
    assertThat(series.samples()).hasSize(2);
    assertThat(series.samples().get(0)).isEqualTo(new Sample(1.5, 1_700_000_000_000L));
    assertThat(series.samples().get(1).timestampMillis()).isEqualTo(1_700_000_015_000L);
    assertThat(StaleMarker.isStaleNaN(series.samples().get(1).value())).isTrue();
    assertThat(series.exemplars())
        .containsExactly(
            new Exemplar(
                List.of(new Label("trace_id", "5b8efff798038103d269b633813fc60c")),
                0.25,
                1_700_000_000_500L));
    assertThat(series.histograms()).isEmpty();
    assertThat(request.metadata())
        .containsExactly(
            new MetricMetadata(
                MetricType.COUNTER, "http_requests", "Requests served.", "requests"));
  }

  @Test
  void integerNativeHistogramKeepsEveryField() {
    byte[] body =
        message()
            .message(
                1,
                series(label("__name__", "rpc_duration_seconds"))
                    .message(
                        4,
                        message()
                            .varint(1, 10) // count_int
                            .fixedDouble(3, 12.5) // sum
                            .sint32(4, 3) // schema
                            .fixedDouble(5, 1e-128) // zero_threshold
                            .varint(6, 2) // zero_count_int
                            .message(8, span(-2, 2))
                            .packedSint64(9, 1, -1)
                            .message(11, span(0, 3))
                            .message(11, span(2, 1))
                            // positive deltas one per tag (unpacked), as old senders write them
                            .sint64(12, 3)
                            .sint64(12, -1)
                            .sint64(12, 0)
                            .sint64(12, 2)
                            .varint(14, 3) // GAUGE
                            .varint(15, 1_700_000_000_000L)))
            .toByteArray();

    Histogram histogram = decode(body).timeseries().get(0).histograms().get(0);

    assertThat(histogram)
        .isEqualTo(
            new Histogram(
                false,
                10,
                0,
                12.5,
                3,
                1e-128,
                2,
                0,
                List.of(new BucketSpan(-2, 2)),
                new long[] {1, -1},
                new double[0],
                List.of(new BucketSpan(0, 3), new BucketSpan(2, 1)),
                new long[] {3, -1, 0, 2},
                new double[0],
                ResetHint.GAUGE,
                1_700_000_000_000L,
                new double[0]));
  }

  @Test
  void floatHistogramWithCustomBucketsKeepsEveryField() {
    byte[] body =
        message()
            .message(
                1,
                series(label("__name__", "latency"))
                    .message(
                        4,
                        message()
                            .fixedDouble(2, 7.5) // count_float
                            .fixedDouble(3, 3.25)
                            .sint32(4, -53)
                            .fixedDouble(7, 0.5) // zero_count_float
                            .fixedDouble(10, 0.25) // negative_counts, unpacked
                            .message(11, span(0, 2))
                            .packedDoubles(13, 1.5, 2.5)
                            .varint(14, 1) // YES
                            .varint(15, 42)
                            .packedDoubles(16, 0.1, 1.0)))
            .toByteArray();

    Histogram histogram = decode(body).timeseries().get(0).histograms().get(0);

    assertThat(histogram.isFloat()).isTrue();
    assertThat(histogram.countFloat()).isEqualTo(7.5);
    assertThat(histogram.countInt()).isZero();
    assertThat(histogram.sum()).isEqualTo(3.25);
    assertThat(histogram.schema()).isEqualTo(-53);
    assertThat(histogram.zeroCountFloat()).isEqualTo(0.5);
    assertThat(histogram.zeroCountInt()).isZero();
    assertThat(histogram.negativeCounts()).containsExactly(0.25);
    assertThat(histogram.positiveSpans()).containsExactly(new BucketSpan(0, 2));
    assertThat(histogram.positiveCounts()).containsExactly(1.5, 2.5);
    assertThat(histogram.positiveDeltas()).isEmpty();
    assertThat(histogram.resetHint()).isEqualTo(ResetHint.YES);
    assertThat(histogram.timestampMillis()).isEqualTo(42);
    assertThat(histogram.customValues()).containsExactly(0.1, 1.0);
  }

  @Test
  void largestUnsignedCountIsKeptAsItsBits() {
    byte[] body =
        message()
            .message(1, series(label("__name__", "h")).message(4, message().varint(1, -1L)))
            .toByteArray();

    Histogram histogram = decode(body).timeseries().get(0).histograms().get(0);

    assertThat(Long.toUnsignedString(histogram.countInt())).isEqualTo("18446744073709551615");
  }

  @Test
  void unknownFieldsAreSkippedAtEveryLevel() {
    byte[] body =
        message()
            .string(99, "from a newer sender")
            .message(
                1,
                series(label("__name__", "up"))
                    .varint(77, 5)
                    .message(2, sample(1, 2).fixedDouble(9, 3.0)))
            .toByteArray();

    RemoteWriteRequest request = decode(body);

    assertThat(request.timeseries().get(0).samples()).containsExactly(new Sample(1, 2));
  }

  @Test
  void unknownEnumNumbersReadAsUnknown() {
    byte[] body =
        message()
            .message(3, message().varint(1, 42).string(2, "m"))
            .message(1, series(label("__name__", "h")).message(4, message().varint(14, 9)))
            .toByteArray();

    RemoteWriteRequest request = decode(body);

    assertThat(request.metadata().get(0).type()).isEqualTo(MetricType.UNKNOWN);
    assertThat(request.timeseries().get(0).histograms().get(0).resetHint())
        .isEqualTo(ResetHint.UNKNOWN);
  }

  @Test
  void emptyValuesAreKeptAsSent() {
    byte[] body =
        message().message(1, series(label("__name__", "up"), label("job", ""))).toByteArray();

    assertThat(decode(body).timeseries().get(0).labels())
        .containsExactly(new Label("__name__", "up"), new Label("job", ""));
  }

  @Test
  void emptyRequestHasNoSeries() {
    RemoteWriteRequest request = decode(new byte[0]);

    assertThat(request.timeseries()).isEmpty();
    assertThat(request.metadata()).isEmpty();
  }

  // ---- staleness ----

  @Test
  void onlyTheStaleBitPatternIsAStaleMarker() {
    assertThat(StaleMarker.isStaleNaN(StaleMarker.STALE_NAN)).isTrue();
    assertThat(StaleMarker.isStaleNaN(Double.longBitsToDouble(0x7ff0000000000002L))).isTrue();
    assertThat(StaleMarker.isStaleNaN(Double.NaN)).isFalse();
    assertThat(StaleMarker.isStaleNaN(0.0 / 0.0)).isFalse();
    assertThat(StaleMarker.isStaleNaN(1.0)).isFalse();
  }

  // ---- validation ----

  @Test
  void seriesWithoutMetricNameIsRejectedWithPrometheusMessage() {
    byte[] body =
        message()
            .message(1, series(label("__name__", "up")))
            .message(1, series(label("instance", "a:9100"), label("job", "node")))
            .toByteArray();

    assertRejected(
        body,
        "invalid remote write request: timeseries[1]: invalid metric name or labels, "
            + "got {instance=\"a:9100\", job=\"node\"}");
  }

  @Test
  void emptyMetricNameAndEmptyLabelNameAreInvalid() {
    assertRejected(
        message().message(1, series(label("__name__", ""))).toByteArray(),
        "invalid remote write request: timeseries[0]: invalid metric name or labels, "
            + "got {__name__=\"\"}");
    assertRejected(
        message().message(1, series(label("", "x"), label("__name__", "up"))).toByteArray(),
        "invalid remote write request: timeseries[0]: invalid metric name or labels, "
            + "got {\"\"=\"x\", __name__=\"up\"}");
  }

  @Test
  void invalidUtf8InALabelIsRejected() {
    byte[] body =
        message()
            .message(
                1,
                message()
                    .message(1, message().string(1, "__name__").string(2, "up"))
                    .message(1, message().string(1, "job").bytes(2, new byte[] {'a', (byte) 0xff})))
            .toByteArray();

    assertRejected(
        body,
        "invalid remote write request: timeseries[0]: invalid metric name or labels, "
            + "got {__name__=\"up\", job=\"a\ufffd\"}"); // U+FFFD where the bad byte was
  }

  @Test
  void duplicateLabelIsRejectedWithPrometheusMessage() {
    byte[] body =
        message()
            .message(1, series(label("__name__", "up"), label("job", "a"), label("job", "b")))
            .toByteArray();

    assertRejected(
        body,
        "invalid remote write request: timeseries[0]: invalid labels for series, labels "
            + "{__name__=\"up\", job=\"a\", job=\"b\"}, duplicated label job");
  }

  @Test
  void unsortedLabelsAreRejected() {
    byte[] body =
        message()
            .message(1, series(label("__name__", "up"), label("job", "a"), label("instance", "b")))
            .toByteArray();

    assertRejected(
        body,
        "invalid remote write request: timeseries[0]: invalid labels for series, labels "
            + "{__name__=\"up\", job=\"a\", instance=\"b\"}, label \"instance\" is out of order "
            + "(labels must be sorted by name)");
  }

  @Test
  void labelsAreSortedByBytesNotByUtf16() {
    // U+FF5E sorts before U+1F600 in UTF-8 (and code points), after it in UTF-16.
    byte[] body =
        message()
            .message(1, series(label("__name__", "up"), label("\uff5e", "a"), label("😀", "b")))
            .toByteArray();

    assertThat(decode(body).timeseries().get(0).labels()).hasSize(3);
  }

  // ---- malformed bodies ----

  @Test
  void truncatedProtobufIsRejectedWithItsPosition() {
    byte[] full =
        message()
            .message(1, series(label("__name__", "up")).message(2, sample(1, 2)))
            .toByteArray();
    byte[] truncated = Arrays.copyOf(full, full.length - 3);

    assertThatThrownBy(() -> decode(truncated))
        .isInstanceOf(ProtocolException.class)
        .hasMessageStartingWith("invalid remote write request: timeseries[0]")
        .hasMessageContaining("truncated");
  }

  @Test
  void wrongWireTypeIsRejected() {
    byte[] body =
        message()
            .message(1, series(label("__name__", "up")).message(2, message().varint(1, 5)))
            .toByteArray();

    assertRejected(
        body,
        "invalid remote write request: timeseries[0].samples[0]: field value: wire type varint, "
            + "expected 64-bit");
  }

  @Test
  void invalidTagIsRejected() {
    assertThatThrownBy(() -> decode(new byte[] {0x0f, 0x01}))
        .isInstanceOf(ProtocolException.class)
        .hasMessageStartingWith("invalid remote write request: ")
        .hasMessageNotContaining("Exception");
  }

  @Test
  void bodyThatIsNotSnappyIsRejected() {
    assertThatThrownBy(() -> RemoteWriteDecoder.decode(new byte[] {(byte) 0xff}, LIMIT))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("invalid snappy body: corrupt input");
  }

  @Test
  void bodyLargerThanTheLimitIsRejectedBeforeDecompression() throws IOException {
    byte[] body =
        Snappy.compress(message().message(1, series(label("__name__", "up"))).toByteArray());

    assertThatThrownBy(() -> RemoteWriteDecoder.decode(body, 4))
        .isInstanceOf(PayloadTooLargeException.class)
        .hasMessage("decompressed body exceeds the limit of 4 bytes");
  }

  // ---- fuzzing ----

  /** Valid requests that together use every field the decoder reads. */
  private static List<byte[]> corpus() {
    return List.of(
        message()
            .message(
                1,
                series(label("__name__", "up"), label("job", "node"))
                    .message(2, sample(1, 1_700_000_000_000L))
                    .message(2, sample(StaleMarker.STALE_NAN, 1_700_000_015_000L))
                    .message(3, message().message(1, label("trace_id", "abc")).fixedDouble(2, 2)))
            .message(3, message().varint(1, 2).string(2, "up").string(4, "help").string(5, "s"))
            .toByteArray(),
        message()
            .message(
                1,
                series(label("__name__", "h"))
                    .message(
                        4,
                        message()
                            .varint(1, 3)
                            .fixedDouble(3, 1)
                            .sint32(4, 2)
                            .varint(6, 1)
                            .message(8, span(-1, 1))
                            .packedSint64(9, 1)
                            .message(11, span(0, 2))
                            .sint64(12, 1)
                            .sint64(12, 0)
                            .fixedDouble(10, 1)
                            .packedDoubles(13, 1, 2)
                            .packedDoubles(16, 0.5)
                            .varint(14, 2)
                            .varint(15, 5)))
            .toByteArray());
  }

  @Test
  void fuzzedProtobufOnlyEverFailsWithProtocolException() {
    // Mutate the protobuf, then compress it, so that the mutations reach the decoder.
    Fuzzer.assertOnlyProtocolExceptions(
        20_251_111L, 5_000, corpus(), body -> RemoteWriteDecoder.decode(snappy(body), LIMIT));
  }

  @Test
  void fuzzedSnappyOnlyEverFailsWithProtocolException() {
    Fuzzer.assertOnlyProtocolExceptions(
        20_251_112L,
        3_000,
        corpus().stream().map(RemoteWriteDecoderTest::snappy).toList(),
        body -> RemoteWriteDecoder.decode(body, LIMIT));
  }

  // ---- fixtures ----

  private static RemoteWriteRequest decode(byte[] protobuf) {
    return RemoteWriteDecoder.decode(snappy(protobuf), LIMIT);
  }

  private static void assertRejected(byte[] protobuf, String message) {
    assertThatThrownBy(() -> decode(protobuf))
        .isInstanceOf(ProtocolException.class)
        .hasMessage(message);
  }

  static byte[] snappy(byte[] bytes) {
    try {
      return Snappy.compress(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ProtoBytes series(ProtoBytes... labels) {
    ProtoBytes series = message();
    for (ProtoBytes label : labels) {
      series.message(1, label);
    }
    return series;
  }

  private static ProtoBytes label(String name, String value) {
    return message().string(1, name).string(2, value);
  }

  private static ProtoBytes sample(double value, long timestamp) {
    return message().fixedDouble(1, value).varint(2, timestamp);
  }

  private static ProtoBytes span(int offset, int length) {
    return message().sint32(1, offset).varint(2, length);
  }
}

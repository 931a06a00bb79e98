package io.icegate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import io.icegate.protocol.prometheus.RemoteWriteDecoder;
import io.icegate.protocol.prometheus.RemoteWriteRequest;
import io.icegate.protocol.prometheus.StaleMarker;
import io.icegate.storage.ingest.BatchResult;
import io.icegate.storage.ingest.MetricsBatchBuilder;
import io.icegate.storage.table.MetricsTable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * Prometheus remote-write 1.0 bodies (Snappy-compressed {@code prometheus.WriteRequest}, written
 * here field by field after prompb's types.proto) through the real decoder, the builder, the WAL
 * and compaction. Expected bucket layouts are worked out by hand in the comments.
 */
class RemoteWriteTableTest {
  private static final long T0_MS = 1_700_000_000_123L;
  private static final long MS = 1_000_000L;
  private static final String TRACE = "5b8efff798038103d269b633813fc60c";
  private static final String SPAN = "eee19b7ec3c1b174";

  @TempDir Path dir;
  private BufferAllocator allocator;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    assertThat(allocator.getAllocatedMemory()).as("leaked Arrow memory").isZero();
    allocator.close();
  }

  @Test
  void samplesStaleMarkersNativeHistogramsAndExemplarsSurvive() throws Exception {
    RemoteWriteRequest request = RemoteWriteDecoder.decode(body(), 1 << 20);
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), ScannedRows.NOW, Duration.ZERO)) {
      BatchResult built = MetricsBatchBuilder.build(request, "fake", 99, allocator);
      assertThat(built.rejected()).isEqualTo(1);
      assertThat(built.reasons())
          .containsExactly(
              "series negative_hist{job=\"api\"} has a native histogram that cannot be stored:"
                  + " a float histogram's counts must be finite numbers >= 0");
      lake.metricsWal().append("fake", built.batch()).get();

      assertRows(ScannedRows.scan(lake, allocator, MetricsTable.NAME, "fake"));
      assertThat(lake.compact(MetricsTable.NAME).rows()).isEqualTo(8);
      assertRows(ScannedRows.scan(lake, allocator, MetricsTable.NAME, "fake"));
    }
  }

  private static void assertRows(List<Map<String, Object>> rows) {
    assertThat(rows).hasSize(8);
    Map<String, Object> plainNaN = one(rows, "error_ratio", (T0_MS + 4) * MS);
    assertThat(plainNaN)
        .as("an ordinary NaN (0/0) is a value, not a staleness marker")
        .containsEntry(MetricsTable.FLAGS, 0)
        .containsEntry(MetricsTable.METRIC_TYPE, "gauge")
        .containsEntry(MetricsTable.METADATA, null);
    assertThat((Double) plainNaN.get(MetricsTable.VALUE_DOUBLE)).isNaN();
    Map<String, Object> first = one(rows, "http_requests_total", T0_MS * MS);
    assertThat(first)
        .containsEntry(MetricsTable.SERIES_LABELS, "{instance=\"host:9090\", job=\"api\"}")
        .containsEntry(MetricsTable.SERIES_ID, 5320949421817244433L)
        .containsEntry(MetricsTable.SERVICE_NAME, "api")
        .containsEntry(MetricsTable.SERVICE_INSTANCE_ID, "host:9090")
        .containsEntry(MetricsTable.METRIC_TYPE, "sum")
        .containsEntry(MetricsTable.IS_MONOTONIC, true)
        .containsEntry(MetricsTable.AGGREGATION_TEMPORALITY, "CUMULATIVE")
        .containsEntry(MetricsTable.DESCRIPTION, "Requests served.")
        .containsEntry(MetricsTable.METADATA, Map.of("prometheus.type", "counter"))
        .containsEntry(MetricsTable.VALUE_DOUBLE, 5.0)
        .containsEntry(MetricsTable.FLAGS, 0)
        .containsEntry(MetricsTable.EXEMPLARS, List.of())
        .containsEntry(MetricsTable.OTEL_METRIC_NAME, null)
        .containsEntry(
            MetricsTable.DATA_POINT_ATTRIBUTES, Map.of("instance", "host:9090", "job", "api"));

    Map<String, Object> stale = one(rows, "http_requests_total", (T0_MS + 15_000) * MS);
    // Parquet's writer canonicalises NaN bits (Double.doubleToLongBits), so the marker is the
    // flag; the value reads back as a NaN.
    assertThat(stale)
        .as("the staleness marker is flagged as no recorded value")
        .containsEntry(MetricsTable.FLAGS, MetricsTable.FLAG_NO_RECORDED_VALUE);
    assertThat((Double) stale.get(MetricsTable.VALUE_DOUBLE)).isNaN();
    Map<String, Object> exemplar = new HashMap<>();
    exemplar.put("timestamp", (T0_MS + 10_000) * MS);
    exemplar.put("value_double", 0.25);
    exemplar.put("value_int", null);
    exemplar.put("span_id", SPAN);
    exemplar.put("trace_id", TRACE);
    exemplar.put("attributes", Map.of("span_id", SPAN, "trace_id", TRACE));
    assertThat(stale.get(MetricsTable.EXEMPLARS))
        .as("exemplars go on the series' latest row")
        .isEqualTo(List.of(exemplar));

    // Integer native histogram, schema 0: positive spans (-1, 2), (2, 1) with deltas 1, 1, -1
    // are buckets -1:1, 0:2, then 3:1 after a gap of two; Prometheus index i is OTLP index i-1,
    // so the OTLP offset is -2 and the dense counts are 1, 2, 0, 0, 1. Negative span (1, 1)
    // with delta 1 is bucket 1:1 → OTLP offset 0, counts [1].
    assertThat(one(rows, "rpc_duration_seconds", (T0_MS + 1) * MS))
        .containsEntry(MetricsTable.METRIC_TYPE, "exponential_histogram")
        .containsEntry(MetricsTable.AGGREGATION_TEMPORALITY, "CUMULATIVE")
        .containsEntry(MetricsTable.SERIES_LABELS, "{job=\"api\"}")
        .containsEntry(MetricsTable.SERIES_ID, -1648570190977562249L)
        .containsEntry(MetricsTable.UNIT, "seconds")
        .containsEntry(MetricsTable.DESCRIPTION, "RPC latency.")
        .containsEntry(MetricsTable.COUNT, 6L)
        .containsEntry(MetricsTable.SUM, 10.5)
        .containsEntry(MetricsTable.SCALE, 0)
        .containsEntry(MetricsTable.ZERO_THRESHOLD, 1e-128)
        .containsEntry(MetricsTable.ZERO_COUNT, 1L)
        .containsEntry(MetricsTable.POSITIVE_OFFSET, -2)
        .containsEntry(MetricsTable.POSITIVE_BUCKET_COUNTS, List.of(1L, 2L, 0L, 0L, 1L))
        .containsEntry(MetricsTable.NEGATIVE_OFFSET, 0)
        .containsEntry(MetricsTable.NEGATIVE_BUCKET_COUNTS, List.of(1L))
        .containsEntry(
            MetricsTable.METADATA,
            Map.of("prometheus.type", "histogram", "prometheus.reset_hint", "no"));

    // Custom buckets (schema -53), bounds 0.1 and 1: span (0, 3) with deltas 2, -1, 1 gives
    // counts 2, 1, 2 for (-inf, 0.1], (0.1, 1], (1, +inf).
    assertThat(one(rows, "queue_wait_seconds", (T0_MS + 2) * MS))
        .containsEntry(MetricsTable.METRIC_TYPE, "histogram")
        .containsEntry(MetricsTable.EXPLICIT_BOUNDS, List.of(0.1, 1.0))
        .containsEntry(MetricsTable.BUCKET_COUNTS, List.of(2L, 1L, 2L))
        .containsEntry(MetricsTable.COUNT, 5L)
        .containsEntry(MetricsTable.SUM, 3.25)
        .containsEntry(MetricsTable.SCALE, null)
        .containsEntry(MetricsTable.COUNT_DOUBLE, null)
        .containsEntry(MetricsTable.BUCKET_COUNTS_DOUBLE, null);

    // Float histogram with fractional counts, schema 1: positive spans (1, 1), (1, 1) with counts
    // 1.25, 0.75 are Prometheus buckets 1 and 3 → OTLP offset 0, dense 1.25, 0, 0.75; negative
    // span (-1, 1) with 0.25 is bucket -1 → OTLP offset -2. The integer columns hold the counts
    // rounded half up: 2.5 → 3, 0.5 → 1, 1.25 → 1, 0.75 → 1, 0.25 → 0.
    assertThat(one(rows, "float_hist", (T0_MS + 3) * MS))
        .containsEntry(MetricsTable.METRIC_TYPE, "exponential_histogram")
        .containsEntry(MetricsTable.SCALE, 1)
        .containsEntry(MetricsTable.SUM, 4.0)
        .containsEntry(MetricsTable.ZERO_THRESHOLD, 0.001)
        .containsEntry(MetricsTable.COUNT_DOUBLE, 2.5)
        .containsEntry(MetricsTable.COUNT, 3L)
        .containsEntry(MetricsTable.ZERO_COUNT_DOUBLE, 0.5)
        .containsEntry(MetricsTable.ZERO_COUNT, 1L)
        .containsEntry(MetricsTable.POSITIVE_OFFSET, 0)
        .containsEntry(MetricsTable.POSITIVE_BUCKET_COUNTS_DOUBLE, List.of(1.25, 0.0, 0.75))
        .containsEntry(MetricsTable.POSITIVE_BUCKET_COUNTS, List.of(1L, 0L, 1L))
        .containsEntry(MetricsTable.NEGATIVE_OFFSET, -2)
        .containsEntry(MetricsTable.NEGATIVE_BUCKET_COUNTS_DOUBLE, List.of(0.25))
        .containsEntry(MetricsTable.NEGATIVE_BUCKET_COUNTS, List.of(0L));

    // Float custom-bucket histogram, bound 0.5: span (0, 2) with 0.5, 1.0.
    assertThat(one(rows, "float_wait_seconds", (T0_MS + 5) * MS))
        .containsEntry(MetricsTable.METRIC_TYPE, "histogram")
        .containsEntry(MetricsTable.EXPLICIT_BOUNDS, List.of(0.5))
        .containsEntry(MetricsTable.BUCKET_COUNTS_DOUBLE, List.of(0.5, 1.0))
        .containsEntry(MetricsTable.BUCKET_COUNTS, List.of(1L, 1L))
        .containsEntry(MetricsTable.COUNT_DOUBLE, 1.5)
        .containsEntry(MetricsTable.COUNT, 2L)
        .containsEntry(MetricsTable.POSITIVE_BUCKET_COUNTS_DOUBLE, null);

    // A float histogram whose counts are whole numbers is stored in the integer columns only.
    assertThat(one(rows, "whole_float_hist", (T0_MS + 6) * MS))
        .containsEntry(MetricsTable.COUNT, 3L)
        .containsEntry(MetricsTable.POSITIVE_BUCKET_COUNTS, List.of(3L))
        .containsEntry(MetricsTable.COUNT_DOUBLE, null)
        .containsEntry(MetricsTable.ZERO_COUNT_DOUBLE, null)
        .containsEntry(MetricsTable.POSITIVE_BUCKET_COUNTS_DOUBLE, null)
        .containsEntry(MetricsTable.NEGATIVE_BUCKET_COUNTS_DOUBLE, null);
  }

  private static Map<String, Object> one(
      List<Map<String, Object>> rows, String metricName, long timestamp) {
    List<Map<String, Object>> found =
        rows.stream()
            .filter(r -> metricName.equals(r.get(MetricsTable.METRIC_NAME))
                && Long.valueOf(timestamp).equals(r.get(MetricsTable.TIMESTAMP)))
            .toList();
    assertThat(found).as(metricName + " at " + timestamp).hasSize(1);
    return found.get(0);
  }

  private static byte[] body() throws IOException {
    Proto write = new Proto();
    write.message(1, series(
        List.of("__name__", "http_requests_total", "instance", "host:9090", "job", "api"),
        new Proto().fixedDouble(1, 5.0).varint(2, T0_MS),
        new Proto().fixedDouble(1, StaleMarker.STALE_NAN).varint(2, T0_MS + 15_000),
        new Proto()
            .message(1, label("span_id", SPAN))
            .message(1, label("trace_id", TRACE))
            .fixedDouble(2, 0.25)
            .varint(3, T0_MS + 10_000)));
    write.message(1, new Proto()
        .message(1, label("__name__", "rpc_duration_seconds"))
        .message(1, label("job", "api"))
        .message(4, new Proto()
            .varint(1, 6)
            .fixedDouble(3, 10.5)
            .sint32(4, 0)
            .fixedDouble(5, 1e-128)
            .varint(6, 1)
            .message(8, span(1, 1))
            .packedSint64(9, 1)
            .message(11, span(-1, 2))
            .message(11, span(2, 1))
            .packedSint64(12, 1, 1, -1)
            .varint(14, 2) // reset hint NO
            .varint(15, T0_MS + 1)));
    write.message(1, new Proto()
        .message(1, label("__name__", "queue_wait_seconds"))
        .message(1, label("job", "api"))
        .message(4, new Proto()
            .varint(1, 5)
            .fixedDouble(3, 3.25)
            .sint32(4, -53)
            .message(11, span(0, 3))
            .packedSint64(12, 2, -1, 1)
            .varint(15, T0_MS + 2)
            .packedDoubles(16, 0.1, 1.0)));
    write.message(1, new Proto()
        .message(1, label("__name__", "float_hist"))
        .message(1, label("job", "api"))
        .message(4, new Proto()
            .fixedDouble(2, 2.5)
            .fixedDouble(3, 4.0)
            .sint32(4, 1)
            .fixedDouble(5, 0.001)
            .fixedDouble(7, 0.5)
            .message(8, span(-1, 1))
            .packedDoubles(10, 0.25)
            .message(11, span(1, 1))
            .message(11, span(1, 1))
            .packedDoubles(13, 1.25, 0.75)
            .varint(15, T0_MS + 3)));
    write.message(1, new Proto()
        .message(1, label("__name__", "float_wait_seconds"))
        .message(1, label("job", "api"))
        .message(4, new Proto()
            .fixedDouble(2, 1.5)
            .fixedDouble(3, 0.7)
            .sint32(4, -53)
            .message(11, span(0, 2))
            .packedDoubles(13, 0.5, 1.0)
            .varint(15, T0_MS + 5)
            .packedDoubles(16, 0.5)));
    write.message(1, new Proto()
        .message(1, label("__name__", "whole_float_hist"))
        .message(1, label("job", "api"))
        .message(4, new Proto()
            .fixedDouble(2, 3.0)
            .fixedDouble(3, 1.0)
            .sint32(4, 0)
            .message(11, span(0, 1))
            .packedDoubles(13, 3.0)
            .varint(15, T0_MS + 6)));
    write.message(1, new Proto()
        .message(1, label("__name__", "negative_hist"))
        .message(1, label("job", "api"))
        .message(4, new Proto()
            .fixedDouble(2, 1.0)
            .sint32(4, 0)
            .message(11, span(0, 1))
            .packedDoubles(13, -1.0)
            .varint(15, T0_MS + 7)));
    write.message(1, new Proto()
        .message(1, label("__name__", "error_ratio"))
        .message(1, label("job", "api"))
        .message(2, new Proto().fixedDouble(1, Double.NaN).varint(2, T0_MS + 4)));
    write.message(3, new Proto()
        .varint(1, 1) // COUNTER
        .string(2, "http_requests")
        .string(4, "Requests served."));
    write.message(3, new Proto()
        .varint(1, 3) // HISTOGRAM
        .string(2, "rpc_duration_seconds")
        .string(4, "RPC latency.")
        .string(5, "seconds"));
    return Snappy.compress(write.bytes());
  }

  private static Proto series(List<String> labels, Proto... parts) throws IOException {
    Proto series = new Proto();
    for (int i = 0; i < labels.size(); i += 2) {
      series.message(1, label(labels.get(i), labels.get(i + 1)));
    }
    series.message(2, parts[0]).message(2, parts[1]).message(3, parts[2]);
    return series;
  }

  private static Proto label(String name, String value) throws IOException {
    return new Proto().string(1, name).string(2, value);
  }

  private static Proto span(int offset, int length) throws IOException {
    return new Proto().sint32(1, offset).varint(2, length);
  }

  /** A protobuf message written field by field with protobuf's own encoder. */
  private static final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final CodedOutputStream coded = CodedOutputStream.newInstance(out);

    Proto string(int field, String value) throws IOException {
      coded.writeString(field, value);
      return this;
    }

    Proto varint(int field, long value) throws IOException {
      coded.writeUInt64(field, value);
      return this;
    }

    Proto sint32(int field, int value) throws IOException {
      coded.writeSInt32(field, value);
      return this;
    }

    Proto fixedDouble(int field, double value) throws IOException {
      coded.writeDouble(field, value);
      return this;
    }

    Proto message(int field, Proto message) throws IOException {
      coded.writeByteArray(field, message.bytes());
      return this;
    }

    Proto packedSint64(int field, long... values) throws IOException {
      Proto packed = new Proto();
      for (long v : values) {
        packed.coded.writeSInt64NoTag(v);
      }
      coded.writeByteArray(field, packed.bytes());
      return this;
    }

    Proto packedDoubles(int field, double... values) throws IOException {
      Proto packed = new Proto();
      for (double v : values) {
        packed.coded.writeDoubleNoTag(v);
      }
      coded.writeByteArray(field, packed.bytes());
      return this;
    }

    byte[] bytes() throws IOException {
      coded.flush();
      return out.toByteArray();
    }
  }
}

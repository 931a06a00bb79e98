package io.icegate.storage;

import static io.icegate.storage.OtlpLogs.attr;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.icegate.protocol.otlp.OtlpMetricsDecoder;
import io.icegate.storage.ingest.BatchResult;
import io.icegate.storage.ingest.MetricsBatchBuilder;
import io.icegate.storage.table.MetricsTable;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OTLP metrics through the builder, the WAL and compaction. Expected Prometheus names are
 * hand-derived from Prometheus's OTLP translation rules; expected series ids are 64-bit FNV-1a
 * of the label strings, computed by hand (outside this code) with a separate implementation.
 */
class MetricsTableTest {
  private static final long T0 = 1_700_000_000_123_456_789L;
  private static final String TRACE = "5b8efff798038103d269b633813fc60c";
  private static final String SPAN = "eee19b7ec3c1b174";
  private static final String JOB_LABELS = "{instance=\"i-1\", job=\"shop/checkout\"}";
  private static final long JOB_LABELS_ID = -5596376235664590713L;
  private static final String GAUGE_LABELS =
      "{a_b=\"1;2\", http_method=\"GET\", instance=\"i-1\", job=\"shop/checkout\"}";
  private static final long GAUGE_LABELS_ID = -7984206626587313603L;

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
  void everyPointTypeSurvivesTheWalAndCompaction() throws Exception {
    ExportMetricsServiceRequest request =
        OtlpMetricsDecoder.decodeProtobuf(request(validMetrics()).toByteArray());
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), ScannedRows.NOW, Duration.ZERO)) {
      BatchResult built = MetricsBatchBuilder.build(request, "fake", T0 + 5, allocator);
      assertThat(built.rejected()).isZero();
      lake.metricsWal().append("fake", built.batch()).get();

      assertPoints(ScannedRows.scan(lake, allocator, MetricsTable.NAME, "fake"));
      assertThat(lake.compact(MetricsTable.NAME).rows()).isEqualTo(8);
      List<Map<String, Object>> compacted =
          ScannedRows.scan(lake, allocator, MetricsTable.NAME, "fake");
      assertPoints(compacted);
      assertThat(compacted)
          .as("sorted by metric name, series, time")
          .extracting(r -> r.get(MetricsTable.METRIC_NAME))
          .isSorted();
    }
  }

  private static void assertPoints(List<Map<String, Object>> rows) {
    assertThat(rows).hasSize(8);
    Map<String, Object> memory = one(rows, "system_memory_usage_bytes", T0);
    assertThat(memory)
        .containsEntry(MetricsTable.TENANT_ID, "fake")
        .containsEntry(MetricsTable.SERVICE_NAME, "checkout")
        .containsEntry(MetricsTable.SERVICE_INSTANCE_ID, "i-1")
        .containsEntry(MetricsTable.OTEL_METRIC_NAME, "system.memory.usage")
        .containsEntry(MetricsTable.METRIC_TYPE, "gauge")
        .containsEntry(MetricsTable.UNIT, "By")
        .containsEntry(MetricsTable.DESCRIPTION, "Memory in use.")
        .containsEntry(MetricsTable.VALUE_DOUBLE, 1.5e9)
        .containsEntry(MetricsTable.VALUE_INT, null)
        .containsEntry(MetricsTable.FLAGS, 0)
        .containsEntry(MetricsTable.START_TIMESTAMP, null)
        .containsEntry(MetricsTable.INGESTED_TIMESTAMP, T0 + 5)
        .containsEntry(MetricsTable.AGGREGATION_TEMPORALITY, null)
        .containsEntry(MetricsTable.IS_MONOTONIC, null)
        .containsEntry(MetricsTable.SERIES_LABELS, GAUGE_LABELS)
        .containsEntry(MetricsTable.SERIES_ID, GAUGE_LABELS_ID)
        .containsEntry(
            MetricsTable.DATA_POINT_ATTRIBUTES,
            Map.of("http.method", "GET", "a.b", "1", "a_b", "2"))
        .containsEntry(MetricsTable.METADATA, Map.of("prometheus.type", "gauge"))
        .containsEntry(MetricsTable.SCOPE_NAME, "meter")
        .containsEntry(MetricsTable.SCOPE_VERSION, "1.0")
        .containsEntry(
            MetricsTable.RESOURCE_ATTRIBUTES,
            Map.of("service.name", "checkout", "service.namespace", "shop",
                "service.instance.id", "i-1"));
    Map<String, Object> exemplar = new HashMap<>();
    exemplar.put("timestamp", T0 - 7);
    exemplar.put("value_double", 1.4e9);
    exemplar.put("value_int", null);
    exemplar.put("span_id", SPAN);
    exemplar.put("trace_id", TRACE);
    exemplar.put("attributes", Map.of("user", "alice"));
    assertThat(memory.get(MetricsTable.EXEMPLARS)).isEqualTo(List.of(exemplar));

    Map<String, Object> noValue = one(rows, "system_memory_usage_bytes", T0 + 60);
    assertThat(noValue)
        .containsEntry(MetricsTable.FLAGS, MetricsTable.FLAG_NO_RECORDED_VALUE)
        .containsEntry(MetricsTable.VALUE_DOUBLE, null)
        .containsEntry(MetricsTable.VALUE_INT, null)
        .containsEntry(MetricsTable.SERIES_LABELS, JOB_LABELS)
        .containsEntry(MetricsTable.SERIES_ID, JOB_LABELS_ID);

    assertThat(one(rows, "http_server_requests_total", T0))
        .containsEntry(MetricsTable.METRIC_TYPE, "sum")
        .containsEntry(MetricsTable.AGGREGATION_TEMPORALITY, "DELTA")
        .containsEntry(MetricsTable.IS_MONOTONIC, true)
        .containsEntry(MetricsTable.VALUE_INT, 42L)
        .containsEntry(MetricsTable.START_TIMESTAMP, T0 - 60_000_000_000L)
        .containsEntry(MetricsTable.UNIT, "{request}");
    assertThat(one(rows, "queue_size", T0))
        .containsEntry(MetricsTable.AGGREGATION_TEMPORALITY, "CUMULATIVE")
        .containsEntry(MetricsTable.IS_MONOTONIC, false)
        .containsEntry(MetricsTable.VALUE_DOUBLE, -3.25);
    assertThat(one(rows, "cpu_utilization_ratio", T0))
        .containsEntry(MetricsTable.VALUE_DOUBLE, 0.5);

    Map<String, Object> histogram = one(rows, "http_server_duration_milliseconds", T0);
    assertThat(histogram)
        .containsEntry(MetricsTable.METRIC_TYPE, "histogram")
        .containsEntry(MetricsTable.AGGREGATION_TEMPORALITY, "CUMULATIVE")
        .containsEntry(MetricsTable.COUNT, 6L)
        .containsEntry(MetricsTable.SUM, 12.5)
        .containsEntry(MetricsTable.MIN, 0.5)
        .containsEntry(MetricsTable.MAX, 9.0)
        .containsEntry(MetricsTable.BUCKET_COUNTS, List.of(1L, 2L, 3L))
        .containsEntry(MetricsTable.EXPLICIT_BOUNDS, List.of(1.0, 5.0))
        .containsEntry(MetricsTable.SCALE, null);
    Map<String, Object> intExemplar = new HashMap<>();
    intExemplar.put("timestamp", T0 - 1);
    intExemplar.put("value_double", null);
    intExemplar.put("value_int", 7L);
    intExemplar.put("span_id", null);
    intExemplar.put("trace_id", null);
    intExemplar.put("attributes", Map.of());
    assertThat(histogram.get(MetricsTable.EXEMPLARS)).isEqualTo(List.of(intExemplar));

    assertThat(one(rows, "rpc_latency_seconds", T0))
        .containsEntry(MetricsTable.METRIC_TYPE, "exponential_histogram")
        .containsEntry(MetricsTable.AGGREGATION_TEMPORALITY, "DELTA")
        .containsEntry(MetricsTable.COUNT, 7L)
        .containsEntry(MetricsTable.SUM, 3.5)
        .containsEntry(MetricsTable.MIN, 0.0)
        .containsEntry(MetricsTable.MAX, 2.0)
        .containsEntry(MetricsTable.SCALE, 3)
        .containsEntry(MetricsTable.ZERO_COUNT, 1L)
        .containsEntry(MetricsTable.ZERO_THRESHOLD, 0.001)
        .containsEntry(MetricsTable.POSITIVE_OFFSET, -2)
        .containsEntry(MetricsTable.POSITIVE_BUCKET_COUNTS, List.of(1L, 0L, 2L))
        .containsEntry(MetricsTable.NEGATIVE_OFFSET, 1)
        .containsEntry(MetricsTable.NEGATIVE_BUCKET_COUNTS, List.of(3L));

    assertThat(one(rows, "gc_pause_seconds", T0))
        .containsEntry(MetricsTable.METRIC_TYPE, "summary")
        .containsEntry(MetricsTable.COUNT, 10L)
        .containsEntry(MetricsTable.SUM, 100.0)
        .containsEntry(
            MetricsTable.QUANTILE_VALUES,
            List.of(Map.of("quantile", 0.5, "value", 9.0), Map.of("quantile", 0.99, "value", 20.0)))
        .containsEntry(MetricsTable.START_TIMESTAMP, T0 - 1_000);
  }

  @Test
  void invalidPointsAreRejectedWithTheirReasonsAndTheRestKept() {
    NumberDataPoint.Builder unset = NumberDataPoint.newBuilder().setTimeUnixNano(T0);
    List<Metric> invalid =
        List.of(
            Metric.newBuilder().setName("no.value")
                .setGauge(Gauge.newBuilder().addDataPoints(unset)).build(),
            Metric.newBuilder().setName("no.temporality")
                .setSum(Sum.newBuilder()
                    .addDataPoints(unset.clone().setAsInt(1))
                    .addDataPoints(unset.clone().setAsInt(2)))
                .build(),
            Metric.newBuilder().setName("bad.buckets")
                .setHistogram(Histogram.newBuilder()
                    .setAggregationTemporality(
                        AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                    .addDataPoints(HistogramDataPoint.newBuilder().setTimeUnixNano(T0)
                        .setCount(3).addAllBucketCounts(List.of(1L, 2L))
                        .addAllExplicitBounds(List.of(1.0, 2.0))))
                .build(),
            Metric.newBuilder().setName("bad.quantile")
                .setSummary(Summary.newBuilder().addDataPoints(
                    SummaryDataPoint.newBuilder().setTimeUnixNano(T0).addQuantileValues(
                        SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(1.5))))
                .build(),
            Metric.newBuilder().setName("bad.scale")
                .setExponentialHistogram(ExponentialHistogram.newBuilder()
                    .setAggregationTemporality(
                        AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                    .addDataPoints(ExponentialHistogramDataPoint.newBuilder()
                        .setTimeUnixNano(T0).setScale(21)))
                .build(),
            Metric.newBuilder().setName("no.data").build());
    List<Metric> metrics = new java.util.ArrayList<>(invalid);
    metrics.add(0, validMetrics().get(0));
    BatchResult built =
        MetricsBatchBuilder.build(
            OtlpMetricsDecoder.decodeProtobuf(request(metrics).toByteArray()), "fake", T0,
            allocator);
    try (var batch = built.batch()) {
      assertThat(batch.getRowCount()).as("the valid gauge's two points").isEqualTo(2);
      assertThat(built.rejected()).isEqualTo(6);
      assertThat(built.reasons())
          .containsExactly(
              "a data point of metric \"no.value\" has no value",
              "metric \"no.temporality\" has an unspecified aggregation temporality",
              "a data point of metric \"bad.buckets\" has 2 bucket counts for 2 explicit bounds;"
                  + " OTLP requires one more count than bounds",
              "a data point of metric \"bad.quantile\" has quantile 1.5 outside [0, 1]",
              "a data point of metric \"bad.scale\" has scale 21; OTLP allows -10 to 20",
              "metric \"no.data\" has no data (unknown metric type)");
    }
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

  private static ExportMetricsServiceRequest request(List<Metric> metrics) {
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(
            ResourceMetrics.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(attr("service.name", "checkout"))
                        .addAttributes(attr("service.namespace", "shop"))
                        .addAttributes(attr("service.instance.id", "i-1")))
                .addScopeMetrics(
                    ScopeMetrics.newBuilder()
                        .setScope(InstrumentationScope.newBuilder().setName("meter")
                            .setVersion("1.0"))
                        .addAllMetrics(metrics)))
        .build();
  }

  private static List<Metric> validMetrics() {
    Metric memory =
        Metric.newBuilder()
            .setName("system.memory.usage")
            .setUnit("By")
            .setDescription("Memory in use.")
            .addMetadata(attr("prometheus.type", "gauge"))
            .setGauge(
                Gauge.newBuilder()
                    .addDataPoints(
                        NumberDataPoint.newBuilder()
                            .setTimeUnixNano(T0)
                            .setAsDouble(1.5e9)
                            .addAttributes(attr("http.method", "GET"))
                            .addAttributes(attr("a.b", "1"))
                            .addAttributes(attr("a_b", "2"))
                            .addExemplars(
                                Exemplar.newBuilder()
                                    .setTimeUnixNano(T0 - 7)
                                    .setAsDouble(1.4e9)
                                    .setTraceId(bytes(TRACE))
                                    .setSpanId(bytes(SPAN))
                                    .addFilteredAttributes(attr("user", "alice"))))
                    .addDataPoints(
                        NumberDataPoint.newBuilder()
                            .setTimeUnixNano(T0 + 60)
                            .setFlags(MetricsTable.FLAG_NO_RECORDED_VALUE)))
            .build();
    Metric requests =
        Metric.newBuilder()
            .setName("http.server.requests")
            .setUnit("{request}")
            .setSum(
                Sum.newBuilder()
                    .setIsMonotonic(true)
                    .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                    .addDataPoints(
                        NumberDataPoint.newBuilder()
                            .setStartTimeUnixNano(T0 - 60_000_000_000L)
                            .setTimeUnixNano(T0)
                            .setAsInt(42)))
            .build();
    Metric queue =
        Metric.newBuilder()
            .setName("queue.size")
            .setSum(
                Sum.newBuilder()
                    .setAggregationTemporality(
                        AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                    .addDataPoints(
                        NumberDataPoint.newBuilder().setTimeUnixNano(T0).setAsDouble(-3.25)))
            .build();
    Metric cpu =
        Metric.newBuilder()
            .setName("cpu.utilization")
            .setUnit("1")
            .setGauge(
                Gauge.newBuilder()
                    .addDataPoints(
                        NumberDataPoint.newBuilder().setTimeUnixNano(T0).setAsDouble(0.5)))
            .build();
    Metric duration =
        Metric.newBuilder()
            .setName("http.server.duration")
            .setUnit("ms")
            .setHistogram(
                Histogram.newBuilder()
                    .setAggregationTemporality(
                        AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                    .addDataPoints(
                        HistogramDataPoint.newBuilder()
                            .setTimeUnixNano(T0)
                            .setCount(6)
                            .setSum(12.5)
                            .setMin(0.5)
                            .setMax(9)
                            .addAllBucketCounts(List.of(1L, 2L, 3L))
                            .addAllExplicitBounds(List.of(1.0, 5.0))
                            .addExemplars(
                                Exemplar.newBuilder().setTimeUnixNano(T0 - 1).setAsInt(7))))
            .build();
    Metric latency =
        Metric.newBuilder()
            .setName("rpc.latency")
            .setUnit("s")
            .setExponentialHistogram(
                ExponentialHistogram.newBuilder()
                    .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                    .addDataPoints(
                        ExponentialHistogramDataPoint.newBuilder()
                            .setTimeUnixNano(T0)
                            .setCount(7)
                            .setSum(3.5)
                            .setMin(0)
                            .setMax(2)
                            .setScale(3)
                            .setZeroCount(1)
                            .setZeroThreshold(0.001)
                            .setPositive(
                                ExponentialHistogramDataPoint.Buckets.newBuilder()
                                    .setOffset(-2)
                                    .addAllBucketCounts(List.of(1L, 0L, 2L)))
                            .setNegative(
                                ExponentialHistogramDataPoint.Buckets.newBuilder()
                                    .setOffset(1)
                                    .addBucketCounts(3))))
            .build();
    Metric pause =
        Metric.newBuilder()
            .setName("gc.pause")
            .setUnit("s")
            .setSummary(
                Summary.newBuilder()
                    .addDataPoints(
                        SummaryDataPoint.newBuilder()
                            .setStartTimeUnixNano(T0 - 1_000)
                            .setTimeUnixNano(T0)
                            .setCount(10)
                            .setSum(100)
                            .addQuantileValues(
                                SummaryDataPoint.ValueAtQuantile.newBuilder()
                                    .setQuantile(0.5).setValue(9))
                            .addQuantileValues(
                                SummaryDataPoint.ValueAtQuantile.newBuilder()
                                    .setQuantile(0.99).setValue(20))))
            .build();
    return List.of(memory, requests, queue, cpu, duration, latency, pause);
  }

  private static ByteString bytes(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }
}

package io.icegate.engine.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.Lake;
import io.icegate.storage.ingest.BatchResult;
import io.icegate.storage.ingest.MetricsBatchBuilder;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQL over the metrics table, whose columns are what the logs table lacks: doubles, booleans,
 * lists. Data (tenant {@code fake}): gauge {@code temperature} 21.5, 23.0, 22.0 at T0, +1 s,
 * +2 s; monotonic sum {@code requests} 5 then 7; histogram {@code latency} with count 6, sum 10,
 * buckets [1, 2, 3] over bounds [0.1, 1.0]. Expected answers are read off these points.
 */
class SqlMetricsTableTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long SECOND = 1_000_000_000L;

  @TempDir static Path dir;
  private static Lake lake;
  private static RootAllocator root;
  private static SqlQueryEngine engine;

  @BeforeAll
  static void load() throws Exception {
    root = new RootAllocator();
    lake = Lake.openLocal(dir, Duration.ofMillis(1));
    engine = new SqlQueryEngine(lake.scanner(), root, 64L << 20, Duration.ofSeconds(30), 1000);
    Gauge temperature =
        Gauge.newBuilder()
            .addDataPoints(point(T0).setAsDouble(21.5))
            .addDataPoints(point(T0 + SECOND).setAsDouble(23.0))
            .addDataPoints(point(T0 + 2 * SECOND).setAsDouble(22.0))
            .build();
    Sum requests =
        Sum.newBuilder()
            .setIsMonotonic(true)
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
            .addDataPoints(point(T0).setAsInt(5))
            .addDataPoints(point(T0 + SECOND).setAsInt(7))
            .build();
    Histogram latency =
        Histogram.newBuilder()
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
            .addDataPoints(
                HistogramDataPoint.newBuilder()
                    .setTimeUnixNano(T0)
                    .setCount(6)
                    .setSum(10)
                    .addBucketCounts(1)
                    .addBucketCounts(2)
                    .addBucketCounts(3)
                    .addExplicitBounds(0.1)
                    .addExplicitBounds(1.0))
            .build();
    BatchResult result =
        MetricsBatchBuilder.build(
            ExportMetricsServiceRequest.newBuilder()
                .addResourceMetrics(
                    ResourceMetrics.newBuilder()
                        .setResource(Resource.newBuilder().addAttributes(attr("service.name", "api")))
                        .addScopeMetrics(
                            ScopeMetrics.newBuilder()
                                .addMetrics(Metric.newBuilder().setName("temperature")
                                    .setGauge(temperature))
                                .addMetrics(Metric.newBuilder().setName("requests")
                                    .setSum(requests))
                                .addMetrics(Metric.newBuilder().setName("latency").setUnit("s")
                                    .setHistogram(latency))))
                .build(),
            "fake", T0, root);
    assertThat(result.rejected()).isZero();
    lake.metricsWal().append("fake", result.batch()).get();
  }

  @AfterAll
  static void close() throws Exception {
    lake.close();
    root.close();
  }

  @AfterEach
  void allocatorIsEmpty() {
    assertThat(root.getAllocatedMemory()).as("Arrow memory left after the query").isZero();
  }

  @Test
  void doublesCompareWithDecimalConstants() {
    assertThat(column("SELECT value_double FROM metrics WHERE otel_metric_name = 'temperature' "
        + "AND value_double > 21.9 ORDER BY \"timestamp\""))
        .containsExactly(23.0, 22.0);
    // 21.5, 23.0, 22.0 by value, largest first; then by a boolean, false first.
    assertThat(column("SELECT value_double FROM metrics WHERE otel_metric_name = 'temperature' "
        + "ORDER BY value_double DESC"))
        .containsExactly(23.0, 22.0, 21.5);
    assertThat(column("SELECT value_double FROM metrics WHERE otel_metric_name = 'temperature' "
        + "ORDER BY value_double > 22.5, value_double"))
        .containsExactly(21.5, 22.0, 23.0);
    assertThat(column("SELECT value_double * 2 FROM metrics "
        + "WHERE otel_metric_name = 'temperature' AND value_double = 21.5"))
        .containsExactly(43.0);
  }

  @Test
  void integersAndBooleans() {
    List<Object[]> rows =
        engine.execute("SELECT value_int, is_monotonic FROM metrics "
            + "WHERE otel_metric_name = 'requests' AND is_monotonic ORDER BY value_int", "fake",
            () -> false).rows();
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0)).containsExactly(5L, true);
    assertThat(rows.get(1)).containsExactly(7L, true);
  }

  @Test
  void aggregatesOverDoublesAndNonStringKeys() {
    List<Object[]> temperature =
        engine.execute("SELECT otel_metric_name, COUNT(*), SUM(value_double), "
            + "AVG(value_double), MAX(value_double) FROM metrics "
            + "WHERE otel_metric_name = 'temperature' GROUP BY otel_metric_name", "fake",
            () -> false).rows();
    // 21.5 + 23.0 + 22.0 = 66.5 over 3 points.
    assertThat(temperature).hasSize(1);
    assertThat(temperature.get(0)).containsExactly("temperature", 3L, 66.5, 66.5 / 3, 23.0);
    List<Object[]> requests =
        engine.execute("SELECT is_monotonic, SUM(value_int) FROM metrics "
            + "WHERE otel_metric_name = 'requests' GROUP BY is_monotonic", "fake",
            () -> false).rows();
    assertThat(requests).hasSize(1);
    assertThat(requests.get(0)).containsExactly(true, 12L);
  }

  @Test
  void listColumnsComeBackAsLists() {
    SqlResult result =
        engine.execute("SELECT bucket_counts, explicit_bounds, \"count\", \"sum\" FROM metrics "
            + "WHERE metric_type = 'histogram'", "fake", () -> false);
    assertThat(result.columns()).extracting(SqlColumn::typeName)
        .containsExactly("ARRAY<BIGINT>", "ARRAY<DOUBLE>", "BIGINT", "DOUBLE");
    assertThat(result.rows()).singleElement().satisfies(row -> assertThat(row)
        .containsExactly(List.of(1L, 2L, 3L), List.of(0.1, 1.0), 6L, 10.0));
  }

  @Test
  void countsPerMetricType() {
    List<Object[]> rows =
        engine.execute("SELECT metric_type, COUNT(*) FROM metrics GROUP BY metric_type "
            + "ORDER BY metric_type", "fake", () -> false).rows();
    assertThat(rows).extracting(r -> r[0] + "=" + r[1])
        .containsExactly("gauge=3", "histogram=1", "sum=2");
    assertThat(engine.execute("SELECT COUNT(*) FROM metrics", "other", () -> false).rows()
        .get(0)).containsExactly(0L);
  }

  private static List<Object> column(String sql) {
    return engine.execute(sql, "fake", () -> false).rows().stream().map(r -> r[0]).toList();
  }

  private static NumberDataPoint.Builder point(long time) {
    return NumberDataPoint.newBuilder().setTimeUnixNano(time);
  }

  private static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}

package io.icegate.engine.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.engine.exec.PlanRunner;
import io.icegate.storage.Lake;
import io.icegate.storage.ingest.BatchResult;
import io.icegate.storage.ingest.MetricsBatchBuilder;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quantiles, per-group top N, count_values and exact parallel sums through the real parser,
 * planner, WAL scans and operators. Gauge {@code g} (tenant {@code fake}), by service, appended
 * in two segments so that scans run split by split on two threads:
 *
 * <pre>
 *   service  segment 1      segment 2
 *   api      4, 1           3, 2
 *   db       NaN, 10        +Inf, 10
 *   web      5              -
 * </pre>
 *
 * Sum {@code big} (value_int): Long.MAX_VALUE and 5 in segment 1, -10 in segment 2. Every
 * expected answer below is worked out by hand from these points.
 */
class SqlQuantileTopKTest {
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
    engine =
        new SqlQueryEngine(
            lake.scanner(),
            new PlanRunner(lake.scanner(), root, 64L << 20, Duration.ofSeconds(30), 2),
            1000);
    append(List.of(gauge("api", 4, 1), gauge("db", Double.NaN, 10), gauge("web", 5),
        big(Long.MAX_VALUE, 5)));
    append(List.of(gauge("api", 3, 2), gauge("db", Double.POSITIVE_INFINITY, 10), big(-10)));
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
  void percentileContInterpolatesWithNaNSortingLast() {
    // api 1,2,3,4: rank 0.5·3 = 1.5 → 2.5, rank 0.25·3 = 0.75 → 1.75. db sorted as SQL sorts:
    // 10, 10, +Inf, NaN: rank 1.5 → halfway from 10 to +Inf = +Inf, rank 0.75 → 10. web: 5.
    assertThat(rows("SELECT service_name, "
        + "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY value_double), "
        + "PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY value_double) FROM metrics "
        + "WHERE otel_metric_name = 'g' GROUP BY service_name ORDER BY service_name"))
        .containsExactly("api|2.5|1.75", "db|Infinity|10.0", "web|5.0|5.0");
  }

  @Test
  void percentileDiscPicksTheFirstValueWhoseShareReachesTheFraction() {
    // ⌈φ·n⌉ − 1 of the ascending values: api φ 0.5 → index 1 (2), 0.25 → 0 (1), 1 → 3 (4);
    // db (10, 10, +Inf, NaN): 0.5 → 10, 0.75 → +Inf, 1 → NaN.
    assertThat(rows("SELECT service_name, "
        + "PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY value_double), "
        + "PERCENTILE_DISC(0.25) WITHIN GROUP (ORDER BY value_double), "
        + "PERCENTILE_DISC(0.75) WITHIN GROUP (ORDER BY value_double), "
        + "PERCENTILE_DISC(1) WITHIN GROUP (ORDER BY value_double) FROM metrics "
        + "WHERE otel_metric_name = 'g' GROUP BY service_name ORDER BY service_name"))
        .containsExactly("api|2.0|1.0|3.0|4.0", "db|10.0|10.0|Infinity|NaN",
            "web|5.0|5.0|5.0|5.0");
    // Over integers the value itself comes back, exactly.
    assertThat(rows("SELECT PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY value_int) "
        + "FROM metrics WHERE otel_metric_name = 'big'"))
        .containsExactly("5");
  }

  @Test
  void quantileHasPrometheusSemantics() {
    // PromQL sorts NaN first: db is NaN, 10, 10, +Inf. φ 0.5 → rank 1.5 → 10; φ 0.25 → rank
    // 0.75 → between NaN and 10 → NaN; φ above 1 → +Inf, below 0 → -Inf, NaN → NaN.
    assertThat(rows("SELECT service_name, QUANTILE(0.5, value_double), "
        + "QUANTILE(0.25, value_double), QUANTILE(2, value_double), "
        + "QUANTILE(-1, value_double), QUANTILE(CAST('NaN' AS DOUBLE), value_double) "
        + "FROM metrics WHERE otel_metric_name = 'g' GROUP BY service_name "
        + "ORDER BY service_name"))
        .containsExactly("api|2.5|1.75|Infinity|-Infinity|NaN",
            "db|10.0|NaN|Infinity|-Infinity|NaN", "web|5.0|5.0|Infinity|-Infinity|NaN");
  }

  @Test
  void quantilesOverNoValueAreNull() {
    // value_double is NULL on the integer sum's rows; the other tenant has no rows at all.
    assertThat(rows("SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY value_double), "
        + "QUANTILE(0.5, value_double) FROM metrics WHERE otel_metric_name = 'big'"))
        .containsExactly("null|null");
    List<Object[]> other = engine.execute("SELECT PERCENTILE_DISC(0.5) WITHIN GROUP "
        + "(ORDER BY value_double) FROM metrics", "other", () -> false).rows();
    assertThat(other).singleElement().satisfies(r -> assertThat(r).containsExactly((Object) null));
  }

  @Test
  void percentileFractionOutsideZeroToOneIsAnError() {
    assertThatThrownBy(() -> rows("SELECT PERCENTILE_CONT(1.5) WITHIN GROUP "
        + "(ORDER BY value_double) FROM metrics"))
        .isInstanceOf(SqlQueryException.class)
        .hasMessageContaining("between 0 and 1");
  }

  @Test
  void quantilesRunWholeAboveTheGather() {
    String plan = rows("EXPLAIN PLAN FOR SELECT service_name, "
        + "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY value_double) FROM metrics "
        + "GROUP BY service_name").get(0);
    assertThat(plan).startsWith("ArrowAggregate(group=[{0}]").doesNotContain("phase");
    assertThat(plan.lines().skip(1).findFirst().orElse("")).contains("ArrowGather");
  }

  @Test
  void countValuesIsAGroupByOverThePromQLFormattedValue() {
    // count_values("v", g) by (service): the values as PromQL writes them into a label.
    assertThat(rows("SELECT service_name, PROMQL_FORMAT(value_double) AS v, COUNT(*) "
        + "FROM metrics WHERE otel_metric_name = 'g' "
        + "GROUP BY service_name, PROMQL_FORMAT(value_double) ORDER BY 1, 2"))
        .containsExactly("api|1|1", "api|2|1", "api|3|1", "api|4|1", "db|+Inf|1", "db|10|2",
            "db|NaN|1", "web|5|1");
    // Shortest round-trip digits and never an exponent: 1e-06 and 5e+07 in Go's %v.
    assertThat(rows("SELECT PROMQL_FORMAT(value_double / 1000000), "
        + "PROMQL_FORMAT(value_double * 10000000) FROM metrics "
        + "WHERE otel_metric_name = 'g' AND service_name = 'web'"))
        .containsExactly("0.000005|50000000");
  }

  @Test
  void integerSumIsExactAcrossSplitsWhoseOwnSumsLeaveBigint() {
    // Segment 1 sums to MAX + 5 (outside BIGINT), segment 2 to -10: the total MAX - 5 fits.
    String sql = "SELECT SUM(value_int), COUNT(value_int) FROM metrics "
        + "WHERE otel_metric_name = 'big'";
    assertThat(rows("EXPLAIN PLAN FOR " + sql).get(0)).contains("phase=[final]");
    assertThat(rows(sql)).containsExactly((Long.MAX_VALUE - 5) + "|3");
    SqlQueryEngine serial =
        new SqlQueryEngine(
            lake.scanner(),
            new PlanRunner(lake.scanner(), root, 64L << 20, Duration.ofSeconds(30), 1),
            1000);
    assertThat(serial.execute(sql, "fake", () -> false).rows().get(0))
        .containsExactly(Long.MAX_VALUE - 5, 3L);
    // A total that does not fit is still an error.
    assertThatThrownBy(() -> rows("SELECT SUM(value_int) FROM metrics "
        + "WHERE otel_metric_name = 'big' AND value_int > 0"))
        .isInstanceOf(SqlQueryException.class)
        .hasMessageContaining("out of range");
  }

  @Test
  void rowNumberPerGroupKeepsTheTopRowsOfEachGroup() {
    // Descending as SQL sorts: NaN first. api 4, 3; db NaN, +Inf; web 5.
    String sql = "SELECT service_name, value_double, rn FROM (SELECT service_name, "
        + "value_double, ROW_NUMBER() OVER (PARTITION BY service_name "
        + "ORDER BY value_double DESC) AS rn FROM metrics WHERE otel_metric_name = 'g') "
        + "WHERE rn <= 2 ORDER BY service_name, rn";
    assertThat(rows(sql))
        .containsExactly("api|4.0|1", "api|3.0|2", "db|NaN|1", "db|Infinity|2", "web|5.0|1");
    // Each split keeps its own top 2 per service below the gather; the node above merges them.
    assertThat(rows("EXPLAIN PLAN FOR " + sql).get(0))
        .containsSubsequence("ArrowTopNPerGroup(", "ArrowGather", "ArrowTopNPerGroup(",
            "phase=[per split]");
    // Ascending, rn < 2, with another condition on the outer query and rn not selected.
    assertThat(rows("SELECT service_name, value_double FROM (SELECT service_name, "
        + "value_double, ROW_NUMBER() OVER (PARTITION BY service_name "
        + "ORDER BY value_double) AS rn FROM metrics WHERE otel_metric_name = 'g') "
        + "WHERE rn < 2 AND service_name <> 'web' ORDER BY service_name"))
        .containsExactly("api|1.0", "db|10.0");
  }

  @Test
  void rowNumberPutsNullsWhereSqlDoes() {
    // One group (no PARTITION BY) over every row: value_double is NULL on big's three rows. By
    // default NULLs sort as greater than every value (PostgreSQL's order): first when
    // descending, last ascending; NaN is the greatest number.
    String first = "SELECT value_double FROM (SELECT value_double, "
        + "ROW_NUMBER() OVER (ORDER BY value_double %s) AS rn FROM metrics) WHERE rn <= 1";
    assertThat(rows(String.format(first, "DESC"))).containsExactly("null");
    assertThat(rows(String.format(first, "DESC NULLS LAST"))).containsExactly("NaN");
    assertThat(rows(String.format(first, "ASC"))).containsExactly("1.0");
    assertThat(rows(String.format(first, "ASC NULLS FIRST"))).containsExactly("null");
  }

  @Test
  void otherWindowFunctionsAreStillRefused() {
    assertThatThrownBy(() -> rows("SELECT service_name, RANK() OVER (PARTITION BY "
        + "service_name ORDER BY value_double) FROM metrics"))
        .isInstanceOf(SqlQueryException.class)
        .hasMessageContaining("window functions");
  }

  @Test
  void parallelPlansAnswerAsSerialOnes() {
    SqlQueryEngine serial =
        new SqlQueryEngine(
            lake.scanner(),
            new PlanRunner(lake.scanner(), root, 64L << 20, Duration.ofSeconds(30), 1),
            1000);
    for (String sql : List.of(
        "SELECT service_name, PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY value_double), "
            + "QUANTILE(0.9, value_double), SUM(value_double), COUNT(*) FROM metrics "
            + "WHERE otel_metric_name = 'g' GROUP BY service_name ORDER BY service_name",
        "SELECT service_name, value_double, rn FROM (SELECT service_name, value_double, "
            + "ROW_NUMBER() OVER (PARTITION BY service_name ORDER BY value_double) AS rn "
            + "FROM metrics WHERE otel_metric_name = 'g') WHERE rn <= 3 "
            + "ORDER BY service_name, rn")) {
      List<String> expected = new ArrayList<>();
      for (Object[] row : serial.execute(sql, "fake", () -> false).rows()) {
        expected.add(String.join("|", Arrays.stream(row).map(String::valueOf).toList()));
      }
      assertThat(rows(sql)).as(sql).isEqualTo(expected).isNotEmpty();
    }
  }

  // ------------------------------------------------------------------ fixtures

  private static List<String> rows(String sql) {
    List<String> out = new ArrayList<>();
    for (Object[] row : engine.execute(sql, "fake", () -> false).rows()) {
      out.add(String.join("|", Arrays.stream(row).map(String::valueOf).toList()));
    }
    return out;
  }

  private static void append(List<ResourceMetrics> resources) throws Exception {
    BatchResult result =
        MetricsBatchBuilder.build(
            ExportMetricsServiceRequest.newBuilder().addAllResourceMetrics(resources).build(),
            "fake", T0, root);
    assertThat(result.rejected()).isZero();
    lake.metricsWal().append("fake", result.batch()).get();
  }

  private static ResourceMetrics gauge(String service, double... values) {
    Gauge.Builder gauge = Gauge.newBuilder();
    for (int i = 0; i < values.length; i++) {
      gauge.addDataPoints(point(T0 + i * SECOND).setAsDouble(values[i]));
    }
    return resource(service, Metric.newBuilder().setName("g").setGauge(gauge).build());
  }

  private static ResourceMetrics big(long... values) {
    Sum.Builder sum =
        Sum.newBuilder()
            .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA);
    for (int i = 0; i < values.length; i++) {
      sum.addDataPoints(point(T0 + i * SECOND).setAsInt(values[i]));
    }
    return resource("batch", Metric.newBuilder().setName("big").setSum(sum).build());
  }

  private static ResourceMetrics resource(String service, Metric metric) {
    return ResourceMetrics.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(attr("service.name", service)))
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(metric))
        .build();
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

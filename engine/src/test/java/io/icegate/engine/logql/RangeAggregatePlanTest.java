package io.icegate.engine.logql;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.engine.logql.range.RangeAggregateSpec;
import io.icegate.engine.rel.ArrowFilter;
import io.icegate.engine.rel.ArrowGather;
import io.icegate.engine.rel.ArrowLogPipeline;
import io.icegate.engine.rel.ArrowProject;
import io.icegate.engine.rel.ArrowRangeAggregate;
import io.icegate.engine.rel.ArrowRel;
import io.icegate.engine.rel.ArrowTableScan;
import io.icegate.engine.plan.QueryOptimizer;
import io.icegate.engine.promql.QueryResult;
import io.icegate.engine.series.Series;
import io.icegate.logql.LogQL;
import io.icegate.logql.ast.Grouping;
import io.icegate.logql.ast.RangeAggregationExpr;
import io.icegate.logql.ast.SampleExpr;
import io.icegate.storage.Lake;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.memory.RootAllocator;
import org.apache.calcite.rel.RelNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A metric query's range aggregation as a plan node: {@link ArrowRangeAggregate} above the gather
 * of the parallel scan, with the filters, projection and pipeline below it and the tenant and
 * time bounds pushed into the scan. The data, seconds after T0 (grid T0 … T0+40s every 10 s,
 * windows {@code (t − 10s, t]}): api "error a" at 0, "ok" and "error b" at 10; worker "error c"
 * at 20.
 */
class RangeAggregatePlanTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long SECOND = 1_000_000_000L;
  private static final MetricQueryRange GRID =
      new MetricQueryRange("fake", T0, T0 + 40 * SECOND, 10 * SECOND);
  private static final String ERRORS_BY_SERVICE =
      "sum by (service_name) (count_over_time({deployment_environment=\"prod\"}"
          + " |= \"error\" [10s]))";

  @TempDir static Path dir;
  private static Lake lake;
  private static RootAllocator root;
  private static LogQueryEngine engine;

  @BeforeAll
  static void loadData() throws Exception {
    root = new RootAllocator();
    lake = Lake.openLocal(dir, Duration.ofMillis(1));
    engine = new LogQueryEngine(lake.scanner(), root, 64L << 20, Duration.ofSeconds(30));
    append(request("api", record(0, "error a"), record(10, "ok"), record(10, "error b")));
    append(request("worker", record(20, "error c")));
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
  void theRangeAggregateSitsAboveTheGatherWithThePushdownBelowIt() {
    RangeAggregationExpr count =
        (RangeAggregationExpr)
            LogQL.parse("count_over_time({deployment_environment=\"prod\"} |= \"error\" [10s])");
    RangeAggregateSpec spec =
        new RangeAggregateSpec(
            count, new Grouping(false, List.of("service_name")), T0, 10 * SECOND, 5);

    ArrowRel plan = engine.rangePlan(spec, GRID);

    assertThat(plan).isInstanceOf(ArrowRangeAggregate.class);
    RelNode gather = plan.getInput(0);
    assertThat(gather).isInstanceOf(ArrowGather.class);
    RelNode pipeline = gather.getInput(0);
    assertThat(pipeline).isInstanceOf(ArrowLogPipeline.class);
    assertThat(pipeline.getInput(0)).isInstanceOf(ArrowProject.class);
    RelNode filter = pipeline.getInput(0).getInput(0);
    assertThat(filter).isInstanceOf(ArrowFilter.class);
    ArrowTableScan scan = (ArrowTableScan) filter.getInput(0);
    // The windows of steps T0 … T0+40s cover (T0 − 10s, T0 + 40s]: [T0 − 10s + 1ns, T0 + 40s + 1ns).
    assertThat(scan.bounds().tenant()).isEqualTo("fake");
    assertThat(scan.bounds().startNanos()).isEqualTo(T0 - 10 * SECOND + 1);
    assertThat(scan.bounds().endNanos()).isEqualTo(T0 + 40 * SECOND + 1);
    assertThat(plan.getRowType().getFieldNames()).containsExactly("labels", "step", "value");
    assertThat(QueryOptimizer.explain(plan))
        .startsWith(
            "ArrowRangeAggregate(op=[count_over_time], range=[10s],"
                + " grouping=[by (service_name)], steps=[5 x 10s from 2023-11-14T22:13:20Z])\n"
                + "  ArrowGather(order=[any])\n")
        .contains("CONTAINS_SUBSTRING");
  }

  @Test
  void anAggregationThatDependsOnArrivalOrderKeepsTheSplitOrder() {
    RangeAggregationExpr first =
        (RangeAggregationExpr)
            LogQL.parse(
                "first_over_time({deployment_environment=\"prod\"} | logfmt | unwrap lat [10s]"
                    + " offset 5s)");
    RangeAggregateSpec spec = new RangeAggregateSpec(first, null, T0, 10 * SECOND, 5);

    String explain = QueryOptimizer.explain(engine.rangePlan(spec, GRID));

    assertThat(explain)
        .startsWith(
            "ArrowRangeAggregate(op=[first_over_time], range=[10s], offset=[5s], unwrap=[lat],"
                + " steps=[5 x 10s from 2023-11-14T22:13:20Z])\n"
                + "  ArrowGather\n"
                + "    ArrowLogPipeline(stages=[| logfmt])");
  }

  @Test
  void theQueryRunsThroughTheNodeWhichExplainAnalyzeShows() {
    SampleExpr expr = (SampleExpr) LogQL.parse(ERRORS_BY_SERVICE);

    QueryResult value = engine.metric(expr, GRID, () -> false).value();
    String analyzed = engine.explainMetric(expr, GRID, true, () -> false);

    // api: "error a" at 0 s in the window of step 0; "error b" at 10 s in that of step 10 s only.
    assertThat(points(value))
        .isEqualTo(
            Map.of(
                "{service_name=\"api\"}", Map.of(0L, 1.0, 10L, 1.0),
                "{service_name=\"worker\"}", Map.of(20L, 1.0)));
    // Three rows come out of the node: (api, 0 s), (api, 10 s), (worker, 20 s).
    assertThat(analyzed.lines().filter(l -> l.startsWith("ArrowRangeAggregate(")))
        .singleElement()
        .satisfies(l -> assertThat(l).contains("rows=3 ").contains("time="));
  }

  /** Series label set → (seconds after T0 → value), stale markers left out. */
  private static Map<String, Map<Long, Double>> points(QueryResult value) {
    Map<String, Map<Long, Double>> out = new TreeMap<>();
    for (Series s : ((QueryResult.MatrixResult) value).series()) {
      Map<Long, Double> points = new TreeMap<>();
      for (int i = 0; i < s.size(); i++) {
        points.put((s.timestamps()[i] * 1_000_000L - T0) / SECOND, s.values()[i]);
      }
      out.put(s.labels().toString(), points);
    }
    return out;
  }

  private static void append(ExportLogsServiceRequest request) throws Exception {
    var built = LogsBatchBuilder.build(request, "fake", T0, root);
    lake.logsWal().append("fake", built.batch()).get();
  }

  private static LogRecord record(long seconds, String body) {
    return LogRecord.newBuilder()
        .setTimeUnixNano(T0 + seconds * SECOND)
        .setBody(AnyValue.newBuilder().setStringValue(body))
        .build();
  }

  private static ExportLogsServiceRequest request(String service, LogRecord... records) {
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(kv("service.name", service))
                        .addAttributes(kv("deployment.environment", "prod")))
                .addScopeLogs(ScopeLogs.newBuilder().addAllLogRecords(List.of(records))))
        .build();
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}

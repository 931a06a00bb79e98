package io.icegate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.engine.logql.LogMetricResult;
import io.icegate.engine.logql.LogQueryEngine;
import io.icegate.engine.logql.MetricQueryRange;
import io.icegate.engine.promql.QueryResult;
import io.icegate.engine.series.Series;
import io.icegate.logql.LogQL;
import io.icegate.logql.ast.SampleExpr;
import io.icegate.storage.Lake;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A metric query grouping by a label the json stage extracts, where the same name is also
 * structured metadata from a resource or scope attribute: as in Loki, the metadata keeps the name
 * and json's value becomes {@code status_extracted}, so the series split by the attribute. The
 * data (seconds after T0, line), each service its own stream:
 *
 * <pre>
 * api    (resource attribute status=res): 0 {"status":200}   10 {"status":500}   10 not json
 * web    (scope attribute status=scp):    0 {"status":500}
 * worker (no attribute):                  0 {"status":200}   10 {"status":"a\u0062c"} (abc)
 * </pre>
 *
 * Windows {@code (t−10s, t]} on the steps 0 and 10 s; expectations worked out by hand.
 */
class LogMetricJsonQueryTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long SECOND = 1_000_000_000L;

  @TempDir static Path dir;
  private static Lake lake;
  private static RootAllocator root;
  private static LogQueryEngine engine;

  @BeforeAll
  static void loadData() throws Exception {
    root = new RootAllocator();
    lake = Lake.openLocal(dir, Duration.ofMillis(1));
    engine = new LogQueryEngine(lake.scanner(), root, 64L << 20, Duration.ofSeconds(30));
    append(request("api", kv("status", "res"), null,
        record(T0, "{\"status\":200}"),
        record(T0 + 10 * SECOND, "{\"status\":500}"),
        record(T0 + 10 * SECOND, "level=info status=500")));
    append(request("web", null, kv("status", "scp"), record(T0, "{\"status\":500}")));
    append(request("worker", null, null,
        record(T0, "{\"status\":200}"),
        record(T0 + 10 * SECOND, "{\"status\":\"a\\u0062c\"}")));
    // Another environment: log attributes of one length that differ from row to row.
    ExportLogsServiceRequest dev = request("batch", null, null,
        record(T0, "{\"status\":1}").toBuilder().addAttributes(kv("status", "aaa")).build(),
        record(T0 + 10 * SECOND, "{\"status\":1}").toBuilder()
            .addAttributes(kv("status", "bbb")).build(),
        record(T0 + 10 * SECOND, "{\"status\":1}").toBuilder()
            .addAttributes(kv("status", "aaa")).build());
    ExportLogsServiceRequest.Builder devEnv = dev.toBuilder();
    devEnv.getResourceLogsBuilder(0).getResourceBuilder()
        .setAttributes(1, kv("deployment.environment", "dev"));
    append(devEnv.build());
    // A third: consecutive rows whose attribute keys and values have the same bytes all told
    // ("status" "x"; "ab" "c" against "a" "bc"), split differently.
    ExportLogsServiceRequest stage = request("split", null, null,
        record(T0, "{\"status\":1}").toBuilder()
            .addAttributes(kv("status", "ab")).addAttributes(kv("x", "c")).build(),
        record(T0 + 10 * SECOND, "{\"status\":1}").toBuilder()
            .addAttributes(kv("status", "a")).addAttributes(kv("x", "bc")).build(),
        record(T0 + 10 * SECOND, "{\"status\":1}").toBuilder()
            .addAttributes(kv("status", "ab")).addAttributes(kv("x", "c")).build());
    ExportLogsServiceRequest.Builder stageEnv = stage.toBuilder();
    stageEnv.getResourceLogsBuilder(0).getResourceBuilder()
        .setAttributes(1, kv("deployment.environment", "stage"));
    append(stageEnv.build());
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
  void attributeMetadataOfTheGroupedNameWinsOverTheJsonKey() {
    assertThat(range("sum by (status) (count_over_time("
            + "{deployment_environment=\"prod\"} | json | __error__=\"\" [10s]))"))
        .isEqualTo(Map.of(
            "{status=\"res\"}", Map.of(0L, 1.0, 10L, 1.0),
            "{status=\"scp\"}", Map.of(0L, 1.0),
            "{status=\"200\"}", Map.of(0L, 1.0),
            "{status=\"abc\"}", Map.of(10L, 1.0)));
    // The json key under its suffixed name.
    assertThat(range("sum by (status_extracted) (count_over_time("
            + "{deployment_environment=\"prod\"} | json | __error__=\"\" [10s]))"))
        .isEqualTo(Map.of(
            "{status_extracted=\"200\"}", Map.of(0L, 1.0),
            "{status_extracted=\"500\"}", Map.of(0L, 1.0, 10L, 1.0),
            "{}", Map.of(0L, 1.0, 10L, 1.0)));
  }

  @Test
  void logAttributesThatDifferFromRowToRowSplitTheSeries() {
    assertThat(range("sum by (status) (count_over_time("
            + "{deployment_environment=\"dev\"} | json | __error__=\"\" [10s]))"))
        .isEqualTo(Map.of(
            "{status=\"aaa\"}", Map.of(0L, 1.0, 10L, 1.0),
            "{status=\"bbb\"}", Map.of(10L, 1.0)));
  }

  @Test
  void attributesOfEqualBytesSplitDifferentlyAreDifferentRows() {
    assertThat(range("sum by (status) (count_over_time("
            + "{deployment_environment=\"stage\"} | json | __error__=\"\" [10s]))"))
        .isEqualTo(Map.of(
            "{status=\"ab\"}", Map.of(0L, 1.0, 10L, 1.0),
            "{status=\"a\"}", Map.of(10L, 1.0)));
  }

  @Test
  void labelFilterOnTheJsonKeyAfterTheErrorFilter() {
    // status >= 500 reads the metadata where there is some: "res" and "scp" don't convert, so
    // those entries pass with LabelFilterErr and the second error filter drops them.
    assertThat(range("sum by (service_name) (count_over_time({deployment_environment=\"prod\"}"
            + " | json | __error__=\"\" | status >= 500 | __error__=\"\" [10s]))"))
        .isEmpty();
    assertThat(range("sum by (service_name) (count_over_time({deployment_environment=\"prod\"}"
            + " | json | __error__=\"\" | status_extracted >= 500 [10s]))"))
        .isEqualTo(Map.of(
            "{service_name=\"api\"}", Map.of(10L, 1.0),
            "{service_name=\"web\"}", Map.of(0L, 1.0)));
  }

  @Test
  void recordColumnsAreReadOnlyWhenAKeptEntryMayCarryAnError() {
    // Every kept entry is error-free: the plan reads no record column but the attribute maps.
    String clean = explain("sum by (status) (count_over_time("
        + "{deployment_environment=\"prod\"} | json | __error__=\"\" [10s]))");
    assertThat(clean).contains("log_attributes", "scope_attributes", "resource_attributes")
        .doesNotContain("trace_id", "severity_text", "flags");
    // A comparison after the error filter may set LabelFilterErr: such an entry's series error
    // lists all its labels, so every metadata column is read.
    String mayErr = explain("sum by (service_name) (count_over_time("
        + "{deployment_environment=\"prod\"} | json | __error__=\"\" | status >= 500 [10s]))");
    assertThat(mayErr).contains("trace_id", "severity_text", "flags", "resource_attributes");
  }

  @Test
  void theLineIsReadOnlyWhereSomethingReadsIt() {
    // Counting reads no line: not with the metadata a grouping needs, nor without.
    assertThat(scanColumns("sum by (service_name) (count_over_time("
            + "{deployment_environment=\"prod\"} [10s]))"))
        .contains("stream_labels", "resource_attributes").doesNotContain("body");
    assertThat(scanColumns("sum(count_over_time({deployment_environment=\"prod\"} [10s]))"))
        .doesNotContain("body");
    // Every label, or detected_level, is read: the level may come from the line.
    assertThat(scanColumns("count_over_time({deployment_environment=\"prod\"} [10s])"))
        .contains("body");
    assertThat(scanColumns("sum by (detected_level) (count_over_time("
            + "{deployment_environment=\"prod\"} [10s]))"))
        .contains("body");
    // The bytes aggregations read its length, line filters and stages the line itself.
    assertThat(scanColumns("sum(bytes_over_time({deployment_environment=\"prod\"} [10s]))"))
        .contains("body");
    assertThat(scanColumns("sum(count_over_time({deployment_environment=\"prod\"}"
            + " |= \"status\" [10s]))"))
        .contains("body");
    assertThat(scanColumns("sum(count_over_time({deployment_environment=\"prod\"}"
            + " | json [10s]))"))
        .contains("body");
    // Without stages, a grouping reads only the record columns its labels may come from: the
    // attribute maps, not trace ids, severities or flags.
    assertThat(scanColumns("sum by (service_name) (count_over_time("
            + "{deployment_environment=\"prod\"} [10s]))"))
        .doesNotContain("trace_id", "severity_text", "flags");
    assertThat(scanColumns("sum by (trace_id) (count_over_time("
            + "{deployment_environment=\"prod\"} [10s]))"))
        .contains("trace_id").doesNotContain("severity_text", "flags");
    // status is structured metadata here: api's from its resource, web's from its scope.
    assertThat(range("sum by (status) (count_over_time("
            + "{deployment_environment=\"prod\"} [10s]))"))
        .isEqualTo(Map.of(
            "{status=\"res\"}", Map.of(0L, 1.0, 10L, 2.0),
            "{status=\"scp\"}", Map.of(0L, 1.0),
            "{}", Map.of(0L, 1.0, 10L, 1.0)));
    // And the counts are the lines': api 3 (one at 0 s, two at 10 s), web 1, worker 2.
    assertThat(range("sum by (service_name) (count_over_time("
            + "{deployment_environment=\"prod\"} [10s]))"))
        .isEqualTo(Map.of(
            "{service_name=\"api\"}", Map.of(0L, 1.0, 10L, 2.0),
            "{service_name=\"web\"}", Map.of(0L, 1.0),
            "{service_name=\"worker\"}", Map.of(0L, 1.0, 10L, 1.0)));
    assertThat(range("sum(bytes_over_time({deployment_environment=\"prod\"} [10s]))"))
        .isEqualTo(Map.of("{}", Map.of(
            0L, (double) ("{\"status\":200}".length() * 2 + "{\"status\":500}".length()),
            10L, (double) ("{\"status\":500}".length() + "level=info status=500".length()
                + "{\"status\":\"a\\u0062c\"}".length()))));
  }

  /** The columns the plan's scan reads: its explain line's {@code columns=[[…]]}. */
  private static String scanColumns(String query) {
    String plan = explain(query);
    int scan = plan.indexOf("ArrowTableScan(");
    assertThat(scan).as(plan).isPositive();
    int from = plan.indexOf("columns=[[", scan);
    return plan.substring(from, plan.indexOf("]]", from));
  }

  private static String explain(String query) {
    return engine.explainMetric(
        (SampleExpr) LogQL.parse(query),
        new MetricQueryRange("fake", T0, T0 + 10 * SECOND, 10 * SECOND), false, () -> false);
  }

  private static Map<String, Map<Long, Double>> range(String query) {
    SampleExpr expr = (SampleExpr) LogQL.parse(query);
    LogMetricResult result =
        engine.metric(
            expr, new MetricQueryRange("fake", T0, T0 + 10 * SECOND, 10 * SECOND), () -> false);
    Map<String, Map<Long, Double>> out = new TreeMap<>();
    for (Series s : ((QueryResult.MatrixResult) result.value()).series()) {
      Map<Long, Double> points = new TreeMap<>();
      for (int i = 0; i < s.size(); i++) {
        points.put((s.timestamps()[i] - T0 / 1_000_000) / 1000, s.values()[i]);
      }
      out.put(s.labels().toString(), points);
    }
    return out;
  }

  private static void append(ExportLogsServiceRequest request) throws Exception {
    var built = LogsBatchBuilder.build(request, "fake", T0, root);
    lake.logsWal().append("fake", built.batch()).get();
  }

  private static LogRecord record(long time, String body) {
    return LogRecord.newBuilder()
        .setTimeUnixNano(time)
        .setBody(AnyValue.newBuilder().setStringValue(body))
        .build();
  }

  private static ExportLogsServiceRequest request(
      String service, KeyValue resourceExtra, KeyValue scopeAttribute, LogRecord... records) {
    Resource.Builder resource =
        Resource.newBuilder()
            .addAttributes(kv("service.name", service))
            .addAttributes(kv("deployment.environment", "prod"));
    if (resourceExtra != null) {
      resource.addAttributes(resourceExtra);
    }
    ScopeLogs.Builder scope = ScopeLogs.newBuilder().addAllLogRecords(List.of(records));
    if (scopeAttribute != null) {
      scope.setScope(InstrumentationScope.newBuilder().addAttributes(scopeAttribute));
    }
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder().setResource(resource).addScopeLogs(scope))
        .build();
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}

package io.icegate.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.icegate.engine.exec.QueryCancelledException;
import io.icegate.engine.logql.LogQueryEngine;
import io.icegate.engine.logql.LogQueryRange;
import io.icegate.engine.rel.ArrowFilter;
import io.icegate.engine.rel.ArrowGather;
import io.icegate.engine.rel.ArrowRel;
import io.icegate.engine.rel.ArrowSort;
import io.icegate.engine.rel.ArrowTableScan;
import io.icegate.logql.LogQL;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.protocol.loki.Direction;
import io.icegate.protocol.loki.LokiEntry;
import io.icegate.protocol.loki.LokiStream;
import io.icegate.storage.Lake;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.table.LogsTable;
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
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;
import org.apache.calcite.rel.RelNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LogQL path below the HTTP layer: plans contain the expected scan, pushdown and filter, and
 * the Arrow operators return Loki's answer; every query leaves its allocator empty.
 */
class LogQueryEngineTest {
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
    append("fake", request("checkout", "prod",
        line(T0, "GET /cart 200"),
        line(T0 + SECOND, "POST /pay 500 error"),
        line(T0 + 2 * SECOND, "GET /cart 200 slow")));
    append("fake", request("search", "dev",
        line(T0 + 3 * SECOND, "query ok"),
        line(T0 + 4 * SECOND, "query error timeout")));
    append("other", request("checkout", "prod", line(T0, "other tenant's line")));
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
  void planPushesTenantTimeAndOnlyNeededColumnsIntoTheScan() {
    String plan = engine.explain(parse("{service_name=\"checkout\"} |= \"error\""), range(10));
    assertThat(plan)
        .contains("ArrowSort")
        .contains("ArrowFilter")
        .contains("LABEL_VALUE")
        .contains("CONTAINS_SUBSTRING")
        .contains("ArrowTableScan")
        .contains("pushed=[tenant=fake, time=[" + T0 + ", " + (T0 + 60 * SECOND)
            + "), {service_name=checkout}]");
    ArrowTableScan scan =
        findScan(engine.physicalPlan(parse("{deployment_environment=\"prod\"}"), range(10)));
    // Structured metadata (the OTLP record fields and log attributes) is part of every entry's
    // output labels, as in Loki, so a plain selector reads those columns too.
    assertThat(scan.getRowType().getFieldNames())
        .containsExactlyInAnyOrder(
            "tenant_id", "timestamp", "body", "stream_labels", "trace_id", "span_id",
            "severity_text", "severity_number", "log_attributes", "flags",
            "dropped_attributes_count", "scope_attributes", "resource_attributes", "event_name",
            "scope_name", "scope_version");
    assertThat(scan.bounds().equalities()).isEmpty();
  }

  @Test
  void filterRunsAsAnArrowOperatorBelowTheSort() {
    ArrowRel plan = engine.physicalPlan(parse("{service_name=~\"check.*\"} != \"200\""), range(10));
    assertThat(plan).isInstanceOf(ArrowSort.class);
    assertThat(descendants(plan)).anyMatch(r -> r instanceof ArrowFilter);
    assertThat(descendants(plan)).allMatch(r -> r instanceof ArrowRel);
  }

  @Test
  void explainAnalyzeCountsWhatEachNodeProduced() {
    String text =
        engine.explainAnalyze(parse("{service_name=~\".+\"} |= \"error\""), range(10), () -> false);
    // Five lines in the tenant's window, two contain "error", both within the limit. (With a
    // limit below two, how much the top-N's cut-off saves depends on the threads' timing.)
    List<String> lines = text.lines().toList();
    assertThat(lines.get(0)).startsWith("ArrowSort").contains("rows=2 ");
    assertThat(lines).anyMatch(l -> l.trim().startsWith("ArrowFilter") && l.contains("rows=2 "));
    // The filter reads inside the scan (late materialization): the scan's rows are the totals'.
    assertThat(lines)
        .anyMatch(l -> l.trim().startsWith("ArrowTableScan") && l.contains("read by the filter"));
    assertThat(lines)
        .allMatch(l -> l.startsWith("scanned:") || l.contains("time=")
            || l.trim().startsWith("ArrowTableScan"));
    assertThat(lines.get(lines.size() - 1)).startsWith("scanned:").contains("5 rows");
  }

  @Test
  void scanAndFiltersRunSplitBySplitUnderOneGatherBelowTheSort() {
    // A pipeline stage that may drop entries keeps the pipeline below the gather, per split.
    ArrowRel plan =
        engine.physicalPlan(parse("{service_name=~\"check.*\"} != \"200\" | logfmt | a=\"b\""),
            range(10));
    // Each split keeps its own top N of what its pipeline passes; the sort above merges them.
    RelNode gather = plan.getInput(0);
    assertThat(gather).isInstanceOf(ArrowGather.class);
    assertThat(gather.getInput(0)).isInstanceOf(ArrowSort.class);
    assertThat(descendants(gather.getInput(0).getInput(0)))
        .noneMatch(r -> r instanceof ArrowGather || r instanceof ArrowSort)
        .anyMatch(r -> r instanceof io.icegate.engine.rel.ArrowLogPipeline)
        .anyMatch(r -> r instanceof ArrowFilter)
        .anyMatch(r -> r instanceof ArrowTableScan);
    assertThat(engine.explain(parse("{service_name=\"checkout\"}"), range(10)))
        .containsSubsequence("ArrowSort", "ArrowGather", "ArrowTableScan");
  }

  @Test
  void aPipelineThatKeepsEveryEntryRunsOnlyOnTheTopEntries() {
    String query =
        "{service_name=~\".+\"} |= \"error\" | line_format \"{{.service_name}}: {{__line__}}\"";
    // Line filters run in the scan's filter; the pipeline (labels built per entry) then sees
    // only the limit's entries: top N per split, merged above the gather, then the pipeline.
    ArrowRel plan =
        engine.physicalPlan(parse(query), range(1));
    assertThat(plan).isInstanceOf(ArrowSort.class);
    assertThat(plan.getInput(0)).isInstanceOf(io.icegate.engine.rel.ArrowLogPipeline.class);
    RelNode merged = plan.getInput(0).getInput(0);
    assertThat(merged).isInstanceOf(ArrowSort.class);
    assertThat(merged.getInput(0)).isInstanceOf(ArrowGather.class);
    assertThat(merged.getInput(0).getInput(0)).isInstanceOf(ArrowSort.class);
    assertThat(descendants(merged.getInput(0).getInput(0)))
        .noneMatch(r -> r instanceof io.icegate.engine.rel.ArrowLogPipeline);
    // Of the two lines with "error" (at 1 s and 4 s), the newest — and only it — comes back,
    // formatted by the pipeline.
    var result = select(query, 1, Direction.BACKWARD);
    assertThat(lines(result)).containsExactly("search: query error timeout");
    assertThat(lines(select(query, 1, Direction.FORWARD)))
        .containsExactly("checkout: POST /pay 500 error");
  }

  @Test
  void backwardReturnsNewestFirstAndForwardOldestFirst() {
    // The entries in the query's order (the error line is a stream of its own: its
    // detected_level, from the word "error", is not the others' "unknown").
    assertThat(rowLines("{service_name=\"checkout\"}", 10, Direction.BACKWARD))
        .containsExactly("GET /cart 200 slow", "POST /pay 500 error", "GET /cart 200");
    assertThat(rowLines("{service_name=\"checkout\"}", 2, Direction.FORWARD))
        .containsExactly("GET /cart 200", "POST /pay 500 error");
  }

  private static List<String> rowLines(String query, int limit, Direction direction) {
    var range = new LogQueryRange("fake", T0, T0 + 60 * SECOND, limit, direction);
    return engine.select(parse(query), range, () -> false).rows().stream()
        .map(r -> r.entry().line())
        .toList();
  }

  @Test
  void limitKeepsTheNewestEntriesAcrossStreams() {
    var result = select("{service_name=~\".+\"}", 2, Direction.BACKWARD);
    assertThat(lines(result)).containsExactlyInAnyOrder("query error timeout", "query ok");
  }

  @Test
  void lineFiltersCombineAndAlternativesOr() {
    assertThat(lines(select("{service_name=~\".+\"} |= \"error\" != \"timeout\"", 10, Direction.BACKWARD)))
        .containsExactly("POST /pay 500 error");
    assertThat(lines(select("{service_name=~\".+\"} |~ \"5[0-9]{2}\" or \"ok$\"", 10, Direction.FORWARD)))
        .containsExactly("POST /pay 500 error", "query ok");
    assertThat(lines(select("{service_name=\"checkout\"} !~ \"GET\"", 10, Direction.FORWARD)))
        .containsExactly("POST /pay 500 error");
  }

  @Test
  void labelRegexIsAnchoredAndMissingLabelsMatchEmpty() {
    assertThat(lines(select("{service_name=~\"check\"}", 10, Direction.FORWARD))).isEmpty();
    assertThat(lines(select("{service_name=\"search\", deployment_environment!=\"prod\"}", 10,
        Direction.FORWARD))).containsExactly("query ok", "query error timeout");
    assertThat(lines(select("{service_name=\"search\", nope=\"\"}", 10, Direction.FORWARD)))
        .hasSize(2);
  }

  @Test
  void streamsCarryLokiLabelsAndNanosecondTimestamps() {
    var result = select("{service_name=\"checkout\"} |= \"pay\"", 10, Direction.BACKWARD);
    assertThat(result).hasSize(1);
    // host.arch is not one of Loki's index-label resource attributes: structured metadata. The
    // all-zero trace id is no trace id to Loki's OTLP mapping. The line's word "error" is its
    // detected_level, as Loki's distributor finds it when nothing else names a level.
    assertThat(result.get(0).labels())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "service_name", "checkout", "deployment_environment", "prod", "host_arch",
                "amd64", "detected_level", "error"));
    assertThat(result.get(0).entries())
        .containsExactly(new LokiEntry(T0 + SECOND, "POST /pay 500 error"));
  }

  @Test
  void matchersAndFiltersOutsideLatin1AreAnsweredNotRefused() {
    // Calcite's default literal charset is ISO-8859-1; these must still plan and run.
    assertThat(select("{service_name=\"日本\"}", 10, Direction.FORWARD)).isEmpty();
    assertThat(select("{service_name=~\"ч.*|\uFFFD\"}", 10, Direction.FORWARD)).isEmpty();
    assertThat(lines(select("{service_name=\"checkout\"} != \"🙂\"", 10, Direction.FORWARD)))
        .hasSize(3);
    assertThat(select("{service_name=\"checkout\"} |= \"日本\"", 10, Direction.FORWARD))
        .isEmpty();
  }

  @Test
  void startIsInclusiveAndEndExclusive() {
    var range = new LogQueryRange("fake", T0 + SECOND, T0 + 2 * SECOND, 10, Direction.FORWARD);
    var result = engine.select(parse("{service_name=\"checkout\"}"), range, () -> false);
    assertThat(result.streams().get(0).entries()).extracting(LokiEntry::line)
        .containsExactly("POST /pay 500 error");
  }

  @Test
  void tenantsSeeOnlyTheirOwnRows() {
    var range = new LogQueryRange("other", T0, T0 + 60 * SECOND, 10, Direction.FORWARD);
    var result = engine.select(parse("{service_name=\"checkout\"}"), range, () -> false);
    assertThat(lines(result.streams())).containsExactly("other tenant's line");
  }

  @Test
  void cancelledQueryStopsAndReleasesItsMemory() {
    assertThatThrownBy(() -> engine.select(parse("{service_name=\"checkout\"}"), range(10), () -> true))
        .isInstanceOf(QueryCancelledException.class);
  }

  @Test
  void queryOverItsMemoryLimitFailsAloneAndReleasesEverything() {
    LogQueryEngine tiny = new LogQueryEngine(lake.scanner(), root, 1024, Duration.ofSeconds(30));
    assertThatThrownBy(() -> tiny.select(parse("{service_name=~\".+\"}"), range(10), () -> false))
        .isInstanceOf(OutOfMemoryException.class);
    assertThat(lines(select("{service_name=\"search\"}", 10, Direction.FORWARD))).hasSize(2);
  }

  @Test
  void metadataQueriesAnswerFromTheDistinctStreamsInRange() {
    var metadata = new io.icegate.engine.logql.LogMetadataEngine(
        lake.scanner(), root, 64L << 20, Duration.ofSeconds(30));
    long end = T0 + 60 * SECOND;
    assertThat(metadata.labelNames("fake", T0, end, null, () -> false))
        .containsExactly("deployment_environment", "service_name");
    assertThat(metadata.labelValues("service_name", "fake", T0, end, null, () -> false))
        .containsExactly("checkout", "search");
    assertThat(metadata.labelValues("service_name", "fake", T0 + 3 * SECOND, end, null,
        () -> false)).containsExactly("search");
    assertThat(metadata.labelValues("service_name", "fake", T0, end,
        parse("{deployment_environment=\"prod\"}"), () -> false)).containsExactly("checkout");
    assertThat(metadata.series("fake", T0, end, List.of(parse("{service_name=\"search\"}")),
        () -> false))
        .containsExactly(new java.util.TreeMap<>(
            Map.of("service_name", "search", "deployment_environment", "dev")));
    assertThat(metadata.labelNames("other", T0, end, null, () -> false))
        .containsExactly("deployment_environment", "service_name");
    assertThat(metadata.labelNames("nobody", T0, end, null, () -> false)).isEmpty();
  }

  @Test
  void distinctStreamsAreGroupedPerSplitBelowTheGatherAndOnceAbove() {
    var catalog =
        new io.icegate.engine.plan.IceGateCatalog(lake.scanner(), List.of(LogsTable.NAME));
    var builder = catalog.relBuilder();
    ArrowRel plan =
        io.icegate.engine.plan.QueryOptimizer.optimize(
            io.icegate.engine.logql.LogQueryPlanner.streams(
                null, "fake", T0, T0 + 60 * SECOND, builder),
            builder);
    assertThat(plan).isInstanceOf(io.icegate.engine.rel.ArrowAggregate.class);
    assertThat(plan.getInput(0)).isInstanceOf(ArrowGather.class);
    assertThat(plan.getInput(0).getInput(0))
        .isInstanceOf(io.icegate.engine.rel.ArrowAggregate.class);
    assertThat(descendants(plan.getInput(0).getInput(0))).anyMatch(r -> r instanceof ArrowTableScan);
  }

  private static List<LokiStream> select(String query, int limit, Direction direction) {
    var range = new LogQueryRange("fake", T0, T0 + 60 * SECOND, limit, direction);
    return engine.select(parse(query), range, () -> false).streams();
  }

  private static LogQueryRange range(int limit) {
    return new LogQueryRange("fake", T0, T0 + 60 * SECOND, limit, Direction.BACKWARD);
  }

  private static List<String> lines(List<LokiStream> streams) {
    return streams.stream().flatMap(s -> s.entries().stream()).map(LokiEntry::line).toList();
  }

  private static LogSelectorExpr parse(String query) {
    return (LogSelectorExpr) LogQL.parse(query);
  }

  private static ArrowTableScan findScan(RelNode rel) {
    return (ArrowTableScan)
        descendants(rel).stream().filter(r -> r instanceof ArrowTableScan).findFirst().orElseThrow();
  }

  private static List<RelNode> descendants(RelNode rel) {
    List<RelNode> all = new java.util.ArrayList<>();
    all.add(rel);
    for (RelNode input : rel.getInputs()) {
      all.addAll(descendants(input));
    }
    return all;
  }

  private static void append(String tenant, ExportLogsServiceRequest request) throws Exception {
    var built = LogsBatchBuilder.build(request, tenant, T0, root);
    lake.logsWal().append(tenant, built.batch()).get();
  }

  private static LogRecord line(long time, String body) {
    return LogRecord.newBuilder()
        .setTimeUnixNano(time)
        .setBody(AnyValue.newBuilder().setStringValue(body))
        .setTraceId(ByteString.copyFrom(new byte[16]))
        .build();
  }

  private static ExportLogsServiceRequest request(String service, String env, LogRecord... records) {
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(kv("service.name", service))
                        .addAttributes(kv("deployment.environment", env))
                        .addAttributes(kv("host.arch", "amd64")))
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

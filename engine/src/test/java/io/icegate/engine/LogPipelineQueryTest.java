package io.icegate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.icegate.engine.logql.LogQueryEngine;
import io.icegate.engine.logql.LogQueryRange;
import io.icegate.engine.logql.LogQueryResult;
import io.icegate.engine.logql.pipeline.CategorizedLabels;
import io.icegate.engine.rel.ArrowLogPipeline;
import io.icegate.logql.LogQL;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.protocol.loki.Direction;
import io.icegate.protocol.loki.LokiEntry;
import io.icegate.protocol.loki.LokiStream;
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
import java.util.ArrayList;
import java.util.Arrays;
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
 * Log queries with parsers, label filters and formatters, end to end over a real local lake: OTLP
 * records in, Loki streams out. Expected streams and lines are worked out by hand from the records
 * below and Loki's rules; every query leaves its allocator empty.
 */
class LogPipelineQueryTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long SECOND = 1_000_000_000L;
  private static final Map<String, String> API =
      Map.of("service_name", "api", "deployment_environment", "prod");
  private static final Map<String, String> WORKER =
      Map.of("service_name", "worker", "deployment_environment", "prod");

  @TempDir static Path dir;
  private static Lake lake;
  private static RootAllocator root;
  private static LogQueryEngine engine;

  @BeforeAll
  static void loadData() throws Exception {
    root = new RootAllocator();
    lake = Lake.openLocal(dir, Duration.ofMillis(1));
    engine = new LogQueryEngine(lake.scanner(), root, 64L << 20, Duration.ofSeconds(30));
    append(
        request(
            "api",
            record(
                T0,
                "{\"level\":\"info\",\"status\":200,\"latency\":\"120ms\",\"path\":\"/cart\",\"user\":{\"id\":\"u1\"}}",
                "INFO",
                1,
                "GET"),
            record(
                T0 + SECOND,
                "{\"level\":\"error\",\"status\":500,\"latency\":\"1.5s\",\"path\":\"/pay\",\"user\":{\"id\":\"u2\"}}",
                "ERROR",
                2,
                "POST"),
            record(
                T0 + 2 * SECOND,
                "{\"level\":\"warn\",\"status\":404,\"latency\":\"300ms\",\"path\":\"/missing\",\"user\":{\"id\":\"u1\"}}",
                "WARN",
                3,
                "GET"),
            record(T0 + 3 * SECOND, "not json at all", "INFO", 4, "GET")));
    append(
        request(
            "worker",
            record(
                T0 + 4 * SECOND,
                "level=info msg=\"job done\" duration=2s size=20MB",
                "INFO",
                5,
                "RUN"),
            record(
                T0 + 5 * SECOND,
                "level=error msg=\"job failed\" duration=250ms size=1KB",
                "ERROR",
                6,
                "RUN")));
    append(
        request(
            "conflict",
            record(
                T0 + 10 * SECOND,
                "{\"severity_text\":\"low\",\"service_name\":\"other\",\"trace_id\":\"t1\","
                    + "\"user\":\"ann\"}",
                "DEBUG",
                7,
                "PUT")));
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
  void jsonThenLabelFiltersThenLineFormatGivesNewLinesInTheStreamsOfTheParsedLabels() {
    List<LokiStream> streams =
        select(
            "{service_name=\"api\"} | json | __error__=\"\" | status >= 400"
                + " | line_format \"{{.path}} {{.status}}\"",
            10,
            Direction.FORWARD);

    assertThat(streams).hasSize(2);
    assertThat(streams.get(0).labels())
        .isEqualTo(
            labels(
                meta(API, 2, "ERROR", "POST"), "level", "error", "status", "500", "latency",
                "1.5s", "path", "/pay", "user_id", "u2"));
    assertThat(streams.get(0).entries()).containsExactly(new LokiEntry(T0 + SECOND, "/pay 500"));
    assertThat(streams.get(1).labels())
        .isEqualTo(
            labels(
                meta(API, 3, "WARN", "GET"),
                "level",
                "warn",
                "status",
                "404",
                "latency",
                "300ms",
                "path",
                "/missing",
                "user_id",
                "u1"));
    assertThat(streams.get(1).entries())
        .containsExactly(new LokiEntry(T0 + 2 * SECOND, "/missing 404"));
  }

  @Test
  void durationFilterKeepsLinesTheParserFailedOnWithTheirErrorLabels() {
    List<LokiStream> streams =
        select("{service_name=\"api\"} | json | latency > 250ms", 10, Direction.FORWARD);

    assertThat(lines(streams))
        .containsExactly(
            "{\"level\":\"error\",\"status\":500,\"latency\":\"1.5s\",\"path\":\"/pay\",\"user\":{\"id\":\"u2\"}}",
            "{\"level\":\"warn\",\"status\":404,\"latency\":\"300ms\",\"path\":\"/missing\",\"user\":{\"id\":\"u1\"}}",
            "not json at all");
    // Loki's numeric, duration and bytes filters let an entry with an error through untouched.
    assertThat(streams.get(2).labels())
        .isEqualTo(
            labels(
                meta(API, 4, "INFO", "GET"),
                "__error__",
                "JSONParserErr",
                "__error_details__",
                "Value looks like object, but can't find closing '}' symbol"));
  }

  @Test
  void logfmtWithBytesFilterAndTemplate() {
    List<LokiStream> streams =
        select(
            "{service_name=\"worker\"} | logfmt | size >= 20MB"
                + " | line_format \"{{.msg | ToUpper}} in {{.duration}}\"",
            10,
            Direction.BACKWARD);

    assertThat(streams).hasSize(1);
    assertThat(streams.get(0).labels())
        .isEqualTo(
            labels(
                meta(WORKER, 5, "INFO", "RUN"),
                "level", "info", "msg", "job done", "duration", "2s", "size", "20MB"));
    assertThat(streams.get(0).entries())
        .containsExactly(new LokiEntry(T0 + 4 * SECOND, "JOB DONE in 2s"));
  }

  @Test
  void labelFiltersSeeOtlpStructuredMetadata() {
    List<LokiStream> bySeverity =
        select("{service_name=\"api\"} | severity_text=\"WARN\"", 10, Direction.FORWARD);
    assertThat(bySeverity).hasSize(1);
    assertThat(bySeverity.get(0).labels()).isEqualTo(meta(API, 3, "WARN", "GET"));
    assertThat(bySeverity.get(0).entries())
        .extracting(LokiEntry::timestampNanos)
        .containsExactly(T0 + 2 * SECOND);

    assertThat(
            timestamps(
                select("{service_name=~\".+\"} | severity_text=\"ERROR\"", 10, Direction.FORWARD)))
        .containsExactly(T0 + SECOND, T0 + 5 * SECOND);
    assertThat(
            timestamps(
                select(
                    "{service_name=\"api\"} | trace_id=\"" + "03".repeat(16) + "\"",
                    10,
                    Direction.FORWARD)))
        .containsExactly(T0 + 2 * SECOND);
    assertThat(
            timestamps(
                select("{service_name=\"worker\"} | span_id=~\"0600.*\"", 10, Direction.FORWARD)))
        .containsExactly(T0 + 5 * SECOND);
  }

  @Test
  void dropAndLabelFormatRegroupEntriesIntoTheirNewStreams() {
    List<LokiStream> streams =
        select(
            "{service_name=\"worker\"} | logfmt | drop msg, size, duration | label_format"
                + " lvl=level",
            10,
            Direction.FORWARD);

    assertThat(streams).hasSize(2);
    assertThat(streams.get(0).labels())
        .isEqualTo(labels(meta(WORKER, 5, "INFO", "RUN"), "lvl", "info"));
    assertThat(streams.get(1).labels())
        .isEqualTo(labels(meta(WORKER, 6, "ERROR", "RUN"), "lvl", "error"));
    assertThat(lines(streams))
        .containsExactly(
            "level=info msg=\"job done\" duration=2s size=20MB",
            "level=error msg=\"job failed\" duration=250ms size=1KB");
  }

  @Test
  void plainSelectorReturnsEachEntrysStructuredMetadataInItsLabels() {
    LogQueryResult result = engine.select(parse("{service_name=\"worker\"}"), range(10, Direction.FORWARD), () -> false);

    // Loki splits the stored stream by structured metadata in the plain answer...
    assertThat(result.streams())
        .extracting(LokiStream::labels)
        .containsExactly(meta(WORKER, 5, "INFO", "RUN"), meta(WORKER, 6, "ERROR", "RUN"));
    // ...and keeps it apart from the stream labels in the categorized one.
    assertThat(result.byStreamLabels()).containsOnlyKeys(new TreeMap<>(WORKER));
    CategorizedLabels first = result.rows().get(0).labels();
    assertThat(first.stream()).isEqualTo(new TreeMap<>(WORKER));
    assertThat(first.structuredMetadata()).isEqualTo(meta(Map.of(), 5, "INFO", "RUN"));
    assertThat(first.parsed()).isEmpty();
  }

  @Test
  void parsedNamesThatAreStreamLabelsOrMetadataTakeTheSuffixAndCountAsParsed() {
    List<LogQueryResult.Row> rows =
        engine.select(parse("{service_name=\"conflict\"} | json"), range(10, Direction.FORWARD), () -> false)
            .rows();

    assertThat(rows).hasSize(1);
    CategorizedLabels labels = rows.get(0).labels();
    assertThat(labels.stream())
        .isEqualTo(Map.of("service_name", "conflict", "deployment_environment", "prod"));
    assertThat(labels.structuredMetadata()).isEqualTo(meta(Map.of(), 7, "DEBUG", "PUT"));
    assertThat(labels.parsed())
        .isEqualTo(
            Map.of(
                "service_name_extracted", "other",
                "severity_text_extracted", "low",
                "trace_id_extracted", "t1",
                "user", "ann"));
  }

  @Test
  void labelFormatOverAStreamLabelMakesItParsedAndLeavesTheStreamWithoutIt() {
    LogQueryResult result =
        engine.select(
            parse("{service_name=\"worker\"} | label_format service_name=\"{{.severity_text}}\""),
            range(10, Direction.FORWARD),
            () -> false);

    CategorizedLabels first = result.rows().get(0).labels();
    assertThat(first.parsed()).isEqualTo(Map.of("service_name", "INFO"));
    assertThat(first.stream()).isEqualTo(Map.of("deployment_environment", "prod"));
    assertThat(first.structuredMetadata()).isEqualTo(meta(Map.of(), 5, "INFO", "RUN"));
    assertThat(result.byStreamLabels()).containsOnlyKeys(labels(Map.of(), "deployment_environment", "prod"));
  }

  @Test
  void dropAndKeepApplyToStructuredMetadata() {
    List<LokiStream> dropped =
        select("{service_name=\"worker\"} | drop trace_id, span_id", 10, Direction.FORWARD);
    assertThat(dropped)
        .extracting(LokiStream::labels)
        .containsExactly(
            labels(WORKER, "severity_text", "INFO", "http_method", "RUN", "detected_level", "info"),
            labels(
                WORKER, "severity_text", "ERROR", "http_method", "RUN", "detected_level", "error"));

    LogQueryResult kept =
        engine.select(
            parse("{service_name=\"worker\"} | keep severity_text"),
            range(10, Direction.FORWARD),
            () -> false);
    assertThat(kept.streams())
        .extracting(LokiStream::labels)
        .containsExactly(
            labels(Map.of(), "severity_text", "INFO"), labels(Map.of(), "severity_text", "ERROR"));
    assertThat(kept.byStreamLabels()).containsOnlyKeys(labels(Map.of()));
    assertThat(kept.rows().get(1).labels().structuredMetadata())
        .isEqualTo(Map.of("severity_text", "ERROR"));
  }

  @Test
  void lineFilterAfterLineFormatTestsTheFormattedLine() {
    List<LokiStream> streams =
        select(
            "{service_name=\"api\"} | json | line_format \"user {{.user_id}}\" |= \"u1\" | keep"
                + " path",
            10,
            Direction.FORWARD);

    assertThat(streams)
        .extracting(LokiStream::labels)
        .containsExactly(labels(Map.of(), "path", "/cart"), labels(Map.of(), "path", "/missing"));
    assertThat(lines(streams)).containsExactly("user u1", "user u1");
  }

  @Test
  void limitCountsOnlyEntriesThePipelineKeeps() {
    List<LokiStream> streams =
        select(
            "{service_name=\"api\"} | json | __error__=\"\" | status >= 400",
            1,
            Direction.BACKWARD);
    assertThat(timestamps(streams)).containsExactly(T0 + 2 * SECOND);
  }

  @Test
  void explainShowsLineFiltersInTheScanFilterAndTheRestAsPipelineStages() {
    String query = "{service_name=\"api\"} |= \"status\" | json | status >= 400 |= \"pay\"";
    String plan = engine.explain(parse(query), range(10, Direction.BACKWARD));

    assertThat(plan)
        .contains("ArrowLogPipeline(stages=[| json | status>=400])")
        .contains("CONTAINS_SUBSTRING($")
        .contains("'status'")
        .contains("'pay'");
    RelNode physical = engine.physicalPlan(parse(query), range(10, Direction.BACKWARD));
    assertThat(descendants(physical)).anyMatch(r -> r instanceof ArrowLogPipeline);
    assertThat(lines(select(query, 10, Direction.FORWARD)))
        .containsExactly(
            "{\"level\":\"error\",\"status\":500,\"latency\":\"1.5s\",\"path\":\"/pay\",\"user\":{\"id\":\"u2\"}}");
  }

  @Test
  void detectedLevelIsMetadataThatFiltersAndGroupsAsInLoki() {
    // Each record's detected_level comes from its severity_text: api INFO, ERROR, WARN, INFO;
    // worker INFO, ERROR; conflict DEBUG.
    assertThat(
            timestamps(
                select("{deployment_environment=\"prod\"} | detected_level=\"error\"", 10,
                    Direction.FORWARD)))
        .containsExactly(T0 + SECOND, T0 + 5 * SECOND);
    // Grafana's logs volume query: one series per level (no record has a "level" label).
    io.icegate.engine.logql.LogMetricResult volume =
        engine.metric(
            (io.icegate.logql.ast.SampleExpr)
                LogQL.parse(
                    "sum by (level, detected_level) (count_over_time("
                        + "{deployment_environment=\"prod\"} | drop __error__ [1m]))"),
            io.icegate.engine.logql.MetricQueryRange.instant("fake", T0 + 30 * SECOND),
            () -> false);
    Map<String, Double> byLevel = new TreeMap<>();
    for (io.icegate.engine.promql.QueryResult.Sample s :
        ((io.icegate.engine.promql.QueryResult.VectorResult) volume.value()).samples()) {
      byLevel.put(s.labels().toString(), s.value());
    }
    assertThat(byLevel)
        .isEqualTo(
            Map.of(
                "{detected_level=\"debug\"}", 1.0,
                "{detected_level=\"error\"}", 2.0,
                "{detected_level=\"info\"}", 3.0,
                "{detected_level=\"warn\"}", 1.0));
    // A filter on it under a grouping without it: the node still derives it.
    io.icegate.engine.logql.LogMetricResult errors =
        engine.metric(
            (io.icegate.logql.ast.SampleExpr)
                LogQL.parse(
                    "sum by (service_name) (count_over_time("
                        + "{deployment_environment=\"prod\"} | detected_level=\"error\" [1m]))"),
            io.icegate.engine.logql.MetricQueryRange.instant("fake", T0 + 30 * SECOND),
            () -> false);
    Map<String, Double> byService = new TreeMap<>();
    for (io.icegate.engine.promql.QueryResult.Sample s :
        ((io.icegate.engine.promql.QueryResult.VectorResult) errors.value()).samples()) {
      byService.put(s.labels().toString(), s.value());
    }
    assertThat(byService)
        .isEqualTo(Map.of("{service_name=\"api\"}", 1.0, "{service_name=\"worker\"}", 1.0));
  }

  // ------------------------------------------------------------------ fixtures

  /**
   * {@code base} plus the structured metadata Loki's OTLP mapping gives a {@link #record} made
   * with this id, severity and method: trace and span id in lower-case hex, {@code
   * severity_text}, and the attribute {@code http.method} as {@code http_method}; and the {@code
   * detected_level} Loki's distributor derives from {@code severity_text} (one of its level
   * fields), normalised to lower case.
   */
  private static TreeMap<String, String> meta(
      Map<String, String> base, int id, String severity, String method) {
    String b = String.format("%02x", id);
    return labels(
        base,
        "trace_id", b.repeat(16),
        "span_id", b + "00" + b.repeat(6),
        "severity_text", severity,
        "http_method", method,
        "detected_level", severity.toLowerCase(java.util.Locale.ROOT));
  }

  private static TreeMap<String, String> labels(Map<String, String> base, String... pairs) {
    TreeMap<String, String> m = new TreeMap<>(base);
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  private static List<LokiStream> select(String query, int limit, Direction direction) {
    return engine.select(parse(query), range(limit, direction), () -> false).streams();
  }

  private static LogQueryRange range(int limit, Direction direction) {
    return new LogQueryRange("fake", T0, T0 + 60 * SECOND, limit, direction);
  }

  private static List<String> lines(List<LokiStream> streams) {
    return streams.stream().flatMap(s -> s.entries().stream()).map(LokiEntry::line).toList();
  }

  private static List<Long> timestamps(List<LokiStream> streams) {
    return streams.stream()
        .flatMap(s -> s.entries().stream())
        .map(LokiEntry::timestampNanos)
        .sorted()
        .toList();
  }

  private static LogSelectorExpr parse(String query) {
    return (LogSelectorExpr) LogQL.parse(query);
  }

  private static List<RelNode> descendants(RelNode rel) {
    List<RelNode> all = new ArrayList<>();
    all.add(rel);
    for (RelNode input : rel.getInputs()) {
      all.addAll(descendants(input));
    }
    return all;
  }

  private static void append(ExportLogsServiceRequest request) throws Exception {
    var built = LogsBatchBuilder.build(request, "fake", T0, root);
    lake.logsWal().append("fake", built.batch()).get();
  }

  /** A record whose trace id is 16 and span id 8 bytes of {@code id}. */
  private static LogRecord record(long time, String body, String severity, int id, String method) {
    byte[] trace = new byte[16];
    byte[] span = new byte[8];
    Arrays.fill(trace, (byte) id);
    Arrays.fill(span, (byte) id);
    span[1] = 0;
    return LogRecord.newBuilder()
        .setTimeUnixNano(time)
        .setBody(AnyValue.newBuilder().setStringValue(body))
        .setSeverityText(severity)
        .setTraceId(ByteString.copyFrom(trace))
        .setSpanId(ByteString.copyFrom(span))
        .addAttributes(kv("http.method", method))
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

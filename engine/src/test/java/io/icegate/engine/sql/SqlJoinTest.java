package io.icegate.engine.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.icegate.engine.exec.PlanRunner;
import io.icegate.engine.rel.ArrowRel;
import io.icegate.engine.rel.ArrowTableScan;
import io.icegate.storage.Lake;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.ingest.SpansBatchBuilder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.calcite.rel.RelNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Joins of logs to spans by trace id, through the real parser, planner, scans and the hash
 * join. Every expected answer is worked out by hand from these rows:
 *
 * <pre>
 *   logs (tenant fake)                 spans (tenant fake)
 *   body   trace  time                 name        trace  time
 *   a1     A      T0                   GET /cart   A      T0+5s
 *   a2     A      T0+10s               db query    A      T0+6s
 *   b1     B      T0+2s                POST /pay   B      T0+1s
 *   none   -      T0+3s                orphan      D      T0+7s
 *   c1     C      T0+4s
 *                                      spans (tenant other): "other span", trace A
 * </pre>
 *
 * Both tables are appended in two segments each, and the engine reads with two threads, so
 * each side of a join is a parallel scan.
 */
class SqlJoinTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long SECOND = 1_000_000_000L;
  private static final byte[] A = id(16, 0xA);
  private static final byte[] B = id(16, 0xB);
  private static final byte[] C = id(16, 0xC);
  private static final byte[] D = id(16, 0xD);

  @TempDir static Path dir;
  private static Lake lake;
  private static RootAllocator root;
  private static SqlQueryEngine engine;

  @BeforeAll
  static void loadData() throws Exception {
    root = new RootAllocator();
    lake = Lake.openLocal(dir, Duration.ofMillis(1));
    engine =
        new SqlQueryEngine(
            lake.scanner(),
            new PlanRunner(lake.scanner(), root, 64L << 20, Duration.ofSeconds(30), 2),
            1000);
    appendLogs("fake", log("a1", A, T0), log("a2", A, T0 + 10 * SECOND),
        log("b1", B, T0 + 2 * SECOND));
    appendLogs("fake", log("none", null, T0 + 3 * SECOND), log("c1", C, T0 + 4 * SECOND));
    appendSpans("fake", span("GET /cart", A, 1, T0 + 5 * SECOND),
        span("db query", A, 2, T0 + 6 * SECOND));
    appendSpans("fake", span("POST /pay", B, 3, T0 + SECOND),
        span("orphan", D, 4, T0 + 7 * SECOND));
    appendSpans("other", span("other span", A, 5, T0));
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
  void innerJoinPairsEachLogLineWithTheSpansOfItsTrace() {
    assertThat(pairs("SELECT l.body, s.name FROM logs l JOIN spans s "
        + "ON l.trace_id = s.trace_id ORDER BY l.body, s.name"))
        .containsExactly("a1|GET /cart", "a1|db query", "a2|GET /cart", "a2|db query",
            "b1|POST /pay");
  }

  @Test
  void leftJoinKeepsLinesWithoutASpanOrATraceId() {
    assertThat(pairs("SELECT l.body, s.name FROM logs l LEFT JOIN spans s "
        + "ON l.trace_id = s.trace_id ORDER BY l.body, s.name"))
        .containsExactly("a1|GET /cart", "a1|db query", "a2|GET /cart", "a2|db query",
            "b1|POST /pay", "c1|null", "none|null");
    // Spans joined to their logs the other way round: the orphan span keeps its row.
    assertThat(pairs("SELECT s.name, l.body FROM spans s LEFT JOIN logs l "
        + "ON s.trace_id = l.trace_id ORDER BY s.name, l.body"))
        .containsExactly("GET /cart|a1", "GET /cart|a2", "POST /pay|b1", "db query|a1",
            "db query|a2", "orphan|null");
  }

  @Test
  void joinsFeedFiltersAggregatesAndComputedColumns() {
    assertThat(pairs("SELECT s.name, COUNT(*) FROM logs l JOIN spans s "
        + "ON l.trace_id = s.trace_id GROUP BY s.name ORDER BY s.name"))
        .containsExactly("GET /cart|2", "POST /pay|1", "db query|2");
    assertThat(pairs("SELECT l.body, s.name FROM logs l JOIN spans s "
        + "ON l.trace_id = s.trace_id WHERE s.name = 'POST /pay'"))
        .containsExactly("b1|POST /pay");
    // Seconds from the log line to the span's start: 5 - 0 and 6 - 0 for a1.
    assertThat(pairs("SELECT s.name, (s.\"timestamp\" - l.\"timestamp\") / 1000000000 "
        + "FROM logs l JOIN spans s ON l.trace_id = s.trace_id WHERE l.body = 'a1' "
        + "ORDER BY s.name"))
        .containsExactly("GET /cart|5", "db query|6");
  }

  /**
   * Keys of different types meet in the wider one: {@code kind} is an INTEGER column (each span's
   * kind is its span id here: GET /cart 1, db query 2, POST /pay 3, orphan 4), {@code COUNT(*)}
   * a BIGINT (lines per trace id: A 2, B 1, C 1, no trace 1).
   */
  @Test
  void keysOfDifferentNumericTypesAreComparedAsTheWiderType() {
    String counts = "(SELECT trace_id, COUNT(*) AS n FROM logs GROUP BY trace_id) c";
    assertThat(pairs("SELECT s.name, c.n FROM spans s JOIN " + counts + " ON s.kind = c.n"
            + " ORDER BY s.name, c.n"))
        .containsExactly("GET /cart|1", "GET /cart|1", "GET /cart|1", "db query|2");
    assertThat(pairs("SELECT c.n, s.name FROM " + counts + " LEFT JOIN spans s ON c.n = s.kind"
            + " ORDER BY c.n, s.name"))
        .containsExactly("1|GET /cart", "1|GET /cart", "1|GET /cart", "2|db query");
    assertThat(pairs("SELECT s.name FROM spans s JOIN " + counts
            + " ON s.kind = c.n AND s.trace_id = c.trace_id"))
        .containsExactly("db query");
    assertThat(pairs("SELECT s.name FROM spans s JOIN (SELECT trace_id, AVG(CAST(2 AS DOUBLE))"
            + " AS d FROM logs GROUP BY trace_id) c ON s.kind = c.d ORDER BY s.name"))
        .containsExactly("db query", "db query", "db query", "db query");
    assertThat(pairs("SELECT s.name FROM spans s JOIN (SELECT trace_id, CAST(COUNT(*) AS VARCHAR)"
            + " AS t FROM logs GROUP BY trace_id) c ON CAST(s.kind AS VARCHAR) = c.t"
            + " ORDER BY s.name"))
        .containsExactly("GET /cart", "GET /cart", "GET /cart", "db query");
  }

  @Test
  void anInnerJoinsOtherConditionsFilterThePairs() {
    // Lines logged before the span started: a1 (T0) before both of trace A's spans; a2
    // (T0+10s) after both; b1 (T0+2s) after POST /pay (T0+1s).
    assertThat(pairs("SELECT l.body, s.name FROM logs l JOIN spans s "
        + "ON l.trace_id = s.trace_id AND l.\"timestamp\" < s.\"timestamp\" "
        + "ORDER BY s.name"))
        .containsExactly("a1|GET /cart", "a1|db query");
  }

  @Test
  void bothSidesAreBoundToTheCallersTenant() {
    ArrowRel plan =
        engine.physicalPlan(
            "SELECT l.body, s.name FROM logs l JOIN spans s ON l.trace_id = s.trace_id", "fake");
    assertThat(descendants(plan)).anyMatch(r -> r instanceof ArrowHashJoin);
    List<ArrowTableScan> scans =
        descendants(plan).stream()
            .filter(r -> r instanceof ArrowTableScan)
            .map(r -> (ArrowTableScan) r)
            .toList();
    assertThat(scans).hasSize(2)
        .allSatisfy(s -> assertThat(s.bounds().tenant()).isEqualTo("fake"));
    // Tenant other's span of trace A joins nothing of fake's, and fake's nothing of its.
    assertThat(pairs("other", "SELECT l.body, s.name FROM spans s LEFT JOIN logs l "
        + "ON l.trace_id = s.trace_id")).containsExactly("null|other span");
  }

  @Test
  void joinsAHashJoinCantRunAreRefusedByName() {
    assertRefused("SELECT l.body FROM logs l RIGHT JOIN spans s ON l.trace_id = s.trace_id",
        "RIGHT JOIN is not supported");
    assertRefused("SELECT l.body FROM logs l FULL JOIN spans s ON l.trace_id = s.trace_id",
        "FULL JOIN is not supported");
    assertRefused("SELECT l.body FROM logs l JOIN spans s ON l.\"timestamp\" < s.\"timestamp\"",
        "needs an equality");
    assertRefused("SELECT l.body FROM logs l LEFT JOIN spans s "
        + "ON l.trace_id = s.trace_id AND l.\"timestamp\" < s.\"timestamp\"",
        "LEFT JOIN conditions other than equalities");
  }

  private static void assertRefused(String sql, String message) {
    assertThatThrownBy(() -> engine.execute(sql, "fake", () -> false))
        .isInstanceOfSatisfying(SqlQueryException.class, e -> {
          assertThat(e.kind()).isEqualTo(SqlQueryException.Kind.UNSUPPORTED);
          assertThat(e.getMessage()).contains(message);
        });
  }

  private static List<String> pairs(String sql) {
    return pairs("fake", sql);
  }

  private static List<String> pairs(String tenant, String sql) {
    List<String> out = new ArrayList<>();
    for (Object[] row : engine.execute(sql, tenant, () -> false).rows()) {
      out.add(String.join("|", Arrays.stream(row).map(String::valueOf).toList()));
    }
    return out;
  }

  private static List<RelNode> descendants(RelNode rel) {
    List<RelNode> out = new ArrayList<>();
    out.add(rel);
    for (RelNode input : rel.getInputs()) {
      out.addAll(descendants(input));
    }
    return out;
  }

  private static byte[] id(int length, int fill) {
    byte[] id = new byte[length];
    Arrays.fill(id, (byte) fill);
    return id;
  }

  private static LogRecord log(String body, byte[] trace, long time) {
    LogRecord.Builder record =
        LogRecord.newBuilder()
            .setTimeUnixNano(time)
            .setBody(AnyValue.newBuilder().setStringValue(body));
    if (trace != null) {
      record.setTraceId(ByteString.copyFrom(trace));
    }
    return record.build();
  }

  private static Span span(String name, byte[] trace, int spanId, long start) {
    return Span.newBuilder()
        .setName(name)
        .setTraceId(ByteString.copyFrom(trace))
        .setSpanId(ByteString.copyFrom(id(8, spanId)))
        .setStartTimeUnixNano(start)
        .setEndTimeUnixNano(start + SECOND)
        .setKindValue(spanId) // 1..5: every value a SpanKind
        .build();
  }

  private static void appendLogs(String tenant, LogRecord... records) throws Exception {
    ExportLogsServiceRequest request =
        ExportLogsServiceRequest.newBuilder()
            .addResourceLogs(
                ResourceLogs.newBuilder()
                    .setResource(Resource.newBuilder().addAttributes(service("shop")))
                    .addScopeLogs(ScopeLogs.newBuilder().addAllLogRecords(List.of(records))))
            .build();
    var built = LogsBatchBuilder.build(request, tenant, T0, root);
    lake.logsWal().append(tenant, built.batch()).get();
  }

  private static void appendSpans(String tenant, Span... spans) throws Exception {
    ExportTraceServiceRequest request =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .setResource(Resource.newBuilder().addAttributes(service("shop")))
                    .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(List.of(spans))))
            .build();
    var built = SpansBatchBuilder.build(request, tenant, T0, root);
    lake.spansWal().append(tenant, built.batch()).get();
  }

  private static KeyValue service(String name) {
    return KeyValue.newBuilder()
        .setKey("service.name")
        .setValue(AnyValue.newBuilder().setStringValue(name))
        .build();
  }
}

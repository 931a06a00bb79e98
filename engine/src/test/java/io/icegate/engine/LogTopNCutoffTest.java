package io.icegate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.engine.exec.PlanRunner;
import io.icegate.engine.exec.QueryStats;
import io.icegate.engine.logql.LogQueryEngine;
import io.icegate.engine.logql.LogQueryRange;
import io.icegate.logql.LogQL;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.protocol.loki.Direction;
import io.icegate.storage.Lake;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log query's limit under a parallel scan: the splits share the top-N's cut-off, so files
 * read after it is known and wholly older (or newer, oldest first) are not read at all; the
 * answer is the serial scan's, equal timestamps ordered by the stream's labels.
 *
 * <p>Eight WAL segments of one stream hold four lines each, at one second apart, newest last.
 * With two threads, the gather starts the newest segment and the next newest at once; the second
 * waits, since its rows are all older than the first's, until the newest is done — by which time
 * that one's top N has set the cut-off: so only the newest segment's four rows are read, of 32.
 */
class LogTopNCutoffTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long SECOND = 1_000_000_000L;
  private static final int SEGMENTS = 8;
  private static final int LINES = 4;

  @TempDir static Path dir;
  private static Lake lake;
  private static RootAllocator root;
  private static LogQueryEngine planner;

  @BeforeAll
  static void load() throws Exception {
    root = new RootAllocator();
    lake = Lake.openLocal(dir, Duration.ofMillis(1));
    planner = new LogQueryEngine(lake.scanner(), root, 64L << 20, Duration.ofSeconds(30));
    for (int s = 0; s < SEGMENTS; s++) {
      List<LogRecord> records = new ArrayList<>();
      for (int i = 0; i < LINES; i++) {
        int n = s * LINES + i;
        records.add(line(T0 + n * SECOND, "level=" + (n % 2 == 0 ? "error" : "info") + " n=" + n));
      }
      append("fake", request("svc", records));
    }
    // Equal timestamps in three streams, each in its own segment, appended out of label order.
    append("ties", request("beta", List.of(line(T0 + 10 * SECOND, "beta newest"))));
    append("ties", request("alpha", List.of(line(T0 + 10 * SECOND, "alpha newest"))));
    append("ties", request("gamma", List.of(line(T0 + 10 * SECOND, "gamma newest"))));
    append("ties", request("gamma", List.of(line(T0, "gamma oldest"))));
    append("ties", request("beta", List.of(line(T0, "beta oldest"))));
  }

  @AfterAll
  static void close() throws Exception {
    lake.close();
    root.close();
  }

  @Test
  void newestFirstReadsOnlyTheNewestSegments() {
    String query = "{service_name=\"svc\"}";
    Answer parallel = run(query, "fake", 2, Direction.BACKWARD, 2);
    assertThat(parallel.lines()).containsExactly("level=info n=31", "level=error n=30");
    assertThat(parallel.stats().rowsScanned()).isEqualTo(LINES);
    Answer serial = run(query, "fake", 2, Direction.BACKWARD, 1);
    assertThat(serial.lines()).isEqualTo(parallel.lines());
    assertThat(serial.stats().rowsScanned()).isEqualTo(SEGMENTS * LINES);
  }

  @Test
  void oldestFirstReadsOnlyTheOldestSegments() {
    Answer parallel = run("{service_name=\"svc\"} |= \"n=\"", "fake", 3, Direction.FORWARD, 2);
    assertThat(parallel.lines())
        .containsExactly("level=error n=0", "level=info n=1", "level=error n=2");
    assertThat(parallel.stats().rowsScanned()).isEqualTo(LINES);
  }

  @Test
  void aPipelineThatDropsEntriesStillSharesTheCutoffOfWhatItKept() {
    // Two of each segment's four lines pass the label filter: the newest segment alone fills
    // the limit of two, and its cut-off rules out every older segment.
    String query = "{service_name=\"svc\"} | logfmt | level=\"error\"";
    Answer parallel = run(query, "fake", 2, Direction.BACKWARD, 2);
    assertThat(parallel.lines()).containsExactly("level=error n=30", "level=error n=28");
    assertThat(parallel.stats().rowsScanned()).isEqualTo(LINES);
    assertThat(run(query, "fake", 2, Direction.BACKWARD, 1).lines())
        .isEqualTo(parallel.lines());
  }

  @Test
  void equalTimestampsAreOrderedByTheStreamsLabelsWhateverTheReadOrder() {
    // Loki's merge of streams orders equal timestamps by the streams' labels; the limit cuts in
    // that order, so the answer does not depend on which file a thread read first.
    for (int threads : new int[] {1, 2}) {
      assertThat(run("{service_name=~\".+\"}", "ties", 1, Direction.BACKWARD, threads).lines())
          .containsExactly("alpha newest");
      assertThat(run("{service_name=~\".+\"}", "ties", 2, Direction.BACKWARD, threads).lines())
          .containsExactly("alpha newest", "beta newest");
      assertThat(run("{service_name=~\".+\"}", "ties", 1, Direction.FORWARD, threads).lines())
          .containsExactly("beta oldest");
    }
  }

  private record Answer(List<String> lines, QueryStats stats) {}

  /** The query's lines in the plan's output order, run with {@code threads} scan threads. */
  private static Answer run(
      String query, String tenant, int limit, Direction direction, int threads) {
    var range = new LogQueryRange(tenant, T0, T0 + 60 * SECOND, limit, direction);
    var plan = planner.physicalPlan((LogSelectorExpr) LogQL.parse(query), range);
    PlanRunner runner =
        new PlanRunner(lake.scanner(), root, 64L << 20, Duration.ofSeconds(30), threads);
    List<String> lines = new ArrayList<>();
    QueryStats stats =
        runner.run(
            "test",
            plan,
            () -> false,
            batch -> {
              VarCharVector body = (VarCharVector) batch.getVector(2);
              for (int i = 0; i < batch.getRowCount(); i++) {
                lines.add(new String(body.get(i), StandardCharsets.UTF_8));
              }
            });
    assertThat(root.getAllocatedMemory()).isZero();
    return new Answer(lines, stats);
  }

  private static void append(String tenant, ExportLogsServiceRequest request) throws Exception {
    var built = LogsBatchBuilder.build(request, tenant, T0, root);
    lake.logsWal().append(tenant, built.batch()).get();
  }

  private static LogRecord line(long time, String body) {
    return LogRecord.newBuilder()
        .setTimeUnixNano(time)
        .setBody(AnyValue.newBuilder().setStringValue(body))
        .build();
  }

  private static ExportLogsServiceRequest request(String service, List<LogRecord> records) {
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(kv("service.name", service))
                        .addAttributes(kv("deployment.environment", "prod")))
                .addScopeLogs(ScopeLogs.newBuilder().addAllLogRecords(records)))
        .build();
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}

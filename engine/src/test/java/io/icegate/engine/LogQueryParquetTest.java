package io.icegate.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.engine.logql.LogQueryEngine;
import io.icegate.engine.logql.LogQueryRange;
import io.icegate.engine.logql.LogQueryResult;
import io.icegate.logql.LogQL;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.protocol.loki.Direction;
import io.icegate.protocol.loki.LokiStream;
import io.icegate.storage.Lake;
import io.icegate.storage.compaction.Compactor;
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
 * Structured metadata read back from Parquet files, not the WAL: the record and scope columns Loki
 * keeps as metadata are often entirely null in a file (no record has an event name or a scope),
 * and a log query must still read them.
 */
class LogQueryParquetTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long SECOND = 1_000_000_000L;

  @TempDir static Path dir;
  private static Lake lake;
  private static RootAllocator root;
  private static LogQueryEngine engine;

  @BeforeAll
  static void loadAndCompact() throws Exception {
    root = new RootAllocator();
    lake =
        Lake.openLocal(
            dir,
            Duration.ofMillis(1),
            new Compactor.Policy(Duration.ZERO, Long.MAX_VALUE, Duration.ZERO),
            Duration.ZERO);
    append(request("plain", null, record(T0, "first"), record(T0 + SECOND, "second")));
    // Enough rows for several pages and batches of each column.
    LogRecord[] many = new LogRecord[20_000];
    for (int i = 0; i < many.length; i++) {
      many[i] =
          LogRecord.newBuilder()
              .setTimeUnixNano(T0 + 10 * SECOND + i)
              .setSeverityText("INFO")
              .setBody(AnyValue.newBuilder().setStringValue("bulk=" + i))
              .build();
    }
    append(request("bulk", null, many));
    append(request("scoped", "my.scope", record(T0 + 2 * SECOND, "third")));
    lake.compact();
    engine = new LogQueryEngine(lake.scanner(), root, 64L << 20, Duration.ofSeconds(30));
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
  void allNullMetadataColumnsReadFromParquetAddNoLabels() {
    List<LokiStream> streams = select("{service_name=\"plain\"}");
    assertThat(streams).hasSize(1);
    // Only the detected_level Loki derives for every entry ("unknown": nothing names a level).
    assertThat(streams.get(0).labels())
        .isEqualTo(labels("service_name", "plain", "k", "v", "detected_level", "unknown"));
    assertThat(streams.get(0).entries()).hasSize(2);

    // logfmt: a bare word is a key with an empty value, which Loki drops. The scoped record's
    // scope name is structured metadata, as in Loki; the plain one's null columns add nothing.
    List<LokiStream> parsed = select("{service_name=~\"plain|scoped\"} | logfmt");
    assertThat(parsed)
        .extracting(LokiStream::labels)
        .containsExactlyInAnyOrder(
            labels("service_name", "plain", "k", "v", "detected_level", "unknown"),
            labels(
                "service_name", "scoped", "k", "v", "scope_name", "my.scope",
                "detected_level", "unknown"));

    // Many rows, so many pages and batches of the all-null columns.
    LogQueryResult bulk =
        engine.select(
            (LogSelectorExpr) LogQL.parse("{service_name=\"bulk\"}"),
            new LogQueryRange("fake", T0, T0 + 60 * SECOND, 5000, Direction.BACKWARD),
            () -> false);
    assertThat(bulk.entries()).isEqualTo(5000);
    assertThat(bulk.streams()).extracting(LokiStream::labels)
        .containsExactly(
            labels("service_name", "bulk", "severity_text", "INFO", "detected_level", "info"));
  }

  private static List<LokiStream> select(String query) {
    LogQueryResult r =
        engine.select(
            (LogSelectorExpr) LogQL.parse(query),
            new LogQueryRange("fake", T0, T0 + 60 * SECOND, 100, Direction.FORWARD),
            () -> false);
    return r.streams();
  }

  private static TreeMap<String, String> labels(String... pairs) {
    TreeMap<String, String> m = new TreeMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  private static void append(ExportLogsServiceRequest request) throws Exception {
    var built = LogsBatchBuilder.build(request, "fake", T0, root);
    lake.logsWal().append("fake", built.batch()).get();
  }

  private static LogRecord record(long time, String body) {
    return LogRecord.newBuilder()
        .setTimeUnixNano(time)
        .setBody(AnyValue.newBuilder().setStringValue(body))
        .addAttributes(
            KeyValue.newBuilder().setKey("k").setValue(AnyValue.newBuilder().setStringValue("v")))
        .build();
  }

  private static ExportLogsServiceRequest request(
      String service, String scope, LogRecord... records) {
    ScopeLogs.Builder scopeLogs = ScopeLogs.newBuilder().addAllLogRecords(List.of(records));
    if (scope != null) {
      scopeLogs.setScope(InstrumentationScope.newBuilder().setName(scope));
    }
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(
                            KeyValue.newBuilder()
                                .setKey("service.name")
                                .setValue(AnyValue.newBuilder().setStringValue(service))))
                .addScopeLogs(scopeLogs))
        .build();
  }
}

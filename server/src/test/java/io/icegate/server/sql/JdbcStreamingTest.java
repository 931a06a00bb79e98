package io.icegate.server.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.icegate.engine.exec.PlanRunner;
import io.icegate.engine.sql.SqlQueryEngine;
import io.icegate.storage.Lake;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.arrow.memory.RootAllocator;
import org.apache.calcite.avatica.metrics.noop.NoopMetricsSystem;
import org.apache.calcite.avatica.remote.Handler.HandlerResponse;
import org.apache.calcite.avatica.remote.LocalService;
import org.apache.calcite.avatica.remote.ProtobufHandler;
import org.apache.calcite.avatica.remote.ProtobufTranslationImpl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JDBC answers stream: Avatica's remote driver against {@link LakeMeta} over a plain HTTP
 * server (the JDK's), so the test owns the engine's allocator and can see whether a query is
 * still running (its child allocator exists) between the client's fetches. Data: tenant {@code
 * bulk} has 25 000 lines "line 0" … "line 24999", appended as five segments of 5 000 (the scan
 * reads at most 4 096 rows a batch, so an answer takes several batches).
 */
class JdbcStreamingTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long SECOND = 1_000_000_000L;

  @TempDir static Path dir;
  private static Lake lake;
  private static RootAllocator root;
  private static HttpServer http;

  @BeforeAll
  static void start() throws Exception {
    root = new RootAllocator();
    lake = Lake.openLocal(dir, Duration.ofMillis(1));
    for (int segment = 0; segment < 5; segment++) {
      LogRecord[] lines = new LogRecord[5_000];
      for (int i = 0; i < lines.length; i++) {
        int n = segment * 5_000 + i;
        lines[i] = LogRecord.newBuilder()
            .setTimeUnixNano(T0 + n * SECOND)
            .setBody(AnyValue.newBuilder().setStringValue("line " + n))
            .build();
      }
      var built = LogsBatchBuilder.build(request(lines), "bulk", T0, root);
      lake.logsWal().append("bulk", built.batch()).get();
    }
    // One scan thread, and an answer limit of 10 000 rows.
    SqlQueryEngine engine =
        new SqlQueryEngine(
            lake.scanner(),
            new PlanRunner(lake.scanner(), root, 64L << 20, Duration.ofSeconds(30), 1), 10_000);
    ProtobufHandler avatica =
        new ProtobufHandler(
            new LocalService(new LakeMeta(engine), NoopMetricsSystem.getInstance()),
            new ProtobufTranslationImpl(), NoopMetricsSystem.getInstance());
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/jdbc", exchange -> {
      HandlerResponse<byte[]> response = avatica.apply(exchange.getRequestBody().readAllBytes());
      exchange.sendResponseHeaders(response.getStatusCode(), response.getResponse().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(response.getResponse());
      }
    });
    http.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
    http.start();
  }

  @AfterAll
  static void stop() throws Exception {
    http.stop(0);
    lake.close();
    root.close();
  }

  @AfterEach
  void everyQueryReleasedItsMemory() {
    assertThat(root.getChildAllocators()).as("queries still running").isEmpty();
    assertThat(root.getAllocatedMemory()).as("Arrow memory left").isZero();
  }

  @Test
  void theQueryRunsBetweenFetchesAndEndsWithTheLastFrame() throws Exception {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.setFetchSize(500);
      // (Not setMaxRows: Avatica's driver then asks for all those rows in the first frame.)
      try (ResultSet rs =
          statement.executeQuery("SELECT body FROM logs ORDER BY \"timestamp\" LIMIT 9000")) {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          assertThat(rs.next()).isTrue();
          seen.add(rs.getString(1));
        }
        // Ten rows are here, the query that makes the rest is still open on the server.
        assertThat(root.getChildAllocators()).hasSize(1);
        while (rs.next()) {
          seen.add(rs.getString(1));
        }
        assertThat(seen).hasSize(9_000);
        for (int i = 0; i < seen.size(); i++) {
          assertThat(seen.get(i)).isEqualTo("line " + i);
        }
        assertThat(root.getChildAllocators()).isEmpty();
      }
    }
  }

  @Test
  void closingTheStatementMidwayStopsTheQuery() throws Exception {
    try (Connection connection = connect()) {
      Statement statement = connection.createStatement();
      statement.setFetchSize(10);
      ResultSet rs =
          statement.executeQuery("SELECT body FROM logs ORDER BY \"timestamp\" LIMIT 5000");
      List<String> first = new ArrayList<>();
      for (int i = 0; i < 15; i++) {
        assertThat(rs.next()).isTrue();
        first.add(rs.getString(1));
      }
      assertThat(first).startsWith("line 0", "line 1").endsWith("line 14");
      assertThat(root.getChildAllocators()).hasSize(1);
      statement.close();
      assertThat(root.getChildAllocators()).isEmpty();
    }
  }

  @Test
  void cancelThenCloseIsWhatStopsAQueryFromAJdbcTool() throws Exception {
    try (Connection connection = connect()) {
      Statement statement = connection.createStatement();
      statement.setFetchSize(10);
      ResultSet rs = statement.executeQuery("SELECT body FROM logs LIMIT 9000");
      assertThat(rs.next()).isTrue();
      // Avatica sends nothing for cancel(): the driver refuses further rows by itself …
      statement.cancel();
      assertThatThrownBy(rs::next).isInstanceOf(SQLException.class)
          .hasMessageContaining("canceled");
      assertThat(root.getChildAllocators()).hasSize(1);
      // … and the close a tool sends next stops the query on the server.
      statement.close();
      assertThat(root.getChildAllocators()).isEmpty();
    }
  }

  @Test
  void closingTheConnectionStopsItsRunningQueries() throws Exception {
    Connection connection = connect();
    Statement one = connection.createStatement();
    one.setFetchSize(5);
    Statement two = connection.createStatement();
    two.setFetchSize(5);
    ResultSet a = one.executeQuery("SELECT body FROM logs LIMIT 9000");
    ResultSet b = two.executeQuery("SELECT body FROM logs ORDER BY body LIMIT 9000");
    assertThat(a.next()).isTrue();
    assertThat(b.next()).isTrue();
    assertThat(b.getString(1)).isEqualTo("line 0");
    assertThat(root.getChildAllocators()).hasSize(2);
    connection.close();
    assertThat(root.getChildAllocators()).isEmpty();
  }

  @Test
  void anAnswerPastTheRowLimitFailsAtTheFetchThatPassesIt() throws Exception {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.setFetchSize(1_000);
      ResultSet rs = statement.executeQuery("SELECT body FROM logs");
      int rows = 0;
      Exception failure = null;
      try {
        while (rs.next()) {
          rows++;
        }
      } catch (SQLException | RuntimeException e) {
        // Avatica's driver raises a failed fetch of a later frame unchecked
        // (AvaticaClientRuntimeException), an error of the first frame as an SQLException.
        failure = e;
      }
      // 25 000 rows against a limit of 10 000: some frames arrive, then the error.
      assertThat((Throwable) failure).isNotNull();
      assertThat(failure.getMessage()).contains("more than 10000 rows");
      assertThat(rows).isPositive().isLessThanOrEqualTo(10_000);
    }
  }

  @Test
  void aJoinOfManyBatchesMatchesEveryRowAndStopsWhenClosed() throws Exception {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      // Every line has its own body: 25 000 pairs, one per line, over builds and probes of
      // several batches each.
      try (ResultSet rs = statement.executeQuery(
          "SELECT COUNT(*), SUM(b.\"timestamp\" - a.\"timestamp\") FROM logs a "
              + "JOIN logs b ON a.body = b.body")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(25_000);
        assertThat(rs.getLong(2)).isZero();
      }
      statement.setFetchSize(100);
      ResultSet rs = statement.executeQuery(
          "SELECT a.body, b.body FROM logs a JOIN logs b ON a.body = b.body");
      for (int i = 0; i < 150; i++) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(rs.getString(2));
      }
      assertThat(root.getChildAllocators()).hasSize(1);
      statement.close();
      assertThat(root.getChildAllocators()).isEmpty();
    }
  }

  private static Connection connect() throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("tenant", "bulk");
    return DriverManager.getConnection(
        "jdbc:avatica:remote:url=http://127.0.0.1:" + http.getAddress().getPort()
            + "/jdbc;serialization=protobuf", properties);
  }

  private static ExportLogsServiceRequest request(LogRecord... records) {
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(
                    KeyValue.newBuilder().setKey("service.name")
                        .setValue(AnyValue.newBuilder().setStringValue("batch"))))
                .addScopeLogs(ScopeLogs.newBuilder().addAllLogRecords(List.of(records))))
        .build();
  }
}

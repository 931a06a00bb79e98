package io.icegate.server.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQL against the real server: {@code POST /api/v1/sql} with the JDK's HTTP client, and {@code
 * /api/v1/jdbc} with Avatica's own remote JDBC driver ({@code
 * org.apache.calcite.avatica.remote.Driver}, protobuf serialization) — an unmodified JDBC client.
 * Data: tenant {@code fake} has three checkout lines (severity 9, 17, 13) and two search lines;
 * {@code other} one line; {@code bulk} 250 numbered lines.
 */
class SqlEndpointsTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long SECOND = 1_000_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static IceGateServer server;
  private static RootAllocator allocator;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    server = IceGateServer.start(
        ServerConfig.defaults().withDataDir(dir).withPorts("127.0.0.1", 0, 0));
    allocator = new RootAllocator();
    append("fake", request("checkout",
        line(T0, "GET /cart 200", 9, "200"),
        line(T0 + SECOND, "POST /pay 500 error", 17, "500"),
        line(T0 + 2 * SECOND, "GET /cart 200 slow", 13, "200")));
    append("fake", request("search",
        line(T0 + 3 * SECOND, "query ok", 9, null),
        line(T0 + 4 * SECOND, "query error timeout", 17, null)));
    append("other", request("checkout", line(T0, "other tenant's line", 17, "500")));
    LogRecord[] bulk = new LogRecord[250];
    for (int i = 0; i < bulk.length; i++) {
      bulk[i] = line(T0 + i * SECOND, "line " + i, 9, null);
    }
    append("bulk", request("batch", bulk));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    allocator.close();
  }

  // HTTP

  @Test
  void httpAnswersColumnsAndRowsForTheHeadersTenant() throws Exception {
    HttpResponse<String> response =
        post("SELECT body, severity_number FROM logs WHERE service_name = 'checkout' "
            + "ORDER BY \"timestamp\"", "text/plain", null);
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("status").asText()).isEqualTo("success");
    assertThat(body.get("columns").toString())
        .isEqualTo("[{\"name\":\"body\",\"type\":\"VARCHAR\"},"
            + "{\"name\":\"severity_number\",\"type\":\"INTEGER\"}]");
    assertThat(body.get("rows").toString())
        .isEqualTo("[[\"GET /cart 200\",9],[\"POST /pay 500 error\",17],"
            + "[\"GET /cart 200 slow\",13]]");

    HttpResponse<String> other =
        post("{\"query\": \"SELECT body, log_attributes FROM logs\"}", "application/json",
            "other");
    assertThat(JSON.readTree(other.body()).get("rows").toString())
        .isEqualTo("[[\"other tenant's line\",{\"http.status\":\"500\"}]]");
  }

  @Test
  void httpTakesTheStatementAsAFormParameterOrAsText() throws Exception {
    HttpResponse<String> form =
        post("query=SELECT+body+FROM+logs+WHERE+severity_number+%3D+13",
            "application/x-www-form-urlencoded", null);
    assertThat(JSON.readTree(form.body()).get("rows").toString())
        .isEqualTo("[[\"GET /cart 200 slow\"]]");
    HttpResponse<String> raw =
        post("SELECT body FROM logs WHERE body LIKE '%slow%'", "text/plain", null);
    assertThat(raw.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(raw.body()).get("rows").toString())
        .isEqualTo("[[\"GET /cart 200 slow\"]]");
  }

  @Test
  void httpExplainShowsTheTenantBoundScan() throws Exception {
    HttpResponse<String> response =
        post("EXPLAIN PLAN FOR SELECT body FROM logs WHERE \"timestamp\" < " + (T0 + SECOND),
            "text/plain", null);
    assertThat(response.statusCode()).isEqualTo(200);
    String plan = JSON.readTree(response.body()).get("rows").get(0).get(0).asText();
    assertThat(plan).contains("ArrowTableScan").contains("tenant=fake, time=[-inf, " + (T0 + SECOND));
  }

  @Test
  void httpRefusesBadAndUnsupportedSqlWith400() throws Exception {
    HttpResponse<String> parse = post("SELEC 1", "text/plain", null);
    assertThat(parse.statusCode()).isEqualTo(400);
    JsonNode error = JSON.readTree(parse.body());
    assertThat(error.get("status").asText()).isEqualTo("error");
    assertThat(error.get("errorType").asText()).isEqualTo("bad_data");
    assertThat(error.get("error").asText()).contains("line 1, column 1");

    HttpResponse<String> join =
        post("SELECT l.body FROM logs l FULL JOIN spans s ON l.trace_id = s.trace_id",
            "text/plain", null);
    assertThat(join.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(join.body()).get("error").asText())
        .contains("FULL JOIN is not supported");

    HttpResponse<String> unknown = post("SELECT nope FROM logs", "text/plain", null);
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(unknown.body()).get("error").asText()).contains("'nope'");

    HttpResponse<String> empty = post("", "text/plain", null);
    assertThat(empty.statusCode()).isEqualTo(400);
  }

  // JDBC, through Avatica's remote driver

  @Test
  void jdbcQueryReturnsRowsWithTypedMetadata() throws Exception {
    try (Connection connection = connect(null);
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT body, severity_number, \"timestamp\", log_attributes FROM logs "
                    + "WHERE service_name = 'checkout' ORDER BY \"timestamp\"")) {
      ResultSetMetaData meta = rows.getMetaData();
      assertThat(meta.getColumnCount()).isEqualTo(4);
      assertThat(meta.getColumnName(1)).isEqualTo("body");
      assertThat(meta.getColumnType(1)).isEqualTo(Types.VARCHAR);
      assertThat(meta.getColumnType(2)).isEqualTo(Types.INTEGER);
      assertThat(meta.getColumnType(3)).isEqualTo(Types.BIGINT);
      assertThat(meta.getColumnType(4)).isEqualTo(Types.VARCHAR);
      assertThat(meta.getColumnTypeName(4)).isEqualTo("MAP<VARCHAR, VARCHAR>");
      List<String> seen = new ArrayList<>();
      while (rows.next()) {
        seen.add(rows.getString(1) + "|" + rows.getInt(2) + "|" + rows.getLong(3) + "|"
            + rows.getString(4));
      }
      assertThat(seen).containsExactly(
          "GET /cart 200|9|" + T0 + "|{\"http.status\":\"200\"}",
          "POST /pay 500 error|17|" + (T0 + SECOND) + "|{\"http.status\":\"500\"}",
          "GET /cart 200 slow|13|" + (T0 + 2 * SECOND) + "|{\"http.status\":\"200\"}");
    }
  }

  @Test
  void jdbcPreparedStatementBindsParameters() throws Exception {
    try (Connection connection = connect(null);
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT body FROM logs WHERE severity_number = ? AND service_name = ?")) {
      assertThat(statement.getMetaData().getColumnName(1)).isEqualTo("body");
      assertThat(statement.getParameterMetaData().getParameterCount()).isEqualTo(2);
      statement.setInt(1, 17);
      statement.setString(2, "checkout");
      assertThat(strings(statement.executeQuery())).containsExactly("POST /pay 500 error");
      statement.setInt(1, 9);
      statement.setString(2, "search");
      assertThat(strings(statement.executeQuery())).containsExactly("query ok");
    }
  }

  @Test
  void jdbcTenantComesFromTheConnection() throws Exception {
    try (Connection connection = connect("other");
        Statement statement = connection.createStatement()) {
      assertThat(strings(statement.executeQuery("SELECT body FROM logs")))
          .containsExactly("other tenant's line");
    }
    Properties user = new Properties();
    user.setProperty("user", "other");
    try (Connection connection =
            DriverManager.getConnection(url(), user);
        Statement statement = connection.createStatement();
        ResultSet count = statement.executeQuery("SELECT COUNT(*) FROM logs")) {
      assertThat(count.next()).isTrue();
      assertThat(count.getLong(1)).isEqualTo(1);
    }
    try (Connection connection = connect(null);
        Statement statement = connection.createStatement();
        ResultSet count = statement.executeQuery("SELECT COUNT(*) FROM logs")) {
      assertThat(count.next()).isTrue();
      assertThat(count.getLong(1)).isEqualTo(5);
    }
  }

  @Test
  void jdbcFetchesLargeAnswersFrameByFrame() throws Exception {
    try (Connection connection = connect("bulk");
        Statement statement = connection.createStatement()) {
      statement.setFetchSize(40);
      List<String> lines = strings(statement.executeQuery(
          "SELECT body FROM logs ORDER BY \"timestamp\""));
      assertThat(lines).hasSize(250);
      assertThat(lines.get(0)).isEqualTo("line 0");
      assertThat(lines.get(249)).isEqualTo("line 249");
      statement.setMaxRows(7);
      assertThat(strings(statement.executeQuery("SELECT body FROM logs"))).hasSize(7);
    }
  }

  @Test
  void jdbcMetadataListsTablesAndColumns() throws Exception {
    try (Connection connection = connect(null)) {
      DatabaseMetaData meta = connection.getMetaData();
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = meta.getTables(null, null, "%", null)) {
        while (rs.next()) {
          assertThat(rs.getString("TABLE_SCHEM")).isEqualTo("icegate");
          assertThat(rs.getString("TABLE_TYPE")).isEqualTo("TABLE");
          tables.add(rs.getString("TABLE_NAME"));
        }
      }
      assertThat(tables).contains("logs", "spans", "metrics", "events");
      List<String> columns = new ArrayList<>();
      try (ResultSet rs = meta.getColumns(null, "icegate", "logs", "%")) {
        while (rs.next()) {
          columns.add(rs.getString("COLUMN_NAME") + ":" + rs.getInt("DATA_TYPE") + ":"
              + rs.getString("TYPE_NAME") + ":" + rs.getInt("ORDINAL_POSITION"));
        }
      }
      assertThat(columns).contains(
          "tenant_id:" + Types.VARCHAR + ":VARCHAR:1",
          "timestamp:" + Types.BIGINT + ":BIGINT:3",
          "severity_number:" + Types.INTEGER + ":INTEGER:13");
      assertThat(columns).anyMatch(c -> c.startsWith("log_attributes:" + Types.VARCHAR
          + ":MAP<VARCHAR, VARCHAR>:"));
      try (ResultSet rs = meta.getSchemas()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString("TABLE_SCHEM")).isEqualTo("icegate");
      }
      try (ResultSet rs = meta.getTableTypes()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("TABLE");
      }
    }
  }

  @Test
  void jdbcTypeInfoListsTheTypesColumnsAndParametersCanHave() throws Exception {
    try (Connection connection = connect(null);
        ResultSet rs = connection.getMetaData().getTypeInfo()) {
      List<String> types = new ArrayList<>();
      while (rs.next()) {
        types.add(rs.getString("TYPE_NAME") + ":" + rs.getInt("DATA_TYPE") + ":"
            + rs.getInt("PRECISION") + ":" + rs.getString("LITERAL_PREFIX") + ":"
            + rs.getShort("NULLABLE") + ":" + rs.getShort("SEARCHABLE") + ":"
            + rs.getBoolean("CASE_SENSITIVE"));
      }
      // Ordered by JDBC type code (BIGINT -5, INTEGER 4, DOUBLE 8, VARCHAR 12, BOOLEAN 16).
      assertThat(types).containsExactly(
          "BIGINT:" + Types.BIGINT + ":19:null:1:2:false",
          "INTEGER:" + Types.INTEGER + ":10:null:1:2:false",
          "DOUBLE:" + Types.DOUBLE + ":15:null:1:2:false",
          "VARCHAR:" + Types.VARCHAR + ":" + Integer.MAX_VALUE + ":':1:3:true",
          "BOOLEAN:" + Types.BOOLEAN + ":1:null:1:2:false");
    }
  }

  @Test
  void jdbcMetadataToolsAskForOnConnectAnswersEmptyResultsNotErrors() throws Exception {
    try (Connection connection = connect(null)) {
      DatabaseMetaData meta = connection.getMetaData();
      assertEmpty(meta.getCatalogs(), "TABLE_CAT");
      assertEmpty(meta.getPrimaryKeys(null, "icegate", "logs"), "PK_NAME");
      assertEmpty(meta.getImportedKeys(null, "icegate", "logs"), "FKCOLUMN_NAME");
      assertEmpty(meta.getExportedKeys(null, "icegate", "logs"), "FKCOLUMN_NAME");
      assertEmpty(meta.getCrossReference(null, "icegate", "logs", null, "icegate", "spans"),
          "PKTABLE_NAME");
      assertEmpty(meta.getIndexInfo(null, "icegate", "logs", false, true), "INDEX_NAME");
      assertEmpty(meta.getFunctions(null, null, "%"), "FUNCTION_NAME");
      assertEmpty(meta.getFunctionColumns(null, null, "%", "%"), "FUNCTION_NAME");
      assertEmpty(meta.getProcedures(null, null, "%"), "PROCEDURE_NAME");
      assertEmpty(meta.getProcedureColumns(null, null, "%", "%"), "PROCEDURE_NAME");
      assertEmpty(meta.getUDTs(null, null, "%", null), "TYPE_NAME");
      assertEmpty(meta.getSuperTables(null, null, "%"), "SUPERTABLE_NAME");
      assertEmpty(meta.getSuperTypes(null, null, "%"), "SUPERTYPE_NAME");
      assertEmpty(meta.getAttributes(null, null, "%", "%"), "ATTR_NAME");
      assertEmpty(meta.getTablePrivileges(null, "icegate", "%"), "PRIVILEGE");
      assertEmpty(meta.getColumnPrivileges(null, "icegate", "logs", "%"), "PRIVILEGE");
      assertEmpty(meta.getBestRowIdentifier(null, "icegate", "logs", 0, true), "COLUMN_NAME");
      assertEmpty(meta.getVersionColumns(null, "icegate", "logs"), "COLUMN_NAME");
      assertEmpty(meta.getPseudoColumns(null, "icegate", "logs", "%"), "COLUMN_NAME");
      assertEmpty(meta.getClientInfoProperties(), "NAME");
      try (ResultSet rs = meta.getTableTypes()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString("TABLE_TYPE")).isEqualTo("TABLE");
        assertThat(rs.next()).isFalse();
      }
      assertThat(meta.getIdentifierQuoteString()).isEqualTo("\"");
      assertThat(meta.getDatabaseProductName()).isNotBlank();
      assertThat(meta.getSQLKeywords()).isNotNull();
      // The connection still answers queries after all of that.
      try (Statement statement = connection.createStatement()) {
        assertThat(strings(statement.executeQuery("SELECT 'ok'"))).containsExactly("ok");
      }
    }
  }

  @Test
  void jdbcAggregatesHaveTheTypesPostgresUsersExpect() throws Exception {
    try (Connection connection = connect(null);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(
            "SELECT AVG(severity_number), SUM(severity_number), STDDEV_POP(severity_number) "
                + "FROM logs WHERE service_name = 'checkout' AND severity_number < 17")) {
      ResultSetMetaData meta = rs.getMetaData();
      assertThat(meta.getColumnType(1)).isEqualTo(Types.DOUBLE);
      assertThat(meta.getColumnType(2)).isEqualTo(Types.BIGINT);
      assertThat(meta.getColumnType(3)).isEqualTo(Types.DOUBLE);
      assertThat(rs.next()).isTrue();
      // Severities 9 and 13: mean 11, sum 22, population deviation 2.
      assertThat(rs.getDouble(1)).isEqualTo(11.0);
      assertThat(rs.getLong(2)).isEqualTo(22L);
      assertThat(rs.getDouble(3)).isEqualTo(2.0);
    }
  }

  @Test
  void jdbcJoinsTablesOnEqualColumns() throws Exception {
    try (Connection connection = connect(null);
        Statement statement = connection.createStatement()) {
      // Lines of the same service: checkout 3 × 3, search 2 × 2.
      try (ResultSet rs = statement.executeQuery("SELECT COUNT(*) FROM logs a "
          + "JOIN logs b ON a.service_name = b.service_name")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(13);
      }
      // Tenant fake has no spans: a LEFT JOIN keeps its lines, with NULL span columns.
      try (ResultSet rs = statement.executeQuery("SELECT l.body, s.name FROM logs l "
          + "LEFT JOIN spans s ON l.trace_id = s.trace_id WHERE l.service_name = 'search' "
          + "ORDER BY l.body")) {
        assertThat(rs.getMetaData().getColumnType(2)).isEqualTo(Types.VARCHAR);
        List<String> rows = new ArrayList<>();
        while (rs.next()) {
          rows.add(rs.getString(1) + "|" + rs.getString(2));
        }
        assertThat(rows).containsExactly("query error timeout|null", "query ok|null");
      }
    }
  }

  @Test
  void jdbcErrorsCarryOurMessage() throws Exception {
    try (Connection connection = connect(null);
        Statement statement = connection.createStatement()) {
      assertThatThrownBy(() -> statement.executeQuery("SELECT nope FROM logs"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("'nope'");
      assertThatThrownBy(() -> statement.executeQuery(
          "SELECT service_name, COUNT(*) FROM logs GROUP BY ROLLUP(service_name)"))
          .isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getMessage()).contains("ROLLUP and CUBE are not supported");
            assertThat(e.getSQLState()).isEqualTo("0A000");
          });
      // The connection still works after an error.
      assertThat(strings(statement.executeQuery("SELECT 'ok'"))).containsExactly("ok");
    }
  }

  /** An answer with no rows that has column {@code column} (a JDBC-defined one). */
  private static void assertEmpty(ResultSet rs, String column) throws SQLException {
    try (rs) {
      assertThat(rs.findColumn(column)).isPositive();
      assertThat(rs.next()).isFalse();
    }
  }

  /** A connection whose {@code tenant} property names the tenant (none: the default). */
  private static Connection connect(String tenant) throws SQLException {
    Properties properties = new Properties();
    if (tenant != null) {
      properties.setProperty("tenant", tenant);
    }
    return DriverManager.getConnection(url(), properties);
  }

  private static String url() {
    return "jdbc:avatica:remote:url=http://127.0.0.1:" + server.lokiPort()
        + SqlRoutes.JDBC_PATH + ";serialization=protobuf";
  }

  private static List<String> strings(ResultSet rows) throws SQLException {
    List<String> out = new ArrayList<>();
    try (rows) {
      while (rows.next()) {
        out.add(rows.getString(1));
      }
    }
    return out;
  }

  private static HttpResponse<String> post(String body, String contentType, String tenant)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.lokiPort() + SqlRoutes.SQL_PATH))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (tenant != null) {
      request.header("X-Scope-OrgID", tenant);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void append(String tenant, ExportLogsServiceRequest request) throws Exception {
    var built = LogsBatchBuilder.build(request, tenant, T0, allocator);
    server.lake().logsWal().append(tenant, built.batch()).get();
  }

  private static LogRecord line(long time, String body, int severity, String status) {
    LogRecord.Builder record =
        LogRecord.newBuilder()
            .setTimeUnixNano(time)
            .setBody(AnyValue.newBuilder().setStringValue(body))
            .setSeverityNumberValue(severity);
    if (status != null) {
      record.addAttributes(kv("http.status", status));
    }
    return record.build();
  }

  private static ExportLogsServiceRequest request(String service, LogRecord... records) {
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", service)))
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

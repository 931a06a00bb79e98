package io.icegate.engine.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.ByteString;
import io.icegate.engine.exec.QueryCancelledException;
import io.icegate.engine.rel.ArrowFilter;
import io.icegate.engine.rel.ArrowRel;
import io.icegate.engine.rel.ArrowTableScan;
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
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.sql.type.SqlTypeName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQL over a small lake of six log lines (five of tenant {@code fake}, one of {@code other}),
 * through the real parser, optimizer, scans and Arrow operators. Every expected answer is worked
 * out by hand from the rows below; every query leaves the allocator empty.
 *
 * <pre>
 *   tenant  service   time    severity (number)  body                   http.status
 *   fake    checkout  T0      INFO  (9)          GET /cart 200          200
 *   fake    checkout  T0+1s   ERROR (17)         POST /pay 500 error    500
 *   fake    checkout  T0+2s   WARN  (13)         GET /cart 200 slow     200
 *   fake    search    T0+3s   -     (-)          query ok               -
 *   fake    search    T0+4s   ERROR (17)         query error timeout    -
 *   other   checkout  T0      ERROR (17)         other tenant's line    500
 * </pre>
 */
class SqlQueryEngineTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long SECOND = 1_000_000_000L;

  @TempDir static Path dir;
  private static Lake lake;
  private static RootAllocator root;
  private static SqlQueryEngine engine;

  @BeforeAll
  static void loadData() throws Exception {
    root = new RootAllocator();
    lake = Lake.openLocal(dir, Duration.ofMillis(1));
    engine = new SqlQueryEngine(lake.scanner(), root, 64L << 20, Duration.ofSeconds(30), 1000);
    append("fake", request("checkout",
        line(T0, "GET /cart 200", "INFO", 9, "200"),
        line(T0 + SECOND, "POST /pay 500 error", "ERROR", 17, "500"),
        line(T0 + 2 * SECOND, "GET /cart 200 slow", "WARN", 13, "200")));
    append("fake", request("search",
        line(T0 + 3 * SECOND, "query ok", null, 0, null),
        line(T0 + 4 * SECOND, "query error timeout", "ERROR", 17, null)));
    append("other", request("checkout", line(T0, "other tenant's line", "ERROR", 17, "500")));
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
  void whereOrderByAndProjectionReturnOnlyTheCallersRows() {
    assertThat(column("SELECT body FROM logs WHERE severity_text = 'ERROR' ORDER BY \"timestamp\""))
        .containsExactly("POST /pay 500 error", "query error timeout");
    assertThat(column("other", "SELECT body FROM logs")).containsExactly("other tenant's line");
  }

  @Test
  void everyScanIsBoundToTheCallersTenantWhateverTheQuerySays() {
    ArrowRel plan = engine.physicalPlan("SELECT body FROM logs", "fake");
    assertThat(scans(plan)).singleElement()
        .satisfies(scan -> assertThat(scan.bounds().tenant()).isEqualTo("fake"));
    // The tenant filter planned above the table is still there: it is what pushdown bound.
    assertThat(descendants(plan)).anyMatch(
        r -> r instanceof ArrowFilter f && f.getCondition().toString().contains("'fake'"));
    ArrowRel other =
        engine.physicalPlan("SELECT body FROM logs WHERE tenant_id = 'other'", "fake");
    assertThat(scans(other)).allSatisfy(s -> assertThat(s.bounds().tenant()).isEqualTo("fake"));
    assertThat(rows("SELECT body FROM logs WHERE tenant_id = 'other'")).isEmpty();
    assertThat(rows("SELECT body FROM logs WHERE tenant_id = 'other' OR tenant_id = 'fake'"))
        .hasSize(5);
  }

  @Test
  void aTenantOutsideLatin1IsAnEmptyLakeNotAnError() {
    // Calcite's default literals are ISO-8859-1; a tenant such as this one failed the query.
    assertThat(rows("租户-Ω", "SELECT body FROM logs")).isEmpty();
    assertThat(rows("租户-Ω", "SELECT count(*) FROM logs")).singleElement()
        .satisfies(r -> assertThat(((Number) r[0]).longValue()).isZero());
  }

  @Test
  void limitOffsetAndFetch() {
    assertThat(column("SELECT body FROM logs ORDER BY \"timestamp\" DESC LIMIT 2 OFFSET 1"))
        .containsExactly("query ok", "GET /cart 200 slow");
    assertThat(column("SELECT body FROM logs ORDER BY \"timestamp\" FETCH FIRST 1 ROWS ONLY"))
        .containsExactly("GET /cart 200");
    assertThat(column("SELECT body FROM logs ORDER BY \"timestamp\" OFFSET 4 ROWS"))
        .containsExactly("query error timeout");
    assertThat(rows("SELECT body FROM logs LIMIT 3")).hasSize(3);
    // Without an order, a limit passes rows on as they come and stops the scan.
    assertThat(engine.physicalPlan("SELECT body FROM logs LIMIT 3 OFFSET 1", "fake"))
        .isInstanceOf(ArrowLimit.class);
    assertThat(rows("SELECT body FROM logs LIMIT 3 OFFSET 4")).hasSize(1);
    assertThat(rows("SELECT body FROM logs OFFSET 5 ROWS")).isEmpty();
  }

  @Test
  void notIsNullLikeAndInFollowSqlNullRules() {
    assertThat(column("SELECT body FROM logs WHERE body LIKE '%cart%' ORDER BY body"))
        .containsExactly("GET /cart 200", "GET /cart 200 slow");
    // The search line without severity is UNKNOWN under NOT, so it is not kept either.
    assertThat(column(
        "SELECT body FROM logs WHERE NOT (severity_text = 'ERROR') ORDER BY \"timestamp\""))
        .containsExactly("GET /cart 200", "GET /cart 200 slow");
    assertThat(column("SELECT body FROM logs WHERE severity_text IS NULL"))
        .containsExactly("query ok");
    assertThat(column("SELECT body FROM logs WHERE severity_text IS NOT NULL")).hasSize(4);
    assertThat(column(
        "SELECT body FROM logs WHERE severity_number IN (9, 13) ORDER BY \"timestamp\""))
        .containsExactly("GET /cart 200", "GET /cart 200 slow");
    assertThat(column("SELECT body FROM logs WHERE severity_number > 10 "
        + "AND body NOT LIKE '%timeout%' ORDER BY \"timestamp\""))
        .containsExactly("POST /pay 500 error", "GET /cart 200 slow");
    assertThat(column("SELECT body FROM logs WHERE severity_text NOT IN ('ERROR', 'INFO')"))
        .containsExactly("GET /cart 200 slow");
    assertThat(column("SELECT body FROM logs WHERE body LIKE 'query _k'"))
        .containsExactly("query ok");
  }

  @Test
  void mapColumnsAreReadByKey() {
    assertThat(column("SELECT log_attributes['http.status'] FROM logs "
        + "WHERE service_name = 'checkout' ORDER BY \"timestamp\""))
        .containsExactly("200", "500", "200");
    assertThat(column("SELECT body FROM logs WHERE log_attributes['http.status'] = '500'"))
        .containsExactly("POST /pay 500 error");
    List<Object[]> whole =
        rows("SELECT log_attributes FROM logs WHERE body = 'POST /pay 500 error'");
    assertThat(whole.get(0)[0]).isEqualTo(Map.of("http.status", "500"));
  }

  @Test
  void computedColumnsAndConstants() {
    List<Object[]> rows =
        rows("SELECT severity_number * 2 + 1 AS x, UPPER(service_name) AS s, "
            + "COALESCE(severity_text, 'none') AS t FROM logs ORDER BY \"timestamp\"");
    assertThat(rows.get(0)).containsExactly(19, "CHECKOUT", "INFO");
    assertThat(rows.get(3)).containsExactly(null, "SEARCH", "none");
    // A computing projection passes a map column's buffers through, and may repeat a column.
    assertThat(rows("SELECT log_attributes, UPPER(body), body, body FROM logs "
        + "WHERE body = 'POST /pay 500 error'").get(0))
        .containsExactly(Map.of("http.status", "500"), "POST /PAY 500 ERROR",
            "POST /pay 500 error", "POST /pay 500 error");
    assertThat(rows("SELECT 1").get(0)).containsExactly(1);
    assertThat(rows("SELECT body FROM logs WHERE 1 = 0")).isEmpty();
    assertThat(rows("SELECT \"timestamp\" FROM logs WHERE body = 'query ok'").get(0))
        .containsExactly(T0 + 3 * SECOND);
    assertThat(column("SELECT body FROM logs WHERE \"timestamp\" / 1000000000 = "
        + (T0 / SECOND + 4))).containsExactly("query error timeout");
  }

  @Test
  void groupByCountsPerKey() {
    List<Object[]> rows =
        rows("SELECT service_name, COUNT(*) AS n FROM logs GROUP BY service_name "
            + "ORDER BY service_name");
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0)).containsExactly("checkout", 3L);
    assertThat(rows.get(1)).containsExactly("search", 2L);
    assertThat(rows("SELECT COUNT(*) FROM logs").get(0)).containsExactly(5L);
    assertThat(rows("other", "SELECT COUNT(*) FROM logs").get(0)).containsExactly(1L);
    assertThat(rows("SELECT COUNT(*) FROM logs WHERE severity_text = 'ERROR'").get(0))
        .containsExactly(2L);
  }

  @Test
  void moreOfTheDialect() {
    assertThat(column("SELECT body FROM logs WHERE severity_number BETWEEN 10 AND 15"))
        .containsExactly("GET /cart 200 slow");
    assertThat(rows("SELECT service_name, COUNT(*) AS n FROM logs GROUP BY service_name "
        + "HAVING COUNT(*) > 2"))
        .singleElement().satisfies(r -> assertThat(r).containsExactly("checkout", 3L));
    assertThat(column("SELECT DISTINCT service_name FROM logs ORDER BY service_name"))
        .containsExactly("checkout", "search");
    assertThat(column("SELECT severity_number % 5 FROM logs WHERE service_name = 'checkout' "
        + "ORDER BY \"timestamp\"")).containsExactly(4, 2, 3);
    assertThat(column("SELECT NULLIF(severity_text, 'ERROR') FROM logs "
        + "WHERE service_name = 'checkout' ORDER BY \"timestamp\""))
        .containsExactly("INFO", null, "WARN");
    assertThat(column("SELECT CAST(severity_number AS VARCHAR) || '!' FROM logs "
        + "WHERE body = 'GET /cart 200'")).containsExactly("9!");
    assertThat(column("SELECT b FROM (SELECT body AS b, severity_number AS s FROM logs) "
        + "WHERE s = 13")).containsExactly("GET /cart 200 slow");
    assertThat(column("SELECT body FROM logs WHERE (severity_number > 10) IS NOT TRUE "
        + "ORDER BY \"timestamp\"")).containsExactly("GET /cart 200", "query ok");
    assertThat(column("SELECT CAST(severity_number AS DOUBLE) / 2 FROM logs "
        + "WHERE body = 'GET /cart 200 slow'")).containsExactly(6.5);
  }

  @Test
  void identifiersMatchCaseInsensitivelyQuotedOrNot() {
    assertThat(column("SELECT BODY FROM LOGS WHERE Service_Name = 'search' AND \"BODY\" = 'query ok'"))
        .containsExactly("query ok");
    assertThat(column("SELECT l.body FROM icegate.logs AS l WHERE l.severity_number = 13"))
        .containsExactly("GET /cart 200 slow");
  }

  @Test
  void parametersAreBoundByPosition() {
    SqlResult result =
        engine.execute(
            "SELECT body FROM logs WHERE severity_number = ? AND service_name = ?", "fake",
            Arrays.asList(17, "checkout"), 0, () -> false);
    assertThat(result.rows()).singleElement()
        .satisfies(r -> assertThat(r).containsExactly("POST /pay 500 error"));
    SqlQueryEngine.Prepared prepared =
        engine.prepare("SELECT body, severity_number FROM logs WHERE service_name = ?");
    assertThat(prepared.columns()).extracting(SqlColumn::name)
        .containsExactly("body", "severity_number");
    assertThat(prepared.columns()).extracting(SqlColumn::type)
        .containsExactly(SqlTypeName.VARCHAR, SqlTypeName.INTEGER);
    assertThat(prepared.parameters()).extracting(SqlColumn::type)
        .containsExactly(SqlTypeName.VARCHAR);
  }

  @Test
  void callersLimitCapsTheAnswer() {
    SqlResult result =
        engine.execute("SELECT body FROM logs ORDER BY \"timestamp\"", "fake", List.of(), 2,
            () -> false);
    assertThat(result.rows()).extracting(r -> r[0])
        .containsExactly("GET /cart 200", "POST /pay 500 error");
  }

  @Test
  void explainPlanShowsWhatWasPushedIntoTheScan() {
    String plan =
        (String) rows("EXPLAIN PLAN FOR SELECT body FROM logs WHERE \"timestamp\" >= "
            + (T0 + SECOND) + " AND severity_text = 'ERROR'").get(0)[0];
    assertThat(plan)
        .contains("ArrowTableScan")
        .contains("pushed=[tenant=fake, time=[" + (T0 + SECOND) + ", +inf), "
            + "{severity_text=ERROR}]");
    assertThat(engine.execute("EXPLAIN PLAN FOR SELECT 1", "fake", () -> false).columns())
        .extracting(SqlColumn::name).containsExactly("PLAN");
    String analyzed =
        (String) rows("EXPLAIN ANALYZE SELECT body FROM logs WHERE body LIKE '%error%'")
            .get(0)[0];
    assertThat(analyzed).contains("rows=2 ").contains("scanned:");
  }

  @Test
  void substringLikeRunsInsideTheScanAndTheRestAboveIt() {
    ArrowRel plan =
        engine.physicalPlan("SELECT body FROM logs WHERE body LIKE '%error%' "
            + "AND severity_text IS NOT NULL AND service_name LIKE 'checkout'", "fake");
    ArrowFilter kernel =
        (ArrowFilter) descendants(plan).stream().filter(r -> r instanceof ArrowFilter)
            .findFirst().orElseThrow();
    assertThat(kernel.getInput()).isInstanceOf(ArrowTableScan.class);
    assertThat(kernel.getCondition().toString())
        .contains("CONTAINS_SUBSTRING").contains("'checkout'").doesNotContain("LIKE");
    ArrowSqlFilter sql =
        (ArrowSqlFilter) descendants(plan).stream().filter(r -> r instanceof ArrowSqlFilter)
            .findFirst().orElseThrow();
    assertThat(sql.getCondition().toString()).contains("IS NOT NULL");
    assertThat(column("SELECT body FROM logs WHERE body LIKE '%error%' "
        + "AND severity_text IS NOT NULL AND service_name LIKE 'checkout'"))
        .containsExactly("POST /pay 500 error");
    // Under NOT a NULL must stay UNKNOWN, so NOT LIKE is not turned into a kernel: the search
    // line without severity is not kept (INFO is the only severity without an R).
    assertThat(column("SELECT body FROM logs WHERE NOT (severity_text LIKE '%R%')"))
        .containsExactly("GET /cart 200");
  }

  @Test
  void unsupportedConstructsAreRefusedByName() {
    assertRefused("SELECT a.body FROM logs a RIGHT JOIN spans b ON a.trace_id = b.trace_id",
        "RIGHT JOIN");
    assertRefused("SELECT body, ROW_NUMBER() OVER (ORDER BY body) FROM logs", "window");
    assertRefused(
        "SELECT body FROM logs WHERE service_name IN (SELECT service_name FROM spans)",
        "subquer");
    assertRefused("INSERT INTO logs (body) VALUES ('x')", "INSERT");
    assertThatThrownBy(() -> engine.prepare(
            "SELECT service_name, COUNT(*) FROM logs GROUP BY CUBE(service_name)"))
        .isInstanceOfSatisfying(SqlQueryException.class,
            e -> assertThat(e.getMessage()).contains("CUBE are not supported"));
    assertRefused("SELECT service_name, COUNT(*) FROM logs GROUP BY ROLLUP(service_name)",
        "ROLLUP");
    assertThatThrownBy(() -> rows("SELECT BIT_AND(severity_number) FROM logs"))
        .isInstanceOfSatisfying(SqlQueryException.class,
            e -> assertThat(e.kind()).isEqualTo(SqlQueryException.Kind.UNSUPPORTED));
  }

  @Test
  void unionAllKeepsEveryRowOfEveryInputAndItsTenantBound() {
    // Errors (2 of fake's lines) and checkout's lines (3): one row twice.
    assertThat(column("SELECT body FROM logs WHERE severity_text = 'ERROR' UNION ALL "
            + "SELECT body FROM logs WHERE service_name = 'checkout'"))
        .containsExactlyInAnyOrder("POST /pay 500 error", "query error timeout",
            "GET /cart 200", "POST /pay 500 error", "GET /cart 200 slow");
    // Each input's scan is bound to the caller's tenant: other's line never appears.
    ArrowRel plan = engine.physicalPlan(
        "SELECT body FROM logs UNION ALL SELECT name FROM spans", "fake");
    assertThat(descendants(plan)).anyMatch(r -> r instanceof io.icegate.engine.rel.ArrowUnion);
    assertThat(scans(plan)).hasSize(2)
        .allSatisfy(scan -> assertThat(scan.bounds().tenant()).isEqualTo("fake"));
    assertThat(column("SELECT body FROM logs WHERE service_name = 'search' UNION ALL "
            + "SELECT body FROM logs WHERE tenant_id = 'other'"))
        .containsExactlyInAnyOrder("query ok", "query error timeout");
    // Columns of different types meet in the wider one; names are the first input's.
    SqlResult r = engine.execute(
        "SELECT severity_number AS n FROM logs WHERE service_name = 'search' "
            + "UNION ALL SELECT COUNT(*) FROM logs ORDER BY 1 NULLS FIRST", "fake", () -> false);
    assertThat(r.columns().get(0).name()).isEqualTo("n");
    assertThat(r.rows().stream().map(row -> row[0] == null ? null : ((Number) row[0]).longValue())
            .toList())
        .containsExactly(null, 5L, 17L);
    // An input without rows adds none; a union of empty inputs is empty.
    assertThat(column("SELECT body FROM logs WHERE body = 'nothing' UNION ALL "
            + "SELECT body FROM logs WHERE severity_number = 13"))
        .containsExactly("GET /cart 200 slow");
    assertThat(rows("SELECT body FROM logs WHERE body = 'x' UNION ALL "
            + "SELECT body FROM logs WHERE body = 'y'")).isEmpty();
  }

  @Test
  void unionIntersectAndExceptAreSetOperationsWithoutDuplicates() {
    String errors = "SELECT service_name FROM logs WHERE severity_text = 'ERROR'";
    String slow = "SELECT service_name FROM logs WHERE body LIKE '%slow%' OR body LIKE '%ok%'";
    // errors: checkout, search; slow-or-ok: checkout, search. 200s: checkout only.
    String ok200 = "SELECT service_name FROM logs WHERE body LIKE '%200%'";
    assertThat(column(errors + " UNION " + slow)).containsExactlyInAnyOrder("checkout", "search");
    assertThat(column(errors + " UNION ALL " + slow)).hasSize(4);
    assertThat(column(errors + " INTERSECT " + ok200)).containsExactly("checkout");
    assertThat(column(errors + " EXCEPT " + ok200)).containsExactly("search");
    assertThat(column(ok200 + " EXCEPT " + errors)).isEmpty();
    // Over two columns, NULLs equal: checkout 9, 17, 13; search NULL, 17.
    assertThat(rows("SELECT service_name, severity_number FROM logs "
            + "UNION SELECT service_name, severity_number FROM logs"))
        .hasSize(5);
  }

  @Test
  void badSqlIsAParseOrValidationError() {
    assertThatThrownBy(() -> rows("SELEC body FROM logs"))
        .isInstanceOfSatisfying(SqlQueryException.class, e -> {
          assertThat(e.kind()).isEqualTo(SqlQueryException.Kind.PARSE);
          assertThat(e.getMessage()).contains("line 1, column 1").doesNotContain("Was expecting");
        });
    assertThatThrownBy(() -> rows("SELECT nope FROM logs"))
        .isInstanceOfSatisfying(SqlQueryException.class, e -> {
          assertThat(e.kind()).isEqualTo(SqlQueryException.Kind.VALIDATION);
          assertThat(e.getMessage()).contains("'nope'");
        });
    assertThatThrownBy(() -> rows("SELECT body FROM nowhere"))
        .isInstanceOfSatisfying(SqlQueryException.class,
            e -> assertThat(e.getMessage()).contains("nowhere"));
  }

  @Test
  void limitsStopTheQueryAndReleaseItsMemory() {
    SqlQueryEngine small =
        new SqlQueryEngine(lake.scanner(), root, 64L << 20, Duration.ofSeconds(30), 3);
    assertThatThrownBy(() -> small.execute("SELECT body FROM logs", "fake", () -> false))
        .isInstanceOfSatisfying(SqlQueryException.class,
            e -> assertThat(e.kind()).isEqualTo(SqlQueryException.Kind.TOO_MANY_ROWS));
    assertThat(small.execute("SELECT body FROM logs LIMIT 3", "fake", () -> false).rows())
        .hasSize(3);
    assertThat(root.getAllocatedMemory()).isZero();
    assertThatThrownBy(() -> engine.execute("SELECT body FROM logs", "fake", () -> true))
        .isInstanceOf(QueryCancelledException.class);
    assertThat(root.getAllocatedMemory()).isZero();
    SqlQueryEngine tiny =
        new SqlQueryEngine(lake.scanner(), root, 1024, Duration.ofSeconds(30), 1000);
    assertThatThrownBy(() -> tiny.execute("SELECT * FROM logs", "fake", () -> false))
        .isInstanceOf(OutOfMemoryException.class);
    assertThat(root.getAllocatedMemory()).isZero();
    assertThatThrownBy(() -> rows("SELECT CAST(body AS INTEGER) FROM logs"))
        .isInstanceOfSatisfying(SqlQueryException.class,
            e -> assertThat(e.kind()).isEqualTo(SqlQueryException.Kind.EXECUTION));
  }

  @Test
  void averagesAndVariancesOfIntegersAreDoubles() {
    // Body lengths of checkout's lines: 13, 19, 18. Sum 50, mean 50/3; sum of squares 854,
    // so M2 = 854 - 50²/3 = 62/3: VAR_POP = 62/9, VAR_SAMP = 31/3.
    String lengths = "SELECT AVG(CHAR_LENGTH(body)), VAR_POP(CHAR_LENGTH(body)), "
        + "VAR_SAMP(CHAR_LENGTH(body)), STDDEV_POP(CHAR_LENGTH(body)), "
        + "STDDEV_SAMP(CHAR_LENGTH(body)) FROM logs WHERE service_name = 'checkout'";
    SqlResult result = engine.execute(lengths, "fake", () -> false);
    assertThat(result.columns()).extracting(SqlColumn::type).containsOnly(SqlTypeName.DOUBLE);
    Object[] row = result.rows().get(0);
    assertThat((Double) row[0]).isCloseTo(50.0 / 3, within(1e-12));
    assertThat((Double) row[1]).isCloseTo(62.0 / 9, within(1e-12));
    assertThat((Double) row[2]).isCloseTo(31.0 / 3, within(1e-12));
    assertThat((Double) row[3]).isCloseTo(Math.sqrt(62.0 / 9), within(1e-12));
    assertThat((Double) row[4]).isCloseTo(Math.sqrt(31.0 / 3), within(1e-12));
    // A table's INTEGER column too, also when prepared (what a JDBC tool sees first).
    assertThat(engine.prepare("SELECT AVG(severity_number) FROM logs").columns())
        .extracting(SqlColumn::type).containsExactly(SqlTypeName.DOUBLE);
    // Severities 9 and 13 average to 11; with 17 as well, (9 + 13 + 17) / 3 = 13.
    assertThat(column("SELECT AVG(severity_number) FROM logs WHERE service_name = 'checkout' "
        + "AND severity_number < 17")).containsExactly(11.0);
    assertThat(rows("SELECT service_name, AVG(severity_number) FROM logs "
        + "WHERE severity_number IN (9, 13) OR body = 'POST /pay 500 error' "
        + "GROUP BY service_name")).singleElement()
        .satisfies(r -> assertThat(r).containsExactly("checkout", 13.0));
  }

  @Test
  void sumsOfIntegersAreBigintAndLeavingBigintIsAnError() {
    SqlResult severities =
        engine.execute("SELECT SUM(severity_number) FROM logs WHERE service_name = 'checkout'",
            "fake", () -> false);
    assertThat(severities.columns()).extracting(SqlColumn::type)
        .containsExactly(SqlTypeName.BIGINT);
    assertThat(severities.rows().get(0)).containsExactly(9L + 17 + 13);
    // Five timestamps T0 … T0+4s: 5·T0 + 10 s = 8.5e18, just inside BIGINT.
    assertThat(column("SELECT SUM(\"timestamp\") FROM logs"))
        .containsExactly(5 * T0 + 10 * SECOND);
    // Doubled they sum to 1.7e19, past BIGINT's 9.22e18: an error, not a wrapped number.
    assertThatThrownBy(() -> rows("SELECT SUM(\"timestamp\" * 2) FROM logs"))
        .isInstanceOfSatisfying(SqlQueryException.class, e -> {
          assertThat(e.kind()).isEqualTo(SqlQueryException.Kind.EXECUTION);
          assertThat(e.getMessage()).contains("out of range of BIGINT");
        });
  }

  @Test
  void aCursorComputesRowsAsTheyAreFetchedAndCloseReleasesThem() {
    SqlQueryEngine serial =
        new SqlQueryEngine(
            lake.scanner(),
            new io.icegate.engine.exec.PlanRunner(
                lake.scanner(), root, 64L << 20, Duration.ofSeconds(30), 1),
            1000);
    try (SqlCursor cursor =
        serial.open("SELECT body FROM logs", "fake", List.of(), 0, () -> false)) {
      assertThat(cursor.fetch(1)).extracting(r -> r[0]).containsExactly("GET /cart 200");
      assertThat(cursor.done()).isFalse();
      // The query is still running in its own allocator; only checkout's segment (3 of
      // tenant fake's 5 rows) has been read.
      assertThat(root.getChildAllocators()).hasSize(1);
      assertThat(cursor.stats().rowsScanned()).isEqualTo(3);
      assertThat(cursor.fetch(10)).extracting(r -> r[0]).containsExactly(
          "POST /pay 500 error", "GET /cart 200 slow", "query ok", "query error timeout");
      assertThat(cursor.done()).isTrue();
      assertThat(cursor.stats().rowsScanned()).isEqualTo(5);
      assertThat(root.getChildAllocators()).isEmpty(); // the last row released the query
    }
    SqlCursor abandoned =
        serial.open("SELECT body FROM logs ORDER BY \"timestamp\"", "fake", List.of(), 0,
            () -> false);
    assertThat(abandoned.fetch(2)).hasSize(2);
    assertThat(root.getChildAllocators()).hasSize(1);
    abandoned.close();
    assertThat(root.getChildAllocators()).isEmpty();
    assertThat(root.getAllocatedMemory()).isZero();
    assertThatThrownBy(() -> abandoned.fetch(2))
        .isInstanceOf(QueryCancelledException.class);
  }

  @Test
  void aCursorFailsOnceTheAnswerPassesTheRowLimit() {
    SqlQueryEngine small =
        new SqlQueryEngine(
            lake.scanner(),
            new io.icegate.engine.exec.PlanRunner(
                lake.scanner(), root, 64L << 20, Duration.ofSeconds(30), 1),
            4);
    try (SqlCursor cursor =
        small.open("SELECT body FROM logs", "fake", List.of(), 0, () -> false)) {
      // Checkout's 3 rows fit the limit of 4; search's 2 more don't.
      assertThat(cursor.fetch(2)).hasSize(2);
      assertThatThrownBy(() -> cursor.fetch(2))
          .isInstanceOfSatisfying(SqlQueryException.class,
              e -> assertThat(e.kind()).isEqualTo(SqlQueryException.Kind.TOO_MANY_ROWS));
      assertThat(root.getChildAllocators()).isEmpty();
    }
  }

  @Test
  void theTimeoutCountsTheEnginesTimeNotTheClientsPauses() throws Exception {
    SqlQueryEngine none = new SqlQueryEngine(lake.scanner(), root, 64L << 20, Duration.ZERO, 10);
    assertThatThrownBy(() -> none.execute("SELECT body FROM logs", "fake", () -> false))
        .isInstanceOfSatisfying(QueryCancelledException.class,
            e -> assertThat(e.timeout()).isTrue());
    assertThat(root.getAllocatedMemory()).isZero();
    SqlQueryEngine patient =
        new SqlQueryEngine(
            lake.scanner(),
            new io.icegate.engine.exec.PlanRunner(
                lake.scanner(), root, 64L << 20, Duration.ofSeconds(4), 1),
            1000);
    try (SqlCursor cursor =
        patient.open("SELECT body FROM logs", "fake", List.of(), 0, () -> false)) {
      assertThat(cursor.fetch(1)).hasSize(1);
      Thread.sleep(4_500); // a client reading slowly: longer than the timeout, idle
      assertThat(cursor.fetch(10)).hasSize(4);
    }
  }

  @Test
  void tablesListTheLakesFourTablesWithTheirColumns() {
    assertThat(engine.tables()).extracting(SqlTable::name)
        .contains("logs", "spans", "metrics", "events");
    SqlTable logs =
        engine.tables().stream().filter(t -> t.name().equals("logs")).findFirst().orElseThrow();
    assertThat(logs.columns()).extracting(SqlColumn::name)
        .startsWith("tenant_id", "service_name", "timestamp");
    assertThat(logs.columns().get(2).type()).isEqualTo(SqlTypeName.BIGINT);
    SqlColumn attributes =
        logs.columns().stream().filter(c -> c.name().equals("log_attributes")).findFirst()
            .orElseThrow();
    assertThat(attributes.typeName()).isEqualTo("MAP<VARCHAR, VARCHAR>");
  }

  private static void assertRefused(String sql, String construct) {
    assertThatThrownBy(() -> rows(sql))
        .isInstanceOfSatisfying(SqlQueryException.class, e -> {
          assertThat(e.kind()).isEqualTo(SqlQueryException.Kind.UNSUPPORTED);
          assertThat(e.getMessage()).containsIgnoringCase(construct);
        });
  }

  private static List<Object[]> rows(String sql) {
    return rows("fake", sql);
  }

  private static List<Object[]> rows(String tenant, String sql) {
    return engine.execute(sql, tenant, () -> false).rows();
  }

  private static List<Object> column(String sql) {
    return column("fake", sql);
  }

  private static List<Object> column(String tenant, String sql) {
    return rows(tenant, sql).stream().map(r -> r[0]).toList();
  }

  private static List<ArrowTableScan> scans(RelNode rel) {
    return descendants(rel).stream()
        .filter(r -> r instanceof ArrowTableScan)
        .map(r -> (ArrowTableScan) r)
        .toList();
  }

  private static List<RelNode> descendants(RelNode rel) {
    List<RelNode> out = new ArrayList<>();
    out.add(rel);
    for (RelNode input : rel.getInputs()) {
      out.addAll(descendants(input));
    }
    return out;
  }

  private static void append(String tenant, ExportLogsServiceRequest request) throws Exception {
    var built = LogsBatchBuilder.build(request, tenant, T0, root);
    lake.logsWal().append(tenant, built.batch()).get();
  }

  private static LogRecord line(
      long time, String body, String severity, int number, String status) {
    LogRecord.Builder record =
        LogRecord.newBuilder()
            .setTimeUnixNano(time)
            .setBody(AnyValue.newBuilder().setStringValue(body))
            .setTraceId(ByteString.copyFrom(new byte[16]));
    if (severity != null) {
      record.setSeverityText(severity);
    }
    if (number != 0) {
      record.setSeverityNumberValue(number);
    }
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

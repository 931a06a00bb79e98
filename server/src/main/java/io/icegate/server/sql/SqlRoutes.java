package io.icegate.server.sql;

import io.icegate.engine.sql.SqlQueryEngine;
import io.icegate.server.Tenants;
import io.icegate.server.config.ServerConfig;
import io.icegate.server.http.Handler;
import io.icegate.storage.scan.TableScanner;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SQL on the query port (Loki's, 3100): {@code /api/v1/sql} (JSON over HTTP) and {@code
 * /api/v1/jdbc} (Avatica's remote JDBC protocol), over one {@link SqlQueryEngine} with the
 * server's query memory limit and timeout.
 */
public final class SqlRoutes {
  /** The most rows one SQL answer may have; a query with more fails and should add a LIMIT. */
  public static final int MAX_ROWS = 100_000;
  public static final String SQL_PATH = "/api/v1/sql";
  public static final String JDBC_PATH = "/api/v1/jdbc";
  private static final Logger LOG = LoggerFactory.getLogger(SqlRoutes.class);

  private SqlRoutes() {}

  /** Registers the routes, after planning one query so Calcite's SQL classes are loaded. */
  public static void addTo(
      Map<String, Handler> routes, TableScanner scanner, BufferAllocator root,
      ServerConfig config) {
    SqlQueryEngine engine =
        new SqlQueryEngine(
            scanner, root, config.queryMemoryBytes(), config.queryTimeout(), MAX_ROWS);
    long started = System.nanoTime();
    engine.physicalPlan("SELECT body FROM logs WHERE body LIKE '%x%' LIMIT 1", Tenants.DEFAULT);
    LOG.info("SQL planner ready in {} ms", (System.nanoTime() - started) / 1_000_000);
    routes.put(SQL_PATH, new SqlHttpHandler(engine));
    routes.put(JDBC_PATH, new JdbcHandler(engine));
  }
}

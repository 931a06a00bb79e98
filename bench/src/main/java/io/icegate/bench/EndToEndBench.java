package io.icegate.bench;

import io.icegate.engine.logql.LogQueryEngine;
import io.icegate.engine.logql.LogQueryRange;
import io.icegate.engine.logql.MetricQueryRange;
import io.icegate.engine.promql.QueryResult;
import io.icegate.engine.series.Series;
import io.icegate.logql.LogQL;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.SampleExpr;
import io.icegate.protocol.loki.Direction;
import io.icegate.storage.Lake;
import io.icegate.storage.compaction.Compactor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.memory.RootAllocator;

/**
 * End-to-end query benchmark: the same corpus, compacted into Iceberg Parquet files, queried by
 * our engine (LogQL) and by DuckDB (SQL over the same files) in one run; prints each engine's
 * median wall time and process CPU time, and the ratios ours/DuckDB (below 1.0 we are faster). Not a test: run it with
 * {@code java -cp bench/target/... io.icegate.bench.EndToEndBench [records]}.
 */
public final class EndToEndBench {
  /** One log query in both languages; both must return the same number of rows. */
  record Case(String name, String logql, int limit, String sql) {}

  /**
   * One metric query in both languages: LogQL over a step grid, and SQL grouping the same lines
   * into the same windows. Both must find the same (series, step) points and the same total.
   */
  record MetricCase(String name, String logql, long stepNanos, String sql) {}

  private static final int WARMUP = Integer.getInteger("icegate.bench.warmup", 3);
  private static final int RUNS = Integer.getInteger("icegate.bench.runs", 7);

  public static void main(String[] args) throws Exception {
    // As the server runs: without Arrow's per-access bounds checks.
    io.icegate.server.Main.arrowWithoutBoundsChecks();
    int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    // A second argument names a directory to keep the corpus in and reuse on the next run.
    Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("icegate-bench");
    List<String> report = run(dir, records, WARMUP, RUNS);
    report.forEach(System.out::println);
  }

  /** Builds the corpus in {@code dir} and runs every case; returns the report lines. */
  public static List<String> run(Path dir, int records, int warmup, int runs) throws Exception {
    List<String> report = new ArrayList<>();
    LogCorpus corpus = new LogCorpus(records, 12, 3_600_000_000_000L);
    try (RootAllocator root = new RootAllocator();
        Lake lake =
            Lake.openLocal(
                dir,
                Duration.ofMillis(5),
                new Compactor.Policy(Duration.ZERO, 256L << 20, Duration.ZERO),
                Duration.ZERO)) {
      Path marker = dir.resolve("corpus-body-bytes-" + records);
      long bodyBytes;
      if (Files.exists(marker)) {
        bodyBytes = Long.parseLong(Files.readString(marker).trim());
        report.add(String.format(Locale.ROOT,
            "corpus: %,d records, %,d body bytes (reused from %s)", records, bodyBytes, dir));
      } else {
        long t = System.nanoTime();
        corpus.writeTo(lake, root, 5_000);
        long ingest = System.nanoTime() - t;
        t = System.nanoTime();
        LogCorpus.compactAll(lake);
        long compact = System.nanoTime() - t;
        bodyBytes = corpus.bodyBytes();
        Files.writeString(marker, Long.toString(bodyBytes));
        report.add(String.format(Locale.ROOT,
            "corpus: %,d records, %,d body bytes; ingest %.1f s (%.0f rec/s), compaction %.1f s",
            records, bodyBytes, ingest / 1e9, records / (ingest / 1e9), compact / 1e9));
      }

      LogQueryEngine engine =
          new LogQueryEngine(lake.scanner(), root, 4L << 30, Duration.ofMinutes(10));
      String files = dir.resolve("warehouse").toAbsolutePath() + "/**/*.parquet";
      try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
          Statement st = duck.createStatement()) {
        st.execute("SET threads TO " + Runtime.getRuntime().availableProcessors());
        st.execute("CREATE VIEW logs AS SELECT * FROM read_parquet('" + files + "')");
        report.add(String.format(Locale.ROOT, "%-28s %10s %10s %6s %10s %10s %6s %9s",
            "case", "ours ms", "duckdb ms", "ratio", "ours cpu", "duck cpu", "ratio", "rows"));
        // -Dicegate.bench.only=<text> runs only the cases whose name contains it (for profiling).
        String only = System.getProperty("icegate.bench.only", "");
        for (Case c : cases()) {
          if (!c.name().contains(only)) {
            continue;
          }
          LogSelectorExpr expr = (LogSelectorExpr) LogQL.parse(c.logql());
          LogQueryRange range =
              new LogQueryRange("fake", LogCorpus.T0, corpus.endNanos(), c.limit(),
                  Direction.BACKWARD);
          long ourRows = engine.select(expr, range, () -> false).entries();
          long duckRows = count(st, c.sql());
          if (ourRows != duckRows) {
            throw new IllegalStateException(
                c.name() + ": we returned " + ourRows + " rows, DuckDB " + duckRows);
          }
          if (Boolean.getBoolean("icegate.bench.explain")) {
            report.add(engine.explainAnalyze(expr, range, () -> false));
          }
          Timing ours = median(warmup, runs, () -> engine.select(expr, range, () -> false));
          Timing theirs = median(warmup, runs, () -> count(st, c.sql()));
          report.add(row(c.name(), ours, theirs, ourRows));
          if (c.name().startsWith("substring scan")) {
            report.add(String.format(Locale.ROOT,
                "  substring filter throughput per CPU-second: ours %.2f GB/s, DuckDB %.2f GB/s"
                    + " (body bytes)",
                bodyBytes / (ours.cpuMs() / 1e3) / 1e9, bodyBytes / (theirs.cpuMs() / 1e3) / 1e9));
          }
        }
        for (MetricCase c : metricCases()) {
          if (!c.name().contains(only)) {
            continue;
          }
          SampleExpr expr = (SampleExpr) LogQL.parse(c.logql());
          MetricQueryRange range =
              new MetricQueryRange("fake", LogCorpus.T0, LogCorpus.T0 + corpus.spanNanos(),
                  c.stepNanos());
          long[] ourTotals = totals(engine.metric(expr, range, () -> false).value());
          long[] duckTotals = sqlTotals(st, c.sql());
          if (!Arrays.equals(ourTotals, duckTotals)) {
            throw new IllegalStateException(c.name() + ": we found (points, total) "
                + Arrays.toString(ourTotals) + ", DuckDB " + Arrays.toString(duckTotals));
          }
          if (Boolean.getBoolean("icegate.bench.explain")) {
            report.add(engine.explainMetric(expr, range, true, () -> false));
          }
          Timing ours = median(warmup, runs, () -> engine.metric(expr, range, () -> false));
          Timing theirs = median(warmup, runs, () -> sqlTotals(st, c.sql()));
          report.add(row(c.name(), ours, theirs, ourTotals[0]));
          if (c.name().startsWith("json")) {
            // Every selected line goes through the json stage (both engines read them all).
            var run = engine.metric(expr, range, () -> false);
            report.add(String.format(Locale.ROOT,
                "  json stage throughput per CPU-second: ours %.2f M lines, %.0f MB;"
                    + " DuckDB json_extract %.2f M lines, %.0f MB (%,d lines, %,d bytes read)",
                run.rowsScanned() / (ours.cpuMs() / 1e3) / 1e6,
                run.bytesScanned() / (ours.cpuMs() / 1e3) / 1e6,
                run.rowsScanned() / (theirs.cpuMs() / 1e3) / 1e6,
                run.bytesScanned() / (theirs.cpuMs() / 1e3) / 1e6,
                run.rowsScanned(), run.bytesScanned()));
          }
        }
      }
    }
    return report;
  }

  /**
   * A user id one digit too long: each of its trigrams is in every row group (user_9999 is), the
   * needle in none — a search for an id that isn't there.
   */
  static final String UNPRUNABLE = "user_99999";

  static List<Case> cases() {
    return List.of(
        new Case(
            "line filter, limit 1000",
            "{service_name=\"svc-1\"} |= \"error\"",
            1000,
            "SELECT timestamp, stream_labels, body FROM logs WHERE tenant_id = 'fake'"
                + " AND service_name = 'svc-1' AND contains(body, 'error')"
                + " ORDER BY timestamp DESC LIMIT 1000"),
        new Case(
            "regex filter, limit 1000",
            "{deployment_environment=\"prod\"} |~ \"user_[0-9]+ failed\"",
            1000,
            "SELECT timestamp, stream_labels, body FROM logs WHERE tenant_id = 'fake'"
                + " AND contains(stream_labels, 'deployment_environment=\"prod\"')"
                + " AND regexp_matches(body, 'user_[0-9]+ failed')"
                + " ORDER BY timestamp DESC LIMIT 1000"),
        new Case(
            "substring scan, no match",
            "{service_name=~\".+\"} |= \"zzz-never-there\"",
            1000,
            "SELECT timestamp, body FROM logs WHERE tenant_id = 'fake'"
                + " AND contains(body, 'zzz-never-there') ORDER BY timestamp DESC LIMIT 1000"),
        // Every trigram of this needle occurs in every row group, so the substring index rules
        // nothing out: the scan inflates and searches every line.
        new Case(
            "substring scan, unprunable needle",
            "{service_name=~\".+\"} |= \"" + UNPRUNABLE + "\"",
            1000,
            "SELECT timestamp, body FROM logs WHERE tenant_id = 'fake'"
                + " AND contains(body, '" + UNPRUNABLE + "') ORDER BY timestamp DESC LIMIT 1000"),
        new Case(
            "json label filter, limit 1000",
            "{deployment_environment=\"prod\"} | json | __error__=\"\" | status >= 500",
            1000,
            "SELECT timestamp, stream_labels, body FROM logs WHERE tenant_id = 'fake'"
                + " AND contains(stream_labels, 'deployment_environment=\"prod\"')"
                + " AND json_valid(body)"
                + " AND TRY_CAST(json_extract_string(body, '$.status') AS DOUBLE) >= 500"
                + " ORDER BY timestamp DESC LIMIT 1000"));
  }

  static List<MetricCase> metricCases() {
    long minute = 60_000_000_000L;
    // A line at ts belongs to the window (t - 1m, t] of step t = T0 + k·1m, k = ⌈(ts-T0)/1m⌉.
    String step =
        "(epoch_ns(timestamp) - " + LogCorpus.T0 + " + " + (minute - 1) + ") // " + minute;
    String prod =
        " WHERE tenant_id = 'fake'"
            + " AND contains(stream_labels, 'deployment_environment=\"prod\"')";
    return List.of(
        // The json stage over every selected line (30 % are JSON, the rest fail to parse and
        // are dropped by the error filter), then grouping by an extracted label: no limit cuts
        // the work short, unlike the log query above.
        new MetricCase(
            "json parser, sum by status",
            "sum by (status) (count_over_time("
                + "{deployment_environment=\"prod\"} | json | __error__=\"\" [1m]))",
            minute,
            "SELECT json_extract_string(body, '$.status') AS status, " + step + " AS step,"
                + " count(*) AS n FROM logs" + prod + " AND json_valid(body) GROUP BY 1, 2"),
        // A label filter after json, over every selected line.
        new MetricCase(
            "json then label filter",
            "sum by (service_name) (count_over_time({deployment_environment=\"prod\"}"
                + " | json | __error__=\"\" | status >= 500 [1m]))",
            minute,
            "SELECT service_name, " + step + " AS step, count(*) AS n FROM logs" + prod
                + " AND json_valid(body)"
                + " AND TRY_CAST(json_extract_string(body, '$.status') AS DOUBLE) >= 500"
                + " GROUP BY 1, 2"),
        new MetricCase(
            "sum by count_over_time 1m",
            "sum by (service_name) (count_over_time("
                + "{deployment_environment=\"prod\"} |= \"error\" [1m]))",
            minute,
            // A line at ts belongs to the window (t - 1m, t] of step t = T0 + k·1m, k = ⌈(ts-T0)/1m⌉.
            "SELECT service_name, (epoch_ns(timestamp) - " + LogCorpus.T0 + " + " + (minute - 1)
                + ") // " + minute + " AS step, count(*) AS n FROM logs"
                + " WHERE tenant_id = 'fake'"
                + " AND contains(stream_labels, 'deployment_environment=\"prod\"')"
                + " AND contains(body, 'error') GROUP BY 1, 2"),
        // Grafana's log volume: counts per stream label, no line filter, so no line is read.
        new MetricCase(
            "log volume, no line filter",
            "sum by (service_name) (count_over_time({deployment_environment=\"prod\"} [1m]))",
            minute,
            "SELECT service_name, " + step + " AS step, count(*) AS n FROM logs" + prod
                + " GROUP BY 1, 2"));
  }

  /** (points, sum of values) of a matrix. */
  private static long[] totals(QueryResult value) {
    long points = 0;
    long total = 0;
    for (Series s : ((QueryResult.MatrixResult) value).series()) {
      points += s.size();
      for (double v : s.values()) {
        total += (long) v;
      }
    }
    return new long[] {points, total};
  }

  /** (groups, sum of n) of a grouped count. */
  private static long[] sqlTotals(Statement st, String sql) throws Exception {
    long points = 0;
    long total = 0;
    try (ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        points++;
        total += rs.getLong("n");
      }
    }
    return new long[] {points, total};
  }

  private static long count(Statement st, String sql) throws Exception {
    long rows = 0;
    try (ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        rows++;
      }
    }
    return rows;
  }

  /** Something to time. */
  @FunctionalInterface
  interface Work {
    Object run() throws Exception;
  }

  /** Median wall and process-CPU milliseconds of {@code runs} runs. */
  record Timing(double wallMs, double cpuMs) {}

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  /**
   * Times {@code work}: wall time, and the whole process's CPU time (every thread, DuckDB's
   * native ones and the GC included), which a machine busy with other work distorts far less.
   */
  private static Timing median(int warmup, int runs, Work work) throws Exception {
    for (int i = 0; i < warmup; i++) {
      work.run();
    }
    double[] ms = new double[runs];
    double[] cpu = new double[runs];
    for (int i = 0; i < runs; i++) {
      long c = OS.getProcessCpuTime();
      long t = System.nanoTime();
      work.run();
      ms[i] = (System.nanoTime() - t) / 1e6;
      cpu[i] = (OS.getProcessCpuTime() - c) / 1e6;
    }
    Arrays.sort(ms);
    Arrays.sort(cpu);
    return new Timing(ms[runs / 2], cpu[runs / 2]);
  }

  private static String row(String name, Timing ours, Timing theirs, long rows) {
    return String.format(Locale.ROOT, "%-28s %10.1f %10.1f %6.2f %10.1f %10.1f %6.2f %9d",
        name, ours.wallMs(), theirs.wallMs(), ours.wallMs() / theirs.wallMs(), ours.cpuMs(),
        theirs.cpuMs(), ours.cpuMs() / theirs.cpuMs(), rows);
  }

  private EndToEndBench() {}
}

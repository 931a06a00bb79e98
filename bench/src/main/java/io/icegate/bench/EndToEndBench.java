package io.icegate.bench;

import io.icegate.engine.logql.LogQueryEngine;
import io.icegate.engine.logql.LogQueryRange;
import io.icegate.logql.LogQL;
import io.icegate.logql.ast.LogSelectorExpr;
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
 * median time and the ratio ours/DuckDB (below 1.0 we are faster). Not a test: run it with
 * {@code java -cp bench/target/... io.icegate.bench.EndToEndBench [records]}.
 */
public final class EndToEndBench {
  /** One query in both languages; both must return {@code rows} rows. */
  record Case(String name, String logql, int limit, String sql) {}

  private static final int WARMUP = 3;
  private static final int RUNS = 7;

  public static void main(String[] args) throws Exception {
    int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Path dir = Files.createTempDirectory("icegate-bench");
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
      long t = System.nanoTime();
      corpus.writeTo(lake, root, 5_000);
      long ingest = System.nanoTime() - t;
      t = System.nanoTime();
      LogCorpus.compactAll(lake);
      long compact = System.nanoTime() - t;
      report.add(String.format(Locale.ROOT,
          "corpus: %,d records, %,d body bytes; ingest %.1f s (%.0f rec/s), compaction %.1f s",
          records, corpus.bodyBytes(), ingest / 1e9, records / (ingest / 1e9), compact / 1e9));

      LogQueryEngine engine =
          new LogQueryEngine(lake.scanner(), root, 4L << 30, Duration.ofMinutes(10));
      String files = dir.resolve("warehouse").toAbsolutePath() + "/**/*.parquet";
      try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
          Statement st = duck.createStatement()) {
        st.execute("SET threads TO " + Runtime.getRuntime().availableProcessors());
        st.execute("CREATE VIEW logs AS SELECT * FROM read_parquet('" + files + "')");
        report.add(String.format(Locale.ROOT, "%-28s %12s %12s %8s %10s",
            "case", "ours ms", "duckdb ms", "ratio", "rows"));
        for (Case c : cases()) {
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
          double ours = median(warmup, runs, () -> engine.select(expr, range, () -> false));
          double theirs = median(warmup, runs, () -> count(st, c.sql()));
          report.add(String.format(Locale.ROOT, "%-28s %12.1f %12.1f %8.2f %10d",
              c.name(), ours, theirs, ours / theirs, ourRows));
          if (c.name().startsWith("substring scan")) {
            report.add(String.format(Locale.ROOT,
                "  substring filter throughput: ours %.2f GB/s, DuckDB %.2f GB/s (body bytes)",
                corpus.bodyBytes() / (ours / 1e3) / 1e9,
                corpus.bodyBytes() / (theirs / 1e3) / 1e9));
          }
        }
      }
    }
    return report;
  }

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
                + " AND contains(body, 'zzz-never-there') ORDER BY timestamp DESC LIMIT 1000"));
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

  private static double median(int warmup, int runs, Work work) throws Exception {
    for (int i = 0; i < warmup; i++) {
      work.run();
    }
    double[] ms = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t = System.nanoTime();
      work.run();
      ms[i] = (System.nanoTime() - t) / 1e6;
    }
    Arrays.sort(ms);
    return ms[runs / 2];
  }

  private EndToEndBench() {}
}

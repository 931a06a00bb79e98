package io.icegate.bench;

import io.icegate.storage.Lake;
import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.scan.ScanRequest;
import io.icegate.storage.scan.TableScanner;
import io.icegate.storage.table.LogsTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.io.CloseableIterator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: one thread reading a log query's flat columns (time, tenant, service, stream labels, body)
 * of every compacted row of the corpus into Arrow — with our Parquet reader, with Iceberg's
 * vectorized reader, and DuckDB (one thread) summing the same columns of the same files as the
 * anchor. Compare the three scores of one run as ratios. Run: {@code java -cp … org.openjdk.jmh.Main
 * ScanBench -p dir=<corpus dir of EndToEndBench>}; an empty {@code dir} builds a 300,000-record
 * corpus in a temporary directory first.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "--add-opens=java.base/java.nio=ALL-UNNAMED"})
@Warmup(iterations = 3)
@Measurement(iterations = 6)
public class ScanBench {
  /** {@code -Dicegate.scanbench.maps=true}: the attribute maps too (structured metadata). */
  private static final boolean MAPS = Boolean.getBoolean("icegate.scanbench.maps");

  private static final List<String> COLUMNS =
      MAPS
          ? List.of(LogsTable.TIMESTAMP, LogsTable.TENANT_ID, LogsTable.SERVICE_NAME,
              LogsTable.STREAM_LABELS, LogsTable.BODY, LogsTable.LOG_ATTRIBUTES,
              LogsTable.RESOURCE_ATTRIBUTES)
          : List.of(LogsTable.TIMESTAMP, LogsTable.TENANT_ID, LogsTable.SERVICE_NAME,
              LogsTable.STREAM_LABELS, LogsTable.BODY);

  @Param("")
  public String dir;

  private RootAllocator root;
  private Lake lake;
  private Connection duck;
  private Statement sql;
  private String files;

  @Setup(Level.Trial)
  public void open() throws Exception {
    Path path = dir.isEmpty() ? Files.createTempDirectory("icegate-scanbench") : Path.of(dir);
    root = new RootAllocator();
    lake =
        Lake.openLocal(
            path,
            Duration.ofMillis(5),
            new Compactor.Policy(Duration.ZERO, 256L << 20, Duration.ZERO),
            Duration.ZERO);
    if (dir.isEmpty()) {
      new LogCorpus(300_000, 12, 3_600_000_000_000L).writeTo(lake, root, 5_000);
      LogCorpus.compactAll(lake);
    }
    files = path.resolve("warehouse").toAbsolutePath() + "/**/*.parquet";
    duck = DriverManager.getConnection("jdbc:duckdb:");
    sql = duck.createStatement();
    sql.execute("SET threads TO 1");
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    sql.close();
    duck.close();
    lake.close();
    root.close();
  }

  @Benchmark
  public long icegateReader() throws Exception {
    System.setProperty(TableScanner.ICEBERG_READER_PROPERTY, "false");
    return scan();
  }

  @Benchmark
  public long icebergReader() throws Exception {
    System.setProperty(TableScanner.ICEBERG_READER_PROPERTY, "true");
    try {
      return scan();
    } finally {
      System.clearProperty(TableScanner.ICEBERG_READER_PROPERTY);
    }
  }

  @Benchmark
  public long duckdb() throws Exception {
    try (ResultSet rs =
        sql.executeQuery(
            "SELECT count(*) + sum(length(body)) + sum(length(stream_labels)) + sum(length(tenant_id))"
                + " + sum(length(service_name)) + sum(epoch_ns(\"timestamp\") % 7)"
                + (MAPS
                    ? " + sum(cardinality(log_attributes)) + sum(cardinality(resource_attributes))"
                    : "")
                + " FROM read_parquet('" + files + "')")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Without JMH: the three in turn, {@code rounds} times, in one process, each timed by wall
   * clock and by the CPU time of the calling thread (DuckDB with one thread runs its work on the
   * calling thread) — on a shared, noisy machine CPU time and interleaving keep the ratios
   * honest. Args: corpus dir, rounds.
   */
  public static void main(String[] args) throws Exception {
    // As the server runs: without Arrow's per-access bounds checks.
    io.icegate.server.Main.arrowWithoutBoundsChecks();
    ScanBench bench = new ScanBench();
    bench.dir = args.length > 0 ? args[0] : "";
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    bench.open();
    try {
      java.lang.management.ThreadMXBean cpu =
          java.lang.management.ManagementFactory.getThreadMXBean();
      for (int round = 0; round < rounds; round++) {
        long[] wall = new long[3];
        long[] used = new long[3];
        for (int i = 0; i < 3; i++) {
          long w = System.nanoTime();
          long c = cpu.getCurrentThreadCpuTime();
          switch (i) {
            case 0 -> bench.icegateReader();
            case 1 -> bench.icebergReader();
            default -> bench.duckdb();
          }
          used[i] = cpu.getCurrentThreadCpuTime() - c;
          wall[i] = System.nanoTime() - w;
        }
        System.out.printf(java.util.Locale.ROOT,
            "round %d: wall ours %.0f / iceberg %.0f / duckdb %.0f ms; cpu ours %.0f / iceberg"
                + " %.0f / duckdb %.0f ms; cpu ratio ours/duckdb %.2f, iceberg/duckdb %.2f%n",
            round, wall[0] / 1e6, wall[1] / 1e6, wall[2] / 1e6, used[0] / 1e6, used[1] / 1e6,
            used[2] / 1e6, (double) used[0] / used[2], (double) used[1] / used[2]);
      }
    } finally {
      bench.close();
    }
  }

  /** Rows plus body bytes, so nothing read is dead code. */
  private long scan() throws Exception {
    TableScanner scanner = lake.scanner();
    ScanRequest request =
        new ScanRequest(LogsTable.NAME, "fake", Long.MIN_VALUE, Long.MAX_VALUE, COLUMNS);
    long total = 0;
    try (CloseableIterator<VectorSchemaRoot> it = scanner.open(request, root)) {
      while (it.hasNext()) {
        try (VectorSchemaRoot batch = it.next()) {
          VarCharVector body = (VarCharVector) batch.getVector(LogsTable.BODY);
          total += batch.getRowCount() + body.getOffsetBuffer().getInt(
              (long) batch.getRowCount() * VarCharVector.OFFSET_WIDTH);
        }
      }
    }
    return total;
  }
}

package io.icegate.bench;

import io.icegate.storage.Lake;
import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.ingest.MetricsBatchBuilder;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.table.MetricsTable;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Compaction throughput, old against new: the same WAL segments (metrics rows shaped like
 * scraped samples — every series at one time per request — and log lines) are compacted into
 * Iceberg by the record path (Iceberg's generic reader, comparator and writer) and by the
 * columnar path, in one run; prints rows per second of each and the ratio new/old. Not a test:
 * run it with {@code java -cp bench/target/classes:... io.icegate.bench.CompactionBench [rows]}.
 * Timings are of whole compaction runs (read, partition, sort, write, commit), as wall time and
 * as the compacting thread's CPU time, which a machine shared with other work disturbs less.
 */
public final class CompactionBench {
  private static final long T0 = 1_767_225_600_000_000_000L; // 2026-01-01T00:00:00Z
  private static final long STEP = 15_000_000_000L;
  private static final Compactor.Policy POLICY =
      new Compactor.Policy(Duration.ZERO, Compactor.Policy.DEFAULT.maxInputBytes(), Duration.ZERO);

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private CompactionBench() {}

  public static void main(String[] args) throws Exception {
    // As the server runs: without Arrow's per-access bounds checks.
    io.icegate.server.Main.arrowWithoutBoundsChecks();
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
    Path dir = Files.createTempDirectory("icegate-compaction-bench");
    try (RootAllocator allocator = new RootAllocator()) {
      // Warm-up on a tenth, so both paths are compiled before they are timed.
      for (String table : List.of(MetricsTable.NAME, LogsTable.NAME)) {
        run(dir.resolve("warm-" + table), table, Math.max(1_000, rows / 10), allocator);
      }
      List<String> report = new ArrayList<>();
      for (String table : List.of(MetricsTable.NAME, LogsTable.NAME)) {
        report.add(run(dir.resolve(table), table, rows, allocator));
      }
      report.forEach(System.out::println);
    }
  }

  /** Loads {@code rows} into two lakes and compacts one each way; the report line. */
  private static String run(Path dir, String table, int rows, BufferAllocator allocator)
      throws Exception {
    double[] perSecond = new double[2];
    double[] perCpuSecond = new double[2];
    for (int path = 0; path < 2; path++) {
      boolean records = path == 0;
      try (Lake lake =
          Lake.openLocal(dir.resolve(records ? "records" : "columns"), Duration.ofMillis(5),
              POLICY, Duration.ZERO)) {
        load(lake, table, rows, allocator);
        System.gc();
        if (records) {
          System.setProperty(Compactor.RECORD_PATH_PROPERTY, "true");
        }
        long compacted = 0;
        long cpu = THREADS.getCurrentThreadCpuTime();
        long t = System.nanoTime();
        try {
          Compactor.Result result;
          while ((result = lake.compact(table)).segments() > 0) {
            compacted += result.rows();
          }
        } finally {
          System.clearProperty(Compactor.RECORD_PATH_PROPERTY);
        }
        long nanos = System.nanoTime() - t;
        long cpuNanos = THREADS.getCurrentThreadCpuTime() - cpu;
        if (compacted != rows) {
          throw new IllegalStateException(table + ": compacted " + compacted + " of " + rows);
        }
        perSecond[path] = rows / (nanos / 1e9);
        perCpuSecond[path] = rows / (cpuNanos / 1e9);
      }
    }
    return String.format(Locale.ROOT,
        "%-8s %,10d rows | wall: record %,9.0f rows/s, columnar %,9.0f rows/s, ratio %4.1fx"
            + " | compacting thread's CPU: record %,9.0f rows/s, columnar %,9.0f rows/s,"
            + " ratio %4.1fx",
        table, rows, perSecond[0], perSecond[1], perSecond[1] / perSecond[0],
        perCpuSecond[0], perCpuSecond[1], perCpuSecond[1] / perCpuSecond[0]);
  }

  private static void load(Lake lake, String table, int rows, BufferAllocator allocator)
      throws Exception {
    if (table.equals(LogsTable.NAME)) {
      new LogCorpus(rows, 12, 3_600_000_000_000L).writeTo(lake, allocator, 5_000);
      return;
    }
    // 2 000 series of 10 metric names; each request is every series at one time step.
    int series = 2_000;
    SplittableRandom random = new SplittableRandom(7);
    List<CompletableFuture<?>> acks = new ArrayList<>();
    for (int start = 0, step = 0; start < rows; start += series, step++) {
      int n = Math.min(series, rows - start);
      ScopeMetrics.Builder scope = ScopeMetrics.newBuilder();
      for (int name = 0; name < 10; name++) {
        Gauge.Builder gauge = Gauge.newBuilder();
        for (int s = name; s < n; s += 10) {
          gauge.addDataPoints(
              NumberDataPoint.newBuilder()
                  .setTimeUnixNano(T0 + step * STEP)
                  .setAsDouble(random.nextDouble() * 100)
                  .addAttributes(kv("instance", "host-" + (s / 10 % 50)))
                  .addAttributes(kv("path", "/api/v1/item/" + s)));
        }
        scope.addMetrics(Metric.newBuilder().setName("app.metric." + name).setGauge(gauge));
      }
      ExportMetricsServiceRequest request =
          ExportMetricsServiceRequest.newBuilder()
              .addResourceMetrics(
                  ResourceMetrics.newBuilder()
                      .setResource(
                          Resource.newBuilder()
                              .addAttributes(kv("service.name", "shop"))
                              .addAttributes(kv("service.instance.id", "i-1")))
                      .addScopeMetrics(scope))
              .build();
      var built = MetricsBatchBuilder.build(request, "fake", T0, allocator);
      acks.add(lake.metricsWal().append("fake", built.batch()));
      if (acks.size() >= 8) {
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get();
        acks.clear();
      }
    }
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get();
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}

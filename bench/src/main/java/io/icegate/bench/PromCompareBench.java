package io.icegate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.CodedOutputStream;
import io.icegate.server.IceGateServer;
import io.icegate.server.Tenants;
import io.icegate.server.config.ServerConfig;
import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.table.MetricsTable;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * PromQL against a real Prometheus: the same generated series are written into our server's
 * metrics table (as compacted data files, see {@link MetricsBulkLoad}; with {@code
 * -Dbench.load=http} sent by remote-write and compacted instead) and built into TSDB blocks for
 * Prometheus with {@code promtool tsdb create-blocks-from openmetrics}; then each range query
 * runs through both HTTP APIs, the answers are compared (same series, same timestamps, values
 * within 1e-9 relative), and the median latency of each side and the ratio ours/Prometheus
 * (below 1.0 we are faster) are printed. Not a test.
 *
 * <p>Run: {@code java -cp <bench classpath> io.icegate.bench.PromCompareBench [series] [hours]
 * [step seconds] [runs] [dir]}; defaults 1000 series × 2 h (at a 15 s scrape interval) in a new
 * temporary directory. The issue's size is {@code 10000 24}. A {@code dir} loaded before with
 * the same size is queried as it is (loading 10k series × 6 h takes about 4 minutes on two
 * shared cores, most of it promtool); {@code -Dbench.cases=rate,topk} runs only those cases
 * (a space in a name written {@code _}: {@code sum_by}).
 * Needs {@code prometheus} and {@code promtool} on the PATH (Debian package {@code prometheus},
 * 2.42). Run the JVM as a server would be: a fixed, pre-touched heap ({@code -Xms6g -Xmx8g
 * -XX:+AlwaysPreTouch}), else the first touch of each heap page is timed. {@code
 * -Dbench.threads=true} prints our CPU per query by thread group.
 *
 * <p>The data: half the series are counters {@code bench_requests_total{job, instance}}, a
 * quarter gauges {@code bench_up{job, instance}} (the join's other side), and a quarter classic
 * histogram buckets {@code bench_latency_seconds_bucket{job, instance, le}} (5 buckets each).
 * Samples are 7 s off the 15 s grid so that no sample lies on a window boundary: Prometheus 2.42
 * closes its windows on the left, Prometheus 3 (whose semantics we follow) does not, and off the
 * boundaries both give the same numbers.
 */
public final class PromCompareBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10)).build();
  private static final long INTERVAL_MS = 15_000;
  private static final long OFFSET_MS = 7_000;
  private static final int JOBS = 20;
  private static final double[] LE = {0.05, 0.1, 0.5, 1, Double.POSITIVE_INFINITY};
  /**
   * Untimed queries before each side's timed runs ({@code -Dbench.warmup}): a server answers
   * the same queries all day, and the JIT was still compiling a fifth of a core's time after two.
   */
  private static final int WARMUP = Integer.getInteger("bench.warmup", 8);

  /** One range query of the comparison. */
  record Case(String name, String query) {}

  static List<Case> cases() {
    // -Dbench.query=<PromQL> adds a case "custom" (e.g. a selection of a few series, to see the
    // fixed cost of a query).
    String custom = System.getProperty("bench.query");
    List<Case> fixed = List.of(
        new Case("rate", "rate(bench_requests_total[5m])"),
        new Case("sum by", "sum by (job) (rate(bench_requests_total[5m]))"),
        new Case("histogram_quantile",
            "histogram_quantile(0.9, sum by (job, le) (rate(bench_latency_seconds_bucket[5m])))"),
        new Case("topk", "topk(5, rate(bench_requests_total[5m]))"),
        new Case("join",
            "rate(bench_requests_total[5m]) * on (job, instance) group_left bench_up"));
    if (custom == null) {
      return fixed;
    }
    List<Case> all = new ArrayList<>(fixed);
    all.add(new Case("custom", custom));
    return all;
  }

  /** The generated data set: where it starts and ends, and how many series of each kind. */
  record Data(int series, long startMs, long endMs) {
    int counters() {
      return Math.max(1, series / 2);
    }

    int gauges() {
      return Math.max(1, series / 4);
    }

    int histograms() {
      return Math.max(1, series / 4 / LE.length);
    }

    int points() {
      return (int) ((endMs - startMs) / INTERVAL_MS);
    }

    long time(int k) {
      return startMs + k * INTERVAL_MS + OFFSET_MS;
    }
  }

  public static void main(String[] args) throws Exception {
    // As the server runs: without Arrow's per-access bounds checks.
    io.icegate.server.Main.arrowWithoutBoundsChecks();
    int series = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    double hours = args.length > 1 ? Double.parseDouble(args[1]) : 2;
    long stepSeconds = args.length > 2 ? Long.parseLong(args[2]) : 60;
    int runs = args.length > 3 ? Integer.parseInt(args[3]) : 7;
    Path dir = args.length > 4 ? Files.createDirectories(Path.of(args[4]))
        : Files.createTempDirectory("icegate-prom-bench");
    run(dir, series, hours, stepSeconds, runs);
  }

  /** Generates, loads both sides, runs the cases; returns the report lines. */
  public static List<String> run(Path dir, int series, double hours, long stepSeconds, int runs)
      throws Exception {
    List<String> report = new ArrayList<>() {
      @Override
      public boolean add(String line) {
        System.out.println(line);
        System.out.flush();
        return super.add(line);
      }
    };
    // A directory loaded before with the same size is queried again as it is: loading the
    // issue's size takes many minutes, the queries seconds.
    Path marker = dir.resolve(MARKER);
    Data data = loaded(marker, series, hours);
    boolean reuse = data != null;
    if (!reuse) {
      // Whole 2-hour blocks ending an hour ago: recent enough for Prometheus's retention.
      long block = 2 * 3_600_000L;
      long end = Math.floorDiv(System.currentTimeMillis() - 3_600_000L, block) * block;
      long duration = (long) (hours * 3_600_000L) / INTERVAL_MS * INTERVAL_MS;
      data = new Data(series, end - duration, end);
    }
    report.add(String.format(Locale.ROOT,
        "data: %d series (%d counters, %d gauges, %d histogram buckets) x %.1f h at %d s = %,d"
            + " samples%s", data.counters() + data.gauges() + data.histograms() * LE.length,
        data.counters(), data.gauges(), data.histograms() * LE.length, hours,
        INTERVAL_MS / 1000,
        (long) (data.counters() + data.gauges() + data.histograms() * LE.length)
            * data.points(), reuse ? " (loaded before in " + dir + ")" : ""));

    ServerConfig config = ServerConfig.defaults()
        .withDataDir(dir.resolve("icegate"))
        .withPorts("127.0.0.1", 0, 0)
        .withMaxRequestBytes(64 << 20)
        .withCompaction(new ServerConfig.Compaction(Duration.ZERO, Duration.ZERO,
            COMPACTION_INPUT_BYTES, Duration.ZERO, Duration.ofMinutes(10)));
    Path tsdb = dir.resolve("prometheus");
    Process prometheus = null;
    try (IceGateServer server = IceGateServer.start(config)) {
      if (!reuse) {
        // Both sides load at once (one core each on a two-core machine): Prometheus's blocks
        // are written by promtool, a separate process, while our server ingests and compacts.
        Data d = data;
        ExecutorService side = Executors.newSingleThreadExecutor();
        Future<Long> promLoad = side.submit(() -> loadPrometheus(dir, tsdb, d));
        if ("http".equals(System.getProperty("bench.load"))) {
          long[] phases = loadOurs(server, data);
          report.add(String.format(Locale.ROOT,
              "ours: remote-write %,d samples in %.1f s, compaction %.1f s", phases[0],
              phases[1] / 1e9, phases[2] / 1e9));
        } else {
          long t = System.nanoTime();
          long rows = MetricsBulkLoad.load(server.lake().table(MetricsTable.NAME),
              Tenants.DEFAULT, supplier(data));
          report.add(String.format(Locale.ROOT,
              "ours: %,d samples written as compacted data files in %.1f s", rows,
              (System.nanoTime() - t) / 1e9));
        }
        long blocks = promLoad.get();
        side.shutdown();
        report.add(String.format(Locale.ROOT,
            "prometheus 2.42: openmetrics + promtool blocks %.1f s", blocks / 1e9));
      }
      int port = freePort();
      Path cfg = dir.resolve("prometheus.yml");
      Files.writeString(cfg, "global:\n  scrape_interval: 15s\n");
      prometheus = new ProcessBuilder(List.of("prometheus", "--config.file=" + cfg,
          "--storage.tsdb.path=" + tsdb, "--storage.tsdb.retention.time=30d",
          "--web.listen-address=127.0.0.1:" + port))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(
              dir.resolve("prometheus.log").toFile()))
          .start();
      Process started = prometheus;
      Runtime.getRuntime().addShutdownHook(new Thread(started::destroy));
      String promBase = "http://127.0.0.1:" + port;
      waitReady(promBase + "/-/ready", prometheus);
      if (!reuse) {
        // promtool writes 2-hour blocks; Prometheus merges them into longer ones (6 h, 18 h) a
        // minute after it starts, as a server that scraped this day would have them. Timing
        // before that would measure the merge too.
        long t = System.nanoTime();
        int count = waitBlocksSettled(tsdb, prometheus);
        report.add(String.format(Locale.ROOT, "prometheus: %d blocks after its compaction (%.0f s)",
            count, (System.nanoTime() - t) / 1e9));
        Files.writeString(marker, series + " " + hours + " " + data.startMs() + " "
            + data.endMs() + "\n");
      }
      report.add("prometheus port " + port + ", blocks " + blockCount(tsdb));

      String ourBase = "http://127.0.0.1:" + server.prometheusPort();
      long startS = (data.startMs() + 3_600_000L) / 1000;
      long endS = data.endMs() / 1000;
      report.add(String.format(Locale.ROOT, "range: %d .. %d step %ds (%d points)", startS, endS,
          stepSeconds, (endS - startS) / stepSeconds + 1));
      report.add(String.format(Locale.ROOT, "%-20s %10s %10s %8s %12s %12s %8s %8s  %s",
          "case", "ours ms", "prom ms", "ratio", "ours cpu ms", "prom cpu ms", "cpu ratio",
          "series", "equal"));
      long promPid = prometheus.pid();
      String only = System.getProperty("bench.cases");
      for (Case c : cases()) {
        if (only != null && !Arrays.asList(only.split(",")).contains(c.name().replace(' ', '_'))) {
          continue;
        }
        String form = "query=" + URLEncoder.encode(c.query(), StandardCharsets.UTF_8)
            + "&start=" + startS + "&end=" + endS + "&step=" + stepSeconds;
        String ours = query(ourBase, form);
        String theirs = query(promBase, form);
        String diff = compare(ours, theirs);
        double[] oursMs = median(ourBase, form, runs, PromCompareBench::ourCpuNanos, true);
        double[] promMs = median(promBase, form, runs, () -> processCpuNanos(promPid), false);
        report.add(String.format(Locale.ROOT,
            "%-20s %10.1f %10.1f %8.2f %12.1f %12.1f %8.2f %8d  %s", c.name(), oursMs[0],
            promMs[0], oursMs[0] / promMs[0], oursMs[1], promMs[1], oursMs[1] / promMs[1],
            seriesCount(theirs), diff == null ? "yes" : "NO: " + diff));
      }
    } finally {
      if (prometheus != null) {
        prometheus.destroy();
        prometheus.waitFor();
      }
    }
    return report;
  }

  /** The file that says a directory holds both sides' data, and of which size and times. */
  private static final String MARKER = "bench-data.txt";

  /** No bound on what one compaction reads: the loader compacts every few requests. */
  private static final long COMPACTION_INPUT_BYTES = 1L << 30;

  /** The data a directory's marker describes if it is of this size, else null. */
  private static Data loaded(Path marker, int series, double hours) throws IOException {
    if (!Files.exists(marker)) {
      return null;
    }
    String[] f = Files.readString(marker).trim().split(" ");
    if (Integer.parseInt(f[0]) != series || Double.parseDouble(f[1]) != hours) {
      throw new IllegalStateException(marker + " holds another size: " + Arrays.toString(f));
    }
    return new Data(series, Long.parseLong(f[2]), Long.parseLong(f[3]));
  }

  /**
   * Writes the OpenMetrics text, one file per 2-hour block, and runs promtool on each; returns
   * the nanoseconds taken. promtool parses its whole input once for every block it makes, so one
   * file of a day would be parsed twelve times over: a file per block is parsed once.
   */
  private static long loadPrometheus(Path dir, Path tsdb, Data data) throws Exception {
    long t = System.nanoTime();
    List<Path> files = writeOpenMetrics(dir, data);
    Files.createDirectories(tsdb);
    for (Path om : files) {
      exec(List.of("promtool", "tsdb", "create-blocks-from", "openmetrics", om.toString(),
          tsdb.toString()), dir);
      Files.delete(om);
    }
    return System.nanoTime() - t;
  }

  /** How many blocks (directories with a meta.json) the TSDB directory holds. */
  private static int blockCount(Path tsdb) throws IOException {
    try (var dirs = Files.list(tsdb)) {
      return (int) dirs.filter(d -> Files.exists(d.resolve("meta.json"))).count();
    }
  }

  /**
   * Waits until Prometheus's block list stays the same (and no block is being written) for
   * {@link #SETTLED}; returns the block count then.
   */
  private static int waitBlocksSettled(Path tsdb, Process p) throws Exception {
    String last = null;
    long since = System.nanoTime();
    while (true) {
      if (!p.isAlive()) {
        throw new IllegalStateException("prometheus exited with " + p.exitValue());
      }
      String now;
      try (var dirs = Files.list(tsdb)) {
        now = dirs.map(d -> d.getFileName().toString()).sorted().toList().toString();
      }
      if (!now.equals(last) || now.contains(".tmp")) {
        last = now;
        since = System.nanoTime();
      } else if (System.nanoTime() - since > SETTLED.toNanos()) {
        return blockCount(tsdb);
      }
      Thread.sleep(2_000);
    }
  }

  /** Prometheus compacts a minute after it starts, then each minute; a bit more than that. */
  private static final Duration SETTLED = Duration.ofSeconds(75);

  // ---- data ----

  /** One generated series: its labels (name first) and its value at each point. */
  private record GenSeries(String[] labels, double[] values) {}

  /** Every series, generated from a fixed seed, so both sides get the same numbers. */
  static Iterator<GenSeries> generate(Data data) {
    return new Iterator<>() {
      private int index;
      private final int total = data.counters() + data.gauges() + data.histograms();

      @Override
      public boolean hasNext() {
        return index < total;
      }

      @Override
      public GenSeries next() {
        int i = index++;
        int n = data.points();
        SplittableRandom random = new SplittableRandom(i * 7919L + 17);
        if (i < data.counters()) {
          double[] v = new double[n];
          double rate = 1 + random.nextInt(50);
          double c = random.nextInt(1000);
          for (int k = 0; k < n; k++) {
            // Not whole numbers: rates then never tie, so topk's pick is the same on both sides
            // (Prometheus's heap and our sort break ties differently).
            c += rate * 15 * (0.5 + random.nextDouble());
            v[k] = c;
          }
          return new GenSeries(labels("bench_requests_total", i), v);
        }
        i -= data.counters();
        if (i < data.gauges()) {
          double[] v = new double[n];
          for (int k = 0; k < n; k++) {
            v[k] = 1 + random.nextInt(3);
          }
          return new GenSeries(labels("bench_up", i), v);
        }
        i -= data.gauges();
        // A histogram instance: the bucket series share one cumulative count per point, spread
        // over the buckets; flattened as LE.length consecutive series in one array.
        double[] v = new double[n * LE.length];
        double[] cum = new double[LE.length];
        for (int k = 0; k < n; k++) {
          int observations = 1 + random.nextInt(40);
          for (int o = 0; o < observations; o++) {
            double x = random.nextDouble();
            double latency = x * x * 1.5;
            for (int b = 0; b < LE.length; b++) {
              if (latency <= LE[b]) {
                cum[b]++;
              }
            }
          }
          for (int b = 0; b < LE.length; b++) {
            v[b * n + k] = cum[b];
          }
        }
        return new GenSeries(labels("bench_latency_seconds_bucket", i), v);
      }
    };
  }

  private static String[] labels(String name, int i) {
    return new String[] {"__name__", name, "instance", "inst-" + i, "job", "job-" + (i % JOBS)};
  }

  /**
   * Every series {@link #generate} makes, histogram buckets as series of their own, for {@link
   * MetricsBulkLoad}; the values are generated up front (8 bytes a sample).
   */
  private static MetricsBulkLoad.SeriesSupplier supplier(Data data) {
    int n = data.points();
    List<String[]> labels = new ArrayList<>();
    List<double[]> values = new ArrayList<>();
    for (Iterator<GenSeries> it = generate(data); it.hasNext(); ) {
      GenSeries s = it.next();
      if (s.values().length == n) {
        labels.add(s.labels());
        values.add(s.values());
        continue;
      }
      for (int b = 0; b < LE.length; b++) {
        labels.add(append(s.labels(), "le", le(b)));
        values.add(Arrays.copyOfRange(s.values(), b * n, (b + 1) * n));
      }
    }
    long[] times = new long[n];
    for (int k = 0; k < n; k++) {
      times[k] = data.time(k);
    }
    return new MetricsBulkLoad.SeriesSupplier() {
      @Override
      public int count() {
        return labels.size();
      }

      @Override
      public String[] labels(int i) {
        return labels.get(i);
      }

      @Override
      public long[] times() {
        return times;
      }

      @Override
      public double[] values(int i) {
        return values.get(i);
      }
    };
  }

  private static String le(int b) {
    double le = LE[b];
    return Double.isInfinite(le) ? "+Inf" : (le == Math.rint(le) ? String.valueOf((long) le)
        : String.valueOf(le));
  }

  /**
   * Sends everything by remote-write in requests of about 200k samples, {@link #SENDERS} at a
   * time, and compacts into Iceberg after every {@link #COMPACT_EVERY} requests (the compactor
   * holds all rows of what it compacts as records: this bounds its heap, and each file it writes
   * holds a few hundred whole series); returns the sample count and the nanoseconds spent
   * sending and compacting.
   */
  private static long[] loadOurs(IceGateServer server, Data data) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + server.prometheusPort() + "/api/v1/write");
    ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
    // Bounded: at most a few request bodies wait for a sender.
    Semaphore inFlight = new Semaphore(SENDERS * 2);
    List<Future<?>> sent = new ArrayList<>();
    long[] nanos = new long[2];
    long t = System.nanoTime();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(body);
    long inRequest = 0;
    long total = 0;
    int n = data.points();
    for (Iterator<GenSeries> it = generate(data); it.hasNext(); ) {
      GenSeries s = it.next();
      boolean histogram = s.values().length > n;
      for (int b = 0; b < (histogram ? LE.length : 1); b++) {
        String[] labels = histogram
            ? append(s.labels(), "le", le(b)) : s.labels();
        out.writeByteArray(1, timeSeries(labels, s.values(), histogram ? b * n : 0, n, data));
        inRequest += n;
        total += n;
        if (inRequest >= 200_000) {
          out.flush();
          sent.add(submit(senders, inFlight, uri, body.toByteArray()));
          body.reset();
          out = CodedOutputStream.newInstance(body);
          inRequest = 0;
          if (sent.size() == COMPACT_EVERY) {
            t = compact(server, sent, nanos, t);
          }
        }
      }
    }
    out.flush();
    if (body.size() > 0) {
      sent.add(submit(senders, inFlight, uri, body.toByteArray()));
    }
    compact(server, sent, nanos, t);
    senders.shutdown();
    return new long[] {total, nanos[0], nanos[1]};
  }

  /**
   * Waits for the requests sent, then compacts every segment; adds the time since {@code t} to
   * the sending total and the compaction's to the other; returns the time it ended.
   */
  private static long compact(IceGateServer server, List<Future<?>> sent, long[] nanos, long t)
      throws Exception {
    for (Future<?> f : sent) {
      f.get();
    }
    sent.clear();
    long c = System.nanoTime();
    nanos[0] += c - t;
    while (server.lake().compact(MetricsTable.NAME).segments() > 0) {
      // until every segment is in Iceberg
    }
    long end = System.nanoTime();
    nanos[1] += end - c;
    return end;
  }

  private static final int SENDERS = 2;
  private static final int COMPACT_EVERY = 15;

  private static Future<?> submit(
      ExecutorService senders, Semaphore inFlight, URI uri, byte[] proto) throws Exception {
    inFlight.acquire();
    return senders.submit(() -> {
      try {
        send(uri, proto);
      } finally {
        inFlight.release();
      }
      return null;
    });
  }


  private static String[] append(String[] labels, String name, String value) {
    // Labels in name order, as remote-write senders give them.
    TreeMap<String, String> sorted = new TreeMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      sorted.put(labels[i], labels[i + 1]);
    }
    sorted.put(name, value);
    String[] out = new String[sorted.size() * 2];
    int j = 0;
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      out[j++] = e.getKey();
      out[j++] = e.getValue();
    }
    return out;
  }

  private static byte[] timeSeries(String[] labels, double[] values, int from, int n, Data data)
      throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(n * 20 + 200);
    CodedOutputStream o = CodedOutputStream.newInstance(b);
    for (int i = 0; i < labels.length; i += 2) {
      ByteArrayOutputStream l = new ByteArrayOutputStream();
      CodedOutputStream lo = CodedOutputStream.newInstance(l);
      lo.writeString(1, labels[i]);
      lo.writeString(2, labels[i + 1]);
      lo.flush();
      o.writeByteArray(1, l.toByteArray());
    }
    for (int k = 0; k < n; k++) {
      // Sample { double value = 1; int64 timestamp = 2; }: 9 + 1 + varint bytes.
      long ts = data.time(k);
      o.writeTag(2, 2);
      o.writeUInt32NoTag(9 + 1 + CodedOutputStream.computeInt64SizeNoTag(ts));
      o.writeDouble(1, values[from + k]);
      o.writeInt64(2, ts);
    }
    o.flush();
    return b.toByteArray();
  }

  private static void send(URI uri, byte[] proto) throws Exception {
    HttpResponse<String> r = HTTP.send(
        HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/x-protobuf")
            .header("Content-Encoding", "snappy")
            .header("X-Prometheus-Remote-Write-Version", "0.1.0")
            .timeout(Duration.ofMinutes(5))
            .POST(HttpRequest.BodyPublishers.ofByteArray(
                org.xerial.snappy.Snappy.compress(proto)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 204) {
      throw new IllegalStateException("remote-write answered " + r.statusCode() + ": " + r.body());
    }
  }

  /**
   * OpenMetrics text for promtool, one file per 2-hour block (promtool's block length) that holds
   * samples: untyped families, one series' samples after another; returns the files.
   */
  private static List<Path> writeOpenMetrics(Path dir, Data data) throws IOException {
    int n = data.points();
    TreeMap<Long, BufferedWriter> writers = new TreeMap<>();
    List<Path> files = new ArrayList<>();
    try {
      for (int k = 0; k < n; k++) {
        long block = Math.floorDiv(data.time(k), BLOCK_MS);
        if (!writers.containsKey(block)) {
          Path file = dir.resolve("data-" + block + ".om");
          files.add(file);
          writers.put(block, new BufferedWriter(
              Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 20));
        }
      }
      for (Iterator<GenSeries> it = generate(data); it.hasNext(); ) {
        GenSeries s = it.next();
        boolean histogram = s.values().length > n;
        for (int b = 0; b < (histogram ? LE.length : 1); b++) {
          String[] labels = histogram ? append(s.labels(), "le", le(b)) : s.labels();
          StringBuilder prefix = new StringBuilder(labels[1]).append('{');
          boolean first = true;
          for (int i = 0; i < labels.length; i += 2) {
            if (labels[i].equals("__name__")) {
              continue;
            }
            prefix.append(first ? "" : ",").append(labels[i]).append("=\"")
                .append(labels[i + 1]).append('"');
            first = false;
          }
          prefix.append("} ");
          int from = histogram ? b * n : 0;
          StringBuilder line = new StringBuilder(128);
          for (int k = 0; k < n; k++) {
            long ts = data.time(k);
            long ms = ts % 1000;
            line.setLength(0);
            line.append(prefix).append(plain(s.values()[from + k])).append(' ')
                .append(ts / 1000).append('.')
                .append(ms < 100 ? (ms < 10 ? "00" : "0") : "").append(ms).append('\n');
            writers.get(Math.floorDiv(ts, BLOCK_MS)).append(line);
          }
        }
      }
      for (BufferedWriter w : writers.values()) {
        w.write("# EOF\n");
      }
    } finally {
      for (BufferedWriter w : writers.values()) {
        w.close();
      }
    }
    return files;
  }

  /** promtool's block length: 2 hours, aligned to the epoch. */
  private static final long BLOCK_MS = 2 * 3_600_000L;

  private static String plain(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  // ---- queries ----

  /**
   * A query whose answer is read and dropped: the timed runs do not decode the body, since this
   * JVM's CPU time is counted as the server's (the answers were compared before).
   */
  private static void timedQuery(String base, String form) throws Exception {
    HttpResponse<Void> r = HTTP.send(
        HttpRequest.newBuilder(URI.create(base + "/api/v1/query_range"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .timeout(Duration.ofMinutes(10))
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.discarding());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(base + " answered " + r.statusCode());
    }
  }

  private static String query(String base, String form) throws Exception {
    HttpResponse<String> r = HTTP.send(
        HttpRequest.newBuilder(URI.create(base + "/api/v1/query_range"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .timeout(Duration.ofMinutes(10))
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(base + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  /**
   * The median latency of {@code runs} queries after the warm-ups, and the CPU time the server's
   * process spent per query meanwhile (less disturbed than latency by other work on a shared
   * machine; ours includes the benchmark's own client, which is small).
   */
  private static double[] median(String base, String form, int runs, CpuClock cpu, boolean ours)
      throws Exception {
    for (int i = 0; i < WARMUP; i++) {
      query(base, form);
    }
    double[] ms = new double[runs];
    Map<String, Long> threadsBefore = THREADS && ours ? threadTicks() : null;
    long cpuBefore = cpu.nanos();
    for (int i = 0; i < runs; i++) {
      long t = System.nanoTime();
      timedQuery(base, form);
      ms[i] = (System.nanoTime() - t) / 1e6;
    }
    double cpuMs = (cpu.nanos() - cpuBefore) / 1e6 / runs;
    if (threadsBefore != null) {
      printThreadCpu(threadsBefore, threadTicks(), runs);
    }
    Arrays.sort(ms);
    double median = runs % 2 == 1 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
    return new double[] {median, cpuMs};
  }

  /** With {@code -Dbench.threads=true}: our CPU per query by thread group, for profiling. */
  private static final boolean THREADS = Boolean.getBoolean("bench.threads");

  /** This JVM's CPU ticks so far by thread name (digits dropped, so pools add up). */
  private static Map<String, Long> threadTicks() throws IOException {
    Map<String, Long> ticks = new TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String name = Files.readString(task.resolve("comm")).trim().replaceAll("[0-9]+", "#");
          long[] userSystem = userSystemTicks(Files.readString(task.resolve("stat")));
          ticks.merge(name, userSystem[0] + userSystem[1], Long::sum);
          ticks.merge(name + "(sys)", userSystem[1], Long::sum);
        } catch (IOException ended) {
          // The thread ended meanwhile.
        }
      }
    }
    return ticks;
  }

  private static void printThreadCpu(Map<String, Long> before, Map<String, Long> after,
      int runs) {
    StringBuilder b = new StringBuilder("  our cpu ms per query by thread:");
    after.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> b.append(String.format(Locale.ROOT, " %s=%.0f", e.getKey(),
            e.getValue() * (1000.0 / CLOCK_TICKS) / runs)));
    System.out.println(b);
  }

  /** A process's CPU time so far, in nanoseconds. */
  @FunctionalInterface
  private interface CpuClock {
    long nanos() throws IOException;
  }

  private static long ourCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** User plus system time of another process, from {@code /proc/<pid>/stat} (Linux). */
  private static long processCpuNanos(long pid) throws IOException {
    long[] userSystem = userSystemTicks(Files.readString(Path.of("/proc/" + pid + "/stat")));
    return (userSystem[0] + userSystem[1]) * (1_000_000_000L / CLOCK_TICKS);
  }

  /** User and system time, in clock ticks, of a process's or thread's {@code stat} line. */
  private static long[] userSystemTicks(String stat) {
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
  }

  /** Linux's USER_HZ, the unit of /proc's CPU times (100 on every common build). */
  private static final long CLOCK_TICKS = 100;

  private static int seriesCount(String body) throws IOException {
    return JSON.readTree(body).get("data").get("result").size();
  }

  /**
   * Null when both matrices hold the same series with the same timestamps and values within
   * 1e-9 relative (or both NaN), else what differs first.
   */
  static String compare(String ours, String theirs) throws IOException {
    Map<String, JsonNode> a = bySeries(ours);
    Map<String, JsonNode> b = bySeries(theirs);
    if (!a.keySet().equals(b.keySet())) {
      return "series differ: " + a.size() + " vs " + b.size();
    }
    for (Map.Entry<String, JsonNode> e : a.entrySet()) {
      JsonNode x = e.getValue();
      JsonNode y = b.get(e.getKey());
      if (x.size() != y.size()) {
        return e.getKey() + ": " + x.size() + " vs " + y.size() + " points";
      }
      for (int i = 0; i < x.size(); i++) {
        double tx = x.get(i).get(0).asDouble();
        double ty = y.get(i).get(0).asDouble();
        double vx = Double.parseDouble(x.get(i).get(1).asText().replace("Inf", "Infinity"));
        double vy = Double.parseDouble(y.get(i).get(1).asText().replace("Inf", "Infinity"));
        boolean same = (Double.isNaN(vx) && Double.isNaN(vy)) || vx == vy
            || Math.abs(vx - vy) <= 1e-9 * Math.max(Math.abs(vx), Math.abs(vy));
        if (tx != ty || !same) {
          return e.getKey() + " at " + tx + ": " + vx + " vs " + vy;
        }
      }
    }
    return null;
  }

  private static Map<String, JsonNode> bySeries(String body) throws IOException {
    Map<String, JsonNode> out = new TreeMap<>();
    for (JsonNode s : JSON.readTree(body).get("data").get("result")) {
      out.put(new TreeMap<>(JSON.convertValue(s.get("metric"), Map.class)).toString(),
          s.get("values"));
    }
    return out;
  }

  // ---- processes ----

  private static void exec(List<String> command, Path dir) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("promtool.log").toFile()).start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(command.get(0) + " failed: "
          + Files.readString(dir.resolve("promtool.log")));
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void waitReady(String url, Process p) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("prometheus exited with " + p.exitValue());
      }
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("prometheus not ready");
  }
}

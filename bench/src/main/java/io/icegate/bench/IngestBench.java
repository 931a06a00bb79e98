package io.icegate.bench;

import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.ingest.LogsProtobufBatchBuilder;
import io.icegate.storage.parquet.ArrowParquetWriter;
import io.icegate.storage.table.LogsTable;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.parquet.io.LocalOutputFile;

/**
 * End-to-end ingest benchmark: the shaded server jar as a child process (as operators run it,
 * {@code -Xmx1g}), N client threads POSTing OTLP/HTTP protobuf logs in batches of 1,000 records,
 * each answer a durable ack; reports records/s, MB/s (protobuf bytes), p99 ack latency and the
 * server's peak heap (from its {@code /metrics}). In the same run, the raw write rate of the same
 * records as Arrow batches through parquet-java's record writer (WAL settings, ZSTD) to local
 * disk, the anchor the goal is stated against, and the ratio of the two; and, for comparison, the
 * rate of the column-at-a-time writer the WAL itself uses. Not a test: {@code java -cp … io.icegate.bench.IngestBench [seconds]
 * [threads] [server jar]}; 0 seconds runs only the in-process CPU measurements (batch building,
 * the WAL's writer), no server.
 */
public final class IngestBench {
  /** Requests acknowledged so far, warm-up included (to count requests per WAL segment). */
  private static final AtomicLong requestsSent = new AtomicLong();

  private static final int BATCH = 1_000;
  /** Distinct request bodies prepared up front (cycled; each send is made unique, see below). */
  private static final int BODIES = 64;

  public static void main(String[] args) throws Exception {
    // As the server runs: without Arrow's per-access bounds checks.
    io.icegate.server.Main.arrowWithoutBoundsChecks();
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    // Eight senders, as a Collector's exporter runs several consumers: with fewer, each waiting
    // for its durable ack, decoding the next requests and writing the WAL take turns instead of
    // overlapping.
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    Path jar = Path.of(args.length > 2 ? args[2] : "server/target/icegate-server.jar");
    List<String> report = run(jar, seconds, threads);
    report.forEach(System.out::println);
  }

  public static List<String> run(Path jar, int seconds, int threads) throws Exception {
    Path dir = Files.createTempDirectory("icegate-ingest-bench");
    List<ExportLogsServiceRequest> requests = requests();
    List<byte[]> bodies = requests.stream().map(ExportLogsServiceRequest::toByteArray).toList();
    List<String> report = new ArrayList<>();

    report.add(batchBuildCpu(bodies));
    RawParquet raw = new RawParquet(requests, dir.resolve("raw"));
    report.add(raw.segmentCpu());
    if (seconds == 0) {
      raw.close();
      return report;
    }
    raw.recordsPerSecond(Duration.ofSeconds(3), true); // warms the JIT
    raw.recordsPerSecond(Duration.ofSeconds(2), false);
    double rawBefore = raw.recordsPerSecond(Duration.ofSeconds(5), true);
    double columnsBefore = raw.recordsPerSecond(Duration.ofSeconds(3), false);

    Path config = dir.resolve("config.yaml");
    Files.writeString(
        config,
        "data_dir: " + dir.resolve("data") + "\n"
            + "host: 127.0.0.1\notlp_http_port: 0\nloki_port: 0\notlp_grpc_port: -1\n"
            + "prometheus_port: -1\ncompaction_interval: 0s\n"
            + "limits:\n  ingestion_rate_bytes: 0\n"
            // More top-level server settings, e.g. -Dingest.bench.server.config="wal_max_delay: 10ms"
            // (several separated by ';').
            + System.getProperty("ingest.bench.server.config", "").replace(';', '\n').strip()
            + "\n");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    // Extra JVM options for the server, e.g. a flight recording to profile it:
    // -Dingest.bench.server.jvm="-XX:StartFlightRecording=filename=/tmp/x.jfr,settings=profile"
    String extra = System.getProperty("ingest.bench.server.jvm", "").strip();
    if (!extra.isEmpty()) {
      command.addAll(Arrays.asList(extra.split("\\s+")));
    }
    command.addAll(List.of("-jar", jar.toString(), "serve", "--config", config.toString()));
    Process server =
        new ProcessBuilder(command)
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .redirectError(dir.resolve("stderr.log").toFile())
            .start();
    try {
      int port = awaitReady(dir.resolve("stdout.log"), server);
      HttpClient http =
          HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      // Warm-up: the server's first requests load classes and JIT-compile.
      drive(http, port, bodies, threads, Duration.ofSeconds(Math.min(10, seconds / 4)), null);
      AtomicLong peakHeap = new AtomicLong();
      double cpuBefore = serverCpuSeconds(http, port);
      Result r = drive(http, port, bodies, threads, Duration.ofSeconds(seconds), peakHeap);
      // The server's CPU per acknowledged record: what load from other processes on a shared
      // machine changes least.
      double cpuMicrosPerRecord = (serverCpuSeconds(http, port) - cpuBefore) * 1e6 / r.records;
      double elapsed = r.nanos / 1e9;
      double recordsPerSecond = r.records / elapsed;
      report.add(String.format(Locale.ROOT,
          "ingest: %d threads, %d s, batches of %d: %,.0f records/s, %.1f MB/s protobuf,"
              + " p50 ack %.1f ms, p99 ack %.1f ms, errors %d, server peak heap %.0f MiB,"
              + " server CPU %.2f us/record",
          threads, seconds, BATCH, recordsPerSecond, r.bytes / elapsed / 1e6,
          r.percentileMillis(0.50), r.percentileMillis(0.99), r.errors,
          peakHeap.get() / 1048576.0, cpuMicrosPerRecord));
      // Compaction is off, so every segment the run wrote (warm-up included) is still there.
      long segments;
      try (var files = Files.walk(dir.resolve("data").resolve("wal").resolve("logs"))) {
        segments = files.filter(f -> f.getFileName().toString().endsWith(".parquet")).count();
      }
      report.add(String.format(Locale.ROOT,
          "WAL segments written: %,d, %.1f requests each", segments,
          segments == 0 ? 0.0 : (double) requestsSent.get() / segments));
      server.destroy();
      server.waitFor(60, TimeUnit.SECONDS);
      double rawAfter = raw.recordsPerSecond(Duration.ofSeconds(5), true);
      double columnsAfter = raw.recordsPerSecond(Duration.ofSeconds(3), false);
      double rawRecordsPerSecond = (rawBefore + rawAfter) / 2;
      double columnsRecordsPerSecond = (columnsBefore + columnsAfter) / 2;
      report.add(String.format(Locale.ROOT,
          "raw parquet-java write of the same records (Arrow batches -> parquet-java's record"
              + " writer, WAL settings, local disk, one thread): %,.0f records/s (%,.0f before the"
              + " ingest run, %,.0f after)",
          rawRecordsPerSecond, rawBefore, rawAfter));
      report.add(String.format(Locale.ROOT,
          "ratio ingest / raw parquet-java: %.2f", recordsPerSecond / rawRecordsPerSecond));
      report.add(String.format(Locale.ROOT,
          "the WAL's own writer (column at a time) on the same batches: %,.0f records/s"
              + " (%,.0f before, %,.0f after); ratio ingest / it: %.2f",
          columnsRecordsPerSecond, columnsBefore, columnsAfter,
          recordsPerSecond / columnsRecordsPerSecond));
    } finally {
      server.destroy();
      server.waitFor(60, TimeUnit.SECONDS);
      server.destroyForcibly();
      raw.close();
    }
    return report;
  }

  /**
   * The step from request bytes to the WAL's Arrow batch alone, in this process, in CPU time of
   * the measuring thread (what other load on a shared machine changes least): protobuf-java's
   * decoding then {@link LogsBatchBuilder}, against {@link LogsProtobufBatchBuilder} reading the
   * bytes directly, alternated over several rounds after a warm-up; the median round of each.
   */
  private static String batchBuildCpu(List<byte[]> bodies) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    int rounds = 7;
    double[][] micros = new double[2][rounds];
    try (RootAllocator allocator = new RootAllocator()) {
      for (int round = -3; round < rounds; round++) {
        for (int path = 0; path < 2; path++) {
          long records = 0;
          long start = threads.getCurrentThreadCpuTime();
          for (int rep = 0; rep < 4; rep++) {
            for (byte[] body : bodies) {
              VectorSchemaRoot batch =
                  path == 0
                      ? LogsBatchBuilder.build(
                          ExportLogsServiceRequest.parseFrom(body), "fake", LogCorpus.T0,
                          allocator).batch()
                      : LogsProtobufBatchBuilder.build(
                          body, "fake", LogCorpus.T0, LogsProtobufBatchBuilder.NO_LIMITS,
                          allocator).batch();
              records += batch.getRowCount();
              batch.close();
            }
          }
          if (round >= 0) {
            micros[path][round] = (threads.getCurrentThreadCpuTime() - start) / 1e3 / records;
          }
        }
      }
    }
    Arrays.sort(micros[0]);
    Arrays.sort(micros[1]);
    return String.format(Locale.ROOT,
        "request bytes -> Arrow batch, one thread: protobuf-java + LogsBatchBuilder %.3f us CPU/record,"
            + " LogsProtobufBatchBuilder %.3f us CPU/record (median of %d rounds); ratio %.2f",
        micros[0][rounds / 2], micros[1][rounds / 2], rounds,
        micros[1][rounds / 2] / micros[0][rounds / 2]);
  }

  /** Acked totals of one timed run. */
  private static final class Result {
    long records;
    long bytes;
    long errors;
    long nanos;
    final AtomicLongArray latencyMicrosHistogram = new AtomicLongArray(1 << 16);

    double percentileMillis(double p) {
      long total = 0;
      for (int i = 0; i < latencyMicrosHistogram.length(); i++) {
        total += latencyMicrosHistogram.get(i);
      }
      long rank = (long) Math.ceil(p * total);
      long seen = 0;
      for (int i = 0; i < latencyMicrosHistogram.length(); i++) {
        seen += latencyMicrosHistogram.get(i);
        if (seen >= rank && seen > 0) {
          return i * 0.1; // buckets of 100 µs
        }
      }
      return Double.NaN;
    }
  }

  private static Result drive(
      HttpClient http, int port, List<byte[]> bodies, int threads, Duration duration,
      AtomicLong peakHeap) throws Exception {
    Result result = new Result();
    AtomicLong records = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong sequence = new AtomicLong();
    long deadline = System.nanoTime() + duration.toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    long started = System.nanoTime();
    try {
      List<Future<?>> clients = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        clients.add(pool.submit(() -> {
          try (Connection connection = new Connection(port)) {
            while (System.nanoTime() < deadline) {
              long seq = sequence.getAndIncrement();
              byte[] body = bodies.get((int) (seq % bodies.size()));
              byte[] tail = uniqueTail(seq);
              long sent = System.nanoTime();
              int status;
              try {
                status = connection.post("/v1/logs", body, tail);
              } catch (IOException e) {
                connection.close(); // the next send opens a new connection
                status = -1;
              }
              long micros = (System.nanoTime() - sent) / 1000;
              if (status == 200) {
                requestsSent.incrementAndGet();
                records.addAndGet(BATCH);
                bytes.addAndGet(body.length + tail.length);
                int bucket =
                    (int) Math.min(micros / 100, result.latencyMicrosHistogram.length() - 1);
                result.latencyMicrosHistogram.incrementAndGet(bucket);
              } else {
                errors.incrementAndGet();
              }
            }
          }
          return null;
        }));
      }
      Future<?> heap =
          peakHeap == null
              ? null
              : pool.submit(() -> {
                while (System.nanoTime() < deadline) {
                  peakHeap.accumulateAndGet(serverHeap(http, port), Math::max);
                  Thread.sleep(500);
                }
                return null;
              });
      for (Future<?> c : clients) {
        c.get();
      }
      if (heap != null) {
        heap.get();
      }
    } finally {
      pool.shutdownNow();
    }
    result.nanos = System.nanoTime() - started;
    result.records = records.get();
    result.bytes = bytes.get();
    result.errors = errors.get();
    return result;
  }

  /**
   * What follows the prepared body on the wire: one more {@code resource_logs} entry holding only
   * a sequence number. Protobuf allows appending a repeated field's element to the serialised
   * message, so every request differs (the server would otherwise acknowledge a repeated body as
   * a retry, once) without re-encoding 1,000 records per send. It adds no record.
   */
  private static byte[] uniqueTail(long seq) {
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(
                    Resource.newBuilder().addAttributes(kv("bench.seq", Long.toString(seq)))))
        .build()
        .toByteArray();
  }

  /**
   * One keep-alive HTTP/1.1 connection, used by one sender at a time: a blocking socket that
   * writes the request head and the protobuf body and reads the answer, as a Collector's exporter
   * does (Go's net/http), without the JDK client's selector thread and per-request futures,
   * whose CPU took the cores the server shares with the senders.
   */
  private static final class Connection implements AutoCloseable {
    private final int port;
    private Socket socket;
    private OutputStream out;
    private InputStream in;
    private final byte[] buffer = new byte[8192];
    private int start;
    private int end;

    Connection(int port) {
      this.port = port;
    }

    int post(String path, byte[] body, byte[] tail) throws IOException {
      if (socket == null) {
        socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        in = socket.getInputStream();
        start = 0;
        end = 0;
      }
      String head =
          "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
              + "\r\nContent-Type: application/x-protobuf\r\nContent-Length: "
              + (body.length + tail.length) + "\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.write(tail);
      out.flush();
      String status = line();
      int code = Integer.parseInt(status.substring(9, 12));
      int length = 0;
      boolean close = false;
      for (String header = line(); !header.isEmpty(); header = line()) {
        int colon = header.indexOf(':');
        String name = header.substring(0, colon).trim();
        String value = header.substring(colon + 1).trim();
        if (name.equalsIgnoreCase("Content-Length")) {
          length = Integer.parseInt(value);
        } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
          close = true;
        }
      }
      for (int left = length; left > 0; ) {
        if (start == end) {
          fill();
        }
        int n = Math.min(left, end - start);
        start += n;
        left -= n;
      }
      if (close) {
        close();
      }
      return code;
    }

    private String line() throws IOException {
      StringBuilder line = new StringBuilder();
      while (true) {
        if (start == end) {
          fill();
        }
        byte c = buffer[start++];
        if (c == '\n') {
          int n = line.length();
          return n > 0 && line.charAt(n - 1) == '\r' ? line.substring(0, n - 1) : line.toString();
        }
        line.append((char) c);
      }
    }

    private void fill() throws IOException {
      int n = in.read(buffer);
      if (n < 0) {
        throw new EOFException("the server closed the connection");
      }
      start = 0;
      end = n;
    }

    @Override
    public void close() throws IOException {
      if (socket != null) {
        socket.close();
        socket = null;
      }
    }
  }

  private static final Pattern HEAP =
      Pattern.compile("^jvm_memory_used_bytes\\{area=\"heap\"\\} (\\S+)$", Pattern.MULTILINE);

  private static long serverHeap(HttpClient http, int port) throws Exception {
    HttpResponse<String> metrics =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher m = HEAP.matcher(metrics.body());
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }

  private static final Pattern CPU =
      Pattern.compile("^process_cpu_seconds_total (\\S+)$", Pattern.MULTILINE);

  private static double serverCpuSeconds(HttpClient http, int port) throws Exception {
    HttpResponse<String> metrics =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher m = CPU.matcher(metrics.body());
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  private static final Pattern READY = Pattern.compile("IceGate serving: OTLP/HTTP :(\\d+)");

  private static int awaitReady(Path stdout, Process server) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      Matcher m = READY.matcher(Files.readString(stdout, StandardCharsets.UTF_8));
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      if (!server.isAlive()) {
        break;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("server did not start: " + Files.readString(stdout));
  }

  /** {@link #BODIES} requests of {@link #BATCH} records from 12 services, 150–300 byte lines. */
  private static List<ExportLogsServiceRequest> requests() {
    SplittableRandom random = new SplittableRandom(42);
    List<ExportLogsServiceRequest> requests = new ArrayList<>();
    for (int b = 0; b < BODIES; b++) {
      ScopeLogs.Builder scope = ScopeLogs.newBuilder();
      for (int i = 0; i < BATCH; i++) {
        String line = LogCorpus.line(random);
        scope.addLogRecords(
            LogRecord.newBuilder()
                .setTimeUnixNano(LogCorpus.T0 + (long) b * 1_000_000_000L + i * 1000L)
                .setSeverityText(line.contains("error") ? "ERROR" : "INFO")
                .setBody(AnyValue.newBuilder().setStringValue(line))
                .addAttributes(kv("http.path", "/p" + (i % 5))));
      }
      requests.add(
          ExportLogsServiceRequest.newBuilder()
              .addResourceLogs(
                  ResourceLogs.newBuilder()
                      .setResource(
                          Resource.newBuilder()
                              .addAttributes(kv("service.name", "svc-" + (b % 12)))
                              .addAttributes(kv("deployment.environment", b % 3 == 0 ? "dev" : "prod")))
                      .addScopeLogs(scope))
              .build());
    }
    return requests;
  }

  /**
   * The Parquet write alone: the same requests as Arrow batches (built before the clock starts),
   * written in groups of 16 batches per file, as WAL segments are, for {@code duration}; the
   * mean rate over that time, so a shared machine's load weighs on it as on the ingest run.
   */
  private static final class RawParquet implements AutoCloseable {
    private final RootAllocator allocator = new RootAllocator();
    private final List<VectorSchemaRoot> batches = new ArrayList<>();
    private final Path dir;
    private int files;

    RawParquet(List<ExportLogsServiceRequest> requests, Path dir) throws Exception {
      this.dir = Files.createDirectories(dir);
      for (ExportLogsServiceRequest request : requests) {
        batches.add(LogsBatchBuilder.build(request, "fake", LogCorpus.T0, allocator).batch());
      }
    }

    /**
     * With {@code rows}, parquet-java's record writer (the anchor the goal is stated against);
     * otherwise the column-at-a-time writer the WAL uses.
     */
    double recordsPerSecond(Duration duration, boolean rows) throws Exception {
      int group = 16;
      long records = 0;
      long start = System.nanoTime();
      long deadline = start + duration.toNanos();
      while (System.nanoTime() < deadline) {
        for (int from = 0; from < batches.size(); from += group) {
          List<VectorSchemaRoot> part = batches.subList(from, Math.min(batches.size(), from + group));
          Path file = dir.resolve("r" + files++ + ".parquet");
          if (rows) {
            ArrowParquetWriter.writeRows(
                LogsTable.SCHEMA, part, new LocalOutputFile(file), Map.of(),
                ArrowParquetWriter.Options.WAL);
          } else {
            ArrowParquetWriter.write(
                LogsTable.SCHEMA, part, new LocalOutputFile(file), Map.of(),
                ArrowParquetWriter.Options.WAL);
          }
          Files.delete(file);
          records += (long) part.size() * BATCH;
        }
      }
      return records / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * The WAL's writer alone in CPU time of this thread, on files of as few requests as the
     * server's segments hold under load (3) and of 16: what a segment's own costs (footer,
     * sampling, setup) weigh per record, measured as other load on a shared machine changes
     * least. Median of several rounds after a warm-up.
     */
    String segmentCpu() throws Exception {
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      int rounds = 5;
      int[] groups = {3, 16};
      double[][] micros = new double[groups.length][rounds];
      for (int round = -3; round < rounds; round++) {
        for (int g = 0; g < groups.length; g++) {
          long records = 0;
          long start = threads.getCurrentThreadCpuTime();
          for (int from = 0; from + groups[g] <= batches.size(); from += groups[g]) {
            List<VectorSchemaRoot> part = batches.subList(from, from + groups[g]);
            Path file = dir.resolve("c" + files++ + ".parquet");
            ArrowParquetWriter.write(
                LogsTable.SCHEMA, part, new LocalOutputFile(file), Map.of(),
                ArrowParquetWriter.Options.WAL);
            Files.delete(file);
            records += (long) part.size() * BATCH;
          }
          if (round >= 0) {
            micros[g][round] = (threads.getCurrentThreadCpuTime() - start) / 1e3 / records;
          }
        }
      }
      Arrays.sort(micros[0]);
      Arrays.sort(micros[1]);
      return String.format(Locale.ROOT,
          "the WAL's writer, one thread: %.3f us CPU/record in files of %d requests, %.3f in"
              + " files of %d (median of %d rounds)",
          micros[0][rounds / 2], groups[0], micros[1][rounds / 2], groups[1], rounds);
    }

    @Override
    public void close() {
      batches.forEach(VectorSchemaRoot::close);
      allocator.close();
    }
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

}

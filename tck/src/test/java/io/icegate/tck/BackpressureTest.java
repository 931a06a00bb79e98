package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overload: a server whose WAL writer may hold only a few requests' rows while it waits a long
 * group-commit delay, and more concurrent clients than that. Clients beyond the bound get 429 with
 * {@code Retry-After} and an OTLP Status (RESOURCE_EXHAUSTED), the memory held for the WAL never
 * exceeds the bound, and exactly the acknowledged records are stored — none of a refused request.
 *
 * <p>And the heap: a server in its own JVM (the test's classpath) with a small heap limit, flooded by more concurrent
 * large requests than that heap could hold, refuses what does not fit in its in-flight body budget
 * (4 x {@code max_request_bytes}) and what its WAL cannot take with 429, never runs out of heap,
 * and keeps serving.
 */
class BackpressureTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final int CLIENTS = 6;
  private static final int REQUESTS_PER_CLIENT = 12;
  private static final int RECORDS_PER_REQUEST = 100;
  /** Two and a half requests' rows. */
  private static final long MAX_PENDING_ROWS = 250;
  private static final long MAX_PENDING_BYTES = 4L << 20;
  private static final String TENANT = "overload";

  @TempDir static Path dataDir;
  private static IceGateServer server;

  @BeforeAll
  static void startServerWithATinyWalBound() throws Exception {
    server =
        IceGateServer.start(
            ServerConfig.defaults()
                .withDataDir(dataDir)
                .withPorts("127.0.0.1", 0, 0)
                // A slow WAL: every group commit waits this long for company.
                .withWalMaxDelay(Duration.ofMillis(400))
                .withWalMaxPending(MAX_PENDING_BYTES, MAX_PENDING_ROWS));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void overloadIsAnswered429AndEveryAcknowledgedRecordIsStoredOnce() throws Exception {
    RawOtlpHttp http = new RawOtlpHttp(server.otlpHttpPort());
    List<List<SentLine>> acknowledged = Collections.synchronizedList(new ArrayList<>());
    List<List<SentLine>> refused = Collections.synchronizedList(new ArrayList<>());
    List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
    AtomicLong maxPendingRows = new AtomicLong();
    AtomicLong maxPendingBytes = new AtomicLong();
    AtomicInteger running = new AtomicInteger(CLIENTS);

    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
    try {
      Future<?> sampler =
          pool.submit(
              () -> {
                while (running.get() > 0) {
                  var wal = server.lake().logsWal();
                  maxPendingRows.accumulateAndGet(wal.pendingRows(), Math::max);
                  maxPendingBytes.accumulateAndGet(wal.pendingBytes(), Math::max);
                  Thread.onSpinWait();
                }
              });
      List<Future<?>> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        clients.add(
            pool.submit(
                () -> {
                  try {
                    for (int r = 0; r < REQUESTS_PER_CLIENT; r++) {
                      List<SentLine> lines = new ArrayList<>();
                      for (int i = 0; i < RECORDS_PER_REQUEST; i++) {
                        long t = T0 + ((long) (client * REQUESTS_PER_CLIENT + r) * 1000 + i);
                        lines.add(new SentLine(t, "c" + client + " r" + r + " i" + i));
                      }
                      RawOtlpHttp.Answer answer =
                          http.post(
                              "/v1/logs",
                              OtlpHttpClient.PROTOBUF,
                              Map.of("X-Scope-OrgID", TENANT),
                              OtlpBodies.protobuf("client-" + client, lines));
                      if (answer.status() == 200) {
                        acknowledged.add(lines);
                      } else if (answer.status() == 429
                          && "1".equals(answer.retryAfter())
                          && answer.otlp().statusCode() == 8
                          && answer.otlp().statusMessage().startsWith(
                              "the server is overloaded, retry later: the write-ahead log is"
                                  + " behind")) {
                        refused.add(lines);
                      } else {
                        unexpected.add(answer.status() + " " + answer.retryAfter() + " "
                            + answer.otlp());
                      }
                    }
                  } finally {
                    running.decrementAndGet();
                  }
                }));
      }
      for (Future<?> client : clients) {
        client.get(5, TimeUnit.MINUTES);
      }
      sampler.get(1, TimeUnit.MINUTES);
    } finally {
      pool.shutdownNow();
    }

    assertThat(unexpected).as("answers other than 200 or a well-formed 429").isEmpty();
    assertThat(refused).as("requests refused under overload").isNotEmpty();
    assertThat(acknowledged).as("requests acknowledged under overload").isNotEmpty();
    assertThat(acknowledged.size() + refused.size()).isEqualTo(CLIENTS * REQUESTS_PER_CLIENT);
    assertThat(maxPendingRows.get()).isLessThanOrEqualTo(MAX_PENDING_ROWS);
    assertThat(maxPendingBytes.get()).isLessThanOrEqualTo(MAX_PENDING_BYTES);
    // What the ingest path held at its worst: the WAL's bound plus the batches of the clients'
    // requests being built at that moment, nowhere near what the refused requests would need.
    long perRequestBudget = MAX_PENDING_BYTES / MAX_PENDING_ROWS * RECORDS_PER_REQUEST;
    assertThat(server.ingestMemoryPeakBytes())
        .isLessThanOrEqualTo(MAX_PENDING_BYTES + CLIENTS * Math.max(perRequestBudget, 1L << 20));

    // Exactly the acknowledged lines are stored, each once.
    LokiClient loki = new LokiClient(server::lokiPort);
    for (int c = 0; c < CLIENTS; c++) {
      String client = "c" + c + " ";
      List<String> expected =
          acknowledged.stream()
              .flatMap(List::stream)
              .filter(l -> l.line().startsWith(client))
              .sorted((a, b) -> Long.compare(a.timeNanos(), b.timeNanos()))
              .map(SentLine::line)
              .toList();
      LokiResponse stored =
          loki.queryRange(
              LokiQuery.of("{service_name=\"client-" + c + "\"}")
                  .between(T0 - 1, T0 + 1_000_000_000L)
                  .limit(5000)
                  .forward()
                  .tenant(TENANT));
      assertThat(stored.lines()).as("client %d", c).containsExactlyElementsOf(expected);
    }
    // The server kept serving: a request after the storm is acknowledged.
    RawOtlpHttp.Answer after =
        http.post(
            "/v1/logs",
            OtlpHttpClient.PROTOBUF,
            Map.of("X-Scope-OrgID", TENANT),
            OtlpBodies.protobuf("after", List.of(new SentLine(T0, "after the storm"))));
    assertThat(after.status()).isEqualTo(200);
  }

  /** The heap limit of the flooded server: the bound under test. */
  private static final int CHILD_HEAP_MIB = 96;
  private static final int FLOOD_CLIENTS = 96;
  private static final int FLOOD_REQUESTS_PER_CLIENT = 3;
  private static final int FLOOD_MAX_REQUEST_BYTES = 1 << 20;
  private static final Pattern READY = Pattern.compile("IceGate serving: OTLP/HTTP :(\\d+)");
  private static final Pattern HEAP_USED =
      Pattern.compile("^jvm_memory_used_bytes\\{area=\"heap\"\\} (\\S+)$", Pattern.MULTILINE);

  @Test
  void aFloodOfLargeRequestsIsAnswered429AndTheHeapStaysWithinItsLimit(@TempDir Path dir)
      throws Exception {
    // Given a server with a 96 MiB heap, requests of up to 1 MiB (so 4 MiB of bodies in
    // flight), and a WAL that takes two requests' rows per slow group commit,
    Path config = dir.resolve("config.yaml");
    Files.writeString(
        config,
        "data_dir: " + dir.resolve("data") + "\n"
            + "host: 127.0.0.1\notlp_http_port: 0\nloki_port: 0\notlp_grpc_port: -1\n"
            + "prometheus_port: -1\ncompaction_interval: 0s\n"
            + "max_request_bytes: " + FLOOD_MAX_REQUEST_BYTES + "\n"
            + "wal_max_delay: 400ms\nwal_max_pending_rows: 6000\n"
            + "wal_max_pending_bytes: " + (32L << 20) + "\n"
            + "limits:\n  ingestion_rate_bytes: 0\n");
    Path stdout = dir.resolve("stdout.log");
    Path stderr = dir.resolve("stderr.log");
    Process server =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + CHILD_HEAP_MIB + "m",
                "-XX:+ExitOnOutOfMemoryError",
                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                "io.icegate.server.Main", "serve", "--config", config.toString())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    try {
      int port = awaitReady(server, stdout, stderr);
      // and requests of ~0.9 MiB each: 96 clients offer ~86 MiB of bodies at once, which copied
      // and decoded (several times their size as protobuf objects) do not fit in that heap
      // (without the in-flight budget this server exits on OutOfMemoryError mid-flood),
      byte[] large = largeBody();
      assertThat(large.length).isBetween(FLOOD_MAX_REQUEST_BYTES * 3 / 4, FLOOD_MAX_REQUEST_BYTES - 1024);
      RawOtlpHttp http = new RawOtlpHttp(port);
      AtomicInteger acknowledged = new AtomicInteger();
      AtomicInteger refusedInFlight = new AtomicInteger();
      AtomicInteger refusedWal = new AtomicInteger();
      List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
      AtomicLong peakHeap = new AtomicLong();
      AtomicInteger running = new AtomicInteger(FLOOD_CLIENTS);
      ExecutorService pool = Executors.newFixedThreadPool(FLOOD_CLIENTS + 1);
      try {
        Future<?> sampler =
            pool.submit(() -> {
              HttpClient metrics = HttpClient.newHttpClient();
              while (running.get() > 0) {
                peakHeap.accumulateAndGet(heapUsed(metrics, port), Math::max);
                Thread.sleep(50);
              }
              return null;
            });
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < FLOOD_CLIENTS; c++) {
          int client = c;
          clients.add(pool.submit(() -> {
            try {
              for (int r = 0; r < FLOOD_REQUESTS_PER_CLIENT; r++) {
                // when every client sends at once,
                RawOtlpHttp.Answer answer =
                    http.post("/v1/logs", OtlpHttpClient.PROTOBUF, Map.of("X-Scope-OrgID", TENANT),
                        unique(large, client, r));
                String message = answer.status() == 429 ? answer.otlp().statusMessage() : "";
                if (answer.status() == 200) {
                  acknowledged.incrementAndGet();
                } else if (answer.status() == 429
                    && "1".equals(answer.retryAfter())
                    && answer.otlp().statusCode() == 8
                    && message.startsWith("the server is overloaded, retry later: ")) {
                  (message.contains("in flight") ? refusedInFlight : refusedWal).incrementAndGet();
                } else {
                  unexpected.add(answer.status() + " " + answer.retryAfter() + " " + answer.otlp());
                }
              }
            } finally {
              running.decrementAndGet();
            }
            return null;
          }));
        }
        for (Future<?> client : clients) {
          client.get(5, TimeUnit.MINUTES);
        }
        sampler.get(1, TimeUnit.MINUTES);
      } finally {
        pool.shutdownNow();
      }

      // then what does not fit is refused with OTLP's overload answer, nothing else goes wrong,
      assertThat(unexpected).as("answers other than 200 or a well-formed 429").isEmpty();
      assertThat(refusedInFlight.get()).as("refused: bodies in flight over the budget")
          .isPositive();
      assertThat(acknowledged.get()).as("acknowledged").isPositive();
      assertThat(acknowledged.get() + refusedInFlight.get() + refusedWal.get())
          .isEqualTo(FLOOD_CLIENTS * FLOOD_REQUESTS_PER_CLIENT);
      // the heap never reached its limit (the JVM would have exited on OutOfMemoryError),
      assertThat(server.isAlive()).as("server alive after the flood").isTrue();
      assertThat(Files.readString(stderr)).doesNotContain("OutOfMemoryError");
      assertThat(peakHeap.get()).as("peak heap used, sampled").isPositive()
          .isLessThan((long) CHILD_HEAP_MIB << 20);
      // and the server keeps serving.
      RawOtlpHttp.Answer after =
          http.post("/v1/logs", OtlpHttpClient.PROTOBUF, Map.of("X-Scope-OrgID", TENANT),
              OtlpBodies.protobuf("after", List.of(new SentLine(T0, "after the flood"))));
      assertThat(after.status()).isEqualTo(200);
    } finally {
      server.destroy();
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** One request of ~0.9 MiB: 3,000 lines of ~300 bytes from one service. */
  private static byte[] largeBody() {
    List<SentLine> lines = new ArrayList<>();
    String padding = "x".repeat(280);
    for (int i = 0; i < 3_000; i++) {
      lines.add(new SentLine(T0 + i, "line " + i + " " + padding));
    }
    return OtlpBodies.protobuf("flood", lines);
  }

  /**
   * The body plus one more resource with a line naming the client and request, appended as
   * serialized protobuf (a repeated field's elements may be concatenated), so no two requests
   * are one retry.
   */
  private static byte[] unique(byte[] body, int client, int request) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 128);
    out.writeBytes(body);
    out.writeBytes(
        OtlpBodies.protobuf("flood", List.of(new SentLine(T0, "c" + client + " r" + request))));
    return out.toByteArray();
  }

  private static int awaitReady(Process server, Path stdout, Path stderr) throws Exception {
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
    throw new AssertionError(
        "server did not start:\n" + Files.readString(stdout) + Files.readString(stderr));
  }

  private static long heapUsed(HttpClient http, int port) throws Exception {
    HttpResponse<String> metrics =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher m = HEAP_USED.matcher(metrics.body());
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }
}

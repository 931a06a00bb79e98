package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overload: a server whose WAL writer may hold only a few requests' rows while it waits a long
 * group-commit delay, and more concurrent clients than that. Clients beyond the bound get 429 with
 * {@code Retry-After} and an OTLP Status (RESOURCE_EXHAUSTED), the memory held for the WAL never
 * exceeds the bound, and exactly the acknowledged records are stored — none of a refused request.
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
}

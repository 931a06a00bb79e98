package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM is a graceful stop of the shaded jar, run as operators run it: it stops taking requests,
 * finishes those in flight, and exits; after a restart on the same data directory every line it
 * acknowledged with a 200 is served, once, and nothing that was never sent.
 */
class GracefulShutdownTest {
  private static final Path SERVER_JAR =
      Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
          .resolve("../server/target/icegate-server.jar")
          .normalize();
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long HOUR = 3_600_000_000_000L;
  private static final Duration READY_WITHIN = Duration.ofSeconds(90);

  /** The JVM's exit status after SIGTERM once its shutdown hooks have run: 128 + 15. */
  private static final int EXIT_ON_SIGTERM = 143;

  /**
   * Well under the default 30 s shutdown grace (which is for slow requests, and is also
   * Kubernetes' default before SIGKILL), with room for a loaded CI machine.
   */
  private static final Duration PROMPT_EXIT = Duration.ofSeconds(20);

  @TempDir Path dataDir;
  @TempDir Path logDir;

  @BeforeEach
  void serverJarIsBuilt() {
    assumeTrue(
        Files.isRegularFile(SERVER_JAR),
        "the runnable server jar " + SERVER_JAR + " is not built (mvn -pl server -am package)");
  }

  @Test
  void everyAcknowledgedLineIsServedAfterSigtermAndRestart() throws Exception {
    Load load;
    int exitCode;
    String output;
    try (ServerProcess first =
        ServerProcess.start(SERVER_JAR, dataDir, logDir.resolve("1"), READY_WITHIN)) {
      // Bounded, so that everything sent fits in one query's limit.
      load = Load.start(new OtlpHttpClient(first::otlpHttpPort), 4, 50);
      load.awaitAcknowledged(200, Duration.ofSeconds(60));

      exitCode = first.terminate(Duration.ofSeconds(90));
      output = first.output();
      load.stop();
    }

    assertThat(exitCode).as("exit status after SIGTERM\n%s", output).isEqualTo(EXIT_ON_SIGTERM);
    try (ServerProcess second =
        ServerProcess.start(SERVER_JAR, dataDir, logDir.resolve("2"), READY_WITHIN)) {
      List<String> served =
          new LokiClient(second::lokiPort)
              .queryRange(
                  LokiQuery.of("{service_name=\"shutdown\"}").between(T0, T0 + HOUR).limit(5000))
              .lines();

      assertThat(served.size())
          .as("under the query limit, so the answer is complete")
          .isLessThan(5000);
      assertThat(served).containsAll(load.acknowledged).doesNotHaveDuplicates();
      assertThat(load.sent).containsAll(served);
    }
  }

  /**
   * Clients that keep their connections open and keep sending must not hold the process up: after
   * SIGTERM the server stops taking their requests (Connection: close, or 503) and exits once the
   * requests already in flight are answered.
   */
  @Test
  void sigtermUnderContinuousLoadExitsPromptly() throws Exception {
    int exitCode;
    long exitMillis;
    String output;
    try (ServerProcess server =
        ServerProcess.start(SERVER_JAR, dataDir, logDir.resolve("1"), READY_WITHIN)) {
      Load load = Load.start(new OtlpHttpClient(server::otlpHttpPort), 4, Integer.MAX_VALUE);
      try {
        load.awaitAcknowledged(200, Duration.ofSeconds(60));

        long signalled = System.nanoTime();
        exitCode = server.terminate(PROMPT_EXIT);
        exitMillis = (System.nanoTime() - signalled) / 1_000_000;
        output = server.output();
      } finally {
        load.stop();
      }
    }

    assertThat(exitCode)
        .as(
            "exit status within %s of SIGTERM while 4 clients keep sending (-1: still running after"
                + " %d ms)\n"
                + "%s",
            PROMPT_EXIT, exitMillis, output)
        .isEqualTo(EXIT_ON_SIGTERM);
  }

  /**
   * Clients sending batches of unique lines over kept-alive connections, each until it has sent its
   * batches, the server stops answering, or {@link #stop()}. A line counts as acknowledged only
   * when its request got a 200.
   */
  private static final class Load {
    private static final int LINES_PER_BATCH = 10;

    final Set<String> sent = ConcurrentHashMap.newKeySet();
    final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicLong clock = new AtomicLong();
    private final ExecutorService threads;
    private final List<Future<?>> senders = new ArrayList<>();

    private Load(int clients) {
      threads = Executors.newFixedThreadPool(clients);
    }

    static Load start(OtlpHttpClient otlp, int clients, int batchesPerClient) {
      Load load = new Load(clients);
      for (int c = 0; c < clients; c++) {
        int client = c;
        load.senders.add(load.threads.submit(() -> load.send(otlp, client, batchesPerClient)));
      }
      return load;
    }

    private void send(OtlpHttpClient otlp, int client, int batches) {
      for (int batch = 0; batch < batches && !stopped.get(); batch++) {
        List<SentLine> lines = new ArrayList<>();
        for (int i = 0; i < LINES_PER_BATCH; i++) {
          lines.add(
              new SentLine(
                  T0 + clock.incrementAndGet() * 1_000,
                  "client " + client + " batch " + batch + " line " + i));
        }
        lines.forEach(l -> sent.add(l.line()));
        try {
          OtlpResponse response =
              otlp.tryPost(OtlpHttpClient.PROTOBUF, OtlpBodies.protobuf("shutdown", lines));
          if (response.status() == 200) {
            lines.forEach(l -> acknowledged.add(l.line()));
          }
          Thread.sleep(5);
        } catch (IOException e) {
          return; // the server is gone
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }

    void awaitAcknowledged(int lines, Duration within) throws InterruptedException {
      long deadline = System.nanoTime() + within.toNanos();
      while (acknowledged.size() < lines && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(acknowledged.size())
          .as("lines acknowledged before SIGTERM")
          .isGreaterThanOrEqualTo(lines);
    }

    void stop() throws Exception {
      stopped.set(true);
      for (Future<?> sender : senders) {
        sender.get(60, TimeUnit.SECONDS);
      }
      threads.shutdown();
    }
  }
}

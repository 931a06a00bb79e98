package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import io.icegate.tck.LokiApiEndToEndTest.Line;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live tail over a real WebSocket (the JDK's client): lines pushed after the connection opens
 * arrive as {@code {"streams":[...]}} frames (no {@code dropped_entries}: Loki's encoder leaves it
 * out when nothing was dropped); lines of other streams do not; with {@code
 * X-Loki-Response-Encoding-Flags: categorize-labels} the frames are categorized as Loki's; bad
 * parameters are refused with 400 before the upgrade.
 */
class LokiTailTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long SECOND = 1_000_000_000L;
  /** How often the server polls for a tail's new entries. */
  private static final long SERVER_POLL_MILLIS = 500;

  @TempDir static Path dataDir;
  private static IceGateServer server;

  @BeforeAll
  static void start() throws Exception {
    server =
        IceGateServer.start(
            ServerConfig.defaults().withDataDir(dataDir).withPorts("127.0.0.1", 0, 0));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void tailSendsHistoryThenLinesPushedAfterConnecting() throws Exception {
    long now = nowNanos();
    Map<String, String> tailed = Map.of("app", "tail", "env", "test");
    Map<String, String> other = Map.of("app", "other", "env", "test");
    LokiApiEndToEndTest.push(
        server.lokiPort(), List.of(new Line(tailed, 0, "before connecting", Map.of())),
        now - 600 * SECOND);

    Frames frames = new Frames();
    WebSocket socket = connect("{app=\"tail\"}", frames);
    try {
      // The first frame: the history since start (default an hour ago).
      List<String[]> history = entries(frames.next());
      assertThat(history).extracting(e -> e[1]).containsExactly("before connecting");

      long base = nowNanos();
      LokiApiEndToEndTest.push(
          server.lokiPort(),
          List.of(
              new Line(tailed, 0, "first live line", Map.of()),
              new Line(other, 0, "not this stream", Map.of()),
              new Line(tailed, 1_000, "second live line", Map.of())),
          base);

      List<String[]> live = new ArrayList<>();
      long deadline = System.nanoTime() + 15 * SECOND;
      while (live.size() < 2 && System.nanoTime() < deadline) {
        String frame = frames.poll(deadline - System.nanoTime());
        if (frame == null) {
          break;
        }
        JsonNode json = MAPPER.readTree(frame);
        assertThat(json.has("dropped_entries")).isFalse();
        assertThat(json.has("encodingFlags")).isFalse();
        for (JsonNode stream : json.get("streams")) {
          assertThat(LokiApiEndToEndTest.labels(stream.get("stream")))
              .containsEntry("app", "tail")
              .containsEntry("env", "test");
        }
        live.addAll(entries(frame));
      }
      assertThat(live)
          .extracting(e -> e[0] + " " + e[1])
          .containsExactly(base + " first live line", (base + 1_000) + " second live line");
    } finally {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    }

    // The server keeps serving after the tail ends.
    assertThat(
            LokiApiEndToEndTest.get(
                    server.lokiPort(), "/loki/api/v1/labels", Map.of(), Map.of())
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void categorizeLabelsSplitsEachEntrysLabelsByOrigin() throws Exception {
    long now = nowNanos();
    Map<String, String> stream = Map.of("app", "cat", "env", "test");
    LokiApiEndToEndTest.push(
        server.lokiPort(),
        List.of(new Line(stream, 0, "level=info msg=hi", Map.of("user", "ann"))),
        now - 60 * SECOND);

    Frames frames = new Frames();
    URI uri =
        URI.create(
            "ws://127.0.0.1:" + server.lokiPort() + "/loki/api/v1/tail?query="
                + URLEncoder.encode("{app=\"cat\"} | logfmt", StandardCharsets.UTF_8));
    WebSocket socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .header("X-Loki-Response-Encoding-Flags", "categorize-labels")
            .buildAsync(uri, frames)
            .join();
    try {
      // As Loki's tail encoder writes it: the stream's labels (with the service_name Loki
      // derives from app), the entry's metadata (with the detected_level Loki stores, from the
      // line's logfmt level) and parsed labels beside it, the flag last.
      assertThat(MAPPER.readTree(frames.next()))
          .isEqualTo(
              MAPPER.readTree(
                  "{\"streams\":[{\"stream\":{\"app\":\"cat\",\"env\":\"test\","
                      + "\"service_name\":\"cat\"},\"values\":[[\"" + (now - 60 * SECOND)
                      + "\",\"level=info msg=hi\",{\"structuredMetadata\":{"
                      + "\"detected_level\":\"info\",\"user\":\"ann\"},"
                      + "\"parsed\":{\"level\":\"info\",\"msg\":\"hi\"}}]]}],"
                      + "\"encodingFlags\":[\"categorize-labels\"]}"));
    } finally {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    }
  }

  @Test
  void tailRefusesBadParametersWith400() throws Exception {
    HttpResponse<String> delay =
        LokiApiEndToEndTest.get(
            server.lokiPort(), "/loki/api/v1/tail",
            Map.of("query", "{app=\"tail\"}", "delay_for", "6"), Map.of());
    HttpResponse<String> metric =
        LokiApiEndToEndTest.get(
            server.lokiPort(), "/loki/api/v1/tail",
            Map.of("query", "rate({app=\"tail\"}[1m])"), Map.of());
    HttpResponse<String> noUpgrade =
        LokiApiEndToEndTest.get(
            server.lokiPort(), "/loki/api/v1/tail", Map.of("query", "{app=\"tail\"}"), Map.of());

    assertThat(delay.statusCode()).isEqualTo(400);
    assertThat(MAPPER.readTree(delay.body()).get("message").asText())
        .isEqualTo("delay_for can't be greater than 5");
    assertThat(metric.statusCode()).isEqualTo(400);
    assertThat(noUpgrade.statusCode()).isEqualTo(426);
  }

  @Test
  void shutdownWithATailOpenClosesItCleanly(@TempDir Path otherDir) throws Exception {
    IceGateServer own =
        IceGateServer.start(
            ServerConfig.defaults().withDataDir(otherDir).withPorts("127.0.0.1", 0, 0));
    Frames frames = new Frames();
    URI uri =
        URI.create(
            "ws://127.0.0.1:" + own.lokiPort() + "/loki/api/v1/tail?query="
                + URLEncoder.encode("{app=\"none\"}", StandardCharsets.UTF_8));
    HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, frames).join();
    Thread.sleep(3 * SERVER_POLL_MILLIS); // let a few polls run

    // Closing stops the pollers before storage and memory are closed: no error, nothing leaks
    // (closing the root allocator would throw on a query still holding memory).
    own.close();

    assertThat(frames.closed.await(10, TimeUnit.SECONDS)).as("client saw the close").isTrue();
  }

  // ---- helpers ----

  private static WebSocket connect(String query, Frames frames) {
    URI uri =
        URI.create(
            "ws://127.0.0.1:" + server.lokiPort() + "/loki/api/v1/tail?query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8));
    return HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, frames).join();
  }

  /** Each entry of a frame as {@code [ns, line]}, stream by stream. */
  private static List<String[]> entries(String frame) throws Exception {
    List<String[]> entries = new ArrayList<>();
    for (JsonNode stream : MAPPER.readTree(frame).get("streams")) {
      for (JsonNode v : stream.get("values")) {
        entries.add(new String[] {v.get(0).asText(), v.get(1).asText()});
      }
    }
    return entries;
  }

  private static long nowNanos() {
    Instant t = Instant.now();
    return t.getEpochSecond() * SECOND + t.getNano();
  }

  /** Collects whole text messages. */
  private static final class Frames implements WebSocket.Listener {
    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
      closed.countDown();
      return null;
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
      closed.countDown(); // an abrupt close (the connection reset) also ends the tail
    }

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        messages.add(partial.toString());
        partial.setLength(0);
      }
      socket.request(1);
      return null;
    }

    String next() throws InterruptedException {
      String m = messages.poll(15, TimeUnit.SECONDS);
      assertThat(m).as("a frame within 15 s").isNotNull();
      return m;
    }

    String poll(long nanos) throws InterruptedException {
      return messages.poll(Math.max(nanos, 0), TimeUnit.NANOSECONDS);
    }
  }
}

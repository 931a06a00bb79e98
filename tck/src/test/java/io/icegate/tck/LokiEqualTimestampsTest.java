package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import io.icegate.tck.SdkLogShipper.Emit;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.sdk.resources.Resource;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where {@code limit} cuts between entries of equal timestamps, Loki keeps the entry whose label
 * set sorts first, in either direction: its merge of query results orders equal timestamps by
 * the labels' text, ascending ({@code pkg/iter/entry_iterator.go}, {@code lessAscending} and
 * {@code lessDescending}). Records shipped with the OpenTelemetry SDK:
 *
 * <pre>
 * T0       tie-b  "b0"
 * T0+1s    tie-b  "b1"   (shipped first)
 * T0+1s    tie-a  "a1"
 * T0+2s    tie-a  "a2"
 * </pre>
 *
 * Both streams' entries carry the same metadata (INFO records of one SDK scope), so their label
 * sets differ only in {@code service_name}, and tie-a's sort first.
 */
class LokiEqualTimestampsTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long SECOND = 1_000_000_000L;

  @TempDir static Path dataDir;
  private static IceGateServer server;
  private static final LokiClient LOKI = new LokiClient(() -> server.lokiPort());

  @BeforeAll
  static void start() throws Exception {
    server =
        IceGateServer.start(
            ServerConfig.defaults().withDataDir(dataDir).withPorts("127.0.0.1", 0, 0));
    SdkLogShipper.ship(
        server.otlpHttpPort(), null, "none",
        Resource.builder().put("service.name", "tie-b").build(),
        List.of(new Emit(T0, Severity.INFO, "b0"), new Emit(T0 + SECOND, Severity.INFO, "b1")));
    SdkLogShipper.ship(
        server.otlpHttpPort(), null, "none",
        Resource.builder().put("service.name", "tie-a").build(),
        List.of(
            new Emit(T0 + SECOND, Severity.INFO, "a1"),
            new Emit(T0 + 2 * SECOND, Severity.INFO, "a2")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void limitKeepsTheTiedEntryWhoseLabelsSortFirstInBothDirections() {
    LokiQuery all = LokiQuery.of("{service_name=~\"tie-.*\"}").between(T0, T0 + 3 * SECOND);
    // Forward: b0, then the tie at 1s — a1 before b1.
    assertThat(lines(LOKI.queryRange(all.limit(2).forward()))).containsExactlyInAnyOrder("b0", "a1");
    assertThat(lines(LOKI.queryRange(all.limit(3).forward())))
        .containsExactlyInAnyOrder("b0", "a1", "b1");
    // Backward: a2, then the same tie, again a1 first.
    assertThat(lines(LOKI.queryRange(all.limit(2).backward())))
        .containsExactlyInAnyOrder("a2", "a1");
    assertThat(lines(LOKI.queryRange(all.limit(3).backward())))
        .containsExactlyInAnyOrder("a2", "a1", "b1");
  }

  private static List<String> lines(LokiResponse response) {
    assertThat(response.status()).isEqualTo(200);
    return response.entries().stream().map(LokiResponse.Entry::line).toList();
  }
}

package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.server.IceGateServer;
import io.icegate.server.config.ServerConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traces and metrics over OTLP/HTTP until storage has their tables: 501 with an OTLP Status
 * {@code UNIMPLEMENTED} (12) in the request's encoding, saying so — not a 404 that reads as a
 * wrong URL. (gRPC: {@link OtlpGrpcTest}.)
 */
class OtlpSignalsNotStoredYetTest {
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
  void tracesAndMetricsAre501Unimplemented() {
    RawOtlpHttp http = new RawOtlpHttp(server.otlpHttpPort());
    for (String signal : new String[] {"traces", "metrics"}) {
      RawOtlpHttp.Answer protobuf =
          http.post("/v1/" + signal, OtlpHttpClient.PROTOBUF, Map.of(), new byte[0]);
      assertThat(protobuf.status()).as(signal).isEqualTo(501);
      assertThat(protobuf.otlp().statusCode()).as(signal).isEqualTo(12);
      assertThat(protobuf.otlp().statusMessage())
          .isEqualTo("OTLP " + signal + " are not stored by this server yet; only logs are");

      RawOtlpHttp.Answer json = http.post("/v1/" + signal, OtlpHttpClient.JSON, Map.of(), "{}".getBytes());
      assertThat(json.status()).as(signal).isEqualTo(501);
      assertThat(json.otlp().isJson()).isTrue();
    }
  }
}

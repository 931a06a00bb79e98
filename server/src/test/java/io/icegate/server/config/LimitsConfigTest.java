package io.icegate.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code limits:} defaults, the {@code tenant_limits:} overrides and the new listener keys. */
class LimitsConfigTest {
  @TempDir Path dir;

  @Test
  void tenantOverridesLayOverTheFileDefaultsWhichLayOverTheBuiltIns() throws Exception {
    ServerConfig config =
        load("""
            otlp_grpc_port: 14317
            prometheus_port: -1
            grpc_max_message_bytes: 1048576
            wal_max_pending_bytes: 1000000
            wal_max_pending_rows: 5000
            limits:
              ingestion_rate_bytes: 1000
              ingestion_burst_bytes: 5000
              max_label_value_length: 100
            tenant_limits:
              team-a:
                ingestion_rate_bytes: 20
                max_attributes_per_record: 3
              team-b:
            """).validate();

    assertThat(config.otlpGrpcPort()).isEqualTo(14317);
    assertThat(config.prometheusPort()).isEqualTo(-1);
    assertThat(config.grpcMaxMessageBytes()).isEqualTo(1_048_576);
    assertThat(config.walMaxPendingBytes()).isEqualTo(1_000_000);
    assertThat(config.walMaxPendingRows()).isEqualTo(5000);
    // Built-in defaults: 128 attributes, Loki's 1024 / 2048 label lengths.
    assertThat(config.limitsFor("anyone")).isEqualTo(new Limits(1000, 5000, 0, 128, 1024, 100));
    assertThat(config.limitsFor("team-a")).isEqualTo(new Limits(20, 5000, 0, 3, 1024, 100));
    assertThat(config.limitsFor("team-b")).isEqualTo(config.limitsFor("anyone"));
  }

  @Test
  void anUnknownLimitKeyIsNamed() {
    assertThatThrownBy(() -> load("limits:\n  ingestion_rate_mb: 4\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("limits.ingestion_rate_mb");
  }

  @Test
  void aBadTenantLimitIsNamedWithItsTenant() {
    assertThatThrownBy(
            () -> load("tenant_limits:\n  t1:\n    max_label_name_length: 0\n").validate())
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tenant_limits.t1.max_attributes_per_record");
  }

  @Test
  void aPortBelowMinusOneIsRefused() {
    assertThatThrownBy(() -> load("otlp_grpc_port: -2\n").validate())
        .isInstanceOf(ConfigException.class)
        .hasMessage("otlp_grpc_port must be a port number 0-65535, or -1 for no listener, got -2");
  }

  @Test
  void portZeroForHttpMovesGrpcToAnyFreePortToo() {
    ServerConfig config = ServerConfig.defaults().withPorts("127.0.0.1", 0, 0);
    assertThat(config.otlpGrpcPort()).isZero();
    assertThat(config.prometheusPort()).isZero();
    ServerConfig fixed = ServerConfig.defaults().withPorts("127.0.0.1", 4318, 3100);
    assertThat(fixed.otlpGrpcPort()).isEqualTo(4317);
    assertThat(fixed.prometheusPort()).isEqualTo(9090);
  }

  private ServerConfig load(String yaml) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, yaml);
    return ServerConfig.load(file);
  }
}

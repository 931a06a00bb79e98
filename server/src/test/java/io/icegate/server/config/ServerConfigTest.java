package io.icegate.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {
  @TempDir Path dir;

  @Test
  void fileValuesOverrideDefaultsAndTheRestStay() throws Exception {
    ServerConfig config =
        load("""
            data_dir: /var/lib/icegate
            loki_port: 13100
            wal_max_delay: 2ms
            query_timeout: 1m30s
            compaction_min_age: 10m
            """).validate();
    assertThat(config.dataDir()).isEqualTo(Path.of("/var/lib/icegate"));
    assertThat(config.lokiPort()).isEqualTo(13100);
    assertThat(config.otlpHttpPort()).isEqualTo(ServerConfig.defaults().otlpHttpPort());
    assertThat(config.walMaxDelay()).isEqualTo(Duration.ofMillis(2));
    assertThat(config.queryTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(config.compaction().minAge()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void anUnknownKeyIsNamedInTheError() {
    assertThatThrownBy(() -> load("loki_prot: 3100\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("loki_prot")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("com.fasterxml"));
  }

  @Test
  void aBadDurationOrPortIsNamedInTheError() {
    assertThatThrownBy(() -> load("query_timeout: soon\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("query_timeout");
    assertThatThrownBy(() -> load("otlp_http_port: 70000\n").validate())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("otlp_http_port");
  }

  @Test
  void theInflightBodyBudgetIsItsOwnKeyAndDefaultsToFourLargestBodies() throws Exception {
    ServerConfig defaults = load("max_request_bytes: 1048576\n").validate();
    assertThat(defaults.maxInflightBodyBytes()).isZero();
    assertThat(defaults.inflightBodyBudget()).isEqualTo(4L * 1048576);

    ServerConfig set =
        load("max_request_bytes: 1048576\nmax_inflight_body_bytes: 10485760\n").validate();
    assertThat(set.inflightBodyBudget()).isEqualTo(10485760L);
    assertThat(set.maxRequestBytes()).isEqualTo(1048576);

    // Less than one largest body could never admit a request of the allowed size.
    assertThatThrownBy(
            () -> load("max_request_bytes: 1048576\nmax_inflight_body_bytes: 1000\n").validate())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("max_inflight_body_bytes")
        .hasMessageContaining("at least max_request_bytes (1048576)");
    assertThatThrownBy(() -> load("max_inflight_body_bytes: -1\n").validate())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("max_inflight_body_bytes");
  }

  @Test
  void anEmptyFileMeansDefaults() throws Exception {
    assertThat(load("").validate()).isEqualTo(ServerConfig.defaults());
  }

  @Test
  void maintenanceKeysDefaultToIcebergsAndAreChecked() throws Exception {
    ServerConfig.Maintenance defaults = load("loki_port: 3100\n").validate().maintenance();
    assertThat(defaults.interval()).isEqualTo(Duration.ofHours(1));
    assertThat(defaults.snapshotMaxAge()).isEqualTo(Duration.ofDays(5));
    assertThat(defaults.minSnapshotsToKeep()).isEqualTo(1);
    assertThat(defaults.orphanMinAge()).isEqualTo(Duration.ofDays(3));

    ServerConfig.Maintenance set =
        load("""
            maintenance_interval: 30m
            snapshot_max_age: 2d
            min_snapshots_to_keep: 10
            orphan_min_age: 36h
            """).validate().maintenance();
    assertThat(set)
        .isEqualTo(
            new ServerConfig.Maintenance(
                Duration.ofMinutes(30), Duration.ofDays(2), 10, Duration.ofHours(36)));

    assertThatThrownBy(() -> load("orphan_min_age: 12h\n").validate())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("orphan_min_age must be at least 1d");
    assertThatThrownBy(() -> load("query_timeout: 10m\nsnapshot_max_age: 5m\n").validate())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("snapshot_max_age must be at least query_timeout + 1m (11m)");
    assertThatThrownBy(() -> load("min_snapshots_to_keep: 0\n").validate())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("min_snapshots_to_keep");
    assertThatThrownBy(() -> load("maintenance_interval: soon\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("maintenance_interval");
  }

  @Test
  void theWalBytesTriggerDefaultsTo512MiBAndZeroTurnsItOff() throws Exception {
    assertThat(load("loki_port: 3100\n").validate().compaction().walBytes())
        .isEqualTo(512L * 1024 * 1024);
    assertThat(load("compaction_wal_bytes: 0\n").validate().compaction().walBytes()).isZero();
    assertThat(load("compaction_wal_bytes: 1048576\n").validate().compaction().walBytes())
        .isEqualTo(1048576L);
    assertThatThrownBy(() -> load("compaction_wal_bytes: -1\n").validate())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("compaction_wal_bytes");
  }

  @Test
  void ingestRequiresTheCatalogByDefaultAndProbesEveryTwoSeconds() throws Exception {
    ServerConfig defaults = load("loki_port: 3100\n").validate();
    assertThat(defaults.ingestRequiresCatalog()).isTrue();
    assertThat(defaults.catalogProbeInterval()).isEqualTo(Duration.ofSeconds(2));

    ServerConfig set =
        load("ingest_requires_catalog: false\ncatalog_probe_interval: 500ms\n").validate();
    assertThat(set.ingestRequiresCatalog()).isFalse();
    assertThat(set.catalogProbeInterval()).isEqualTo(Duration.ofMillis(500));

    assertThatThrownBy(() -> load("catalog_probe_interval: 10ms\n").validate())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("catalog_probe_interval must be at least 100ms");
  }

  private ServerConfig load(String yaml) throws Exception {
    Path file = dir.resolve("icegate.yaml");
    Files.writeString(file, yaml);
    return ServerConfig.load(file);
  }
}

package io.icegate.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code prometheus_query:} block: Prometheus's defaults, overrides, and bad values. */
class PromQueryConfigTest {
  @TempDir Path dir;

  @Test
  void defaultsAreThoseOfPrometheusFlags() {
    // --query.lookback-delta=5m, --query.timeout=2m, --query.max-samples=50000000.
    ServerConfig.PromQuery d = ServerConfig.defaults().promQuery();
    assertThat(d.lookbackDelta()).isEqualTo(Duration.ofMinutes(5));
    assertThat(d.timeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(d.maxSamples()).isEqualTo(50_000_000L);
  }

  @Test
  void blockOverridesEachKeyAndKeepsTheOthers() throws Exception {
    ServerConfig c = load("""
        prometheus_query:
          lookback_delta: 90s
          max_samples: 1000
        """).validate();
    assertThat(c.promQuery().lookbackDelta()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.promQuery().timeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.promQuery().maxSamples()).isEqualTo(1000);
  }

  @Test
  void badValuesAreNamed() {
    assertThatThrownBy(() -> load("prometheus_query:\n  timeout: soon\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("prometheus_query.timeout");
    assertThatThrownBy(() -> load("prometheus_query:\n  max_samples: 0\n").validate())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("prometheus_query.max_samples");
    assertThatThrownBy(() -> load("prometheus_query:\n  lookback: 1m\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("lookback");
  }

  private ServerConfig load(String yaml) throws Exception {
    Path file = dir.resolve("icegate.yaml");
    Files.writeString(file, yaml);
    return ServerConfig.load(file);
  }
}

package io.icegate.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code max_query_series}: Loki's default 500, settable in {@code limits:} and per tenant. */
class LokiQueryLimitsConfigTest {
  @TempDir Path dir;

  @Test
  void maxQuerySeriesDefaultsToLokisFiveHundred() {
    assertThat(ServerConfig.defaults().limitsFor("anyone").maxQuerySeries()).isEqualTo(500);
  }

  @Test
  void maxQuerySeriesIsSetByDefaultsAndPerTenant() throws Exception {
    ServerConfig config =
        load("""
            limits:
              max_query_series: 50
            tenant_limits:
              big:
                max_query_series: 5000
              other:
                ingestion_rate_bytes: 10
                ingestion_burst_bytes: 10
            """).validate();

    assertThat(config.limitsFor("anyone").maxQuerySeries()).isEqualTo(50);
    assertThat(config.limitsFor("big").maxQuerySeries()).isEqualTo(5000);
    // A tenant block without the key inherits the file's default, not the built-in one.
    assertThat(config.limitsFor("other").maxQuerySeries()).isEqualTo(50);
  }

  @Test
  void maxQueryLengthDefaultsToLokis721hAndIsSettable() throws Exception {
    assertThat(ServerConfig.defaults().limitsFor("x").maxQueryLength())
        .isEqualTo(java.time.Duration.ofHours(721));
    ServerConfig config =
        load("""
            limits:
              max_query_length: 24h
            tenant_limits:
              unlimited:
                max_query_length: 0
            """).validate();
    assertThat(config.limitsFor("x").maxQueryLength()).isEqualTo(java.time.Duration.ofHours(24));
    assertThat(config.limitsFor("unlimited").maxQueryLength()).isZero();
  }

  @Test
  void aNonPositiveMaxQuerySeriesIsNamed() {
    assertThatThrownBy(
            () -> load("tenant_limits:\n  t1:\n    max_query_series: 0\n").validate())
        .isInstanceOf(ConfigException.class)
        .hasMessage("tenant_limits.t1.max_query_series must be positive");
  }

  private ServerConfig load(String yaml) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, yaml);
    return ServerConfig.load(file);
  }
}

package io.icegate.server.loki;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The two duration spellings in Loki's {@code max_query_length} error: the query's length as Go's
 * {@code time.Duration} prints it, the limit as Prometheus's {@code model.Duration} does. Expected
 * strings are what those printers give for these values (their rules written out in the names).
 */
class LokiQueryLimitsTest {
  @Test
  void goDurationPrintsHoursMinutesAndFractionalSeconds() {
    assertThat(LokiQueryHandler.goDuration(0)).isEqualTo("0s");
    assertThat(LokiQueryHandler.goDuration(500)).isEqualTo("500ms");
    assertThat(LokiQueryHandler.goDuration(1_500)).isEqualTo("1.5s");
    assertThat(LokiQueryHandler.goDuration(90_000)).isEqualTo("1m30s");
    assertThat(LokiQueryHandler.goDuration(3_600_000)).isEqualTo("1h0m0s");
    assertThat(LokiQueryHandler.goDuration(3_600_001)).isEqualTo("1h0m0.001s");
    assertThat(LokiQueryHandler.goDuration(31L * 24 * 3_600_000)).isEqualTo("744h0m0s");
  }

  @Test
  void promDurationUsesYearsAndWeeksOnlyWhenExact() {
    assertThat(LokiQueryHandler.promDuration(721L * 3_600_000)).isEqualTo("30d1h");
    assertThat(LokiQueryHandler.promDuration(14L * 86_400_000)).isEqualTo("2w");
    assertThat(LokiQueryHandler.promDuration(90L * 86_400_000)).isEqualTo("90d");
    assertThat(LokiQueryHandler.promDuration(365L * 86_400_000)).isEqualTo("1y");
    assertThat(LokiQueryHandler.promDuration(30L * 60_000)).isEqualTo("30m");
    assertThat(LokiQueryHandler.promDuration(90_500)).isEqualTo("1m30s500ms");
  }
}

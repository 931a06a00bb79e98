package io.icegate.server.loki;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.engine.logql.LogFieldDetector;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The rules Loki's detected_fields and detected_labels apply, with expected answers worked out
 * from Go's strconv, time.ParseDuration and go-humanize's ParseBytes (first that accepts wins).
 */
class LokiDetectionRulesTest {
  @Test
  void typesFollowLokisOrderOfParsers() {
    assertThat(LogFieldDetector.typeOf("42")).isEqualTo("int");
    assertThat(LogFieldDetector.typeOf("-7")).isEqualTo("int");
    assertThat(LogFieldDetector.typeOf("+7")).isEqualTo("int");
    // Out of int64: ParseInt fails, ParseFloat takes it.
    assertThat(LogFieldDetector.typeOf("9223372036854775808")).isEqualTo("float");
    assertThat(LogFieldDetector.typeOf("0.25")).isEqualTo("float");
    assertThat(LogFieldDetector.typeOf("1e3")).isEqualTo("float");
    assertThat(LogFieldDetector.typeOf("NaN")).isEqualTo("float");
    // "1" and "0" are ints before they could be booleans.
    assertThat(LogFieldDetector.typeOf("1")).isEqualTo("int");
    assertThat(LogFieldDetector.typeOf("true")).isEqualTo("boolean");
    assertThat(LogFieldDetector.typeOf("F")).isEqualTo("boolean");
    assertThat(LogFieldDetector.typeOf("yes")).isEqualTo("string");
    assertThat(LogFieldDetector.typeOf("250ms")).isEqualTo("duration");
    assertThat(LogFieldDetector.typeOf("1h30m")).isEqualTo("duration");
    // "5m" is a duration (minutes) before it could be bytes (megabytes).
    assertThat(LogFieldDetector.typeOf("5m")).isEqualTo("duration");
    assertThat(LogFieldDetector.typeOf("20MB")).isEqualTo("bytes");
    assertThat(LogFieldDetector.typeOf("1.5 KiB")).isEqualTo("bytes");
    assertThat(LogFieldDetector.typeOf("10B")).isEqualTo("bytes");
    assertThat(LogFieldDetector.typeOf("GET /cart")).isEqualTo("string");
    assertThat(LogFieldDetector.typeOf("")).isEqualTo("string");
  }

  @Test
  void labelsOfOnlyIdsAreLeftOut() {
    assertThat(LokiDetectedHandler.rejected(Set.of("123", "124"))).isTrue();
    assertThat(LokiDetectedHandler.rejected(Set.of("0.5", "2"))).isTrue();
    assertThat(
            LokiDetectedHandler.rejected(
                Set.of("550e8400-e29b-41d4-a716-446655440000",
                    "6ba7b810-9dad-11d1-80b4-00c04fd430c8")))
        .isTrue();
    assertThat(LokiDetectedHandler.rejected(Set.of("123", "api"))).isFalse();
    // A 0/1 pair reads as a boolean, not as IDs.
    assertThat(LokiDetectedHandler.rejected(Set.of("0", "1"))).isFalse();
    assertThat(LokiDetectedHandler.rejected(Set.of("1"))).isFalse();
    assertThat(LokiDetectedHandler.rejected(Set.of("0", "1", "2"))).isTrue();
    assertThat(LokiDetectedHandler.rejected(Set.of())).isTrue();
  }

  @Test
  void categorizeFlagIsFoundInACommaSeparatedHeader() {
    assertThat(LokiCategorizedStreams.requested("categorize-labels")).isTrue();
    assertThat(LokiCategorizedStreams.requested("other, categorize-labels")).isTrue();
    assertThat(LokiCategorizedStreams.requested("other")).isFalse();
    assertThat(LokiCategorizedStreams.requested(null)).isFalse();
  }
}

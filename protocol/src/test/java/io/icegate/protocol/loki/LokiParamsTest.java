package io.icegate.protocol.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

class LokiParamsTest {
  private static final long NOV_14_2023 = 1_700_000_000L * 1_000_000_000L; // 2023-11-14T22:13:20Z

  @Test
  void integerOfUpToTenCharactersIsSeconds() {
    assertThat(time("1700000000")).isEqualTo(NOV_14_2023);
    assertThat(time("0")).isZero();
    assertThat(time("-1")).isEqualTo(-1_000_000_000L);
    assertThat(time("+60")).isEqualTo(60_000_000_000L);
  }

  @Test
  void longerIntegerIsNanosecondsEvenWhenItLooksLikeMilliseconds() {
    assertThat(time("1700000000123456789")).isEqualTo(1_700_000_000_123_456_789L);
    // 13 digits: Loki takes milliseconds as nanoseconds too, a moment in January 1970.
    assertThat(time("1700000000123")).isEqualTo(1_700_000_000_123L);
  }

  @Test
  void decimalIsSecondsRoundedToTheMillisecond() {
    assertThat(time("1700000000.123")).isEqualTo(NOV_14_2023 + 123_000_000L);
    assertThat(time("1700000000.5")).isEqualTo(NOV_14_2023 + 500_000_000L);
    assertThat(time("1700000000.1234567")).isEqualTo(NOV_14_2023 + 123_000_000L);
    assertThat(time("1700000000.9996")).isEqualTo(NOV_14_2023 + 1_000_000_000L);
    assertThat(time("1.5e9")).isEqualTo(1_500_000_000L * 1_000_000_000L);
    assertThat(time("-1.5")).isEqualTo(-1_500_000_000L);
    assertThat(time("5.")).isEqualTo(5_000_000_000L);
  }

  @Test
  void rfc3339WithZoneAndNanos() {
    assertThat(time("2023-11-14T22:13:20Z")).isEqualTo(NOV_14_2023);
    assertThat(time("2023-11-14T22:13:20.123456789Z")).isEqualTo(NOV_14_2023 + 123_456_789L);
    assertThat(time("2023-11-14T22:13:20.5Z")).isEqualTo(NOV_14_2023 + 500_000_000L);
    assertThat(time("2023-11-14T23:13:20+01:00")).isEqualTo(NOV_14_2023);
    assertThat(time("2023-11-14T17:43:20.000000001-04:30")).isEqualTo(NOV_14_2023 + 1);
    // Go drops fraction digits beyond the ninth and accepts a comma before them.
    assertThat(time("2023-11-14T22:13:20.1234567899Z")).isEqualTo(NOV_14_2023 + 123_456_789L);
    assertThat(time("2023-11-14T22:13:20,25Z")).isEqualTo(NOV_14_2023 + 250_000_000L);
    assertThat(time("1969-12-31T23:59:59.75Z")).isEqualTo(-250_000_000L);
    assertThat(time("2024-02-29T00:00:00+23:59")).isEqualTo(1_709_078_460L * 1_000_000_000L);
  }

  @Test
  void invalidTimesAreRejectedNamingTheParameter() {
    assertTimeRejected(
        "yesterday",
        "could not parse 'start' parameter: \"yesterday\" is not a Unix timestamp or an RFC3339"
            + " time");
    assertTimeRejected(
        "", "could not parse 'start' parameter: \"\" is not a Unix timestamp or an RFC3339 time");
    assertTimeRejected(
        "2023-11-14 22:13:20Z",
        "could not parse 'start' parameter: \"2023-11-14 22:13:20Z\" is not a Unix timestamp or an"
            + " RFC3339 time");
    assertTimeRejected(
        "2023-11-14T22:13:20", // no zone
        "could not parse 'start' parameter: \"2023-11-14T22:13:20\" is not a Unix timestamp or an"
            + " RFC3339 time");
    assertTimeRejected(
        "2023-02-29T00:00:00Z",
        "could not parse 'start' parameter: \"2023-02-29T00:00:00Z\": day out of range");
    assertTimeRejected(
        "2023-13-01T00:00:00Z",
        "could not parse 'start' parameter: \"2023-13-01T00:00:00Z\": month out of range");
    assertTimeRejected(
        "2023-11-14T24:00:00Z",
        "could not parse 'start' parameter: \"2023-11-14T24:00:00Z\": hour out of range");
    assertTimeRejected(
        "2023-11-14T22:13:60Z",
        "could not parse 'start' parameter: \"2023-11-14T22:13:60Z\": second out of range");
    assertTimeRejected(
        "1700000000.5x",
        "could not parse 'start' parameter: \"1700000000.5x\" is not a Unix timestamp or an RFC3339"
            + " time");
    assertTimeRejected(
        "9999999999",
        "could not parse 'start' parameter: \"9999999999\" is out of the range of nanosecond"
            + " timestamps");
    assertTimeRejected(
        "99999999999999999999",
        "could not parse 'start' parameter: \"99999999999999999999\" is out of the range of"
            + " nanosecond timestamps");
    assertTimeRejected(
        "2263-01-01T00:00:00Z",
        "could not parse 'start' parameter: \"2263-01-01T00:00:00Z\" is out of the range of"
            + " nanosecond timestamps");
  }

  @Test
  void durationsInPrometheusSyntax() {
    assertThat(duration("5m")).isEqualTo(300_000_000_000L);
    assertThat(duration("1h30m")).isEqualTo(5_400_000_000_000L);
    assertThat(duration("250ms")).isEqualTo(250_000_000L);
    assertThat(duration("1d12h")).isEqualTo(129_600_000_000_000L);
    assertThat(duration("1y")).isEqualTo(365L * 86_400 * 1_000_000_000L);
    assertThat(duration("2w")).isEqualTo(14L * 86_400 * 1_000_000_000L);
    assertThat(duration("1m1s1ms")).isEqualTo(61_001_000_000L);
    assertThat(duration("0")).isZero();
  }

  @Test
  void durationsInSeconds() {
    assertThat(duration("15")).isEqualTo(15_000_000_000L);
    assertThat(duration("0.25")).isEqualTo(250_000_000L);
    assertThat(duration("1e3")).isEqualTo(1_000_000_000_000L);
    assertThat(duration("-5")).isEqualTo(-5_000_000_000L);
  }

  @Test
  void invalidDurationsAreRejectedInLokisWords() {
    assertDurationRejected(
        "5 minutes",
        "could not parse 'step' parameter: cannot parse \"5 minutes\" to a valid duration");
    assertDurationRejected(
        "1.5h", "could not parse 'step' parameter: cannot parse \"1.5h\" to a valid duration");
    assertDurationRejected(
        "30m1h", "could not parse 'step' parameter: cannot parse \"30m1h\" to a valid duration");
    assertDurationRejected(
        "5m5m", "could not parse 'step' parameter: cannot parse \"5m5m\" to a valid duration");
    assertDurationRejected(
        "1us", "could not parse 'step' parameter: cannot parse \"1us\" to a valid duration");
    assertDurationRejected(
        "5d ", "could not parse 'step' parameter: cannot parse \"5d \" to a valid duration");
    assertDurationRejected(
        "", "could not parse 'step' parameter: cannot parse \"\" to a valid duration");
    assertDurationRejected(
        "NaN", "could not parse 'step' parameter: cannot parse \"NaN\" to a valid duration");
    assertDurationRejected(
        "999999y",
        "could not parse 'step' parameter: cannot parse \"999999y\" to a valid duration");
    assertDurationRejected(
        "1e10",
        "could not parse 'step' parameter: cannot parse \"1e10\" to a valid duration. It overflows"
            + " int64");
    assertDurationRejected(
        "+Inf",
        "could not parse 'step' parameter: cannot parse \"+Inf\" to a valid duration. It overflows"
            + " int64");
  }

  @Test
  void directionInAnyCase() {
    assertThat(LokiParams.parseDirection("forward")).isEqualTo(Direction.FORWARD);
    assertThat(LokiParams.parseDirection("BACKWARD")).isEqualTo(Direction.BACKWARD);
    assertThat(LokiParams.parseDirection("Backward")).isEqualTo(Direction.BACKWARD);
    assertThatThrownBy(() -> LokiParams.parseDirection("up"))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("invalid direction 'up'");
  }

  private static long time(String value) {
    return LokiParams.parseTimeNanos("start", value);
  }

  private static long duration(String value) {
    return LokiParams.parseDurationNanos("step", value);
  }

  private static void assertTimeRejected(String value, String message) {
    assertThatThrownBy(() -> time(value)).isInstanceOf(ProtocolException.class).hasMessage(message);
  }

  private static void assertDurationRejected(String value, String message) {
    assertThatThrownBy(() -> duration(value))
        .isInstanceOf(ProtocolException.class)
        .hasMessage(message);
  }
}

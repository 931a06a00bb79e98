package io.icegate.engine.logql.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Level detection as Loki's distributor does it ({@code pkg/distributor/field_detection.go}); each
 * expectation is worked out by hand from those rules: stored {@code detected_level}, level fields
 * of the stream then of the metadata, OTLP severity number, then the line.
 */
class LogLevelDetectorTest {
  private static String line(String text) {
    return LogLevelDetector.detect(Map.of(), Map.of(), text);
  }

  @Test
  void aStoredDetectedLevelIsNormalised() {
    assertThat(
            LogLevelDetector.detect(
                Map.of("level", "error"), Map.of("detected_level", "WARNING"), "info"))
        .isEqualTo("warn");
  }

  @Test
  void streamLevelFieldsComeBeforeMetadataAndSeverityNumber() {
    assertThat(
            LogLevelDetector.detect(
                Map.of("level", "Err"),
                Map.of("severity_text", "INFO", "severity_number", "9"),
                "debug"))
        .isEqualTo("error");
    // severity_text is one of Loki's level fields, so it wins over the number.
    assertThat(
            LogLevelDetector.detect(
                Map.of(), Map.of("severity_text", "INF", "severity_number", "17"), ""))
        .isEqualTo("info");
    // The first field in Loki's list: "severity" before "lvl".
    assertThat(LogLevelDetector.detect(Map.of(), Map.of("lvl", "dbg", "severity", "trc"), ""))
        .isEqualTo("trace");
  }

  @Test
  void severityNumbersFollowOpenTelemetrysRanges() {
    assertThat(LogLevelDetector.fromSeverityNumber("0")).isEqualTo("unknown");
    assertThat(LogLevelDetector.fromSeverityNumber("4")).isEqualTo("trace");
    assertThat(LogLevelDetector.fromSeverityNumber("5")).isEqualTo("debug");
    assertThat(LogLevelDetector.fromSeverityNumber("12")).isEqualTo("info");
    assertThat(LogLevelDetector.fromSeverityNumber("13")).isEqualTo("warn");
    assertThat(LogLevelDetector.fromSeverityNumber("17")).isEqualTo("error");
    assertThat(LogLevelDetector.fromSeverityNumber("24")).isEqualTo("fatal");
    assertThat(LogLevelDetector.fromSeverityNumber("25")).isEqualTo("unknown");
    assertThat(LogLevelDetector.fromSeverityNumber("x")).isEqualTo("info");
  }

  @Test
  void anUnknownLevelNameStaysButTrainsTheUnknownDrain() {
    Map<String, String> meta = Map.of("level", "Notice");
    assertThat(LogLevelDetector.detect(Map.of(), meta, "")).isEqualTo("Notice");
    assertThat(LogLevelDetector.drainLevel(Map.of(), meta, "")).isEqualTo("unknown");
    assertThat(LogLevelDetector.drainLevel(Map.of(), Map.of("level", "WARN"), ""))
        .isEqualTo("warn");
  }

  @Test
  void jsonLinesGiveTheirFirstLevelFieldInDocumentOrderTwoLevelsDeep() {
    assertThat(line("{\"msg\":\"x\",\"lvl\":\"dbg\"}")).isEqualTo("debug");
    assertThat(line("{\"a\":{\"level\":\"warn\"},\"level\":\"error\"}")).isEqualTo("warn");
    // Three levels deep is not searched; no level word in the line either.
    assertThat(line("{\"a\":{\"b\":{\"level\":\"dbg\"}},\"msg\":\"x\"}")).isEqualTo("unknown");
    // A level field that names no level: the line's words decide.
    assertThat(line("{\"level\":\"notice\",\"msg\":\"fatal crash\"}")).isEqualTo("fatal");
  }

  @Test
  void logfmtLinesGiveTheFieldEarliestInLokisList() {
    assertThat(line("ts=1 msg=hi LEVEL=warn lvl=error")).isEqualTo("warn");
    assertThat(line("msg=hi lvl=error severity=info")).isEqualTo("info");
    assertThat(line("msg=\"disk failure: error 5\"")).isEqualTo("error");
  }

  @Test
  void textLinesGiveTheEarliestBoundedLevelWord() {
    assertThat(line("[WARN] cache miss, retrying after error")).isEqualTo("warn");
    assertThat(line("terrorist info")).isEqualTo("info");
    assertThat(line("misc:error happened")).isEqualTo("unknown");
    assertThat(line("debug: starting")).isEqualTo("debug");
    assertThat(line("user 17 logged in")).isEqualTo("unknown");
  }

  @Test
  void withDetectedLevelAddsTheLevelAsMetadataAndKeepsTheRest() {
    java.util.TreeMap<String, String> stream = new java.util.TreeMap<>(Map.of("app", "a"));
    assertThat(
            LogLevelDetector.withDetectedLevel(
                stream, Map.of("severity_text", "WARNING", "trace_id", "ab"), () -> "x"))
        .isEqualTo(
            Map.of("severity_text", "WARNING", "trace_id", "ab", "detected_level", "warn"));
    // A pushed detected_level is kept, normalised.
    assertThat(
            LogLevelDetector.withDetectedLevel(stream, Map.of("detected_level", "ERR"), () -> ""))
        .isEqualTo(Map.of("detected_level", "error"));
  }

  @Test
  void unsetMetadataIsNotLookedAtAndTheLineOnlyWhenNothingElseNamesALevel() {
    java.util.TreeMap<String, String> stream = new java.util.TreeMap<>();
    // Severity number 0 and an empty severity text are "not set" (Loki's OTLP mapping stores
    // neither), so the line decides — not the number's "unknown".
    assertThat(
            LogLevelDetector.withDetectedLevel(
                    stream, Map.of("severity_number", "0", "severity_text", ""), () -> "a warning")
                .get("detected_level"))
        .isEqualTo("warn");
    // A level from the metadata: the line is never asked for.
    assertThat(
            LogLevelDetector.withDetectedLevel(
                    stream,
                    Map.of("severity_number", "17"),
                    () -> {
                      throw new AssertionError("line decoded");
                    })
                .get("detected_level"))
        .isEqualTo("error");
    // Nothing anywhere: Loki stores "unknown".
    assertThat(
            LogLevelDetector.withDetectedLevel(stream, Map.of(), () -> "user 17 logged in")
                .get("detected_level"))
        .isEqualTo("unknown");
  }
}

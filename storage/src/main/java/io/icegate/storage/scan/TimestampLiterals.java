package io.icegate.storage.scan;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Literals for Iceberg {@code timestamp_ns} predicates. Iceberg reads a {@code long} literal
 * against a nanosecond column as microseconds (Literals.LongLiteral, 1.10), so we pass the
 * instant as an ISO local date-time with nine fractional digits, which it parses exactly.
 */
final class TimestampLiterals {
  private static final DateTimeFormatter ISO_NANOS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS");

  private TimestampLiterals() {}

  static String nanos(long epochNanos) {
    Instant instant =
        Instant.ofEpochSecond(
            Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC).format(ISO_NANOS);
  }
}

package io.icegate.protocol.loki;

import io.icegate.protocol.ProtocolException;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsing of Loki HTTP API query parameters with Loki's own rules ({@code pkg/loghttp/params.go}),
 * so that every URL that works against Loki works here. Absent parameters and their defaults (now,
 * one hour back, the step derived from the range) are the caller's business: these methods reject
 * an empty value. Errors read as Loki's ({@code could not parse 'start' parameter: ...}).
 */
public final class LokiParams {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  /** Go's {@code strconv.ParseFloat} syntax for decimal numbers (hex floats are not accepted). */
  private static final Pattern GO_FLOAT =
      Pattern.compile("[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");

  /** The infinities {@code strconv.ParseFloat} accepts; any duration from them overflows. */
  private static final Pattern GO_INFINITY = Pattern.compile("[+-]?(?i:inf|infinity)");

  /** Go's {@code strconv.ParseInt(s, 10, 64)} syntax. */
  private static final Pattern GO_INT = Pattern.compile("[+-]?[0-9]+");

  /**
   * Go's {@code time.RFC3339Nano} as {@code time.Parse} reads it: the fraction may have any number
   * of digits (beyond nine they are dropped) and may follow a comma; the zone is {@code Z} or
   * {@code ±hh:mm}.
   */
  private static final Pattern RFC3339 =
      Pattern.compile(
          "([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
              + "(?:[.,]([0-9]+))?(?:Z|([+-])([0-9]{2}):([0-9]{2}))");

  private static final Pattern DURATION_PART = Pattern.compile("([0-9]+)(ms|[smhdwy])");

  /** Prometheus's duration units, largest first: each may appear once, in this order. */
  private static final List<String> UNITS = List.of("y", "w", "d", "h", "m", "s", "ms");

  /** The length of each of {@link #UNITS}; a year is 365 days, as in Prometheus. */
  private static final long[] UNIT_NANOS = {
    365 * 86_400 * NANOS_PER_SECOND,
    7 * 86_400 * NANOS_PER_SECOND,
    86_400 * NANOS_PER_SECOND,
    3_600 * NANOS_PER_SECOND,
    60 * NANOS_PER_SECOND,
    NANOS_PER_SECOND,
    1_000_000L
  };

  private static final long[] POWERS_OF_TEN = {
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000
  };

  private LokiParams() {}

  /**
   * A time parameter ({@code start}, {@code end}, {@code time}) in Unix nanoseconds, read as Loki's
   * {@code parseTimestamp} reads it:
   *
   * <ul>
   *   <li>a number with a decimal point is seconds, rounded to the millisecond ({@code
   *       1700000000.123});
   *   <li>an integer of at most 10 characters is seconds, a longer one nanoseconds ({@code
   *       1700000000} and {@code 1700000000000000000} are the same instant, while a 13-digit
   *       millisecond value is taken as nanoseconds, exactly as Loki takes it);
   *   <li>anything else must be an RFC3339 time, with or without fraction ({@code
   *       2023-11-14T22:13:20.5+01:00}).
   * </ul>
   *
   * @param parameter the parameter's name, for the error message
   * @throws ProtocolException if the value has none of these forms or lies outside the years
   *     1678–2262 that nanoseconds in a long can express
   */
  public static long parseTimeNanos(String parameter, String value) {
    if (value.indexOf('.') >= 0 && GO_FLOAT.matcher(value).matches()) {
      double seconds = Double.parseDouble(value);
      if (Double.isFinite(seconds)) {
        // Loki: s, ns := math.Modf(t); ns = math.Round(ns*1000) / 1000
        double whole = seconds < 0 ? Math.ceil(seconds) : Math.floor(seconds);
        double fraction = roundHalfAwayFromZero((seconds - whole) * 1000) / 1000;
        if (Math.abs(whole) >= Long.MAX_VALUE / NANOS_PER_SECOND) {
          throw outOfRange(parameter, value);
        }
        return (long) whole * NANOS_PER_SECOND + (long) (fraction * NANOS_PER_SECOND);
      }
    }
    if (GO_INT.matcher(value).matches()) {
      long number;
      try {
        number = Long.parseLong(value);
      } catch (NumberFormatException e) {
        throw outOfRange(parameter, value);
      }
      if (value.length() > 10) {
        return number;
      }
      try {
        return Math.multiplyExact(number, NANOS_PER_SECOND);
      } catch (ArithmeticException e) {
        throw outOfRange(parameter, value);
      }
    }
    Matcher rfc3339 = RFC3339.matcher(value);
    if (rfc3339.matches()) {
      return rfc3339Nanos(parameter, value, rfc3339);
    }
    throw new ProtocolException(
        "could not parse '"
            + parameter
            + "' parameter: \""
            + value
            + "\" is not a Unix timestamp or an RFC3339 time");
  }

  /**
   * A duration parameter ({@code step}, {@code interval}) in nanoseconds, read as Loki's {@code
   * parseSecondsOrDuration} reads it: a number of seconds, possibly with a fraction or exponent
   * ({@code 15}, {@code 0.25}), or a Prometheus duration ({@code 5m}, {@code 1h30m}, {@code 250ms};
   * units y, w, d, h, m, s, ms from largest to smallest, integers only). Negative seconds are
   * returned as they are; Loki rejects a non-positive step later, where it checks the range.
   *
   * @param parameter the parameter's name, for the error message
   * @throws ProtocolException with Loki's {@code cannot parse "x" to a valid duration}
   */
  public static long parseDurationNanos(String parameter, String value) {
    boolean infinite = GO_INFINITY.matcher(value).matches();
    if (infinite || GO_FLOAT.matcher(value).matches()) {
      double nanos = infinite ? Double.POSITIVE_INFINITY : Double.parseDouble(value) * 1e9;
      if (nanos > Long.MAX_VALUE || nanos < Long.MIN_VALUE) {
        throw new ProtocolException(
            "could not parse '"
                + parameter
                + "' parameter: cannot parse \""
                + value
                + "\" to a valid duration. It overflows int64");
      }
      return (long) nanos;
    }
    long nanos = prometheusDurationNanos(value);
    if (nanos < 0) {
      throw new ProtocolException(
          "could not parse '"
              + parameter
              + "' parameter: cannot parse \""
              + value
              + "\" to a valid duration");
    }
    return nanos;
  }

  /**
   * The {@code direction} parameter, in any letter case as Loki accepts it.
   *
   * @throws ProtocolException with Loki's {@code invalid direction 'x'}
   */
  public static Direction parseDirection(String value) {
    return switch (value.toUpperCase(Locale.ROOT)) {
      case "FORWARD" -> Direction.FORWARD;
      case "BACKWARD" -> Direction.BACKWARD;
      default -> throw new ProtocolException("invalid direction '" + value + "'");
    };
  }

  /**
   * Prometheus's {@code model.ParseDuration}: a bare {@code 0}, or integer-unit parts with units in
   * decreasing order, each at most once; -1 if the text is not such a duration or does not fit in a
   * long.
   */
  private static long prometheusDurationNanos(String value) {
    if (value.equals("0")) {
      return 0;
    }
    Matcher part = DURATION_PART.matcher(value);
    long total = 0;
    int position = 0;
    int previousUnit = -1;
    while (position < value.length()) {
      if (!part.region(position, value.length()).lookingAt()) {
        return -1;
      }
      int unit = UNITS.indexOf(part.group(2));
      if (unit <= previousUnit) {
        return -1;
      }
      previousUnit = unit;
      try {
        long amount = Long.parseLong(part.group(1));
        total = Math.addExact(total, Math.multiplyExact(amount, UNIT_NANOS[unit]));
      } catch (NumberFormatException | ArithmeticException e) {
        return -1;
      }
      position = part.end();
    }
    return position == 0 ? -1 : total;
  }

  /** Checks fields with Go's {@code time.Parse} ranges and wording, then converts. */
  private static long rfc3339Nanos(String parameter, String value, Matcher m) {
    int year = Integer.parseInt(m.group(1));
    int month = Integer.parseInt(m.group(2));
    int day = Integer.parseInt(m.group(3));
    int hour = Integer.parseInt(m.group(4));
    int minute = Integer.parseInt(m.group(5));
    int second = Integer.parseInt(m.group(6));
    String fraction = m.group(7);
    int sign = "-".equals(m.group(8)) ? -1 : 1;
    int offsetHours = m.group(9) == null ? 0 : Integer.parseInt(m.group(9));
    int offsetMinutes = m.group(10) == null ? 0 : Integer.parseInt(m.group(10));
    String problem =
        month < 1 || month > 12
            ? "month out of range"
            : day < 1 || day > YearMonth.of(year, month).lengthOfMonth()
                ? "day out of range"
                : hour > 23
                    ? "hour out of range"
                    : minute > 59
                        ? "minute out of range"
                        : second > 59
                            ? "second out of range"
                            : offsetHours > 23 || offsetMinutes > 59
                                ? "time zone offset out of range"
                                : null;
    if (problem != null) {
      throw new ProtocolException(
          "could not parse '" + parameter + "' parameter: \"" + value + "\": " + problem);
    }
    long nanos = 0;
    if (fraction != null) {
      // Digits beyond the ninth are dropped, as Go drops them.
      String nine = (fraction.length() > 9 ? fraction.substring(0, 9) : fraction);
      nanos = Long.parseLong(nine) * POWERS_OF_TEN[9 - nine.length()];
    }
    // Not ZoneOffset: it stops at ±18:00, while RFC3339 (and Go) allow offsets up to ±23:59.
    long epochSecond =
        LocalDateTime.of(year, month, day, hour, minute, second).toEpochSecond(ZoneOffset.UTC)
            - sign * (offsetHours * 3_600L + offsetMinutes * 60L);
    try {
      return Math.addExact(Math.multiplyExact(epochSecond, NANOS_PER_SECOND), nanos);
    } catch (ArithmeticException e) {
      throw outOfRange(parameter, value);
    }
  }

  /** Go's {@code math.Round}: half away from zero, exact for every double. */
  private static double roundHalfAwayFromZero(double x) {
    double truncated = x < 0 ? Math.ceil(x) : Math.floor(x);
    return Math.abs(x - truncated) >= 0.5 ? truncated + Math.signum(x) : truncated;
  }

  private static ProtocolException outOfRange(String parameter, String value) {
    return new ProtocolException(
        "could not parse '"
            + parameter
            + "' parameter: \""
            + value
            + "\" is out of the range of nanosecond timestamps");
  }
}

package io.icegate.logql;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Durations as Loki reads and prints them. Loki uses two syntaxes:
 *
 * <ul>
 *   <li>Prometheus' ({@code model.ParseDuration}): integers with units {@code y w d h m s ms}, from
 *       the largest to the smallest ({@code 1h30m}, {@code 7d}); ranges {@code [5m]} must use it.
 *   <li>Go's ({@code time.ParseDuration}): a sign, decimal fractions, units {@code h m s ms us µs
 *       ns} in any order ({@code 1h15m30.5s}, {@code -5m}, {@code 0.5s}).
 * </ul>
 *
 * <p>Duration literals in label filters and offsets are read with Prometheus' syntax first and
 * Go's second. Values are nanoseconds, as Go's {@code time.Duration}.
 */
final class GoDuration {
  private GoDuration() {}

  private static final long MILLISECOND = 1_000_000L;
  private static final long SECOND = 1_000_000_000L;
  private static final long MINUTE = 60 * SECOND;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;

  /** Prometheus' units, with their order (largest first). */
  private static final Map<String, long[]> PROMETHEUS_UNITS =
      Map.of(
          "y", new long[] {1, 365 * DAY},
          "w", new long[] {2, 7 * DAY},
          "d", new long[] {3, DAY},
          "h", new long[] {4, HOUR},
          "m", new long[] {5, MINUTE},
          "s", new long[] {6, SECOND},
          "ms", new long[] {7, MILLISECOND});

  private static final Map<String, Long> GO_UNITS =
      Map.of(
          "ns", 1L,
          "us", 1_000L,
          "\u00b5s", 1_000L, // micro sign
          "\u03bcs", 1_000L, // Greek small letter mu
          "ms", MILLISECOND,
          "s", SECOND,
          "m", MINUTE,
          "h", HOUR);

  /** Why a Prometheus duration is invalid; the message is Prometheus' own. */
  static final class InvalidDurationException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidDurationException(String message) {
      super(message, null, false, false);
    }
  }

  /** Prometheus' {@code model.ParseDuration}, in nanoseconds. */
  static long parsePrometheus(String s) throws InvalidDurationException {
    if (s.equals("0")) {
      return 0;
    }
    if (s.isEmpty()) {
      throw new InvalidDurationException("empty duration string");
    }
    String invalid = "not a valid duration string: " + GoText.quote(s);
    long total = 0;
    int lastUnitOrder = 0;
    int i = 0;
    while (i < s.length()) {
      if (!isDigit(s.charAt(i))) {
        throw new InvalidDurationException(invalid);
      }
      int digitsEnd = i;
      while (digitsEnd < s.length() && isDigit(s.charAt(digitsEnd))) {
        digitsEnd++;
      }
      long value;
      try {
        value = Long.parseUnsignedLong(s.substring(i, digitsEnd));
      } catch (NumberFormatException e) {
        throw new InvalidDurationException(invalid);
      }
      int unitEnd = digitsEnd;
      while (unitEnd < s.length() && !isDigit(s.charAt(unitEnd))) {
        unitEnd++;
      }
      if (unitEnd == digitsEnd) {
        throw new InvalidDurationException(invalid);
      }
      String unit = s.substring(digitsEnd, unitEnd);
      long[] orderAndNanos = PROMETHEUS_UNITS.get(unit);
      if (orderAndNanos == null) {
        throw new InvalidDurationException(
            "unknown unit " + GoText.quote(unit) + " in duration " + GoText.quote(s));
      }
      if (orderAndNanos[0] <= lastUnitOrder) {
        throw new InvalidDurationException(invalid);
      }
      lastUnitOrder = (int) orderAndNanos[0];
      // Prometheus checks value > 2^63 / unit in unsigned arithmetic, then the running sum.
      if (Long.compareUnsigned(value, Long.divideUnsigned(Long.MIN_VALUE, orderAndNanos[1])) > 0) {
        throw new InvalidDurationException("duration out of range");
      }
      total += value * orderAndNanos[1];
      if (total < 0) {
        throw new InvalidDurationException("duration out of range");
      }
      i = unitEnd;
    }
    return total;
  }

  /** Go's {@code time.ParseDuration}, in nanoseconds; empty if Go rejects the text. */
  static OptionalLong parseGo(String s) {
    int i = 0;
    boolean negative = false;
    if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
      negative = s.charAt(0) == '-';
      i = 1;
    }
    if (s.substring(i).equals("0")) {
      return OptionalLong.of(0);
    }
    if (i == s.length()) {
      return OptionalLong.empty();
    }
    long total = 0; // unsigned, at most 2^63
    while (i < s.length()) {
      char c = s.charAt(i);
      if (!(c == '.' || isDigit(c))) {
        return OptionalLong.empty();
      }
      int start = i;
      long whole = 0;
      while (i < s.length() && isDigit(s.charAt(i))) {
        if (Long.compareUnsigned(whole, Long.divideUnsigned(Long.MIN_VALUE, 10)) > 0) {
          return OptionalLong.empty(); // Go's leadingInt overflow
        }
        whole = whole * 10 + (s.charAt(i) - '0');
        if (Long.compareUnsigned(whole, Long.MIN_VALUE) > 0) {
          return OptionalLong.empty();
        }
        i++;
      }
      boolean pre = i != start;
      long fraction = 0;
      double scale = 1;
      boolean post = false;
      if (i < s.length() && s.charAt(i) == '.') {
        i++;
        int fractionStart = i;
        boolean overflow = false;
        while (i < s.length() && isDigit(s.charAt(i))) {
          if (!overflow) {
            if (fraction > (Long.MAX_VALUE) / 10) {
              overflow = true;
            } else {
              long next = fraction * 10 + (s.charAt(i) - '0');
              if (next < 0) {
                overflow = true;
              } else {
                fraction = next;
                scale *= 10;
              }
            }
          }
          i++;
        }
        post = i != fractionStart;
      }
      if (!pre && !post) {
        return OptionalLong.empty();
      }
      int unitStart = i;
      while (i < s.length() && s.charAt(i) != '.' && !isDigit(s.charAt(i))) {
        i++;
      }
      if (unitStart == i) {
        return OptionalLong.empty(); // missing unit
      }
      Long unit = GO_UNITS.get(s.substring(unitStart, i));
      if (unit == null) {
        return OptionalLong.empty();
      }
      if (Long.compareUnsigned(whole, Long.divideUnsigned(Long.MIN_VALUE, unit)) > 0) {
        return OptionalLong.empty();
      }
      long value = whole * unit;
      if (fraction > 0) {
        // As Go: float64 is precise enough for fractions of hours.
        value += (long) ((double) fraction * ((double) unit / scale));
        if (Long.compareUnsigned(value, Long.MIN_VALUE) > 0) {
          return OptionalLong.empty();
        }
      }
      total += value;
      if (Long.compareUnsigned(total, Long.MIN_VALUE) > 0) {
        return OptionalLong.empty();
      }
    }
    if (negative) {
      return OptionalLong.of(-total);
    }
    if (total < 0) { // 2^63 does not fit a positive duration
      return OptionalLong.empty();
    }
    return OptionalLong.of(total);
  }

  /**
   * Loki's duration literal: Prometheus' syntax first, then Go's; empty if neither reads it.
   */
  static Optional<Duration> parseLiteral(String s) {
    try {
      return Optional.of(Duration.ofNanos(parsePrometheus(s)));
    } catch (InvalidDurationException e) {
      OptionalLong go = parseGo(s);
      return go.isPresent() ? Optional.of(Duration.ofNanos(go.getAsLong())) : Optional.empty();
    }
  }

  /** Go's {@code time.Duration.String()}: {@code 5m0s}, {@code 1h15m30.5s}, {@code 250ms}. */
  static String formatGo(Duration duration) {
    long d = toNanos(duration);
    if (d == 0) {
      return "0s";
    }
    boolean negative = d < 0;
    // Go formats the unsigned magnitude; Long.MIN_VALUE stays as its unsigned self.
    long u = negative ? -d : d;
    StringBuilder out = new StringBuilder();
    if (Long.compareUnsigned(u, SECOND) < 0) {
      String unit;
      int precision;
      if (u < 1_000) {
        unit = "ns";
        precision = 0;
      } else if (u < MILLISECOND) {
        unit = "\u00b5s";
        precision = 3;
      } else {
        unit = "ms";
        precision = 6;
      }
      out.append(Long.toUnsignedString(u / pow10(precision)));
      out.append(fraction(u % pow10(precision), precision));
      out.append(unit);
    } else {
      long seconds = Long.divideUnsigned(u, SECOND);
      String secondsFraction = fraction(Long.remainderUnsigned(u, SECOND), 9);
      long minutes = seconds / 60;
      long hours = minutes / 60;
      if (hours > 0) {
        out.append(hours).append('h');
      }
      if (minutes > 0) {
        out.append(minutes % 60).append('m');
      }
      out.append(seconds % 60).append(secondsFraction).append('s');
    }
    return negative ? "-" + out : out.toString();
  }

  /** Prometheus' {@code model.Duration.String()}: {@code 5m}, {@code 1h30m}, {@code 1d}, in ms. */
  static String formatPrometheus(Duration duration) {
    long ms = toNanos(duration) / MILLISECOND;
    if (ms == 0) {
      return "0s";
    }
    String sign = "";
    if (ms < 0) {
      sign = "-";
      ms = -ms;
    }
    StringBuilder out = new StringBuilder(sign);
    long[] remaining = {ms};
    appendUnit(out, remaining, "y", 1000L * 60 * 60 * 24 * 365, true);
    appendUnit(out, remaining, "w", 1000L * 60 * 60 * 24 * 7, true);
    appendUnit(out, remaining, "d", 1000L * 60 * 60 * 24, false);
    appendUnit(out, remaining, "h", 1000L * 60 * 60, false);
    appendUnit(out, remaining, "m", 1000L * 60, false);
    appendUnit(out, remaining, "s", 1000L, false);
    appendUnit(out, remaining, "ms", 1L, false);
    return out.toString();
  }

  // Years and weeks are written only when they divide the rest exactly: 90d rather than 12w6d.
  private static void appendUnit(
      StringBuilder out, long[] remaining, String unit, long millis, boolean exactOnly) {
    if (exactOnly && remaining[0] % millis != 0) {
      return;
    }
    long value = remaining[0] / millis;
    if (value > 0) {
      out.append(value).append(unit);
      remaining[0] -= value * millis;
    }
  }

  // ".123" for the digits of v / 10^precision, trailing zeros dropped; "" when v is 0.
  private static String fraction(long v, int precision) {
    if (v == 0 || precision == 0) {
      return "";
    }
    String digits = String.format("%0" + precision + "d", v);
    int end = digits.length();
    while (end > 0 && digits.charAt(end - 1) == '0') {
      end--;
    }
    return "." + digits.substring(0, end);
  }

  private static long pow10(int n) {
    long p = 1;
    for (int i = 0; i < n; i++) {
      p *= 10;
    }
    return p;
  }

  private static long toNanos(Duration duration) {
    // A Duration built from a Go duration always fits nanoseconds in a long.
    return duration.toNanos();
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}

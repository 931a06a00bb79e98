package io.icegate.server.prom;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parameter syntaxes of the Prometheus HTTP API, read as Prometheus reads them, so clients
 * written for Prometheus (Grafana, promtool) can send what they send there: timestamps as float
 * Unix seconds or RFC 3339, durations as float seconds or PromQL durations, and label names in the
 * {@code U__} escaping of Prometheus 3. Errors carry Prometheus's wording without the {@code
 * invalid parameter} prefix, which the caller adds.
 */
final class PromParams {
  /** The earliest time a nanosecond timestamp can hold, in milliseconds: the default start. */
  static final long MIN_MILLIS = Long.MIN_VALUE / 1_000_000 + 1;
  /** The latest time a nanosecond timestamp can hold, in milliseconds: the default end. */
  static final long MAX_MILLIS = Long.MAX_VALUE / 1_000_000 - 1;

  /** Go's RFC 3339 renderings of the API's MinTime and MaxTime, which promtool may send. */
  private static final String MIN_TIME_TEXT = "-292273086-05-16T16:47:06Z";
  private static final String MAX_TIME_TEXT = "292277025-08-18T07:12:54.999999999Z";

  private static final Pattern DURATION =
      Pattern.compile(
          "(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?");
  private static final long[] UNIT_MILLIS = {
    365L * 24 * 3600_000, 7L * 24 * 3600_000, 24L * 3600_000, 3600_000, 60_000, 1000, 1
  };

  private PromParams() {}

  /** A parameter that cannot be read; the message is Prometheus's. */
  static final class BadParam extends Exception {
    BadParam(String message) {
      super(message);
    }
  }

  /**
   * A timestamp in milliseconds: float seconds (the fraction rounded to milliseconds) or RFC 3339.
   */
  static long timeMillis(String text) throws BadParam {
    String s = text == null ? "" : text;
    Double seconds = goFloat(s);
    if (seconds != null) {
      if (seconds.isNaN() || seconds.isInfinite()) {
        throw new BadParam("cannot parse \"" + s + "\" to a valid timestamp");
      }
      double whole = seconds < 0 ? Math.ceil(seconds) : Math.floor(seconds);
      double frac = Math.round((seconds - whole) * 1000) / 1000.0;
      return clamp(BigDecimal.valueOf(whole).multiply(BigDecimal.valueOf(1000))
          .add(BigDecimal.valueOf(Math.round(frac * 1000))));
    }
    if (s.equals(MIN_TIME_TEXT)) {
      return MIN_MILLIS;
    }
    if (s.equals(MAX_TIME_TEXT)) {
      return MAX_MILLIS;
    }
    try {
      OffsetDateTime t = OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
      return t.toInstant().toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new BadParam("cannot parse \"" + s + "\" to a valid timestamp");
    }
  }

  /** A duration in milliseconds: float seconds, or a PromQL duration such as {@code 1h30m}. */
  static long durationMillis(String text) throws BadParam {
    String s = text == null ? "" : text;
    Double seconds = goFloat(s);
    if (seconds != null) {
      double nanos = seconds * 1e9;
      if (Double.isNaN(nanos) || nanos >= 0x1p63 || nanos <= -0x1p63) {
        throw new BadParam(
            "cannot parse \"" + s + "\" to a valid duration. It overflows int64");
      }
      return BigDecimal.valueOf((long) nanos).divide(BigDecimal.valueOf(1_000_000),
          RoundingMode.DOWN).longValueExact();
    }
    if (s.equals("0")) {
      return 0;
    }
    Matcher m = DURATION.matcher(s);
    if (s.isEmpty() || !m.matches()) {
      throw new BadParam("cannot parse \"" + s + "\" to a valid duration");
    }
    long total = 0;
    try {
      for (int i = 0; i < UNIT_MILLIS.length; i++) {
        if (m.group(i + 1) != null) {
          total = Math.addExact(
              total, Math.multiplyExact(Long.parseLong(m.group(i + 1)), UNIT_MILLIS[i]));
        }
      }
    } catch (ArithmeticException | NumberFormatException e) {
      throw new BadParam("cannot parse \"" + s + "\" to a valid duration");
    }
    return total;
  }

  /**
   * A label name from a URL path, un-escaped when it uses Prometheus 3's value escaping ({@code
   * U__} prefix, {@code __} for {@code _}, {@code _<hex>_} for a code point); a name whose escaping
   * is broken stays as written, as in Prometheus.
   */
  static String unescapeName(String name) {
    if (!name.startsWith("U__")) {
      return name;
    }
    String s = name.substring(3);
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != '_') {
        out.append(c);
        i++;
        continue;
      }
      if (i + 1 < s.length() && s.charAt(i + 1) == '_') {
        out.append('_');
        i += 2;
        continue;
      }
      int end = s.indexOf('_', i + 1);
      if (end < 0 || end == i + 1) {
        return name;
      }
      int codePoint;
      try {
        codePoint = Integer.parseInt(s.substring(i + 1, end), 16);
      } catch (NumberFormatException e) {
        return name;
      }
      if (!Character.isValidCodePoint(codePoint)
          || (codePoint >= 0xD800 && codePoint <= 0xDFFF)) {
        return name;
      }
      out.appendCodePoint(codePoint);
      i = end + 1;
    }
    return out.toString();
  }

  /**
   * What Go's {@code strconv.ParseFloat} accepts in decimal (plain and exponent forms, {@code
   * Inf}, {@code NaN}), or null when it would fail.
   */
  private static Double goFloat(String s) {
    if (s.isEmpty()) {
      return null;
    }
    String body = s.charAt(0) == '+' || s.charAt(0) == '-' ? s.substring(1) : s;
    String lower = body.toLowerCase();
    double sign = s.charAt(0) == '-' ? -1 : 1;
    if (lower.equals("inf") || lower.equals("infinity")) {
      return sign * Double.POSITIVE_INFINITY;
    }
    if (lower.equals("nan")) {
      return Double.NaN;
    }
    if (!lower.matches(
        "(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:e[+-]?[0-9]+)?")) {
      return null;
    }
    try {
      return sign * Double.parseDouble(lower);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static long clamp(BigDecimal millis) {
    if (millis.compareTo(BigDecimal.valueOf(MIN_MILLIS)) < 0) {
      return MIN_MILLIS;
    }
    if (millis.compareTo(BigDecimal.valueOf(MAX_MILLIS)) > 0) {
      return MAX_MILLIS;
    }
    return millis.longValue();
  }
}

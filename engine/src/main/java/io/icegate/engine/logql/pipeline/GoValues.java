package io.icegate.engine.logql.pipeline;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * Reads label values as Go does when Loki converts them: floats ({@code strconv.ParseFloat}),
 * durations ({@code time.ParseDuration}) and byte sizes (go-humanize's {@code ParseBytes}), failing
 * with Go's error messages, which users see in {@code __error_details__}.
 */
public final class GoValues {
  private GoValues() {}

  /** A failed conversion, with Go's message. */
  public static final class ConversionException extends Exception {
    public ConversionException(String message) {
      super(message, null, false, false);
    }
  }

  public static double parseFloat(String s) throws ConversionException {
    String t = s.replace("_", "");
    String lower = t.toLowerCase(Locale.ROOT);
    switch (lower) {
      case "inf", "+inf", "infinity", "+infinity" -> {
        return Double.POSITIVE_INFINITY;
      }
      case "-inf", "-infinity" -> {
        return Double.NEGATIVE_INFINITY;
      }
      case "nan" -> {
        return Double.NaN;
      }
      default -> {}
    }
    boolean valid = !t.isEmpty();
    for (int i = 0; i < t.length() && valid; i++) {
      char c = t.charAt(i);
      valid =
          (c >= '0' && c <= '9')
              || c == '.'
              || c == 'e'
              || c == 'E'
              || c == '+'
              || c == '-'
              || (lower.startsWith("0x") || lower.startsWith("-0x") || lower.startsWith("+0x"))
                  && ((c >= 'a' && c <= 'f')
                      || (c >= 'A' && c <= 'F')
                      || c == 'x'
                      || c == 'X'
                      || c == 'p'
                      || c == 'P');
    }
    if (valid) {
      try {
        if (lower.contains("0x")) {
          return Double.parseDouble(lower.contains("p") ? t : t + "p0");
        }
        return Double.parseDouble(t);
      } catch (NumberFormatException e) {
        // fall through to Go's message
      }
    }
    throw new ConversionException("strconv.ParseFloat: parsing \"" + s + "\": invalid syntax");
  }

  /** A Go duration in nanoseconds. */
  public static long parseDuration(String s) throws ConversionException {
    String orig = s;
    int i = 0;
    boolean neg = false;
    if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
      neg = s.charAt(i) == '-';
      i++;
    }
    if (s.substring(i).equals("0")) {
      return 0;
    }
    if (i == s.length()) {
      throw new ConversionException("time: invalid duration " + quote(orig));
    }
    BigDecimal total = BigDecimal.ZERO;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      String num = s.substring(start, i);
      if (num.isEmpty() || num.equals(".") || num.indexOf('.') != num.lastIndexOf('.')) {
        throw new ConversionException("time: invalid duration " + quote(orig));
      }
      int u = i;
      while (i < s.length() && !(Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      String unit = s.substring(u, i);
      if (unit.isEmpty()) {
        throw new ConversionException("time: missing unit in duration " + quote(orig));
      }
      long scale =
          switch (unit) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> -1L;
          };
      if (scale < 0) {
        throw new ConversionException(
            "time: unknown unit " + quote(unit) + " in duration " + quote(orig));
      }
      total =
          total.add(
              new BigDecimal(num.endsWith(".") ? num + "0" : num.startsWith(".") ? "0" + num : num)
                  .multiply(BigDecimal.valueOf(scale)));
    }
    if (total.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new ConversionException("time: invalid duration " + quote(orig));
    }
    long v = total.longValue();
    return neg ? -v : v;
  }

  /** A byte size as go-humanize reads it ({@code 42kB}, {@code 1.5 KiB}, {@code 20MB}). */
  public static long parseBytes(String s) throws ConversionException {
    int i = 0;
    while (i < s.length()
        && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.' || s.charAt(i) == ',')) {
      i++;
    }
    String num = s.substring(0, i).replace(",", "");
    String unit = s.substring(i).strip().toLowerCase(Locale.ROOT);
    double value;
    try {
      value = Double.parseDouble(num);
    } catch (NumberFormatException e) {
      throw new ConversionException(
          "strconv.ParseFloat: parsing " + quote(num) + ": invalid syntax");
    }
    double mult =
        switch (unit) {
          case "", "b" -> 1;
          case "k", "kb" -> 1e3;
          case "ki", "kib" -> 1024;
          case "m", "mb" -> 1e6;
          case "mi", "mib" -> 1024.0 * 1024;
          case "g", "gb" -> 1e9;
          case "gi", "gib" -> Math.pow(1024, 3);
          case "t", "tb" -> 1e12;
          case "ti", "tib" -> Math.pow(1024, 4);
          case "p", "pb" -> 1e15;
          case "pi", "pib" -> Math.pow(1024, 5);
          case "e", "eb" -> 1e18;
          case "ei", "eib" -> Math.pow(1024, 6);
          default -> -1;
        };
    if (mult < 0) {
      throw new ConversionException("unhandled size name: " + unit);
    }
    double bytes = value * mult;
    if (bytes >= 0x1p64) {
      throw new ConversionException("too large: " + s);
    }
    return new BigDecimal(bytes).toBigInteger().longValue();
  }

  /** Go's {@code %q} for the plain strings in these messages. */
  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}

package io.icegate.promql.ast;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;

/**
 * Prints the parts of expressions as Prometheus (Go) prints them, so that {@code toString()} of a
 * node is byte for byte what Prometheus's {@code String()} gives: numbers as Go's
 * {@code strconv.FormatFloat(v, 'f', -1, 64)}, strings as {@code strconv.Quote}, durations as
 * {@code model.Duration.String()}.
 */
public final class Printer {
  private Printer() {}

  /** A number in the shortest plain decimal form that reads back as the same double. */
  public static String number(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == 0) {
      return (1 / v < 0) ? "-0" : "0";
    }
    return shortest(v).toPlainString();
  }

  /**
   * A number as Go's {@code %v} prints a float64: shortest digits, in exponent form when the
   * exponent is below -4 or at least 6, as {@code strconv} decides for the shortest
   * {@code 'g'} form ({@code 1e+06}, {@code 100000}, {@code 1e-05}).
   */
  public static String goValue(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v) || v == 0) {
      return number(v);
    }
    BigDecimal d = shortest(v);
    String digits = d.unscaledValue().abs().toString();
    int exp = digits.length() - 1 - d.scale(); // the decimal exponent of the first digit
    if (exp < -4 || exp >= 6) {
      StringBuilder b = new StringBuilder(v < 0 ? "-" : "");
      b.append(digits.charAt(0));
      if (digits.length() > 1) {
        b.append('.').append(digits, 1, digits.length());
      }
      b.append('e').append(exp < 0 ? '-' : '+');
      int abs = Math.abs(exp);
      if (abs < 10) {
        b.append('0');
      }
      return b.append(abs).toString();
    }
    return d.toPlainString();
  }

  // The decimal with the fewest significant digits that converts back to v; of those, the closest.
  private static BigDecimal shortest(double v) {
    BigDecimal exact = new BigDecimal(v);
    for (int digits = 1; digits < 17; digits++) {
      BigDecimal rounded = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
      if (rounded.doubleValue() == v) {
        return rounded.stripTrailingZeros();
      }
    }
    return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
  }

  /**
   * A duration as Prometheus prints one: units from years to milliseconds ({@code 1h30m},
   * {@code 90d}: years and weeks only when they divide exactly), {@code 0s} for zero, a sign
   * before negatives. Sub-millisecond parts are not printed (we store milliseconds anyway).
   */
  public static String duration(long millis) {
    if (millis == 0) {
      return "0s";
    }
    StringBuilder b = new StringBuilder();
    long ms = millis;
    if (ms < 0) {
      b.append('-');
      ms = -ms;
    }
    long[] mult = {365L * 24 * 3600_000, 7L * 24 * 3600_000, 24L * 3600_000, 3600_000, 60_000, 1000, 1};
    String[] unit = {"y", "w", "d", "h", "m", "s", "ms"};
    for (int i = 0; i < mult.length; i++) {
      boolean exactOnly = i < 2;
      if (exactOnly && ms % mult[i] != 0) {
        continue;
      }
      long n = ms / mult[i];
      if (n > 0) {
        b.append(n).append(unit[i]);
        ms -= n * mult[i];
      }
    }
    return b.toString();
  }

  /** The offset modifier with a leading space, or empty when there is none. */
  static String offset(long offsetMillis, DurationExpr offsetExpr) {
    if (offsetExpr != null) {
      return " offset " + offsetExpr;
    }
    if (offsetMillis > 0) {
      return " offset " + duration(offsetMillis);
    }
    if (offsetMillis < 0) {
      return " offset -" + duration(-offsetMillis);
    }
    return "";
  }

  /** Labels of by/without/on/ignoring/group_x, quoted unless they are classic label names. */
  static String labels(List<String> names) {
    StringBuilder b = new StringBuilder();
    for (String name : names) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(isLegacyName(name) ? name : quote(name));
    }
    return b.toString();
  }

  /** A label name in a matcher, quoted unless it is a classic label name. */
  static String matcherName(String name) {
    return isLegacyName(name) ? name : quote(name);
  }

  /** Whether {@code name} is a classic (pre-UTF-8) label name: {@code [a-zA-Z_][a-zA-Z0-9_]*}. */
  public static boolean isLegacyName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Orders strings as Go's sort.Strings does (by UTF-8 bytes, that is by code points). */
  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  /**
   * A string as Go's {@code strconv.Quote} writes it: double quotes, Go escapes for control and
   * non-printable characters, and {@code \xNN} for the bytes that are not UTF-8 (kept as U+DC80 to
   * U+DCFF, see {@link StringLiteral}).
   */
  public static String quote(String s) {
    return quote(s, '"');
  }

  /** A code point as Go's {@code strconv.QuoteRune} writes it: {@code 'x'}, {@code '\n'}. */
  public static String quoteRune(int codePoint) {
    return quote(new String(Character.toChars(codePoint)), '\'');
  }

  private static String quote(String s, char q) {
    StringBuilder b = new StringBuilder(s.length() + 2).append(q);
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == q || cp == '\\') {
        b.append('\\').appendCodePoint(cp);
      } else if (cp >= 0xDC80 && cp <= 0xDCFF) {
        b.append(String.format("\\x%02x", cp - 0xDC00));
      } else if (Character.getType(cp) == Character.SURROGATE) {
        b.append("\\ufffd");
      } else if (isPrint(cp)) {
        b.appendCodePoint(cp);
      } else {
        switch (cp) {
          case 0x07 -> b.append("\\a");
          case '\b' -> b.append("\\b");
          case '\f' -> b.append("\\f");
          case '\n' -> b.append("\\n");
          case '\r' -> b.append("\\r");
          case '\t' -> b.append("\\t");
          case 0x0B -> b.append("\\v");
          default -> {
            if (cp < ' ' || cp == 0x7F) {
              b.append(String.format("\\x%02x", cp));
            } else if (cp < 0x10000) {
              b.append(String.format("\\u%04x", cp));
            } else {
              b.append(String.format("\\U%08x", cp));
            }
          }
        }
      }
    }
    return b.append(q).toString();
  }

  /** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
  public static boolean isPrint(int cp) {
    if (cp == ' ') {
      return true;
    }
    return switch (Character.getType(cp)) {
      case Character.UPPERCASE_LETTER,
          Character.LOWERCASE_LETTER,
          Character.TITLECASE_LETTER,
          Character.MODIFIER_LETTER,
          Character.OTHER_LETTER,
          Character.NON_SPACING_MARK,
          Character.ENCLOSING_MARK,
          Character.COMBINING_SPACING_MARK,
          Character.DECIMAL_DIGIT_NUMBER,
          Character.LETTER_NUMBER,
          Character.OTHER_NUMBER,
          Character.CONNECTOR_PUNCTUATION,
          Character.DASH_PUNCTUATION,
          Character.START_PUNCTUATION,
          Character.END_PUNCTUATION,
          Character.INITIAL_QUOTE_PUNCTUATION,
          Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION,
          Character.MATH_SYMBOL,
          Character.CURRENCY_SYMBOL,
          Character.MODIFIER_SYMBOL,
          Character.OTHER_SYMBOL -> true;
      default -> false;
    };
  }
}

package io.icegate.logql;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * How Go prints strings and floats, for printing queries and error messages as Loki does:
 * {@code strconv.Quote}, and {@code strconv.FormatFloat} in the forms Loki uses.
 */
final class GoText {
  private GoText() {}

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** Go's {@code strconv.Quote}: double quotes, Go escapes for what is not printable. */
  static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      appendEscaped(out, cp);
    }
    return out.append('"').toString();
  }

  private static void appendEscaped(StringBuilder out, int cp) {
    if (cp == '"' || cp == '\\') {
      out.append('\\').appendCodePoint(cp);
      return;
    }
    if (isPrint(cp)) {
      out.appendCodePoint(cp);
      return;
    }
    switch (cp) {
      case 0x07 -> out.append("\\a");
      case '\b' -> out.append("\\b");
      case '\f' -> out.append("\\f");
      case '\n' -> out.append("\\n");
      case '\r' -> out.append("\\r");
      case '\t' -> out.append("\\t");
      case 0x0B -> out.append("\\v");
      default -> {
        if (cp < ' ' || cp == 0x7F) {
          out.append("\\x").append(HEX[cp >> 4]).append(HEX[cp & 0xF]);
        } else if (cp < 0x10000) {
          out.append("\\u");
          appendHex(out, cp, 4);
        } else {
          out.append("\\U");
          appendHex(out, cp, 8);
        }
      }
    }
  }

  private static void appendHex(StringBuilder out, int value, int digits) {
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
      out.append(HEX[(value >> shift) & 0xF]);
    }
  }

  /** Go's {@code unicode.IsPrint}: letters, marks, numbers, punctuation, symbols, ASCII space. */
  static boolean isPrint(int cp) {
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

  /**
   * Go's {@code %v} of a float64 ({@code strconv.FormatFloat(v, 'g', -1, 64)}): the shortest
   * digits that read back as {@code v}, with an exponent below 1e-4 and from 1e6 on: {@code 2},
   * {@code 0.5}, {@code 1e+06}, {@code 1.5e-05}.
   */
  static String formatShortest(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    Digits d = shortestDigits(v);
    int exponent = d.point - 1;
    if (d.digits.equals("0") || (exponent >= -4 && exponent < 6)) {
      return d.sign() + fixed(d);
    }
    StringBuilder out = new StringBuilder(d.sign()).append(d.digits.charAt(0));
    if (d.digits.length() > 1) {
      out.append('.').append(d.digits, 1, d.digits.length());
    }
    out.append('e').append(exponent < 0 ? '-' : '+');
    int magnitude = Math.abs(exponent);
    if (magnitude < 10) {
      out.append('0');
    }
    return out.append(magnitude).toString();
  }

  /**
   * Go's {@code strconv.FormatFloat(v, 'f', -1, 64)}: the shortest digits, never an exponent:
   * {@code 0.99}, {@code 5}, {@code 1000000}.
   */
  static String formatPlain(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    Digits d = shortestDigits(v);
    return d.sign() + fixed(d);
  }

  /** Go's {@code %f}: six decimals, rounded to nearest from the exact binary value. */
  static String formatSixDecimals(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    String text = new BigDecimal(v).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
    boolean negativeZero = v == 0 && 1 / v < 0;
    return negativeZero ? "-" + text : text;
  }

  private static String fixed(Digits d) {
    String digits = d.digits;
    if (digits.equals("0")) {
      return "0";
    }
    if (d.point <= 0) {
      return "0." + "0".repeat(-d.point) + digits;
    }
    if (d.point >= digits.length()) {
      return digits + "0".repeat(d.point - digits.length());
    }
    return digits.substring(0, d.point) + "." + digits.substring(d.point);
  }

  /** Decimal digits (no leading or trailing zeros) with the decimal point after {@code point}. */
  private record Digits(boolean negative, String digits, int point) {
    String sign() {
      return negative ? "-" : "";
    }
  }

  // The shortest decimal that reads back as v, as Go's strconv finds it. Java 17's
  // Double.toString is not always the shortest (2e23 prints as 1.9999999999999998E23).
  private static Digits shortestDigits(double v) {
    boolean negative = v < 0 || (v == 0 && 1 / v < 0);
    if (v == 0) {
      return new Digits(negative, "0", 1);
    }
    BigDecimal exact = new BigDecimal(Math.abs(v));
    for (int precision = 1; precision <= 17; precision++) {
      BigDecimal rounded = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
      if (rounded.doubleValue() == Math.abs(v)) {
        return digitsOf(negative, rounded);
      }
    }
    return digitsOf(negative, exact.round(new MathContext(17, RoundingMode.HALF_EVEN)));
  }

  private static Digits digitsOf(boolean negative, BigDecimal value) {
    BigDecimal stripped = value.stripTrailingZeros();
    String digits = stripped.unscaledValue().toString();
    return new Digits(negative, digits, digits.length() - stripped.scale());
  }
}

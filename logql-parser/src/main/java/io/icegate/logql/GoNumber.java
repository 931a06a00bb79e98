package io.icegate.logql;

import java.util.OptionalLong;
import java.util.function.IntUnaryOperator;

/**
 * Numbers as Loki reads them: Go's scanner finds where a number literal ends (and complains about
 * some, such as {@code 08}), then Go's {@code strconv.ParseFloat} or {@code strconv.Atoi} gives
 * its value, with their error messages.
 */
final class GoNumber {
  private GoNumber() {}

  /** Where a number literal ends, and the first complaint of Go's scanner about it, if any. */
  record Scan(int length, String error) {}

  /** Why {@code strconv.ParseFloat} rejects a literal, in Go's words. */
  static final class InvalidNumberException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidNumberException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Go's {@code text/scanner} number scan. {@code at.applyAsInt(i)} is the character {@code i}
   * places after the start (which is a digit, or a dot followed by a digit), or -1 past the end.
   */
  static Scan scan(IntUnaryOperator at) {
    Scanner s = new Scanner(at);
    s.run();
    return new Scan(s.i, s.error);
  }

  /** {@link #scan} over a whole string; the error of the literal at its start, if any. */
  static String scanError(String text) {
    return scan(i -> i < text.length() ? text.charAt(i) : -1).error();
  }

  private static final class Scanner {
    private final IntUnaryOperator at;
    private int i;
    private int ch;
    private String error;
    private int digitsAndSeparators; // bit 0: a digit seen, bit 1: '_' seen
    private int invalidDigit;

    Scanner(IntUnaryOperator at) {
      this.at = at;
    }

    void run() {
      int base = 10;
      char prefix = 0;
      boolean seenDot = false;
      boolean isInt = true;
      ch = at.applyAsInt(0);
      if (ch == '.') {
        next();
        seenDot = true;
      } else {
        if (ch == '0') {
          next();
          switch (lower(ch)) {
            case 'x' -> {
              next();
              base = 16;
              prefix = 'x';
            }
            case 'o' -> {
              next();
              base = 8;
              prefix = 'o';
            }
            case 'b' -> {
              int peek = at.applyAsInt(i + 1);
              if (peek == '0' || peek == '1') {
                next();
                base = 2;
                prefix = 'b';
              }
            }
            default -> {
              base = 8;
              prefix = '0';
              digitsAndSeparators = 1; // the leading 0
            }
          }
        }
        digits(base, true);
        if (ch == '.') {
          next();
          seenDot = true;
        }
      }
      if (seenDot) {
        isInt = false;
        if (prefix == 'o' || prefix == 'b') {
          fail("invalid radix point in " + literalName(prefix));
        }
        digits(base, true);
      }
      if ((digitsAndSeparators & 1) == 0) {
        fail(literalName(prefix) + " has no digits");
      }
      int e = lower(ch);
      if (e == 'e' || (e == 'p' && prefix == 'x')) {
        if (e == 'e' && prefix != 0 && prefix != '0') {
          fail("'" + (char) ch + "' exponent requires decimal mantissa");
        }
        next();
        isInt = false;
        if (ch == '+' || ch == '-') {
          next();
        }
        int before = digitsAndSeparators;
        digitsAndSeparators = 0;
        digits(10, false);
        boolean exponentDigits = (digitsAndSeparators & 1) != 0;
        digitsAndSeparators |= before;
        if (!exponentDigits) {
          fail("exponent has no digits");
        }
      } else if (prefix == 'x' && !isInt) {
        fail("hexadecimal mantissa requires a 'p' exponent");
      }
      if (isInt && invalidDigit != 0) {
        fail("invalid digit '" + (char) invalidDigit + "' in " + literalName(prefix));
      }
      if ((digitsAndSeparators & 2) != 0 && invalidSeparator(text()) >= 0) {
        fail("'_' must separate successive digits");
      }
    }

    private void digits(int base, boolean recordInvalid) {
      if (base <= 10) {
        int max = '0' + base;
        while (isDecimal(ch) || ch == '_') {
          if (ch == '_') {
            digitsAndSeparators |= 2;
          } else {
            digitsAndSeparators |= 1;
            if (recordInvalid && ch >= max && invalidDigit == 0) {
              invalidDigit = ch;
            }
          }
          next();
        }
      } else {
        while (isHex(ch) || ch == '_') {
          digitsAndSeparators |= ch == '_' ? 2 : 1;
          next();
        }
      }
    }

    private void next() {
      i++;
      ch = at.applyAsInt(i);
    }

    private void fail(String message) {
      if (error == null) {
        error = message;
      }
    }

    private String text() {
      StringBuilder out = new StringBuilder(i);
      for (int k = 0; k < i; k++) {
        out.append((char) at.applyAsInt(k));
      }
      return out.toString();
    }
  }

  private static String literalName(char prefix) {
    return switch (prefix) {
      case 'x' -> "hexadecimal literal";
      case 'o', '0' -> "octal literal";
      case 'b' -> "binary literal";
      default -> "decimal literal";
    };
  }

  // Go's invalidSep: the index of the first '_' that does not separate two digits, or -1.
  private static int invalidSeparator(String x) {
    int x1 = ' ';
    int d = '.';
    int i = 0;
    if (x.length() >= 2 && x.charAt(0) == '0') {
      x1 = lower(x.charAt(1));
      if (x1 == 'x' || x1 == 'o' || x1 == 'b') {
        d = '0';
        i = 2;
      }
    }
    for (; i < x.length(); i++) {
      int p = d;
      d = x.charAt(i);
      if (d == '_') {
        if (p != '0') {
          return i;
        }
      } else if (isDecimal(d) || (x1 == 'x' && isHex(d))) {
        d = '0';
      } else {
        if (p == '_') {
          return i - 1;
        }
        d = '.';
      }
    }
    return d == '_' ? x.length() - 1 : -1;
  }

  /**
   * Go's {@code strconv.ParseFloat(s, 64)} for the literals Loki's lexer produces: decimal
   * numbers (with {@code _} separators and exponents) and hexadecimal ones with a {@code p}
   * exponent. The message is Go's: {@code strconv.ParseFloat: parsing "0x10": invalid syntax}.
   */
  static double parseFloat(String s) throws InvalidNumberException {
    String syntaxError = "strconv.ParseFloat: parsing " + GoText.quote(s) + ": invalid syntax";
    if (!wellFormedFloat(s)) {
      throw new InvalidNumberException(syntaxError);
    }
    double value;
    try {
      value = Double.parseDouble(s.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new InvalidNumberException(syntaxError);
    }
    if (Double.isInfinite(value)) {
      throw new InvalidNumberException(
          "strconv.ParseFloat: parsing " + GoText.quote(s) + ": value out of range");
    }
    return value;
  }

  // Go's float syntax: [+-] digits [. digits] [e [+-] digits], or 0x hexdigits [. hexdigits]
  // p [+-] digits; at least one mantissa digit; underscores only between digits.
  private static boolean wellFormedFloat(String s) {
    int i = 0;
    if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      i++;
    }
    boolean hex = s.length() >= i + 2 && s.charAt(i) == '0' && lower(s.charAt(i + 1)) == 'x';
    if (hex) {
      i += 2;
    }
    boolean sawDigits = false;
    boolean sawDot = false;
    boolean underscores = false;
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '_') {
        underscores = true;
      } else if (c == '.') {
        if (sawDot) {
          return false;
        }
        sawDot = true;
      } else if (isDecimal(c) || (hex && isHex(c))) {
        sawDigits = true;
      } else {
        break;
      }
    }
    if (!sawDigits) {
      return false;
    }
    boolean sawExponent = false;
    if (i < s.length() && lower(s.charAt(i)) == (hex ? 'p' : 'e')) {
      sawExponent = true;
      i++;
      if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int digitsStart = i;
      for (; i < s.length() && (isDecimal(s.charAt(i)) || s.charAt(i) == '_'); i++) {
        underscores |= s.charAt(i) == '_';
      }
      if (i == digitsStart) {
        return false;
      }
    }
    if (hex && !sawExponent) {
      return false;
    }
    return i == s.length() && (!underscores || underscoresOk(s));
  }

  // Go's underscoreOK: each '_' is between digits (a base prefix counts as a digit).
  private static boolean underscoresOk(String s) {
    int saw = '^';
    int i = 0;
    if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
      s = s.substring(1);
    }
    boolean hex = false;
    if (s.length() >= 2 && s.charAt(0) == '0') {
      int p = lower(s.charAt(1));
      if (p == 'b' || p == 'o' || p == 'x') {
        i = 2;
        saw = '0';
        hex = p == 'x';
      }
    }
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (isDecimal(c) || (hex && isHex(c))) {
        saw = '0';
        continue;
      }
      if (c == '_') {
        if (saw != '0') {
          return false;
        }
        saw = '_';
        continue;
      }
      if (saw == '_') {
        return false;
      }
      saw = '!';
    }
    return saw != '_';
  }

  /** Go's {@code strconv.Atoi} on a 64-bit platform; empty if Go rejects the text. */
  static OptionalLong atoi(String s) {
    int i = 0;
    if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) {
      i = 1;
    }
    if (i == s.length()) {
      return OptionalLong.empty();
    }
    for (int k = i; k < s.length(); k++) {
      if (!isDecimal(s.charAt(k))) {
        return OptionalLong.empty();
      }
    }
    try {
      return OptionalLong.of(Long.parseLong(s));
    } catch (NumberFormatException e) {
      return OptionalLong.empty(); // out of range
    }
  }

  private static int lower(int c) {
    return ('a' - 'A') | c;
  }

  private static boolean isDecimal(int c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isHex(int c) {
    return isDecimal(c) || (lower(c) >= 'a' && lower(c) <= 'f');
  }
}

package io.icegate.promql;

import java.math.BigInteger;
import java.util.regex.Pattern;

/**
 * Numbers and durations as Prometheus reads them.
 *
 * <ul>
 *   <li>{@link #scan}: where a number or duration token ends, or what its scanner calls bad syntax.
 *       A run like {@code 1h30m} fails as a number and is then read as a duration; {@code 5m.3} is
 *       the duration {@code 5m} followed by the number {@code .3}.
 *   <li>{@link #parseNumber}: Go's {@code strconv.ParseInt(s, 0, 64)} and then
 *       {@code strconv.ParseFloat(s, 64)}, so {@code 0x1F} is 31, {@code 010} is 8 (octal),
 *       {@code 1_000} is 1000 and {@code 1e400} is out of range.
 *   <li>{@link #parseDurationNanos}: Prometheus's {@code model.ParseDuration}: units
 *       {@code y w d h m s ms}, each at most once, largest first.
 * </ul>
 */
final class NumberLiterals {
  private NumberLiterals() {}

  /** What the scanner made of the characters at a position. */
  enum Kind {
    NUMBER,
    DURATION,
    BAD
  }

  /** A scanned token: {@code [start, end)} in code points; for BAD, the text Prometheus quotes. */
  record Scan(Kind kind, int end) {}

  private static final String DECIMAL = "0123456789";
  private static final String HEX = "0123456789abcdefABCDEF";

  /** Scans a number or duration starting at {@code start} (a digit, or '.' before a digit). */
  static Scan scan(QueryText q, int start) {
    Cursor c = new Cursor(q, start);
    if (scanNumber(c)) {
      return new Scan(Kind.NUMBER, c.pos);
    }
    // Not a number: the scanner goes on from where the number failed, reading duration units.
    if (remainingDuration(c)) {
      return new Scan(Kind.DURATION, c.pos - c.lastWidth);
    }
    return new Scan(Kind.BAD, c.pos);
  }

  private static final class Cursor {
    final QueryText q;
    int pos;
    int lastWidth;

    Cursor(QueryText q, int pos) {
      this.q = q;
      this.pos = pos;
    }

    int peek() {
      return q.at(pos);
    }

    int next() {
      int c = q.at(pos);
      lastWidth = c < 0 ? 0 : 1;
      pos += lastWidth;
      return c;
    }

    boolean is(String chars) {
      int c = peek();
      return c >= 0 && chars.indexOf(c) >= 0;
    }

    boolean accept(String chars) {
      if (is(chars)) {
        pos++;
        return true;
      }
      return false;
    }

    void acceptRun(String chars) {
      while (accept(chars)) {
        // consume
      }
    }
  }

  // The number grammar of Prometheus's scanner: an optional 0x prefix, digits with at most one
  // '.' and one exponent, '_' only between digits; and no letter or digit may follow.
  private static boolean scanNumber(Cursor c) {
    int begin = c.pos;
    String digits = DECIMAL;
    if (c.accept("0") && c.accept("xX")) {
      c.accept("_");
      digits = HEX;
    }
    c.accept(".");
    c.accept(digits);
    boolean dot = false;
    boolean exponent = false;
    while (c.is(digits + "._eE")) {
      if (c.is(".") && dot) {
        c.accept(".");
        return false;
      }
      if (c.is("eE") && exponent) {
        c.accept("eE");
        return false;
      }
      if (c.accept(".")) {
        dot = true;
        if (c.accept("_.") || digits == HEX) {
          return false; // "1._", "1..", and no fractional hexadecimal numbers
        }
        continue;
      }
      if (c.accept("eE")) {
        exponent = true;
        c.accept("+-");
        if (c.accept("._eE") || c.peek() < 0) {
          return false;
        }
        continue;
      }
      if (c.accept("_")) {
        if (c.accept("._eE") || c.peek() < 0) {
          return false;
        }
        continue;
      }
      c.acceptRun(digits);
    }
    return c.pos != begin && !isAlphaNumeric(c.peek());
  }

  // Units after the digits read so far: "5m", "1h30m", "500ms". Reads one character past the end,
  // which is part of the bad text when it fails ("5mm"), and not of the token when it succeeds.
  private static boolean remainingDuration(Cursor c) {
    if (!c.accept("smhdwy")) {
      return false;
    }
    c.accept("s");
    while (c.accept(DECIMAL)) {
      c.acceptRun(DECIMAL);
      if (!c.accept("smhdw")) {
        return false;
      }
      c.accept("s");
    }
    return !isAlphaNumeric(c.next());
  }

  static boolean isAlphaNumeric(int c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  /** Why a number or duration literal has no value; the message is Prometheus's. */
  static final class LiteralException extends Exception {
    private static final long serialVersionUID = 1L;

    LiteralException(String message) {
      super(message, null, false, false);
    }
  }

  private static final Pattern DECIMAL_FLOAT =
      Pattern.compile("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?");
  private static final Pattern HEX_FLOAT =
      Pattern.compile("[+-]?0[xX]([0-9a-fA-F]+(\\.[0-9a-fA-F]*)?|\\.[0-9a-fA-F]+)[pP][+-]?[0-9]+");
  private static final Pattern INF_NAN =
      Pattern.compile("[+-]?(inf|infinity|nan)", Pattern.CASE_INSENSITIVE);
  private static final BigInteger MAX_INT64 = BigInteger.valueOf(Long.MAX_VALUE);

  /** The value of a NUMBER token, as Prometheus computes it. */
  static double parseNumber(String s) throws LiteralException {
    Double asInt = parseGoInt(s);
    if (asInt != null) {
      return asInt;
    }
    return parseGoFloat(s);
  }

  // strconv.ParseInt(s, 0, 64) as a double, or null where it fails (then ParseFloat decides).
  private static Double parseGoInt(String s) {
    if (s.indexOf('_') >= 0 && !underscoresOk(s)) {
      return null;
    }
    String t = s.replace("_", "");
    int radix = 10;
    if (t.length() > 1 && t.charAt(0) == '0') {
      char p = Character.toLowerCase(t.charAt(1));
      if (p == 'x' || p == 'o' || p == 'b') {
        radix = p == 'x' ? 16 : p == 'o' ? 8 : 2;
        t = t.substring(2);
      } else {
        radix = 8;
        t = t.substring(1);
      }
    }
    if (t.isEmpty()) {
      return null;
    }
    for (int i = 0; i < t.length(); i++) {
      if (Character.digit(t.charAt(i), radix) < 0 || t.charAt(i) > 0x7F) {
        return null;
      }
    }
    BigInteger v = new BigInteger(t, radix);
    return v.compareTo(MAX_INT64) > 0 ? null : (double) v.longValue();
  }

  private static double parseGoFloat(String s) throws LiteralException {
    String syntaxError = "error parsing number: strconv.ParseFloat: parsing " + quote(s) + ": invalid syntax";
    if (INF_NAN.matcher(s).matches()) {
      return s.toLowerCase().contains("nan")
          ? Double.NaN
          : s.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (s.indexOf('_') >= 0 && !underscoresOk(s)) {
      throw new LiteralException(syntaxError);
    }
    String t = s.replace("_", "");
    if (!DECIMAL_FLOAT.matcher(t).matches() && !HEX_FLOAT.matcher(t).matches()) {
      throw new LiteralException(syntaxError);
    }
    double v = Double.parseDouble(t);
    if (Double.isInfinite(v)) {
      throw new LiteralException(
          "error parsing number: strconv.ParseFloat: parsing " + quote(s) + ": value out of range");
    }
    return v;
  }

  // Go's rule: an underscore must sit between two digits, or between a base prefix and a digit.
  private static boolean underscoresOk(String s) {
    int i = 0;
    if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) {
      i = 1;
    }
    boolean hex = false;
    char saw = '^'; // ^ start, 0 digit or prefix, _ underscore, ! anything else
    if (s.length() - i >= 2 && s.charAt(i) == '0' && "bBoOxX".indexOf(s.charAt(i + 1)) >= 0) {
      hex = Character.toLowerCase(s.charAt(i + 1)) == 'x';
      i += 2;
      saw = '0';
    }
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      char lower = Character.toLowerCase(c);
      if ((c >= '0' && c <= '9') || (hex && lower >= 'a' && lower <= 'f')) {
        saw = '0';
      } else if (c == '_') {
        if (saw != '0') {
          return false;
        }
        saw = '_';
      } else {
        if (saw == '_') {
          return false;
        }
        saw = '!';
      }
    }
    return saw != '_';
  }

  private static final String[] UNITS = {"y", "w", "d", "h", "m", "s", "ms"};
  private static final long[] UNIT_NANOS = {
    365L * 24 * 3600 * 1_000_000_000L,
    7L * 24 * 3600 * 1_000_000_000L,
    24L * 3600 * 1_000_000_000L,
    3600L * 1_000_000_000L,
    60L * 1_000_000_000L,
    1_000_000_000L,
    1_000_000L
  };

  /** The nanoseconds of a DURATION token, or Prometheus's error for it. */
  static long parseDurationNanos(String s) throws LiteralException {
    if (s.equals("0")) {
      return 0;
    }
    if (s.isEmpty()) {
      throw new LiteralException("empty duration string");
    }
    String invalid = "not a valid duration string: " + quote(s);
    long total = 0;
    int lastUnit = -1;
    int i = 0;
    while (i < s.length()) {
      int digitsStart = i;
      while (i < s.length() && isDigit(s.charAt(i))) {
        i++;
      }
      if (i == digitsStart) {
        throw new LiteralException(invalid);
      }
      BigInteger n = new BigInteger(s.substring(digitsStart, i));
      if (n.bitLength() > 64) {
        throw new LiteralException(invalid);
      }
      int unitStart = i;
      while (i < s.length() && !isDigit(s.charAt(i))) {
        i++;
      }
      if (i == unitStart) {
        throw new LiteralException(invalid);
      }
      String unit = s.substring(unitStart, i);
      int u = java.util.Arrays.asList(UNITS).indexOf(unit);
      if (u < 0) {
        throw new LiteralException("unknown unit " + quote(unit) + " in duration " + quote(s));
      }
      if (u <= lastUnit) {
        throw new LiteralException(invalid);
      }
      lastUnit = u;
      BigInteger nanos = n.multiply(BigInteger.valueOf(UNIT_NANOS[u]));
      if (n.compareTo(BigInteger.valueOf(Long.MAX_VALUE / UNIT_NANOS[u])) > 0
          || nanos.add(BigInteger.valueOf(total)).compareTo(MAX_INT64) > 0) {
        throw new LiteralException("duration out of range");
      }
      total += nanos.longValue();
    }
    return total;
  }

  /** Nanoseconds as Go's {@code Duration.Seconds()}: whole seconds plus the fraction. */
  static double seconds(long nanos) {
    return (double) (nanos / 1_000_000_000L) + (double) (nanos % 1_000_000_000L) / 1e9;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static String quote(String s) {
    return io.icegate.promql.ast.Printer.quote(s);
  }
}

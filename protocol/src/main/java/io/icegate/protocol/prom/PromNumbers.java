package io.icegate.protocol.prom;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Numbers as the Prometheus HTTP API prints them, so that clients comparing bytes (promtool,
 * Grafana's tests, the promqltest runner) see exactly Prometheus's text. Go's {@code
 * strconv.FormatFloat(v, fmt, -1, 64)} picks the fewest digits that read back as the same
 * float64; Java's {@code Double.toString} does not always (before JDK 19), so the digits are
 * found here.
 */
public final class PromNumbers {
  private PromNumbers() {}

  /**
   * A sample value of a vector or matrix, or a histogram number: {@code 'e'} form when {@code 0 <
   * |v| < 1e-6} or {@code |v| >= 1e21}, else plain; {@code NaN}, {@code +Inf}, {@code -Inf}.
   */
  public static String sampleValue(double v) {
    double abs = Math.abs(v);
    if (abs != 0 && (abs < 1e-6 || abs >= 1e21) && !Double.isInfinite(v) && !Double.isNaN(v)) {
      return exponent(v);
    }
    return plain(v);
  }

  /** {@code strconv.FormatFloat(v, 'f', -1, 64)}: never an exponent (scalar results). */
  public static String plain(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == 0) {
      return 1 / v < 0 ? "-0" : "0";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    long packed = shortestFast(Math.abs(v));
    if (packed >= 0) {
      return plainDigits(v < 0, packed >>> SCALE_BITS, (int) (packed & SCALE_MASK));
    }
    return shortest(v).toPlainString();
  }

  /**
   * Writes {@link #sampleValue}{@code (v)} as ASCII into {@code out} at {@code at} (room for 32
   * bytes needed); returns the position after it. The common values (integers, and the numbers
   * the fast shortest-digits search handles) are written without a String.
   */
  public static int appendSampleValue(byte[] out, int at, double v) {
    if (v != 0 && !Double.isNaN(v) && !Double.isInfinite(v)) {
      double abs = Math.abs(v);
      if (v == Math.rint(v) && abs < 1e15) {
        long whole = (long) v;
        if (whole < 0) {
          out[at++] = '-';
        }
        return appendLong(out, at, Math.abs(whole));
      }
      long packed = shortestFast(abs);
      if (packed >= 0) {
        if (v < 0) {
          out[at++] = '-';
        }
        return appendPlainDigits(out, at, packed >>> SCALE_BITS, (int) (packed & SCALE_MASK));
      }
    }
    return appendAscii(out, at, sampleValue(v));
  }

  /** Writes {@link #sampleTimestamp}{@code (millis)} as ASCII into {@code out} (room for 25). */
  public static int appendSampleTimestamp(byte[] out, int at, long millis) {
    if (millis < 0) {
      return appendAscii(out, at, sampleTimestamp(millis));
    }
    at = appendLong(out, at, millis / 1000);
    int ms = (int) (millis % 1000);
    if (ms != 0) {
      out[at] = '.';
      out[at + 1] = (byte) ('0' + ms / 100);
      out[at + 2] = (byte) ('0' + ms / 10 % 10);
      out[at + 3] = (byte) ('0' + ms % 10);
      at += 4;
    }
    return at;
  }

  private static int appendAscii(byte[] out, int at, String text) {
    for (int i = 0; i < text.length(); i++) {
      out[at + i] = (byte) text.charAt(i);
    }
    return at + text.length();
  }

  /** {@code q × 10^-scale} (scale at least 1) written plainly into {@code out} at {@code at}. */
  private static int appendPlainDigits(byte[] out, int at, long q, int scale) {
    long unit = POW10[scale];
    long whole = q / unit;
    long fraction = q - whole * unit;
    at = appendLong(out, at, whole);
    out[at++] = '.';
    return digits(out, at + scale, fraction, scale);
  }

  /**
   * Writes {@code value} (not negative) in decimal at {@code at}; returns the index after it.
   * The digit count comes from the powers of ten, and the digits two at a time from a table:
   * every sample's timestamp and most values pass here.
   */
  static int appendLong(byte[] out, int at, long value) {
    if (value < 0) {
      throw new IllegalArgumentException("negative: " + value);
    }
    int digits = 1;
    while (digits < POW10.length && value >= POW10[digits]) {
      digits++;
    }
    return digits(out, at + digits, value, digits);
  }

  /**
   * Writes the last {@code count} decimal digits of {@code value} (not negative; leading zeros
   * included) so that they end before {@code end}, two at a time from the table; returns {@code
   * end}.
   */
  private static int digits(byte[] out, int end, long value, int count) {
    int i = end;
    int left = count;
    while (left >= 2) {
      int pair = (int) (value % 100) * 2;
      value /= 100;
      out[--i] = DIGIT_PAIRS[pair + 1];
      out[--i] = DIGIT_PAIRS[pair];
      left -= 2;
    }
    if (left == 1) {
      out[--i] = (byte) ('0' + value % 10);
    }
    return end;
  }

  /** "00" to "99", each pair of ASCII digits at twice its value. */
  private static final byte[] DIGIT_PAIRS = new byte[200];

  static {
    for (int k = 0; k < 100; k++) {
      DIGIT_PAIRS[2 * k] = (byte) ('0' + k / 10);
      DIGIT_PAIRS[2 * k + 1] = (byte) ('0' + k % 10);
    }
  }

  /** {@code q × 10^-scale} written plainly, with a leading {@code -} when negative. */
  private static String plainDigits(boolean negative, long q, int scale) {
    long unit = POW10[scale];
    long whole = q / unit;
    long fraction = q % unit;
    char[] out = new char[(negative ? 1 : 0) + 20 + 1 + scale];
    int at = 0;
    if (negative) {
      out[at++] = '-';
    }
    at = appendLong(out, at, whole);
    out[at++] = '.';
    for (int i = at + scale - 1; i >= at; i--) {
      out[i] = (char) ('0' + fraction % 10);
      fraction /= 10;
    }
    return new String(out, 0, at + scale);
  }

  private static int appendLong(char[] out, int at, long value) {
    if (value == 0) {
      out[at] = '0';
      return at + 1;
    }
    int digits = 0;
    for (long x = value; x > 0; x /= 10) {
      digits++;
    }
    for (int i = at + digits - 1; i >= at; i--) {
      out[i] = (char) ('0' + value % 10);
      value /= 10;
    }
    return at + digits;
  }

  private static final int SCALE_BITS = 5;
  private static final long SCALE_MASK = (1L << SCALE_BITS) - 1;
  private static final int MAX_FAST_SCALE = 18;

  /**
   * The shortest digits of a positive, normal, non-integer {@code v} in {@code [2^-10, 2^52)}
   * whose mantissa is not a power of two, in 128-bit integer arithmetic: {@code q << 5 | s} for
   * the decimal {@code q × 10^-s}; -1 for any other v (then {@link #shortest} decides).
   *
   * <p>With {@code v = m × 2^-E} (1 ≤ E ≤ 62), the multiple of {@code 10^-s} nearest v is {@code
   * round(m × 10^s / 2^E)}, and the remainder of that division tells exactly how far it is from
   * v: it reads back as v when that distance is at most half of v's ulp {@code 2^-E} (a tie reads
   * back to the even mantissa). The fewest digits are the smallest s whose rounding reads back
   * (a rounding to fewer digits is never nearer, so the test is monotone in s), and of the
   * decimals with that many digits the rounding is the nearest one, as Go picks.
   */
  static long shortestFast(double v) {
    long bits = Double.doubleToRawLongBits(v);
    int biased = (int) (bits >>> 52) & 0x7ff;
    long fraction = bits & 0x000F_FFFF_FFFF_FFFFL;
    if (bits < 0 || biased == 0 || biased == 0x7ff || fraction == 0) {
      return -1;
    }
    long m = fraction | (1L << 52);
    int shift = 1075 - biased;
    if (shift < 1 || shift > 62 || (m & ((1L << shift) - 1)) == 0) {
      return -1;
    }
    boolean even = (m & 1) == 0;
    // About 15 significant digits first, then down while shorter ones read back, else up.
    int decimalExponent = (int) Math.floor(Math.getExponent(v) * 0.30102999566398120);
    int s = Math.max(1, Math.min(MAX_FAST_SCALE, 14 - decimalExponent));
    long q = roundScaled(m, shift, s, even);
    if (q == OVERFLOW) {
      return -1;
    }
    if (q >= 0) {
      while (s > 1) {
        long shorter = roundScaled(m, shift, s - 1, even);
        if (shorter < 0) {
          break;
        }
        q = shorter;
        s--;
      }
    } else {
      do {
        if (++s > MAX_FAST_SCALE) {
          return -1;
        }
        q = roundScaled(m, shift, s, even);
        if (q == OVERFLOW) {
          return -1;
        }
      } while (q < 0);
    }
    while (s > 0 && q % 10 == 0) {
      q /= 10;
      s--;
    }
    return q << SCALE_BITS | s;
  }

  private static final long NO_READ_BACK = -1;
  private static final long OVERFLOW = -2;

  /**
   * {@code m × 10^s / 2^shift} rounded half-even when that reads back as {@code m × 2^-shift};
   * {@link #NO_READ_BACK} when it does not, {@link #OVERFLOW} when it would not fit in 62 bits.
   */
  private static long roundScaled(long m, int shift, int s, boolean even) {
    long p = POW10[s];
    long hi = Math.multiplyHigh(m, p);
    long lo = m * p;
    if (shift >= 2 ? (hi >>> (shift - 2)) != 0 : (hi != 0 || lo < 0)) {
      return OVERFLOW;
    }
    long q = (hi << (64 - shift)) | (lo >>> shift);
    long r = lo & ((1L << shift) - 1);
    long half = 1L << (shift - 1);
    long distance = r;
    if (r > half || (r == half && (q & 1) == 1)) {
      q++;
      distance = (1L << shift) - r;
    }
    // Distance and half an ulp in units of 2^-shift × 10^-s: d against 10^s / 2.
    long twice = distance << 1;
    return twice < p || (twice == p && even) ? q : NO_READ_BACK;
  }

  /** {@code strconv.FormatFloat(v, 'e', -1, 64)}: {@code 1.5e-07}, {@code 1e+21}. */
  public static String exponent(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return plain(v);
    }
    if (v == 0) {
      return 1 / v < 0 ? "-0e+00" : "0e+00";
    }
    BigDecimal d = shortest(v);
    String digits = d.unscaledValue().abs().toString();
    int exp = digits.length() - 1 - d.scale();
    StringBuilder b = new StringBuilder(digits.length() + 8);
    if (v < 0) {
      b.append('-');
    }
    b.append(digits.charAt(0));
    if (digits.length() > 1) {
      b.append('.').append(digits, 1, digits.length());
    }
    b.append('e').append(exp < 0 ? '-' : '+');
    int absExp = Math.abs(exp);
    if (absExp < 10) {
      b.append('0');
    }
    return b.append(absExp).toString();
  }

  /**
   * A sample's timestamp in a vector or matrix: whole seconds, then {@code .} and exactly three
   * digits when the milliseconds are not zero ({@code 1}, {@code 1.001}, {@code 1.100}, {@code
   * -0.001}).
   */
  public static String sampleTimestamp(long millis) {
    long seconds = millis / 1000;
    long ms = Math.abs(millis % 1000);
    String whole = millis < 0 && seconds == 0 ? "-0" : Long.toString(seconds);
    if (ms == 0) {
      return whole;
    }
    StringBuilder b = new StringBuilder(whole).append('.');
    if (ms < 100) {
      b.append('0');
    }
    if (ms < 10) {
      b.append('0');
    }
    return b.append(ms).toString();
  }

  /**
   * A scalar or string result's timestamp: the float {@code T/1000} as Go's {@code encoding/json}
   * writes a float64 (shortest digits; {@code 123.4}, {@code 0}; exponent form only below 1e-6 or
   * from 1e21, with a one-digit exponent written as {@code e-7}).
   */
  public static String jsonFloat(double v) {
    double abs = Math.abs(v);
    if (abs != 0 && (abs < 1e-6 || abs >= 1e21)) {
      String e = exponent(v);
      // encoding/json trims "e-07" to "e-7".
      int at = e.indexOf('e');
      if (e.length() - at == 4 && e.charAt(at + 2) == '0') {
        e = e.substring(0, at + 2) + e.substring(at + 3);
      }
      return e;
    }
    return plain(v);
  }

  /** {@link #jsonFloat} of {@code millis / 1000}. */
  public static String secondsFloat(long millis) {
    return jsonFloat(millis / 1000.0);
  }

  private static final MathContext[] DIGITS = new MathContext[18];

  static {
    for (int d = 1; d < DIGITS.length; d++) {
      DIGITS[d] = new MathContext(d, RoundingMode.HALF_EVEN);
    }
  }

  private static final long[] POW10 = new long[19];

  static {
    POW10[0] = 1;
    for (int k = 1; k < POW10.length; k++) {
      POW10[k] = POW10[k - 1] * 10;
    }
  }

  /**
   * The decimal with the fewest significant digits that reads back as v; of those, the nearest
   * (Go's shortest formatting).
   *
   * <p>Java 17's {@code Double.toString} always reads back as v, but sometimes carries a digit
   * more than needed: its digit count n bounds the search from above, and the rounding of v to n
   * digits reads back too (it is at least as near v as toString's digits, and v's rounding
   * interval is symmetric unless v is a power of two). Going down from n, the first length that
   * does not read back ends the search, since a shorter rounding is never nearer. Powers of two,
   * whose interval is narrower below, take the search up from one digit.
   *
   * <p>The roundings to fewer digits are taken from v's 17-digit rounding in long arithmetic; that
   * is the rounding of v itself unless the 17 digits end exactly halfway between two shorter
   * decimals while v is not exactly that, which is checked (then v itself is rounded).
   */
  static BigDecimal shortest(double v) {
    long packed = shortestFast(Math.abs(v));
    if (packed >= 0) {
      long q = packed >>> SCALE_BITS;
      return BigDecimal.valueOf(v < 0 ? -q : q, (int) (packed & SCALE_MASK));
    }
    return shortestExact(v);
  }

  /** {@link #shortest} for every v, in {@code BigDecimal} arithmetic (slow). */
  static BigDecimal shortestExact(double v) {
    BigDecimal exact = new BigDecimal(v);
    boolean powerOfTwo = (Double.doubleToRawLongBits(v) & 0x000F_FFFF_FFFF_FFFFL) == 0;
    if (!powerOfTwo) {
      BigDecimal r17 = exact.round(DIGITS[17]);
      boolean r17IsExact = r17.compareTo(exact) == 0;
      long unscaled = Math.abs(r17.unscaledValue().longValueExact());
      int length = Long.toString(unscaled).length();
      int n = Math.min(17, significantDigits(Double.toString(v)));
      BigDecimal best = null;
      for (int digits = n; digits >= 1; digits--) {
        BigDecimal rounded = digits >= length
            ? r17
            : roundedFrom(unscaled, length, r17.scale(), digits, r17IsExact, v < 0);
        if (rounded == null) {
          rounded = exact.round(DIGITS[digits]);
        }
        if (rounded.doubleValue() != v) {
          break;
        }
        best = rounded;
      }
      if (best != null) {
        return best.stripTrailingZeros();
      }
    }
    for (int digits = 1; digits < 17; digits++) {
      BigDecimal rounded = exact.round(DIGITS[digits]);
      if (rounded.doubleValue() == v) {
        return rounded.stripTrailingZeros();
      }
    }
    return exact.round(DIGITS[17]).stripTrailingZeros();
  }

  /**
   * {@code unscaled × 10^-scale} (of {@code length} digits) rounded half-even to {@code digits}
   * digits; null when that would differ from rounding v itself (a tie that v does not make).
   */
  private static BigDecimal roundedFrom(
      long unscaled, int length, int scale, int digits, boolean exact, boolean negative) {
    long divisor = POW10[length - digits];
    long q = unscaled / divisor;
    long r = unscaled % divisor;
    long half = divisor / 2;
    if (r == half && !exact) {
      return null;
    }
    if (r > half || (r == half && (q & 1) == 1)) {
      q++;
    }
    return BigDecimal.valueOf(negative ? -q : q, scale - (length - digits));
  }

  /** Significant digits of a {@code Double.toString} text ({@code 1.25E-5}: 3, {@code 100.0}: 1). */
  private static int significantDigits(String text) {
    int end = text.indexOf('E');
    if (end < 0) {
      end = text.length();
    }
    int first = -1;
    int last = -1;
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      if (c >= '1' && c <= '9') {
        if (first < 0) {
          first = i;
        }
        last = i;
      }
    }
    if (first < 0) {
      return 1;
    }
    int digits = 0;
    for (int i = first; i <= last; i++) {
      if (text.charAt(i) != '.') {
        digits++;
      }
    }
    return digits;
  }
}

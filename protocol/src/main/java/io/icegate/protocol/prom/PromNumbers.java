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
    return shortest(v).toPlainString();
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

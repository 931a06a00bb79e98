package io.icegate.protocol.prom;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The shortest-digits search against its definition (the fewest significant digits whose
 * rounding of v reads back as v, tried from one digit up) over many doubles: random bit
 * patterns (every exponent), counter-like values, and values Java 17's Double.toString prints
 * with a digit too many.
 */
class PromNumbersTest {

  /** The definition, tried from one digit up: slow, and obviously right. */
  private static BigDecimal byDefinition(double v) {
    BigDecimal exact = new BigDecimal(v);
    for (int digits = 1; digits <= 17; digits++) {
      BigDecimal rounded = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
      if (rounded.doubleValue() == v) {
        return rounded.stripTrailingZeros();
      }
    }
    throw new AssertionError("no 17-digit decimal reads back as " + v);
  }

  private static void check(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v) || v == 0) {
      return;
    }
    BigDecimal expected = byDefinition(v);
    assertThat(PromNumbers.shortest(v)).as("digits of %s", v).isEqualTo(expected);
    assertThat(Double.parseDouble(PromNumbers.exponent(v))).as("e form of %s", v).isEqualTo(v);
    assertThat(Double.parseDouble(PromNumbers.plain(v))).as("f form of %s", v).isEqualTo(v);
  }

  @Test
  void randomBitPatternsGiveTheShortestDigitsThatReadBack() {
    SplittableRandom random = new SplittableRandom(8);
    for (int i = 0; i < 20_000; i++) {
      check(Double.longBitsToDouble(random.nextLong()));
    }
  }

  @Test
  void counterLikeValuesGiveTheShortestDigitsThatReadBack() {
    SplittableRandom random = new SplittableRandom(9);
    for (int i = 0; i < 50_000; i++) {
      // Rates and sums as queries produce them: quotients of sums of fractional increments.
      double v = random.nextDouble() * Math.pow(10, random.nextInt(-8, 12));
      check(v);
      check(Math.rint(v * 1000) / 1000);
      check(v / 300);
    }
  }

  @Test
  void valuesNearHalfwayBetweenShortDecimalsGiveTheShortestDigitsThatReadBack() {
    // Decimals ending in 5 are where rounding the 17-digit form again could go the wrong way.
    SplittableRandom random = new SplittableRandom(10);
    for (int i = 0; i < 20_000; i++) {
      int digits = random.nextInt(1, 16);
      long unscaled = random.nextLong(1, (long) Math.pow(10, digits)) * 10 + 5;
      double v = new BigDecimal(java.math.BigInteger.valueOf(unscaled), random.nextInt(-20, 25))
          .doubleValue();
      check(v);
      check(Math.nextUp(v));
      check(Math.nextDown(v));
    }
  }

  @Test
  void powersOfTwoAndNeighboursGiveTheShortestDigitsThatReadBack() {
    for (int e = -1074; e <= 1023; e++) {
      double p = Math.scalb(1.0, e);
      check(p);
      check(Math.nextUp(p));
      check(Math.nextDown(p));
    }
  }

  @Test
  void valuesJava17PrintsWithADigitTooManyAreShortened() {
    // Double.toString gives 2.82879384806159008E17 here (JDK-4511638); Go prints 15 digits.
    assertThat(PromNumbers.plain(2.82879384806159E17)).isEqualTo("282879384806159000");
    assertThat(PromNumbers.exponent(2.82879384806159E17)).isEqualTo("2.82879384806159e+17");
    // Shortest is 2e23 although 2e23 is not the double nearest the decimal 2e23's neighbours.
    assertThat(PromNumbers.exponent(2e23)).isEqualTo("2e+23");
    assertThat(PromNumbers.exponent(5e-324)).isEqualTo("5e-324");
    assertThat(PromNumbers.plain(0.1 + 0.2)).isEqualTo("0.30000000000000004");
  }

  @Test
  void fastPathRangeGivesTheDefinitionsDigitsInPlainForm() {
    // [2^-10, 2^52) is where plain() uses 128-bit integer arithmetic instead of BigDecimal:
    // random mantissas at every exponent there, short decimals and their neighbours.
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 100_000; i++) {
      double v = Math.scalb(1 + random.nextDouble(), random.nextInt(-10, 52));
      checkPlain(v);
      checkPlain(-v);
      double shortDecimal = Math.rint(v * 1000) / 1000;
      checkPlain(shortDecimal);
      checkPlain(Math.nextUp(shortDecimal));
      checkPlain(Math.nextDown(shortDecimal));
    }
    assertThat(PromNumbers.plain(0.001)).isEqualTo("0.001");
    assertThat(PromNumbers.plain(1.0 / 3)).isEqualTo("0.3333333333333333");
    assertThat(PromNumbers.plain(2.0 / 3)).isEqualTo("0.6666666666666666");
    assertThat(PromNumbers.plain(-12.5)).isEqualTo("-12.5");
    assertThat(PromNumbers.plain(1e15 - 0.5)).isEqualTo("999999999999999.5");
    assertThat(PromNumbers.sampleValue(123.456)).isEqualTo("123.456");
  }

  private static void checkPlain(double v) {
    if (v == 0 || v == Math.rint(v)) {
      return;
    }
    String expected = byDefinition(v).toPlainString();
    assertThat(PromNumbers.plain(v)).as("f form of %s", v).isEqualTo(expected);
    // The matrix writer's bytes, written after other bytes, say the same.
    byte[] out = new byte[48];
    int end = PromNumbers.appendSampleValue(out, 5, v);
    assertThat(new String(out, 5, end - 5, java.nio.charset.StandardCharsets.US_ASCII))
        .as("appended f form of %s", v).isEqualTo(expected);
  }

  @Test
  void longsAreWrittenAsJavaWritesThem() {
    SplittableRandom random = new SplittableRandom(10);
    byte[] out = new byte[24];
    java.util.List<Long> values = new java.util.ArrayList<>(java.util.List.of(
        0L, 9L, 10L, 99L, 100L, 101L, 999_999_999L, 1_000_000_000L, 1_767_225_600L,
        999_999_999_999_999_999L, 1_000_000_000_000_000_000L, Long.MAX_VALUE));
    for (int i = 0; i < 100_000; i++) {
      values.add(random.nextLong(0, Long.MAX_VALUE) >>> random.nextInt(64));
    }
    for (long v : values) {
      int end = PromNumbers.appendLong(out, 3, v);
      assertThat(new String(out, 3, end - 3, java.nio.charset.StandardCharsets.US_ASCII))
          .as("%d", v).isEqualTo(Long.toString(v));
    }
  }
}

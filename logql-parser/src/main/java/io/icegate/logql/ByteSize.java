package io.icegate.logql;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Byte sizes as Loki reads and prints them (it uses the go-humanize library): {@code 20MB} is 20
 * × 1000², {@code 1.5KiB} is 1.5 × 1024, units in any case. Values are unsigned 64-bit integers
 * held in a {@code long}.
 */
final class ByteSize {
  private ByteSize() {}

  private static final Map<String, Long> UNITS =
      Map.ofEntries(
          Map.entry("", 1L),
          Map.entry("b", 1L),
          Map.entry("k", 1_000L),
          Map.entry("kb", 1_000L),
          Map.entry("ki", 1L << 10),
          Map.entry("kib", 1L << 10),
          Map.entry("m", 1_000_000L),
          Map.entry("mb", 1_000_000L),
          Map.entry("mi", 1L << 20),
          Map.entry("mib", 1L << 20),
          Map.entry("g", 1_000_000_000L),
          Map.entry("gb", 1_000_000_000L),
          Map.entry("gi", 1L << 30),
          Map.entry("gib", 1L << 30),
          Map.entry("t", 1_000_000_000_000L),
          Map.entry("tb", 1_000_000_000_000L),
          Map.entry("ti", 1L << 40),
          Map.entry("tib", 1L << 40),
          Map.entry("p", 1_000_000_000_000_000L),
          Map.entry("pb", 1_000_000_000_000_000L),
          Map.entry("pi", 1L << 50),
          Map.entry("pib", 1L << 50),
          Map.entry("e", 1_000_000_000_000_000_000L),
          Map.entry("eb", 1_000_000_000_000_000_000L),
          Map.entry("ei", 1L << 60),
          Map.entry("eib", 1L << 60));

  private static final String[] SI_UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};

  /** 2^64 as a double: go-humanize refuses sizes from there on. */
  private static final double MAX_UINT64 = 18446744073709551616.0;

  /** go-humanize's {@code ParseBytes}; empty when it returns an error. */
  static OptionalLong parse(String s) {
    int numberEnd = 0;
    boolean commas = false;
    while (numberEnd < s.length()) {
      char c = s.charAt(numberEnd);
      if (!(Character.isDigit(c) || c == '.' || c == ',')) {
        break;
      }
      commas |= c == ',';
      numberEnd++;
    }
    String number = s.substring(0, numberEnd);
    if (commas) {
      number = number.replace(",", "");
    }
    double value;
    try {
      value = GoNumber.parseFloat(number);
    } catch (GoNumber.InvalidNumberException e) {
      return OptionalLong.empty();
    }
    Long unit = UNITS.get(s.substring(numberEnd).strip().toLowerCase(Locale.ROOT));
    if (unit == null) {
      return OptionalLong.empty();
    }
    double bytes = value * unit;
    if (bytes >= MAX_UINT64) {
      return OptionalLong.empty();
    }
    // Go's uint64(f) truncates; the low 64 bits of the integer are the unsigned value.
    return OptionalLong.of(new BigDecimal(bytes).toBigInteger().longValue());
  }

  /**
   * How Loki prints a bytes label filter: go-humanize's {@code Bytes} (SI units, one decimal
   * below 10) without its space: {@code 10GB}, {@code 2.5kB}, {@code 9B}.
   */
  static String format(long unsignedBytes) {
    if (Long.compareUnsigned(unsignedBytes, 10) < 0) {
      return unsignedBytes + "B";
    }
    double size = new BigDecimal(Long.toUnsignedString(unsignedBytes)).doubleValue();
    // StrictMath is fdlibm, as Go's math.Log, so the unit chosen at powers of 1000 is Go's.
    int exponent = (int) Math.floor(StrictMath.log(size) / StrictMath.log(1000));
    double value = Math.floor(size / StrictMath.pow(1000, exponent) * 10 + 0.5) / 10;
    String number =
        new BigDecimal(value)
            .setScale(value < 10 ? 1 : 0, RoundingMode.HALF_EVEN)
            .toPlainString();
    return number + SI_UNITS[exponent];
  }
}

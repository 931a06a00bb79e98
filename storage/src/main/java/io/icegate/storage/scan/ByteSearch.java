package io.icegate.storage.scan;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Finds a fixed byte string in a byte array eight bytes at a time (SWAR: SIMD within a
 * register), the way vectorized engines scan string columns without per-byte branches.
 *
 * <p>It looks for the needle's least likely pair of adjacent bytes (by a rough frequency table
 * of log text: letters like 'e' and spaces are common, 'z' or '[' rare): two unaligned 8-byte
 * loads per step, XOR with the pair broadcast to every lane, and an exact zero-byte test give the
 * positions where both bytes match; only those are compared in full. For {@code "error"} the
 * pair "rr" is rarer than "er", so few candidates reach the full compare.
 *
 * <p>Here, beside the scan, because both the engine's line-filter kernels and the Parquet reader
 * (which searches a whole page of log lines before copying any, see {@link RowFilter#requiredBytes})
 * use it.
 */
public final class ByteSearch {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;
  private static final long ONES = 0x0101010101010101L;

  /** Rough frequency of each byte in log lines, in arbitrary units; only the order matters. */
  private static final double[] FREQUENCY = frequencies();

  private final byte[] needle;
  /** Offset in the needle of the pair searched for (or of the single byte of a 1-byte needle). */
  private final int pairAt;
  private final long first;
  private final long second;

  public ByteSearch(byte[] needle) {
    if (needle.length == 0) {
      throw new IllegalArgumentException("empty needle");
    }
    this.needle = needle.clone();
    int best = 0;
    double bestScore = Double.MAX_VALUE;
    for (int i = 0; i + 1 < needle.length; i++) {
      double score = FREQUENCY[needle[i] & 0xff] * FREQUENCY[needle[i + 1] & 0xff];
      if (score < bestScore) {
        bestScore = score;
        best = i;
      }
    }
    this.pairAt = best;
    this.first = (needle[best] & 0xffL) * ONES;
    this.second = needle.length > 1 ? (needle[best + 1] & 0xffL) * ONES : 0;
  }

  public int length() {
    return needle.length;
  }

  /** The first index of the needle within {@code haystack[from, to)}, or -1. */
  public int indexOf(byte[] haystack, int from, int to) {
    int n = needle.length;
    int lastStart = to - n;
    if (from < 0 || lastStart < from) {
      return -1;
    }
    return n == 1 ? indexOfByte(haystack, from, to) : indexOfPair(haystack, from, to, lastStart);
  }

  private int indexOfPair(byte[] h, int from, int to, int lastStart) {
    int k = pairAt;
    int q = from + k; // position of the pair's first byte for a match starting at q - k
    int lastQ = lastStart + k;
    // Each step reads h[q, q + 8) and h[q + 1, q + 9): both must lie below `to`.
    while (q + 9 <= to) {
      long a = (long) LONGS.get(h, q);
      long b = (long) LONGS.get(h, q + 1);
      long hits = zeroBytes(a ^ first) & zeroBytes(b ^ second);
      while (hits != 0) {
        int at = q + (Long.numberOfTrailingZeros(hits) >>> 3);
        if (at > lastQ) {
          return -1;
        }
        if (Arrays.equals(h, at - k, at - k + needle.length, needle, 0, needle.length)) {
          return at - k;
        }
        hits &= hits - 1;
      }
      q += 8;
    }
    byte b0 = needle[k];
    byte b1 = needle[k + 1];
    for (; q <= lastQ; q++) {
      if (h[q] == b0 && h[q + 1] == b1
          && Arrays.equals(h, q - k, q - k + needle.length, needle, 0, needle.length)) {
        return q - k;
      }
    }
    return -1;
  }

  private int indexOfByte(byte[] h, int from, int to) {
    int q = from;
    while (q + 8 <= to) {
      long hits = zeroBytes((long) LONGS.get(h, q) ^ first);
      if (hits != 0) {
        return q + (Long.numberOfTrailingZeros(hits) >>> 3);
      }
      q += 8;
    }
    byte b = needle[0];
    for (; q < to; q++) {
      if (h[q] == b) {
        return q;
      }
    }
    return -1;
  }

  /** 0x80 in each byte lane of {@code x} that is zero, 0 elsewhere (exact, no false hits). */
  private static long zeroBytes(long x) {
    long t = (x & LOW7) + LOW7;
    return ~(t | x | LOW7);
  }

  private static double[] frequencies() {
    double[] f = new double[256];
    Arrays.fill(f, 0.3);
    String letters = "etaoinsrhldcumfpgwybvkxjqz";
    double[] english = {
      12.7, 9.1, 8.2, 7.5, 7.0, 6.7, 6.3, 6.0, 6.1, 4.0, 4.3, 2.8, 2.8, 2.4, 2.2, 1.9, 2.0, 2.4,
      2.0, 1.5, 1.0, 0.8, 0.15, 0.15, 0.1, 0.07
    };
    for (int i = 0; i < letters.length(); i++) {
      f[letters.charAt(i)] = english[i];
      f[Character.toUpperCase(letters.charAt(i))] = english[i] / 10;
    }
    for (char c = '0'; c <= '9'; c++) {
      f[c] = 1.5;
    }
    f[' '] = 15;
    for (char c : "\"=:,._/-".toCharArray()) {
      f[c] = 1.0;
    }
    return f;
  }
}

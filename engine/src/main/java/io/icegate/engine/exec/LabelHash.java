package io.icegate.engine.exec;

import io.icegate.engine.series.Labels;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The hash Prometheus gives a label set: XXH64 (seed 0) of its labels in order, each name and
 * value written as a length (one byte below 255, else 255 and three bytes little-endian) and its
 * UTF-8 bytes. {@code limit_ratio} keeps a series by where this hash falls in [0, 1), so the same
 * hash is what makes our answers Prometheus's.
 */
public final class LabelHash {
  private LabelHash() {}

  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  /** The label set's hash as a fraction of 2^64, in [0, 1]. */
  public static double offset(Labels labels) {
    return unsignedToDouble(hash(labels)) / 0x1p64;
  }

  static long hash(Labels labels) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(64);
    for (int i = 0; i < labels.size(); i++) {
      writeString(b, labels.name(i));
      writeString(b, labels.value(i));
    }
    return xxh64(b.toByteArray());
  }

  private static void writeString(ByteArrayOutputStream b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    int n = bytes.length;
    if (n < 255) {
      b.write(n);
    } else {
      b.write(255);
      b.write(n & 0xff);
      b.write((n >>> 8) & 0xff);
      b.write((n >>> 16) & 0xff);
    }
    b.write(bytes, 0, n);
  }

  /** Go's {@code float64(uint64)}: the nearest double to the unsigned value. */
  static double unsignedToDouble(long v) {
    if (v >= 0) {
      return v;
    }
    // Halve (keeping the lowest bit, so rounding stays right), convert, double.
    return ((double) ((v >>> 1) | (v & 1))) * 2.0;
  }

  /** XXH64 with seed 0. */
  static long xxh64(byte[] in) {
    int len = in.length;
    int p = 0;
    long h;
    if (len >= 32) {
      long v1 = P1 + P2;
      long v2 = P2;
      long v3 = 0;
      long v4 = -P1;
      int limit = len - 32;
      do {
        v1 = round(v1, long64(in, p));
        v2 = round(v2, long64(in, p + 8));
        v3 = round(v3, long64(in, p + 16));
        v4 = round(v4, long64(in, p + 24));
        p += 32;
      } while (p <= limit);
      h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12)
          + Long.rotateLeft(v4, 18);
      h = merge(h, v1);
      h = merge(h, v2);
      h = merge(h, v3);
      h = merge(h, v4);
    } else {
      h = P5;
    }
    h += len;
    while (p + 8 <= len) {
      h ^= round(0, long64(in, p));
      h = Long.rotateLeft(h, 27) * P1 + P4;
      p += 8;
    }
    if (p + 4 <= len) {
      h ^= (int64of32(in, p)) * P1;
      h = Long.rotateLeft(h, 23) * P2 + P3;
      p += 4;
    }
    while (p < len) {
      h ^= (in[p] & 0xffL) * P5;
      h = Long.rotateLeft(h, 11) * P1;
      p++;
    }
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h;
  }

  private static long round(long acc, long input) {
    acc += input * P2;
    acc = Long.rotateLeft(acc, 31);
    return acc * P1;
  }

  private static long merge(long acc, long v) {
    acc ^= round(0, v);
    return acc * P1 + P4;
  }

  private static long long64(byte[] b, int p) {
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[p + i] & 0xffL);
    }
    return v;
  }

  private static long int64of32(byte[] b, int p) {
    return (b[p] & 0xffL) | (b[p + 1] & 0xffL) << 8 | (b[p + 2] & 0xffL) << 16
        | (b[p + 3] & 0xffL) << 24;
  }
}

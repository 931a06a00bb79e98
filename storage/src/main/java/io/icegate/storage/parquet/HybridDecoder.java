package io.icegate.storage.parquet;

import org.apache.parquet.column.values.bitpacking.BytePacker;
import org.apache.parquet.column.values.bitpacking.Packer;

/**
 * Decodes Parquet's RLE / bit-packing hybrid encoding (definition levels and dictionary ids) in
 * bulk into an {@code int[]}: a run fills a range, a bit-packed group of eight values is unpacked
 * by parquet-java's generated {@link BytePacker}. Parquet-java's own decoder hands out one value
 * per call; the column reader wants a page's worth at once.
 */
final class HybridDecoder {
  private HybridDecoder() {}

  /**
   * Decodes {@code count} values of {@code bitWidth} bits from {@code in[from, to)} into {@code
   * out[0, count)}. {@code out} must hold {@code count + 7} values:
   * a bit-packed group is unpacked whole, so its padding may land past {@code count}.
   *
   * @throws IllegalStateException when the input ends before {@code count} values
   */
  static void decode(byte[] in, int from, int to, int bitWidth, int[] out, int count) {
    if (bitWidth == 0) {
      java.util.Arrays.fill(out, 0, count, 0);
      return;
    }
    BytePacker packer = Packer.LITTLE_ENDIAN.newBytePacker(bitWidth);
    int valueBytes = (bitWidth + 7) / 8;
    int pos = from;
    int filled = 0;
    while (filled < count) {
      if (pos >= to) {
        throw new IllegalStateException(
            "hybrid-encoded data ended after " + filled + " of " + count + " values");
      }
      // ULEB128 run header.
      int header = 0;
      int shift = 0;
      int b;
      do {
        b = in[pos++] & 0xFF;
        header |= (b & 0x7F) << shift;
        shift += 7;
      } while ((b & 0x80) != 0);
      if ((header & 1) == 0) {
        int run = header >>> 1;
        int value = 0;
        for (int i = 0; i < valueBytes; i++) {
          value |= (in[pos++] & 0xFF) << (8 * i);
        }
        int n = Math.min(run, count - filled);
        java.util.Arrays.fill(out, filled, filled + n, value);
        filled += n;
      } else {
        int groups = header >>> 1;
        for (int g = 0; g < groups && filled < count; g++) {
          if (pos + bitWidth > in.length) {
            throw new IllegalStateException("bit-packed run past the end of the page");
          }
          packer.unpack8Values(in, pos, out, filled);
          pos += bitWidth;
          filled += 8;
        }
        // A last group may decode padding past count: callers size out for it.
        filled = Math.min(filled, count);
      }
    }
  }
}

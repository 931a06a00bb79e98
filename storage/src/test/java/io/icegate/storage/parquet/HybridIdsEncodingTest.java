package io.icegate.storage.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridDecoder;
import org.junit.jupiter.api.Test;

/**
 * The WAL writer's own RLE / bit-packing hybrid encoding of dictionary ids, read back by
 * parquet-java's decoder (an independent implementation of the format) and by the scans' bulk
 * decoder: every value must come back, whatever mix of runs and scattered values a page has.
 */
class HybridIdsEncodingTest {

  private static int[] decodeWithParquetJava(byte[] encoded, int bitWidth, int count)
      throws Exception {
    RunLengthBitPackingHybridDecoder decoder =
        new RunLengthBitPackingHybridDecoder(
            bitWidth, ByteBufferInputStream.wrap(java.nio.ByteBuffer.wrap(encoded)));
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      out[i] = decoder.readInt();
    }
    return out;
  }

  private static void assertRoundTrip(int[] values, int bitWidth) throws Exception {
    byte[] encoded = ColumnFlatPages.hybrid(values, values.length, bitWidth).toByteArray();
    assertThat(decodeWithParquetJava(encoded, bitWidth, values.length)).containsExactly(values);
    int[] bulk = new int[values.length + 7];
    HybridDecoder.decode(encoded, 0, encoded.length, bitWidth, bulk, values.length);
    assertThat(java.util.Arrays.copyOf(bulk, values.length)).containsExactly(values);
  }

  @Test
  void runsAndScatteredIdsOfEveryWidthComeBack() throws Exception {
    SplittableRandom random = new SplittableRandom(7);
    for (int bitWidth = 1; bitWidth <= 20; bitWidth++) {
      int max = (1 << bitWidth) - 1;
      for (int length : new int[] {1, 7, 8, 9, 15, 16, 17, 1000, 4099}) {
        int[] values = new int[length];
        int i = 0;
        while (i < length) {
          // Runs of 1 to 20 equal ids: some shorter than a group, some long enough for RLE.
          int run = 1 + random.nextInt(20);
          int value = random.nextInt(max + 1);
          for (int r = 0; r < run && i < length; r++) {
            values[i++] = value;
          }
        }
        assertRoundTrip(values, bitWidth);
      }
    }
  }

  @Test
  void aPageOfOneRepeatedIdIsOneRun() throws Exception {
    int[] values = new int[5000];
    java.util.Arrays.fill(values, 3);
    byte[] encoded = ColumnFlatPages.hybrid(values, values.length, 2).toByteArray();
    // Header 5000 << 1 as a varint (2 bytes) and the value in one byte.
    assertThat(encoded).containsExactly((byte) 0x90, (byte) 0x4e, (byte) 3);
    assertRoundTrip(values, 2);
  }

  @Test
  void aDictionaryOfOneValueNeedsNoBits() throws Exception {
    int[] values = new int[123];
    byte[] encoded = ColumnFlatPages.hybrid(values, values.length, 0).toByteArray();
    assertThat(encoded).containsExactly((byte) (123 << 1 & 0x7f | 0x80), (byte) (123 << 1 >>> 7));
    assertThat(decodeWithParquetJava(encoded, 0, 123)).containsOnly(0);
  }

  @Test
  void scatteredIdsFillTheLastGroupWithPadding() throws Exception {
    int[] values = {1, 2, 3, 4, 5, 6, 7, 0, 1, 2};
    byte[] encoded = ColumnFlatPages.hybrid(values, values.length, 3).toByteArray();
    // One bit-packed run of two groups ((2 << 1) | 1 = 5), 3 bytes per group.
    assertThat(encoded).hasSize(1 + 2 * 3);
    assertThat(encoded[0]).isEqualTo((byte) 5);
    assertRoundTrip(values, 3);
  }
}

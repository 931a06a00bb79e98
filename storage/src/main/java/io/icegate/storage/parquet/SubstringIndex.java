package io.icegate.storage.parquet;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseVariableWidthVector;

/**
 * A per-row-group index of the byte trigrams that occur in one string column (a log line), so
 * that a line filter's needle can rule a row group out unread: a row group whose lines lack one
 * of the needle's trigrams holds no line containing the needle. Zstd decompression of the line
 * pages is most of a substring scan's cost, and no min/max statistic or Parquet bloom filter
 * (which hash whole values) can skip them for a substring.
 *
 * <p>Per row group, the set of trigrams is taken exactly (a 2<sup>24</sup>-bit set, every
 * trigram of every value, none across two values) and stored as a bitmap of 2<sup>k</sup> bits:
 * the exact set when k is 24, otherwise each trigram hashed to one bit, with k chosen so that
 * about one bit in eight is set. A needle is then looked up trigram by trigram; a hashed bitmap
 * can answer "maybe" for an absent trigram (a false positive only costs the read), never "no"
 * for a present one. Needles shorter than three bytes always answer "maybe".
 *
 * <p>The blob lives inside the Parquet file, after the last row group and before the page
 * indexes and footer, where no Parquet reader looks (they follow the footer's offsets); the
 * footer's key-value metadata entry {@value #KEY} names the column and the blob's offset and
 * length. Row groups are identified by their starting offset, so a reader of a split (a range of
 * row groups) finds its own. Layout: magic {@code IGS1}, the row-group count, then per row group
 * its starting offset, k and the length of its zstd-compressed bitmap, then the bitmaps.
 */
public final class SubstringIndex {
  /** The footer key-value entry: {@code column@offset+length}. */
  public static final String KEY = "icegate.substring-index";

  private static final int MAGIC = 0x49475331; // "IGS1"
  private static final int EXACT_BITS = 24;
  private static final int MIN_BITS = 12;
  private static final int ZSTD_LEVEL = 3;

  private final byte[] blob;
  /** Per row group, by starting offset: where its compressed bitmap starts in the blob. */
  private final Map<Long, int[]> entries;
  /** The bitmaps inflated so far (a split needs only its own row groups'). */
  private final Map<Long, long[]> bitmaps = new HashMap<>();

  private SubstringIndex(byte[] blob, Map<Long, int[]> entries) {
    this.blob = blob;
    this.entries = entries;
  }

  /**
   * Whether the row group starting at {@code rowGroupStart} may hold a value containing {@code
   * needle}: false only when one of the needle's trigrams occurs in none of its values. True for
   * a row group the index does not cover.
   */
  public boolean mayContain(long rowGroupStart, byte[] needle) {
    int[] entry = entries.get(rowGroupStart);
    if (entry == null || needle.length < 3) {
      return true;
    }
    long[] bitmap = bitmaps.computeIfAbsent(rowGroupStart, start -> inflate(entry));
    int k = entry[0];
    int trigram = ((needle[0] & 0xFF) << 8) | (needle[1] & 0xFF);
    for (int i = 2; i < needle.length; i++) {
      trigram = ((trigram << 8) | (needle[i] & 0xFF)) & 0xFFFFFF;
      int bit = slot(trigram, k);
      if ((bitmap[bit >>> 6] & (1L << bit)) == 0) {
        return false;
      }
    }
    return true;
  }

  /** The bitmap of one row group's entry {k, offset, length}. */
  private long[] inflate(int[] entry) {
    int size = (1 << entry[0]) / 8;
    byte[] raw = new byte[size];
    long written;
    try {
      written = Zstd.decompressByteArray(raw, 0, size, blob, entry[1], entry[2]);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("corrupt substring index bitmap", e);
    }
    if (written != size) {
      throw new IllegalArgumentException("corrupt substring index bitmap");
    }
    long[] words = new long[size / 8];
    java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(words);
    return words;
  }

  /** log2 of the bitmap size of the row group starting at {@code start} (24: exact), or -1. */
  int bits(long start) {
    int[] entry = entries.get(start);
    return entry == null ? -1 : entry[0];
  }

  /** The row groups this index covers. */
  public int rowGroups() {
    return entries.size();
  }

  /**
   * Reads the header of a blob {@link Builder#toBytes} wrote; each row group's bitmap is
   * inflated when first asked about.
   */
  public static SubstringIndex parse(byte[] blob) {
    try {
      DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(blob));
      if (in.readInt() != MAGIC) {
        throw new IllegalArgumentException("not a substring index");
      }
      int groups = in.readInt();
      if (groups < 0 || 8 + groups * 13L > blob.length) {
        throw new IllegalArgumentException("corrupt substring index");
      }
      Map<Long, int[]> entries = new HashMap<>();
      long at = 8 + groups * 13L;
      for (int g = 0; g < groups; g++) {
        long start = in.readLong();
        int k = in.readByte();
        int length = in.readInt();
        if (k < MIN_BITS || k > EXACT_BITS || length < 0 || at + length > blob.length) {
          throw new IllegalArgumentException("corrupt substring index");
        }
        entries.put(start, new int[] {k, (int) at, length});
        at += length;
      }
      return new SubstringIndex(blob, entries);
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt substring index", e);
    }
  }

  /** The footer entry's value for a blob of {@code length} bytes at {@code offset}. */
  static String entry(String column, long offset, int length) {
    return column + "@" + offset + "+" + length;
  }

  /** A parsed footer entry. */
  record Location(String column, long offset, int length) {
    static Location parse(String entry) {
      int at = entry == null ? -1 : entry.lastIndexOf('@');
      int plus = entry == null ? -1 : entry.lastIndexOf('+');
      if (at <= 0 || plus < at) {
        return null;
      }
      try {
        return new Location(
            entry.substring(0, at),
            Long.parseLong(entry.substring(at + 1, plus)),
            Integer.parseInt(entry.substring(plus + 1)));
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }

  /** Bit of {@code trigram} in a bitmap of 2^k bits. */
  private static int slot(int trigram, int k) {
    if (k == EXACT_BITS) {
      return trigram;
    }
    return (int) (((trigram + 1) * 0x9E3779B97F4A7C15L) >>> (64 - k));
  }

  /** Collects the trigrams of one file's column, row group by row group. */
  public static final class Builder {
    private final long[] exact = new long[(1 << EXACT_BITS) / 64];
    private final ByteArrayOutputStream bitmaps = new ByteArrayOutputStream();
    private final ByteArrayOutputStream header = new ByteArrayOutputStream();
    private final DataOutputStream headerOut = new DataOutputStream(header);
    private byte[] chunk = new byte[1 << 16];
    private int groups;
    private boolean empty = true;

    /** Adds the trigrams of values {@code [from, to)} of {@code vector} to the open group. */
    public void add(BaseVariableWidthVector vector, int from, int to) {
      ArrowBuf data = vector.getDataBuffer();
      for (int i = from; i < to; i++) {
        if (vector.isNull(i)) {
          continue;
        }
        long start = vector.getStartOffset(i);
        int length = (int) (vector.getEndOffset(i) - start);
        if (length < 3) {
          continue;
        }
        if (chunk.length < length) {
          chunk = new byte[Math.max(length, chunk.length * 2)];
        }
        data.getBytes(start, chunk, 0, length);
        add(chunk, 0, length);
      }
    }

    /** Adds the trigrams of one value. */
    public void add(byte[] value, int from, int length) {
      if (length < 3) {
        return;
      }
      long[] set = exact;
      int trigram = ((value[from] & 0xFF) << 8) | (value[from + 1] & 0xFF);
      for (int i = from + 2, end = from + length; i < end; i++) {
        trigram = ((trigram << 8) | (value[i] & 0xFF)) & 0xFFFFFF;
        set[trigram >>> 6] |= 1L << trigram;
      }
      empty = false;
    }

    /** Ends the open row group, which starts at {@code start} in the file. */
    public void endRowGroup(long start) {
      int distinct = 0;
      for (long word : exact) {
        distinct += Long.bitCount(word);
      }
      int k = MIN_BITS;
      while (k < EXACT_BITS && (1L << k) < 8L * distinct) {
        k++;
      }
      long[] stored;
      if (k == EXACT_BITS) {
        stored = exact.clone();
      } else {
        stored = new long[(1 << k) / 64];
        for (int w = 0; w < exact.length; w++) {
          long word = exact[w];
          while (word != 0) {
            int trigram = (w << 6) | Long.numberOfTrailingZeros(word);
            int bit = slot(trigram, k);
            stored[bit >>> 6] |= 1L << bit;
            word &= word - 1;
          }
        }
      }
      Arrays.fill(exact, 0);
      java.nio.ByteBuffer raw =
          java.nio.ByteBuffer.allocate(stored.length * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      raw.asLongBuffer().put(stored);
      byte[] compressed = Zstd.compress(raw.array(), ZSTD_LEVEL);
      try {
        headerOut.writeLong(start);
        headerOut.writeByte(k);
        headerOut.writeInt(compressed.length);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      bitmaps.writeBytes(compressed);
      groups++;
    }

    /** Whether any row group was ended. */
    public boolean hasRowGroups() {
      return groups > 0;
    }

    /** Whether no value of three or more bytes was added to any group. */
    public boolean isEmpty() {
      return empty;
    }

    /** The blob: header, then the bitmaps. */
    public byte[] toBytes() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      DataOutputStream data = new DataOutputStream(out);
      try {
        data.writeInt(MAGIC);
        data.writeInt(groups);
        data.write(header.toByteArray());
        data.write(bitmaps.toByteArray());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toByteArray();
    }
  }
}

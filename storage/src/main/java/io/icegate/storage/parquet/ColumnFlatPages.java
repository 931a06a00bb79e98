package io.icegate.storage.parquet;

import java.io.IOException;
import java.util.Arrays;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageWriter;
import org.apache.parquet.column.statistics.SizeStatistics;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.column.statistics.geospatial.GeospatialStatistics;
import org.apache.parquet.column.values.bitpacking.BytePacker;
import org.apache.parquet.column.values.bitpacking.Packer;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.PrimitiveType;

/**
 * Encodes one top-level (unnested) Parquet column, or the key or value column of a required
 * top-level map of strings, straight into data pages, as parquet-java's V1 column writer would
 * lay them out — repetition (maps) and definition levels RLE/bit-packed, values PLAIN or
 * dictionary ids (PLAIN_DICTIONARY, one dictionary page per column chunk) — without its per-value
 * machinery: a null-free page's levels are one run; a value equal to the one before reuses its
 * dictionary id without hashing; min/max of a dictionary-encoded page come from the distinct
 * values it used, not from comparing every row. Pages go to parquet-java's page store, which
 * compresses them and keeps the column and offset indexes.
 */
final class ColumnFlatPages {
  enum Kind { BINARY, FIXED, INT64, INT32 }

  private final PageWriter pages;
  private final PrimitiveType type;
  private final Kind kind;
  private final int width; // bytes per value for FIXED, INT64, INT32
  private final boolean optional;
  private final boolean statistics;
  private final int pageBytes;
  private final int pageRows;
  private final int dictionaryBytes;
  private final int maxDefinition;
  // A map's key or value column (repetition level 1): levels per entry, pages end on rows.
  private final boolean repeated;
  private final boolean leafRequired;

  private boolean dictionary;
  private boolean dictionaryUsed;
  private final Dictionary dict = new Dictionary();

  // The page being filled.
  private byte[] plain = new byte[4096];
  private int plainSize;
  private int[] ids = new int[1024];
  private int idCount;
  private long idsPlainBytes; // what the page's ids would take as PLAIN values
  private int lastId = -1;
  private byte[] defined = new byte[128]; // bit i: value i of the page is present
  private byte[] repeats = new byte[128]; // bit i: entry i continues its row's map
  private boolean anyRepeat;
  private int rows; // rows the page holds (repeated columns; otherwise values)
  private boolean plainAtRowEnd; // the dictionary filled up within a row
  // A map column's previous row, by position in its map: each entry's bytes and dictionary id.
  private static final int ROW_MEMORY = 16;
  private final byte[][] rowData = new byte[ROW_MEMORY][];
  private final int[] rowStarts = new int[ROW_MEMORY];
  private final int[] rowLengths = new int[ROW_MEMORY];
  private final int[] rowIds = new int[ROW_MEMORY];
  private int values;
  private int nulls;
  private Statistics<?> pageStats;

  ColumnFlatPages(ColumnDescriptor column, PageWriter pages, ParquetProperties props, Kind kind) {
    this.pages = pages;
    this.type = column.getPrimitiveType();
    this.kind = kind;
    this.width =
        switch (kind) {
          case INT64 -> 8;
          case INT32 -> 4;
          case FIXED -> type.getTypeLength();
          case BINARY -> -1;
        };
    this.maxDefinition = column.getMaxDefinitionLevel();
    this.optional = maxDefinition > 0;
    this.repeated = column.getMaxRepetitionLevel() > 0;
    this.leafRequired = type.isRepetition(org.apache.parquet.schema.Type.Repetition.REQUIRED);
    if (repeated && (column.getMaxRepetitionLevel() != 1 || maxDefinition != 1
        || !leafRequired)) {
      throw new IllegalArgumentException(
          "only a required map's required keys and values are written flat: " + column);
    }
    this.statistics = props.getStatisticsEnabled(column);
    // As parquet-java's V1 writers: fixed-length binary (ids) is never dictionary-encoded.
    this.dictionary = props.isDictionaryEnabled(column) && kind != Kind.FIXED;
    this.pageBytes = props.getPageSizeThreshold();
    this.pageRows = Math.min(props.getPageRowCountLimit(), props.getPageValueCountThreshold());
    this.dictionaryBytes = props.getDictionaryPageSizeThreshold();
    this.pageStats = newStats();
  }

  /**
   * The bytes this column holds so far as parquet-java's writers count them for a row group's
   * size: its finished pages compressed, plus the open page and dictionary as encoded. (Counting
   * finished pages uncompressed made row groups several times smaller than the table's {@code
   * write.parquet.row-group-size-bytes} asks, against Iceberg's writer.)
   */
  long bufferedBytes() {
    return pages.getMemSize() + plainSize + idCount * 4L + dict.bytes;
  }

  /** Appends rows {@code from} to {@code to} of a variable-width column. */
  void appendBinary(byte[] validity, int[] offsets, byte[] data, int from, int to)
      throws IOException {
    for (int i = from; i < to; i++) {
      if (isNull(validity, i)) {
        appendNull();
        continue;
      }
      int start = offsets[i];
      appendBinaryValue(data, start, offsets[i + 1] - start);
    }
  }

  /**
   * Appends rows {@code from} to {@code to} of a required map's key or value column: row
   * {@code r}'s entries are {@code mapOffsets[r]} to {@code mapOffsets[r + 1]} of the entry
   * column ({@code validity}, {@code offsets}, {@code data}). An empty map is one level entry
   * without a value (definition level 0), as Parquet's map layout has it; each entry after a
   * row's first repeats (repetition level 1).
   */
  void appendRepeatedBinary(
      byte[] mapValidity, int[] mapOffsets, byte[] validity, int[] offsets, byte[] data,
      int from, int to) throws IOException {
    for (int r = from; r < to; r++) {
      if (isNull(mapValidity, r)) {
        throw new IllegalArgumentException("null map in required column " + type.getName());
      }
      int first = mapOffsets[r];
      int last = mapOffsets[r + 1];
      if (first == last) {
        appendNull();
      }
      for (int i = first; i < last; i++) {
        if (isNull(validity, i)) {
          throw new IllegalArgumentException("null in required column " + type.getName());
        }
        if (i > first) {
          ensureDefined();
          repeats[values >> 3] |= (byte) (1 << (values & 7));
          anyRepeat = true;
        }
        int start = offsets[i];
        int length = offsets[i + 1] - start;
        int k = i - first;
        if (dictionary && k < ROW_MEMORY) {
          appendMapEntry(k, data, start, length);
        } else {
          appendBinaryValue(data, start, length);
        }
      }
      endRow();
    }
  }

  /**
   * A dictionary-encoded map entry at position {@code k} of its row. A resource's attributes
   * repeat on every record, key after key: the entry equal to the previous row's at the same
   * position reuses its id without hashing.
   */
  private void appendMapEntry(int k, byte[] data, int start, int length) throws IOException {
    int id;
    byte[] before = rowData[k];
    if (before != null && rowLengths[k] == length
        && Arrays.equals(data, start, start + length, before, rowStarts[k],
            rowStarts[k] + length)) {
      id = rowIds[k];
    } else {
      id = dict.idOf(data, start, length, true);
      rowIds[k] = id;
    }
    rowData[k] = data;
    rowStarts[k] = start;
    rowLengths[k] = length;
    idsPlainBytes += 4 + length;
    appendId(id);
  }

  private void appendBinaryValue(byte[] data, int start, int length) throws IOException {
    if (dictionary) {
      idsPlainBytes += 4 + length;
      appendId(dict.idOf(data, start, length, true));
    } else {
      ensurePlain(4 + length);
      putIntLittleEndian(plain, plainSize, length);
      System.arraycopy(data, start, plain, plainSize + 4, length);
      plainSize += 4 + length;
      if (statistics) {
        pageStats.updateStats(Binary.fromConstantByteArray(data, start, length));
      }
      present();
    }
  }

  /**
   * Appends rows of a fixed-width column whose values are {@code width} little-endian bytes each
   * (fixed binary, or int64 / int32 as Parquet's PLAIN stores them).
   */
  void appendFixed(byte[] validity, byte[] data, int from, int to) throws IOException {
    for (int i = from; i < to; i++) {
      if (isNull(validity, i)) {
        appendNull();
        continue;
      }
      int start = i * width;
      if (dictionary) {
        idsPlainBytes += width;
        appendId(dict.idOf(data, start, width, false));
      } else {
        ensurePlain(width);
        System.arraycopy(data, start, plain, plainSize, width);
        plainSize += width;
        if (statistics) {
          update(pageStats, data, start);
        }
        present();
      }
    }
  }

  private void update(Statistics<?> stats, byte[] data, int start) {
    switch (kind) {
      case INT64 -> stats.updateStats(longAt(data, start));
      case INT32 -> stats.updateStats(intAt(data, start));
      case FIXED -> stats.updateStats(Binary.fromConstantByteArray(data, start, width));
      case BINARY -> throw new IllegalStateException();
    }
  }

  private void appendNull() throws IOException {
    if (!optional) {
      throw new IllegalArgumentException("null in required column " + type.getName());
    }
    nulls++;
    values++; // its bit stays 0
    ensureDefined();
    pageStats.incrementNumNulls();
    endValue();
  }

  private void appendId(int id) throws IOException {
    if (idCount == ids.length) {
      ids = Arrays.copyOf(ids, ids.length * 2);
    }
    ids[idCount++] = id;
    if (dict.bytes > dictionaryBytes) {
      // Too many distinct values for a dictionary to pay: this page keeps its ids, the rest of
      // the column chunk is plain. A map column's page ends with its row.
      present();
      if (repeated) {
        plainAtRowEnd = true;
        return;
      }
      flushPage();
      dictionary = false;
      return;
    }
    present();
  }

  private void present() throws IOException {
    ensureDefined();
    defined[values >> 3] |= (byte) (1 << (values & 7));
    values++;
    endValue();
  }

  private void endValue() throws IOException {
    if (!repeated && full()) {
      flushPage();
    }
  }

  /** A map column's page is measured, and ended, only between rows. */
  private void endRow() throws IOException {
    rows++;
    if (plainAtRowEnd) {
      plainAtRowEnd = false;
      flushPage();
      dictionary = false;
    } else if (full()) {
      flushPage();
    }
  }

  private boolean full() {
    return values >= pageRows || plainSize >= pageBytes || idCount * 4L >= pageBytes;
  }

  private void ensureDefined() {
    if ((values >> 3) + 1 > defined.length) {
      defined = Arrays.copyOf(defined, defined.length * 2);
      repeats = Arrays.copyOf(repeats, defined.length);
    }
  }

  private void ensurePlain(int more) {
    if (plainSize + more > plain.length) {
      plain = Arrays.copyOf(plain, Math.max(plain.length * 2, plainSize + more));
    }
  }

  /** Writes the page being filled, if it has values. */
  void flushPage() throws IOException {
    if (values == 0) {
      return;
    }
    BytesInput levels = optional ? definitionLevels() : BytesInput.empty();
    if (repeated) {
      levels = BytesInput.concat(repetitionLevels(), levels);
    }
    BytesInput body;
    Encoding encoding;
    Statistics<?> stats = pageStats;
    if (idCount > 0) {
      int bitWidth = BytesUtils.getWidthFromMaxInt(dict.size - 1);
      body = BytesInput.concat(BytesInput.from(new byte[] {(byte) bitWidth}),
          hybrid(ids, idCount, bitWidth));
      encoding = Encoding.PLAIN_DICTIONARY;
      if (statistics) {
        dict.statistics(stats, ids, idCount);
      }
      if (!dictionaryUsed && body.size() + dict.bytes >= idsPlainBytes) {
        // As parquet-java decides at the first page: a dictionary that makes the column no
        // smaller is dropped, and the column is plain from here (this page included).
        body = BytesInput.from(dict.plainOf(kind, ids, idCount));
        encoding = Encoding.PLAIN;
        dictionary = false;
      } else {
        dictionaryUsed = true;
      }
    } else {
      body = BytesInput.from(Arrays.copyOf(plain, plainSize));
      encoding = Encoding.PLAIN;
    }
    BytesInput page = BytesInput.concat(levels, body);
    pages.writePage(
        page, values, repeated ? rows : values, stats,
        SizeStatistics.noopBuilder(type, 0, maxDefinition).build(),
        statistics
            ? GeospatialStatistics.newBuilder(type).build()
            : GeospatialStatistics.noopBuilder().build(),
        repeated ? Encoding.RLE : Encoding.BIT_PACKED,
        optional ? Encoding.RLE : Encoding.BIT_PACKED, encoding);
    if (anyRepeat) {
      Arrays.fill(repeats, 0, Math.min(repeats.length, (values >> 3) + 1), (byte) 0);
      anyRepeat = false;
    }
    rows = 0;
    plainSize = 0;
    idCount = 0;
    idsPlainBytes = 0;
    Arrays.fill(defined, 0, Math.min(defined.length, (values >> 3) + 1), (byte) 0);
    values = 0;
    nulls = 0;
    pageStats = newStats();
  }

  /** Ends the column chunk: the last page, then the dictionary page if a page used it. */
  void finish() throws IOException {
    flushPage();
    if (dictionaryUsed) {
      pages.writeDictionaryPage(
          new DictionaryPage(BytesInput.from(dict.plain(kind)), dict.size,
              Encoding.PLAIN_DICTIONARY));
    }
  }

  /**
   * Definition levels of the page (0 or 1 per value), as the V1 page's 4-byte length plus the
   * RLE/bit-packed hybrid: one run when all are present or all absent (an all-null column, a
   * page of empty maps), else bit-packed groups of 8 — which is exactly the presence bitmap,
   * least significant bit first.
   */
  private BytesInput definitionLevels() {
    byte[] out;
    int at;
    if (nulls == 0 || nulls == values) {
      out = new byte[4 + 5 + 1];
      at = 4;
      at = varint(out, at, values << 1);
      out[at++] = (byte) (nulls == 0 ? 1 : 0);
    } else {
      int groups = (values + 7) / 8;
      out = new byte[4 + 5 + groups];
      at = varint(out, 4, (groups << 1) | 1);
      System.arraycopy(defined, 0, out, at, groups);
      at += groups;
    }
    putIntLittleEndian(out, 0, at - 4);
    return BytesInput.from(out, 0, at);
  }

  /**
   * {@code count} values of {@code bitWidth} bits in Parquet's RLE / bit-packing hybrid: eight or
   * more equal values in a row as one run, the rest bit-packed in groups of eight (the last group
   * padded with zeros). Parquet-java's encoder takes a call per value and buffers; the page's ids
   * are all here at once.
   */
  static BytesInput hybrid(int[] values, int count, int bitWidth) {
    int valueBytes = (bitWidth + 7) / 8;
    byte[] out = new byte[(count / 8 + 1) * (bitWidth + 10) + 16];
    int at = 0;
    BytePacker packer = bitWidth == 0 ? null : Packer.LITTLE_ENDIAN.newBytePacker(bitWidth);
    int[] last = new int[8];
    int i = 0;
    while (i < count) {
      int run = 1;
      while (i + run < count && values[i + run] == values[i]) {
        run++;
      }
      if (run >= 8 || bitWidth == 0) {
        if (bitWidth == 0) {
          run = count - i; // every value is 0
        }
        at = varint(out, at, run << 1);
        int value = values[i];
        for (int b = 0; b < valueBytes; b++) {
          out[at++] = (byte) (value >>> (8 * b));
        }
        i += run;
        continue;
      }
      // Groups of eight until the input ends or a run of eight starts after a group.
      int groups = 0;
      int end = i;
      do {
        end += 8;
        groups++;
      } while (end < count && !runOfEight(values, end, count));
      at = varint(out, at, groups << 1 | 1);
      for (int g = i; g < end; g += 8) {
        if (g + 8 <= count) {
          packer.pack8Values(values, g, out, at);
        } else {
          java.util.Arrays.fill(last, 0);
          System.arraycopy(values, g, last, 0, count - g);
          packer.pack8Values(last, 0, out, at);
        }
        at += bitWidth;
      }
      i = Math.min(end, count);
    }
    return BytesInput.from(out, 0, at);
  }

  private static boolean runOfEight(int[] values, int from, int count) {
    if (from + 8 > count) {
      return false;
    }
    for (int i = from + 1; i < from + 8; i++) {
      if (values[i] != values[from]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Repetition levels of a map column's page (0 at a row's first entry, 1 after), laid out as
   * {@link #definitionLevels}: one run of zeros when no map has two entries, else the bitmap.
   */
  private BytesInput repetitionLevels() {
    byte[] out;
    int at;
    if (!anyRepeat) {
      out = new byte[4 + 5 + 1];
      at = varint(out, 4, values << 1);
      out[at++] = 0;
    } else {
      int groups = (values + 7) / 8;
      out = new byte[4 + 5 + groups];
      at = varint(out, 4, (groups << 1) | 1);
      System.arraycopy(repeats, 0, out, at, groups);
      at += groups;
    }
    putIntLittleEndian(out, 0, at - 4);
    return BytesInput.from(out, 0, at);
  }

  private static void putIntLittleEndian(byte[] out, int at, int value) {
    out[at] = (byte) value;
    out[at + 1] = (byte) (value >>> 8);
    out[at + 2] = (byte) (value >>> 16);
    out[at + 3] = (byte) (value >>> 24);
  }

  /** Appends {@code count} nulls (a table column the batch does not have). */
  void appendNulls(int count) throws IOException {
    if (repeated) {
      throw new IllegalArgumentException("a required map column cannot be absent");
    }
    for (int i = 0; i < count; i++) {
      appendNull();
    }
  }

  private static int varint(byte[] out, int at, int value) {
    while ((value & ~0x7F) != 0) {
      out[at++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out[at++] = (byte) value;
    return at;
  }

  private Statistics<?> newStats() {
    return statistics ? Statistics.createStats(type) : Statistics.noopStats(type);
  }

  private static boolean isNull(byte[] validity, int index) {
    return (validity[index >> 3] & (1 << (index & 7))) == 0;
  }

  static long longAt(byte[] b, int at) {
    return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16
        | (b[at + 3] & 0xFFL) << 24 | (b[at + 4] & 0xFFL) << 32 | (b[at + 5] & 0xFFL) << 40
        | (b[at + 6] & 0xFFL) << 48 | (b[at + 7] & 0xFFL) << 56;
  }

  static int intAt(byte[] b, int at) {
    return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16
        | (b[at + 3] & 0xFF) << 24;
  }

  /**
   * Distinct byte strings by id, in first-seen order: an open-addressing table over one byte
   * array, so a lookup hashes and compares slices without an object per value.
   */
  private final class Dictionary {
    private byte[] data = new byte[1024];
    private int dataSize;
    private int[] starts = new int[64];
    private int[] lengths = new int[64];
    private int[] table = newTable(128);
    int size;
    long bytes; // as PLAIN in the dictionary page
    private byte[] lastData;
    private int lastStart;
    private int lastLength = -1;
    private int[] seen = new int[64]; // page epoch a value was last used in
    private int epoch = 1;

    int idOf(byte[] value, int start, int length, boolean lengthPrefixed) {
      // Runs of one value (a resource's attributes on each of its records) skip the hash.
      if (length == lastLength && lastId >= 0
          && Arrays.equals(value, start, start + length, lastData, lastStart, lastStart + length)) {
        return lastId;
      }
      int hash = hash(value, start, length);
      int mask = table.length - 1;
      int slot = hash & mask;
      while (true) {
        int id = table[slot];
        if (id < 0) {
          id = add(value, start, length, lengthPrefixed);
          table[slot] = id;
          if (size * 2 > table.length) {
            rehash();
          }
          break;
        }
        if (lengths[id] == length
            && Arrays.equals(data, starts[id], starts[id] + length, value, start, start + length)) {
          remember(value, start, length, id);
          return id;
        }
        slot = (slot + 1) & mask;
      }
      int id = size - 1;
      remember(value, start, length, id);
      return id;
    }

    private void remember(byte[] value, int start, int length, int id) {
      lastData = value;
      lastStart = start;
      lastLength = length;
      lastId = id;
    }

    private int add(byte[] value, int start, int length, boolean lengthPrefixed) {
      if (dataSize + length > data.length) {
        data = Arrays.copyOf(data, Math.max(data.length * 2, dataSize + length));
      }
      if (size == starts.length) {
        starts = Arrays.copyOf(starts, size * 2);
        lengths = Arrays.copyOf(lengths, size * 2);
        seen = Arrays.copyOf(seen, size * 2);
      }
      System.arraycopy(value, start, data, dataSize, length);
      starts[size] = dataSize;
      lengths[size] = length;
      dataSize += length;
      bytes += length + (lengthPrefixed ? 4 : 0);
      return size++;
    }

    private void rehash() {
      int[] bigger = newTable(table.length * 2);
      int mask = bigger.length - 1;
      for (int id = 0; id < size; id++) {
        int slot = hash(data, starts[id], lengths[id]) & mask;
        while (bigger[slot] >= 0) {
          slot = (slot + 1) & mask;
        }
        bigger[slot] = id;
      }
      table = bigger;
    }

    /** Min and max of the distinct values the page's ids name. */
    void statistics(Statistics<?> stats, int[] pageIds, int count) {
      epoch++;
      for (int i = 0; i < count; i++) {
        int id = pageIds[i];
        if (seen[id] == epoch) {
          continue;
        }
        seen[id] = epoch;
        switch (kind) {
          case INT64 -> stats.updateStats(longAt(data, starts[id]));
          case INT32 -> stats.updateStats(intAt(data, starts[id]));
          case FIXED, BINARY ->
              stats.updateStats(Binary.fromConstantByteArray(data, starts[id], lengths[id]));
        }
      }
    }

    /** The values {@code pageIds} name, PLAIN encoded. */
    byte[] plainOf(Kind kind, int[] pageIds, int count) {
      int total = 0;
      for (int i = 0; i < count; i++) {
        total += lengths[pageIds[i]] + (kind == Kind.BINARY ? 4 : 0);
      }
      byte[] out = new byte[total];
      int at = 0;
      for (int i = 0; i < count; i++) {
        int id = pageIds[i];
        if (kind == Kind.BINARY) {
          putIntLittleEndian(out, at, lengths[id]);
          at += 4;
        }
        System.arraycopy(data, starts[id], out, at, lengths[id]);
        at += lengths[id];
      }
      return out;
    }

    /** The dictionary page's values, PLAIN encoded. */
    byte[] plain(Kind kind) {
      byte[] out = new byte[Math.toIntExact(bytes)];
      int at = 0;
      for (int id = 0; id < size; id++) {
        if (kind == Kind.BINARY) {
          putIntLittleEndian(out, at, lengths[id]);
          at += 4;
        }
        System.arraycopy(data, starts[id], out, at, lengths[id]);
        at += lengths[id];
      }
      return out;
    }

    private static int[] newTable(int capacity) {
      int[] t = new int[capacity];
      Arrays.fill(t, -1);
      return t;
    }

    private static int hash(byte[] b, int start, int length) {
      int h = 0x9E3779B9 ^ length;
      for (int i = start, end = start + length; i < end; i++) {
        h = 31 * h + b[i];
      }
      return h ^ (h >>> 16);
    }
  }
}

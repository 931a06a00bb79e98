package io.icegate.storage.parquet;

import io.icegate.storage.scan.ByteSearch;
import io.icegate.storage.scan.RowFilter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/** One column's cursor through the pages of the current row group. */
final class LeafColumn implements ColumnReader {
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  final ColumnDescriptor descriptor;
  final PrimitiveTypeName physical;
  /** Bytes per value for fixed-width physical types; 0 for BYTE_ARRAY and BOOLEAN. */
  final int width;
  final int maxDefinition;
  final int maxRepetition;

  private PageReader pages;
  /** The current row group's chunk holds no value (see {@link #valueless()}). */
  private boolean valueless;
  // The dictionary of the current column chunk: fixed-width values back to back, or strings
  // back to back with their start offsets (count + 1 entries).
  private byte[] dictionary;
  /** An 8-byte column's dictionary as longs: one array load and one store per value. */
  private long[] dictionaryLongs;
  /** A 4-byte column's dictionary as ints. */
  private int[] dictionaryInts;
  private int[] dictionaryOffsets;

  /**
   * Bytes every value the filter keeps contains ({@link RowFilter#requiredBytes}), or null: a
   * plain value without them is read as an empty string, and not copied.
   */
  ByteSearch required;
  /**
   * A test every value the filter keeps passes ({@link RowFilter#entryTest}), or null: a
   * dictionary's entries that fail it are replaced by the test's replacement when the dictionary
   * is read, so their rows' values are never copied in full.
   */
  RowFilter.EntryTest entryTest;
  /**
   * Where {@link #required} next occurs in the current page, at or after where it was last
   * searched from: -1 for nowhere, {@code Integer.MIN_VALUE} before the page's first search.
   * Kept across batches, so a page is searched once however many batches it spans.
   */
  private int pageHit = Integer.MIN_VALUE;

  // The current page.
  private int pageValuesLeft;
  /**
   * Rows of a flat column skipped whole and not yet stepped over: consecutive skipped batches
   * add up here, so that the pages they cover entirely are passed over uninflated even when a
   * page spans several batches.
   */
  private int deferredRows;
  private int[] definitions = new int[0];
  private int[] repetitions = new int[0];
  private int definitionAt;
  private boolean dictionaryEncoded;
  private int[] ids = new int[0];
  private int idAt;
  /**
   * The current page's bytes, up to {@link #dataEnd}: a ZSTD page is inflated into {@link
   * #pageBuffer}, kept from page to page, rather than into a new array each.
   */
  private byte[] data;
  private int dataEnd;
  private byte[] pageBuffer = new byte[0];
  private int dataAt;
  /** Bit position of the next PLAIN boolean. */
  private long bitAt;
  // The string bytes and rows of the previous batch, to size the next one's buffer.
  private long lastBytes;
  private int lastRows;
  // For a repeated leaf: the chunk's offset index (null if none), the data pages read so far,
  // the rows passed so far, and the row group's row count.
  private org.apache.parquet.internal.column.columnindex.OffsetIndex offsetIndex;
  private int pageOrdinal;
  private long rowAt;
  private long groupRows;

  LeafColumn(ColumnDescriptor descriptor) {
    this.descriptor = descriptor;
    this.physical = descriptor.getPrimitiveType().getPrimitiveTypeName();
    this.width =
        switch (physical) {
          case INT32, FLOAT -> 4;
          case INT64, DOUBLE -> 8;
          case INT96 -> 12;
          case FIXED_LEN_BYTE_ARRAY -> descriptor.getPrimitiveType().getTypeLength();
          default -> 0;
        };
    this.maxDefinition = descriptor.getMaxDefinitionLevel();
    this.maxRepetition = descriptor.getMaxRepetitionLevel();
  }

  @Override
  public List<LeafColumn> leaves() {
    return List.of(this);
  }

  @Override
  public void start(PageReadStore store, BlockMetaData group, ParquetFileReader reader) {
    ColumnChunkMetaData chunk = chunk(group);
    valueless = chunk != null && holdsNoValue(chunk, group.getRowCount());
    start(store.getPageReader(descriptor));
    if (maxRepetition > 0 && !valueless) {
      indexPages(reader, group, chunk);
    }
  }

  @Override
  public boolean valueless() {
    return valueless;
  }

  /**
   * Whether {@code chunk}'s statistics show it holds no value: one level a row, each without a
   * value (a null, or a map's empty or null map). Without a null count nothing is shown; writers
   * count, as Parquet's format has it, a null for every level without a value.
   */
  private static boolean holdsNoValue(ColumnChunkMetaData chunk, long rows) {
    org.apache.parquet.column.statistics.Statistics<?> stats = chunk.getStatistics();
    return stats != null
        && stats.isNumNullsSet()
        && !stats.hasNonNullValue()
        && chunk.getValueCount() == rows
        && stats.getNumNulls() == rows;
  }

  private ColumnChunkMetaData chunk(BlockMetaData group) {
    for (ColumnChunkMetaData chunk : group.getColumns()) {
      if (java.util.Arrays.equals(chunk.getPath().toArray(), descriptor.getPath())) {
        return chunk;
      }
    }
    return null;
  }

  void start(PageReader pageReader) {
    this.pages = pageReader;
    this.pageValuesLeft = 0;
    this.deferredRows = 0;
    this.offsetIndex = null;
    this.pageOrdinal = 0;
    this.rowAt = 0;
    this.dictionary = null;
    this.dictionaryLongs = null;
    this.dictionaryInts = null;
    this.dictionaryOffsets = null;
    DictionaryPage page = pageReader.readDictionaryPage();
    if (page != null) {
      loadDictionary(page);
    }
  }

  /**
   * Reads a repeated leaf's offset index (where the file has one), so that runs of skipped rows
   * pass over whole pages without inflating them: a repeated leaf's page header counts levels,
   * not rows, but the index gives each page's first row.
   */
  private void indexPages(
      ParquetFileReader reader, BlockMetaData group, ColumnChunkMetaData chunk) {
    groupRows = group.getRowCount();
    if (chunk == null) {
      return;
    }
    try {
      offsetIndex = reader.readOffsetIndex(chunk);
    } catch (IOException | RuntimeException e) {
      offsetIndex = null; // no index: skip level by level
    }
  }

  private void loadDictionary(DictionaryPage page) {
    if (page.getEncoding() != Encoding.PLAIN && page.getEncoding() != Encoding.PLAIN_DICTIONARY) {
      throw new UnsupportedOperationException(
          "dictionary page encoding " + page.getEncoding() + " in " + descriptor);
    }
    byte[] bytes = bytes(page.getBytes());
    int count = page.getDictionarySize();
    if (physical == PrimitiveTypeName.BINARY) {
      // Strip the length prefixes: values back to back, with offsets.
      int[] offsets = new int[count + 1];
      byte[] values = new byte[Math.max(0, bytes.length - 4 * count)];
      int in = 0;
      int out = 0;
      for (int i = 0; i < count; i++) {
        int length = (int) INT_LE.get(bytes, in);
        offsets[i] = out;
        System.arraycopy(bytes, in + 4, values, out, length);
        in += 4 + length;
        out += length;
      }
      offsets[count] = out;
      if (entryTest != null) {
        values = replaceRejected(values, offsets, count);
      }
      dictionary = values;
      dictionaryOffsets = offsets;
    } else {
      dictionary = bytes;
      if (width == 8) {
        dictionaryLongs = new long[count];
        for (int i = 0; i < count; i++) {
          dictionaryLongs[i] = (long) LONG_LE.get(bytes, i * 8);
        }
      } else if (width == 4) {
        dictionaryInts = new int[count];
        for (int i = 0; i < count; i++) {
          dictionaryInts[i] = (int) INT_LE.get(bytes, i * 4);
        }
      }
    }
  }

  private static byte[] bytes(org.apache.parquet.bytes.BytesInput input) {
    try {
      return input.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Makes {@code input} the current page's bytes: inflated into the reused {@link #pageBuffer}
   * when it is a ZSTD page of {@link PageDecompressors}, else read into an array of its own.
   */
  private void pageBytes(org.apache.parquet.bytes.BytesInput input) {
    long size = input.size();
    if (size <= Integer.MAX_VALUE - 8) {
      if (pageBuffer.length < size) {
        pageBuffer = new byte[(int) Math.min(Integer.MAX_VALUE - 8, Math.max(size, size * 5 / 4))];
      }
      try {
        if (PageDecompressors.inflateInto(input, pageBuffer)) {
          data = pageBuffer;
          dataEnd = (int) size;
          return;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    data = bytes(input);
    dataEnd = data.length;
  }

  /** The chunk's next page, counted; the row group's end here is an error in the file. */
  private DataPage nextDataPage() {
    DataPage page = pages.readPage();
    if (page == null) {
      throw new IllegalStateException("column " + descriptor + " ended before its row group");
    }
    pageOrdinal++;
    return page;
  }

  /** Loads the next page of the chunk; false at its end. */
  private boolean loadPage() {
    DataPage page = pages.readPage();
    if (page == null) {
      return false;
    }
    pageOrdinal++;
    load(page);
    return true;
  }

  /** Makes {@code page} the current page: its levels decoded, its values ready to read. */
  private void load(DataPage page) {
    int values = page.getValueCount();
    Encoding encoding;
    int valuesFrom;
    if (page instanceof DataPageV1 v1) {
      pageBytes(v1.getBytes());
      pageHit = Integer.MIN_VALUE;
      valuesFrom = 0;
      if (maxRepetition > 0) {
        if (v1.getRlEncoding() != Encoding.RLE) {
          throw new UnsupportedOperationException(
              "repetition level encoding " + v1.getRlEncoding() + " in " + descriptor);
        }
        int length = (int) INT_LE.get(data, 0);
        repetitions = levels(repetitions, data, 4, 4 + length, values, maxRepetition);
        valuesFrom = 4 + length;
      }
      if (maxDefinition > 0) {
        if (v1.getDlEncoding() != Encoding.RLE) {
          throw new UnsupportedOperationException(
              "definition level encoding " + v1.getDlEncoding() + " in " + descriptor);
        }
        int length = (int) INT_LE.get(data, valuesFrom);
        definitions =
            levels(definitions, data, valuesFrom + 4, valuesFrom + 4 + length, values,
                maxDefinition);
        valuesFrom += 4 + length;
      }
      encoding = v1.getValueEncoding();
    } else {
      DataPageV2 v2 = (DataPageV2) page;
      if (maxRepetition > 0) {
        byte[] levels = bytes(v2.getRepetitionLevels());
        repetitions = levels(repetitions, levels, 0, levels.length, values, maxRepetition);
      }
      if (maxDefinition > 0) {
        byte[] levels = bytes(v2.getDefinitionLevels());
        definitions = levels(definitions, levels, 0, levels.length, values, maxDefinition);
      }
      pageBytes(v2.getData());
      pageHit = Integer.MIN_VALUE;
      valuesFrom = 0;
      encoding = v2.getDataEncoding();
    }
    definitionAt = 0;
    pageValuesLeft = values;
    switch (encoding) {
      case PLAIN -> {
        dictionaryEncoded = false;
        dataAt = valuesFrom;
        bitAt = (long) valuesFrom * 8;
      }
      case PLAIN_DICTIONARY, RLE_DICTIONARY -> {
        if (dictionary == null) {
          throw new IllegalStateException("dictionary-encoded page without a dictionary");
        }
        dictionaryEncoded = true;
        int present = maxDefinition > 0 ? countPresent(values) : values;
        ids = grow(ids, present + 8);
        int bitWidth = data[valuesFrom] & 0xFF;
        HybridDecoder.decode(data, valuesFrom + 1, dataEnd, bitWidth, ids, present);
        idAt = 0;
      }
      default ->
          throw new UnsupportedOperationException(
              "value encoding " + encoding + " in " + descriptor);
    }
  }

  private static int[] levels(
      int[] into, byte[] in, int from, int to, int values, int maxLevel) {
    int[] out = grow(into, values + 8);
    HybridDecoder.decode(
        in, from, to, 32 - Integer.numberOfLeadingZeros(maxLevel), out, values);
    return out;
  }

  /**
   * Reads the next {@code rows} rows of a map's key or value leaf: the entries of the rows
   * {@code keep} keeps (all when null) appended to {@code entries} — a value whose definition
   * is below the leaf's maximum as null — the others' levels and values stepped over (see {@link
   * #skipRows}). With a {@code map} (the key leaf) each kept row's start offset and validity (a
   * present map: definition from {@code entryDefinition - 1} on) are written to it, from row 0.
   */
  void readEntries(
      int rows, boolean[] keep, StringSink entries, ArrowBuf mapOffsets, ArrowBuf mapValidity,
      int entryDefinition, EntryMask mask) {
    int out = 0;
    int row = 0;
    while (row < rows) {
      int stop = row + 1;
      if (keep != null && !keep[row]) {
        while (stop < rows && !keep[stop]) {
          stop++;
        }
        skipRows(stop - row);
        row = stop;
        continue;
      }
      if (keep == null) {
        stop = rows;
      } else {
        while (stop < rows && keep[stop]) {
          stop++;
        }
      }
      out = readKeptEntries(
          stop - row, entries, mapOffsets, mapValidity, entryDefinition, mask, out);
      row = stop;
    }
    if (mapOffsets != null) {
      mapOffsets.setInt((long) out * 4, entries.count());
    }
  }

  /**
   * {@link #readEntries} for {@code rows} rows all kept; returns the next map row. With a {@code
   * mask}, only the entries it keeps are appended (the key leaf judges, the value leaf follows).
   */
  private int readKeptEntries(
      int rows, StringSink entries, ArrowBuf mapOffsets, ArrowBuf mapValidity,
      int entryDefinition, EntryMask mask, int out) {
    int left = rows;
    while (true) {
      if (pageValuesLeft == 0) {
        if (left == 0 && nextPageStartsARow()) {
          return out; // the last row ended with the page: the next one stays unread
        }
        if (!loadPage()) {
          if (left > 0) {
            throw new IllegalStateException(
                "column " + descriptor + " ended before its row group");
          }
          return out;
        }
      }
      int[] defs = definitions;
      int[] reps = repetitions;
      int i = definitionAt;
      int end = i + pageValuesLeft;
      for (; i < end; i++) {
        int definition = defs[i];
        if (reps[i] == 0) {
          if (left == 0) {
            break;
          }
          left--;
          rowAt++;
          if (mapOffsets != null) {
            mapOffsets.setInt((long) out * 4, entries.count());
            if (definition >= entryDefinition - 1) {
              BitVectorHelper.setBit(mapValidity, out);
            }
          }
          out++;
        }
        if (definition < entryDefinition) {
          continue; // an empty or absent map: no entry
        }
        if (mask != null && !maskKeeps(mask, definition == maxDefinition)) {
          if (definition == maxDefinition) {
            skipValue();
          }
          continue;
        }
        if (definition == maxDefinition) {
          appendValue(entries);
        } else {
          entries.appendNull();
        }
      }
      pageValuesLeft -= i - definitionAt;
      definitionAt = i;
      if (i < end) {
        return out; // at the first level of the row after them
      }
    }
  }

  /**
   * True when the offset index shows the chunk's next page starts a row: then the row read last
   * ended with the page before it.
   */
  private boolean nextPageStartsARow() {
    return offsetIndex != null
        && pageOrdinal < offsetIndex.getPageCount()
        && offsetIndex.getFirstRowIndex(pageOrdinal) == rowAt;
  }

  /**
   * Whether {@code mask} keeps the next entry: the key leaf judges its key (a null key is kept)
   * and records the verdict, the value leaf follows it.
   */
  private boolean maskKeeps(EntryMask mask, boolean present) {
    if (!mask.readingKeys()) {
      return mask.next();
    }
    boolean keep;
    if (!present) {
      keep = true;
    } else if (dictionaryEncoded) {
      keep = mask.keepsId(dictionary, dictionaryOffsets, ids[idAt]);
    } else {
      int length = (int) INT_LE.get(data, dataAt);
      if (length < 0 || dataAt + 4 + length > data.length) {
        throw new IllegalStateException("string value past the end of its page in " + descriptor);
      }
      keep = mask.keepsBytes(data, dataAt + 4, length);
    }
    mask.record(keep);
    return keep;
  }

  /** Steps over the current page's next string value. */
  private void skipValue() {
    if (dictionaryEncoded) {
      idAt++;
    } else {
      dataAt += 4 + (int) INT_LE.get(data, dataAt);
    }
  }

  /** Appends the current page's next string value to {@code entries}. */
  private void appendValue(StringSink entries) {
    if (dictionaryEncoded) {
      int id = ids[idAt++];
      int from = dictionaryOffsets[id];
      entries.append(dictionary, from, dictionaryOffsets[id + 1] - from);
    } else {
      int length = (int) INT_LE.get(data, dataAt);
      if (length < 0 || dataAt + 4 + length > dataEnd) {
        throw new IllegalStateException("string value past the end of its page in " + descriptor);
      }
      entries.append(data, dataAt + 4, length);
      dataAt += 4 + length;
    }
  }

  /**
   * Steps over the next {@code rows} whole rows of a repeated leaf: their levels counted in
   * bulk, their present values skipped in one go (dictionary ids) or by their lengths (plain
   * strings). Stops at the first level of the row after them, or at the chunk's end.
   */
  void skipRows(int rows) {
    int left = rows;
    while (true) {
      if (pageValuesLeft == 0
          && offsetIndex != null
          && pageOrdinal < offsetIndex.getPageCount()
          && offsetIndex.getFirstRowIndex(pageOrdinal) == rowAt) {
        // At a page boundary that is a row boundary, as the index says.
        if (left == 0) {
          return; // the next row starts the next page: leave it unread
        }
        long next =
            pageOrdinal + 1 < offsetIndex.getPageCount()
                ? offsetIndex.getFirstRowIndex(pageOrdinal + 1)
                : groupRows;
        if (next - rowAt <= left) {
          pages.readPage(); // every row of it skipped: never inflated nor decoded
          pageOrdinal++;
          left -= (int) (next - rowAt);
          rowAt = next;
          continue;
        }
      }
      if (pageValuesLeft == 0 && !loadPage()) {
        if (left > 0) {
          throw new IllegalStateException(
              "column " + descriptor + " ended before its row group");
        }
        return;
      }
      int i = definitionAt;
      int end = definitionAt + pageValuesLeft;
      int present = 0;
      while (i < end) {
        if (repetitions[i] == 0) {
          if (left == 0) {
            break;
          }
          left--;
          rowAt++;
        }
        if (definitions[i] == maxDefinition) {
          present++;
        }
        i++;
      }
      skipPresent(present);
      pageValuesLeft -= i - definitionAt;
      definitionAt = i;
      if (i < end) {
        return; // at the first level of the next row
      }
    }
  }

  private void skipPresent(int present) {
    if (dictionaryEncoded) {
      idAt += present;
    } else if (physical == PrimitiveTypeName.BOOLEAN) {
      bitAt += present;
    } else if (width > 0) {
      dataAt += present * width;
    } else {
      for (int i = 0; i < present; i++) {
        dataAt += 4 + (int) INT_LE.get(data, dataAt);
      }
    }
  }

  private int countPresent(int values) {
    int present = 0;
    for (int i = 0; i < values; i++) {
      if (definitions[i] == maxDefinition) {
        present++;
      }
    }
    return present;
  }

  private static int[] grow(int[] array, int size) {
    return array.length >= size ? array : new int[Math.max(size, array.length * 2)];
  }

  @Override
  public void read(FieldVector vector, int rows, boolean[] keep, int count) {
    if (valueless) {
      // Nulls only: the freshly allocated vector's validity is all clear, its offsets zero.
      if (vector instanceof BaseVariableWidthVector strings) {
        strings.allocateNew(64L, count);
        strings.setLastSet(count - 1);
      } else if (vector instanceof BaseFixedWidthVector fixed) {
        fixed.allocateNew(count);
      }
      if (vector != null) {
        vector.setValueCount(count);
      }
      return;
    }
    if (vector == null && maxRepetition == 0) {
      deferredRows += rows;
      return;
    }
    if (deferredRows > 0) {
      skipDeferred();
    }
    if (vector instanceof BitVector bits) {
      bits.allocateNew(count);
    } else if (vector instanceof BaseFixedWidthVector fixed) {
      fixed.allocateNew(count);
    } else if (vector != null) {
      long estimate = lastRows == 0 ? count * 32L : lastBytes * count / lastRows * 9 / 8;
      ((BaseVariableWidthVector) vector).allocateNew(Math.max(64L, estimate), count);
    }
    int done = 0;
    int out = 0;
    int stringEnd = 0;
    while (done < rows) {
      if (pageValuesLeft == 0) {
        DataPage page = nextDataPage();
        if (maxRepetition == 0
            && page.getValueCount() <= rows - done
            && (vector == null
                || (keep != null && noneKept(keep, done, page.getValueCount())))) {
          // A flat column's page holds one value (level) per row: a page all of whose rows
          // are skipped is passed over without inflating or decoding it.
          done += page.getValueCount();
          continue;
        }
        load(page);
      }
      int n = Math.min(rows - done, pageValuesLeft);
      if (vector == null) {
        skipValues(n);
      } else if (vector instanceof BitVector bits) {
        out = readBooleans(bits, out, n, keep, done);
      } else if (vector instanceof BaseFixedWidthVector fixed) {
        out = readFixed(fixed, out, n, keep, done);
      } else {
        long packed =
            readStrings((BaseVariableWidthVector) vector, out, n, keep, done, stringEnd);
        out = (int) (packed >>> 32);
        stringEnd = (int) packed;
      }
      definitionAt += n;
      pageValuesLeft -= n;
      done += n;
    }
    if (vector instanceof BaseVariableWidthVector strings) {
      strings.getOffsetBuffer()
          .setInt((long) count * BaseVariableWidthVector.OFFSET_WIDTH, stringEnd);
      strings.setLastSet(count - 1);
      if (count > 0) {
        lastBytes = (long) stringEnd * rows / count;
        lastRows = rows;
      }
    }
    if (vector != null) {
      vector.setValueCount(count);
    }
  }

  /** Steps over the rows skipped whole since the last read, whole pages without loading. */
  private void skipDeferred() {
    while (deferredRows > 0) {
      if (pageValuesLeft == 0) {
        DataPage page = nextDataPage();
        if (page.getValueCount() <= deferredRows) {
          deferredRows -= page.getValueCount();
          continue;
        }
        load(page);
      }
      int n = Math.min(deferredRows, pageValuesLeft);
      skipValues(n);
      definitionAt += n;
      pageValuesLeft -= n;
      deferredRows -= n;
    }
  }

  private static boolean noneKept(boolean[] keep, int from, int n) {
    for (int i = from; i < from + n; i++) {
      if (keep[i]) {
        return false;
      }
    }
    return true;
  }

  /** Steps over the next {@code n} levels' values of the current page. */
  private void skipValues(int n) {
    int present = 0;
    for (int i = 0; i < n; i++) {
      if (present(i)) {
        present++;
      }
    }
    skipPresent(present);
  }

  /**
   * The kept (all when {@code keep} is null) of the next {@code n} values, written from index
   * {@code out}; returns the next index. A run of plain values all present and all kept is one
   * memory copy.
   */
  private int readFixed(
      BaseFixedWidthVector vector, int out, int n, boolean[] keep, int keepAt) {
    if (vector.getTypeWidth() != width) {
      throw new IllegalStateException(
          "column " + descriptor + " is " + width + " bytes wide, its vector "
              + vector.getTypeWidth());
    }
    ArrowBuf values = vector.getDataBuffer();
    ArrowBuf validity = vector.getValidityBuffer();
    if (keep == null && !dictionaryEncoded && allPresent(n)) {
      values.setBytes((long) out * width, data, dataAt, (long) n * width);
      dataAt += n * width;
      setBits(validity, out, n);
      return out + n;
    }
    if (width == 8 && allPresent(n)) {
      return readLongs(values, validity, out, n, keep, keepAt);
    }
    if (width == 4 && dictionaryEncoded && allPresent(n)) {
      return readDictionaryInts(values, validity, out, n, keep, keepAt);
    }
    if (nonePresent(n)) {
      // A column without values here (a metric's unused value or count column): the kept rows
      // are nulls, which a new vector already holds.
      return out + kept(keep, keepAt, n);
    }
    for (int i = 0; i < n; i++) {
      boolean kept = keep == null || keep[keepAt + i];
      if (!present(i)) {
        if (kept) {
          out++;
        }
        continue;
      }
      if (dictionaryEncoded) {
        int id = ids[idAt++];
        if (kept && width == 8) {
          values.setLong((long) out * 8, dictionaryLongs[id]);
        } else if (kept) {
          values.setBytes((long) out * width, dictionary, id * width, width);
        }
      } else {
        if (kept && width == 8) {
          values.setLong((long) out * 8, (long) LONG_LE.get(data, dataAt));
        } else if (kept) {
          values.setBytes((long) out * width, data, dataAt, width);
        }
        dataAt += width;
      }
      if (kept) {
        BitVectorHelper.setBit(validity, out++);
      }
    }
    return out;
  }

  /**
   * {@link #readFixed} for 8-byte values all present (timestamps, doubles, ids; plain or from a
   * dictionary decoded to longs): stored straight to the buffer's memory, with the buffer's
   * room for the kept values checked once instead of per value, and the validity bits set in
   * one go.
   */
  private int readLongs(
      ArrowBuf values, ArrowBuf validity, int out, int n, boolean[] keep, int keepAt) {
    int kept = n;
    if (keep != null) {
      kept = 0;
      for (int i = 0; i < n; i++) {
        kept += keep[keepAt + i] ? 1 : 0;
      }
    }
    if ((long) (out + kept) * 8 > values.capacity()) {
      throw new IllegalStateException("vector too small for the values of " + descriptor);
    }
    long address = values.memoryAddress();
    int start = out;
    if (dictionaryEncoded) {
      long[] dictionary = dictionaryLongs;
      int[] id = ids;
      int at = idAt;
      for (int i = 0; i < n; i++) {
        long value = dictionary[id[at++]];
        if (keep == null || keep[keepAt + i]) {
          MemoryUtil.putLong(address + (long) out++ * 8, value);
        }
      }
      idAt = at;
    } else {
      byte[] page = data;
      int at = dataAt;
      if (at + (long) n * 8 > dataEnd) {
        throw new IllegalStateException("values past the end of their page in " + descriptor);
      }
      for (int i = 0; i < n; i++) {
        if (keep == null || keep[keepAt + i]) {
          MemoryUtil.putLong(address + (long) out++ * 8, (long) LONG_LE.get(page, at));
        }
        at += 8;
      }
      dataAt = at;
    }
    setBits(validity, start, out - start);
    return out;
  }

  /**
   * {@link #readFixed} for a dictionary-encoded 4-byte column all present (a metric's flags):
   * each kept value stored straight to the buffer, the room checked once.
   */
  private int readDictionaryInts(
      ArrowBuf values, ArrowBuf validity, int out, int n, boolean[] keep, int keepAt) {
    if ((long) (out + kept(keep, keepAt, n)) * 4 > values.capacity()) {
      throw new IllegalStateException("vector too small for the values of " + descriptor);
    }
    long address = values.memoryAddress();
    int[] dictionary = dictionaryInts;
    int[] id = ids;
    int at = idAt;
    int start = out;
    for (int i = 0; i < n; i++) {
      int value = dictionary[id[at++]];
      if (keep == null || keep[keepAt + i]) {
        MemoryUtil.putInt(address + (long) out++ * 4, value);
      }
    }
    idAt = at;
    setBits(validity, start, out - start);
    return out;
  }

  /** As {@link #readFixed}, for PLAIN booleans (one bit each). */
  private int readBooleans(BitVector vector, int out, int n, boolean[] keep, int keepAt) {
    if (dictionaryEncoded) {
      throw new UnsupportedOperationException("dictionary-encoded booleans in " + descriptor);
    }
    ArrowBuf values = vector.getDataBuffer();
    ArrowBuf validity = vector.getValidityBuffer();
    for (int i = 0; i < n; i++) {
      boolean kept = keep == null || keep[keepAt + i];
      if (!present(i)) {
        if (kept) {
          out++;
        }
        continue;
      }
      if (kept) {
        if ((data[(int) (bitAt >>> 3)] & (1 << (bitAt & 7))) != 0) {
          BitVectorHelper.setBit(values, out);
        }
        BitVectorHelper.setBit(validity, out++);
      }
      bitAt++;
    }
    return out;
  }

  /**
   * The dictionary with the entries {@link #entryTest} rejects replaced by its replacement;
   * {@code offsets} are rewritten to match.
   */
  private byte[] replaceRejected(byte[] values, int[] offsets, int count) {
    byte[] replacement =
        entryTest.replacement().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    boolean[] kept = new boolean[count];
    long size = 0;
    for (int i = 0; i < count; i++) {
      int from = offsets[i];
      int length = offsets[i + 1] - from;
      kept[i] = entryTest.test().test(
          new String(values, from, length, java.nio.charset.StandardCharsets.UTF_8));
      size += kept[i] ? length : replacement.length;
    }
    byte[] out = new byte[Math.toIntExact(size)];
    int at = 0;
    for (int i = 0; i < count; i++) {
      int from = offsets[i];
      int length = offsets[i + 1] - from;
      offsets[i] = at;
      if (kept[i]) {
        System.arraycopy(values, from, out, at, length);
        at += length;
      } else {
        System.arraycopy(replacement, 0, out, at, replacement.length);
        at += replacement.length;
      }
    }
    offsets[count] = at;
    return out;
  }

  /**
   * The kept of the next {@code n} strings, written from index {@code out} and data byte {@code
   * end}; returns the next index (high 32 bits) and the new end (low 32 bits).
   */
  private long readStrings(
      BaseVariableWidthVector vector, int out, int n, boolean[] keep, int keepAt, int end) {
    if (dictionaryEncoded && allPresent(n)) {
      return readDictionaryStrings(vector, out, n, end, keep, keepAt);
    }
    if (keep == null && allPresent(n)) {
      return required == null
          ? readPlainStrings(vector, out, n, end)
          : readPlainStringsContaining(vector, out, n, end);
    }
    ArrowBuf offsets = vector.getOffsetBuffer();
    ArrowBuf validity = vector.getValidityBuffer();
    ArrowBuf values = vector.getDataBuffer();
    long capacity = values.capacity();
    for (int i = 0; i < n; i++) {
      boolean kept = keep == null || keep[keepAt + i];
      if (kept) {
        offsets.setInt((long) out * BaseVariableWidthVector.OFFSET_WIDTH, end);
      }
      if (!present(i)) {
        if (kept) {
          out++;
        }
        continue;
      }
      byte[] source;
      int from;
      int length;
      if (dictionaryEncoded) {
        int id = ids[idAt++];
        if (!kept) {
          continue;
        }
        source = dictionary;
        from = dictionaryOffsets[id];
        length = dictionaryOffsets[id + 1] - from;
      } else {
        source = data;
        length = (int) INT_LE.get(data, dataAt);
        from = dataAt + 4;
        dataAt = from + length;
        if (!kept) {
          continue;
        }
        if (required != null && required.indexOf(data, from, from + length) < 0) {
          length = 0; // the filter drops the row: an empty value fails it the same way
        }
      }
      if (end + (long) length > capacity) {
        while (end + (long) length > capacity) {
          vector.reallocDataBuffer();
          capacity = vector.getDataBuffer().capacity();
        }
        values = vector.getDataBuffer();
      }
      values.setBytes(end, source, from, length);
      end += length;
      BitVectorHelper.setBit(validity, out++);
    }
    return ((long) out << 32) | (end & 0xFFFFFFFFL);
  }

  /**
   * {@link #readStrings} for the common case of a log line column: every one of the {@code n}
   * values present, plain-encoded and kept. The page's length-prefixed values are copied
   * straight to the buffer's memory, offsets written without per-value bounds checks (the
   * offset buffer holds the vector's {@code count + 1} offsets, allocated for them), and the
   * validity bits set in one go.
   */
  private long readPlainStrings(BaseVariableWidthVector vector, int out, int n, int end) {
    long offsets = vector.getOffsetBuffer().memoryAddress();
    long capacity = vector.getDataBuffer().capacity();
    long values = vector.getDataBuffer().memoryAddress();
    byte[] page = data;
    int at = dataAt;
    for (int i = 0; i < n; i++) {
      int length = (int) INT_LE.get(page, at);
      at += 4;
      if (at + length > dataEnd || length < 0) {
        throw new IllegalStateException("string value past the end of its page in " + descriptor);
      }
      if (end + (long) length > capacity) {
        while (end + (long) length > capacity) {
          vector.reallocDataBuffer();
          capacity = vector.getDataBuffer().capacity();
        }
        values = vector.getDataBuffer().memoryAddress();
        offsets = vector.getOffsetBuffer().memoryAddress();
      }
      MemoryUtil.putInt(offsets + (long) (out + i) * BaseVariableWidthVector.OFFSET_WIDTH, end);
      MemoryUtil.copyToMemory(page, at, values + end, length);
      at += length;
      end += length;
    }
    dataAt = at;
    setBits(vector.getValidityBuffer(), out, n);
    return ((long) (out + n) << 32) | (end & 0xFFFFFFFFL);
  }

  /**
   * {@link #readStrings} for a dictionary-encoded label column (a stream's labels, a metric's
   * series labels, the first part of a filter): every value present, the kept ones ({@code keep}
   * from {@code keepAt}; all when null) copied. The data buffer is grown once for the batch,
   * then each value is copied from the dictionary without per-value checks. A metric's rows are
   * kept in long stretches cut by the time bounds, so this runs with a {@code keep} as often as
   * without.
   */
  private long readDictionaryStrings(
      BaseVariableWidthVector vector, int out, int n, int end, boolean[] keep, int keepAt) {
    int[] bounds = dictionaryOffsets;
    int[] page = ids;
    int first = idAt;
    long total = end;
    for (int i = 0; i < n; i++) {
      if (keep == null || keep[keepAt + i]) {
        int id = page[first + i];
        total += bounds[id + 1] - bounds[id];
      }
    }
    if (total > Integer.MAX_VALUE) {
      throw new IllegalStateException("batch of strings over 2 GiB in " + descriptor);
    }
    while (total > vector.getDataBuffer().capacity()) {
      vector.reallocDataBuffer();
    }
    long offsets = vector.getOffsetBuffer().memoryAddress();
    long values = vector.getDataBuffer().memoryAddress();
    byte[] source = dictionary;
    int start = out;
    int i = 0;
    while (i < n) {
      if (keep != null && !keep[keepAt + i]) {
        i++;
        continue;
      }
      // A run of kept rows with one value (a series' rows follow each other): the value is
      // copied once, then the bytes written so far are copied after themselves, doubling.
      int id = page[first + i];
      int from = bounds[id];
      int length = bounds[id + 1] - from;
      int runStart = end;
      int run = 0;
      while (i < n && (keep == null || keep[keepAt + i]) && page[first + i] == id) {
        MemoryUtil.putInt(offsets + (long) out++ * BaseVariableWidthVector.OFFSET_WIDTH, end);
        end += length;
        run++;
        i++;
      }
      if (length > 0) {
        MemoryUtil.copyToMemory(source, from, values + runStart, length);
        long written = length;
        long bytes = (long) length * run;
        while (written < bytes) {
          long chunk = Math.min(written, bytes - written);
          MemoryUtil.copyMemory(values + runStart, values + runStart + written, chunk);
          written += chunk;
        }
      }
    }
    idAt = first + n;
    setBits(vector.getValidityBuffer(), start, out - start);
    return ((long) out << 32) | (end & 0xFFFFFFFFL);
  }

  /**
   * {@link #readPlainStrings} when the filter requires bytes in every value it keeps: the page
   * is searched once from the first value on, and only a value holding a match is copied; the
   * others become empty strings (present, so the filter drops them as it would the real ones).
   * A match is the first at or after a value's start; one that starts before it (in an earlier
   * value or a length prefix) is searched again from there, one that runs past the value's end
   * means the value holds none, since any later one would run past it too.
   */
  private long readPlainStringsContaining(
      BaseVariableWidthVector vector, int out, int n, int end) {
    long offsets = vector.getOffsetBuffer().memoryAddress();
    long capacity = vector.getDataBuffer().capacity();
    long values = vector.getDataBuffer().memoryAddress();
    byte[] page = data;
    int at = dataAt;
    int needle = required.length();
    int hit = pageHit;
    for (int i = 0; i < n; i++) {
      int length = (int) INT_LE.get(page, at);
      at += 4;
      if (at + length > dataEnd || length < 0) {
        throw new IllegalStateException("string value past the end of its page in " + descriptor);
      }
      if (hit != -1 && hit < at) {
        hit = required.indexOf(page, at, dataEnd);
      }
      MemoryUtil.putInt(offsets + (long) (out + i) * BaseVariableWidthVector.OFFSET_WIDTH, end);
      if (hit >= 0 && hit + needle <= at + length) {
        if (end + (long) length > capacity) {
          while (end + (long) length > capacity) {
            vector.reallocDataBuffer();
            capacity = vector.getDataBuffer().capacity();
          }
          values = vector.getDataBuffer().memoryAddress();
          offsets = vector.getOffsetBuffer().memoryAddress();
        }
        MemoryUtil.copyToMemory(page, at, values + end, length);
        end += length;
      }
      at += length;
    }
    dataAt = at;
    pageHit = hit;
    setBits(vector.getValidityBuffer(), out, n);
    return ((long) (out + n) << 32) | (end & 0xFFFFFFFFL);
  }

  private boolean present(int i) {
    return maxDefinition == 0 || definitions[definitionAt + i] == maxDefinition;
  }

  private boolean nonePresent(int n) {
    if (maxDefinition == 0) {
      return n == 0;
    }
    for (int i = 0; i < n; i++) {
      if (definitions[definitionAt + i] == maxDefinition) {
        return false;
      }
    }
    return true;
  }

  /** How many of {@code keep[from..from + n)} are set; {@code n} when {@code keep} is null. */
  private static int kept(boolean[] keep, int from, int n) {
    if (keep == null) {
      return n;
    }
    int count = 0;
    for (int i = from; i < from + n; i++) {
      count += keep[i] ? 1 : 0;
    }
    return count;
  }

  private boolean allPresent(int n) {
    if (maxDefinition == 0) {
      return true;
    }
    for (int i = 0; i < n; i++) {
      if (definitions[definitionAt + i] != maxDefinition) {
        return false;
      }
    }
    return true;
  }
  /** Sets validity bits {@code [from, from + n)}. */
  static void setBits(ArrowBuf validity, int from, int n) {
    int i = from;
    int end = from + n;
    while (i < end && (i & 7) != 0) {
      BitVectorHelper.setBit(validity, i++);
    }
    int wholeBytes = (end - i) >>> 3;
    if (wholeBytes > 0) {
      validity.setOne(i >>> 3, wholeBytes);
      i += wholeBytes << 3;
    }
    while (i < end) {
      BitVectorHelper.setBit(validity, i++);
    }
  }
}

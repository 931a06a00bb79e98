package io.icegate.storage.parquet;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;

/**
 * The parsed footers of committed data files, so that a query, and the next one, does not read
 * and parse a file's footer again for each of its splits (on S3, a ranged GET each). Keyed by
 * the file's location and size and the split's byte range, since the footer parquet-java reads
 * for a range holds only that range's row groups. Only Iceberg data files are kept: they are
 * written once under a unique name and never change (a WAL segment is read before it is
 * compacted and not cached). At most {@link #MAX_ENTRIES}, least recently used dropped first.
 *
 * <p>Beside the footers, the raw {@link SubstringIndex} blob of each data file (one per file,
 * shared by all its splits), at most {@link #MAX_INDEX_BYTES} of them, least recently used
 * dropped first. The blob is kept compressed; each reader inflates only its own row groups'
 * bitmaps.
 */
final class FooterCache {
  static final int MAX_ENTRIES = 1024;

  /** The bytes of substring-index blobs kept at most. */
  static final long MAX_INDEX_BYTES = 64L << 20;

  /** A data file (its location and size) and a split's byte range of it. */
  record Key(String location, long bytes, long start, long length) {}

  /** A data file: its location and size. */
  record FileKey(String location, long bytes) {}

  private static final Map<Key, ParquetMetadata> FOOTERS =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, ParquetMetadata> eldest) {
          return size() > MAX_ENTRIES;
        }
      };

  private static final AtomicLong READS = new AtomicLong();

  private static final LinkedHashMap<FileKey, byte[]> INDEXES = new LinkedHashMap<>(64, 0.75f, true);
  private static long indexBytes;
  private static final AtomicLong INDEX_READS = new AtomicLong();

  private FooterCache() {}

  static ParquetMetadata get(Key key) {
    synchronized (FOOTERS) {
      return FOOTERS.get(key);
    }
  }

  static void put(Key key, ParquetMetadata footer) {
    READS.incrementAndGet();
    synchronized (FOOTERS) {
      FOOTERS.put(key, footer);
    }
  }

  static byte[] substringIndex(FileKey key) {
    synchronized (INDEXES) {
      return INDEXES.get(key);
    }
  }

  /** Keeps {@code blob}, dropping the least recently used blobs beyond {@link #MAX_INDEX_BYTES}. */
  static void putSubstringIndex(FileKey key, byte[] blob) {
    INDEX_READS.incrementAndGet();
    if (blob.length > MAX_INDEX_BYTES) {
      return;
    }
    synchronized (INDEXES) {
      byte[] old = INDEXES.put(key, blob);
      indexBytes += blob.length - (old == null ? 0 : old.length);
      var eldest = INDEXES.entrySet().iterator();
      while (indexBytes > MAX_INDEX_BYTES && eldest.hasNext()) {
        indexBytes -= eldest.next().getValue().length;
        eldest.remove();
      }
    }
  }

  /** How many substring-index blobs were read and kept since the process started (for tests). */
  static long substringIndexReads() {
    return INDEX_READS.get();
  }

  /** How many footers of data files were read and kept since the process started (for tests). */
  static long reads() {
    return READS.get();
  }
}

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
 */
final class FooterCache {
  static final int MAX_ENTRIES = 1024;

  /** A data file (its location and size) and a split's byte range of it. */
  record Key(String location, long bytes, long start, long length) {}

  private static final Map<Key, ParquetMetadata> FOOTERS =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, ParquetMetadata> eldest) {
          return size() > MAX_ENTRIES;
        }
      };

  private static final AtomicLong READS = new AtomicLong();

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

  /** How many footers of data files were read and kept since the process started (for tests). */
  static long reads() {
    return READS.get();
  }
}

package io.icegate.storage.wal;

import java.nio.file.Path;

/**
 * One durable WAL segment: a Parquet file in its table's schema holding rows of one tenant.
 * The time bounds let a scan skip segments outside its range without opening them.
 */
public record WalSegment(
    Path path,
    String tenant,
    long sequence,
    long minTimestampNanos,
    long maxTimestampNanos,
    long rows,
    long bytes) {

  /** True if any row may fall in {@code [startNanos, endNanos)}. */
  public boolean overlaps(long startNanos, long endNanos) {
    return maxTimestampNanos >= startNanos && minTimestampNanos < endNanos;
  }
}

package io.icegate.storage.wal;

/**
 * One durable WAL segment: a Parquet file in its table's schema holding rows of one tenant.
 * The time bounds let a scan skip segments outside its range without opening them.
 *
 * @param location the file's path (local disk) or URI ({@code s3://…}); read it through
 *     {@link WalStore#newInputFile}
 * @param writtenAtMillis when the segment became durable (file mtime, or the object's
 *     Last-Modified), for compaction's minimum age and the dedupe window
 */
public record WalSegment(
    String location,
    String tenant,
    long sequence,
    long minTimestampNanos,
    long maxTimestampNanos,
    long rows,
    long bytes,
    long writtenAtMillis) {

  /** True if any row may fall in {@code [startNanos, endNanos)}. */
  public boolean overlaps(long startNanos, long endNanos) {
    return maxTimestampNanos >= startNanos && minTimestampNanos < endNanos;
  }
}

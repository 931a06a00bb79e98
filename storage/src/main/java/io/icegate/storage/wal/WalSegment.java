package io.icegate.storage.wal;

/**
 * One durable WAL segment: a Parquet file in its table's schema holding rows of one tenant.
 * The time bounds let a scan skip segments outside its range without opening them.
 *
 * @param location the file's path (local disk) or URI ({@code s3://…}); read it through
 *     {@link WalStore#newInputFile}
 * @param writtenAtMillis when the segment became durable (file mtime, or the object's
 *     Last-Modified), for compaction's minimum age and the dedupe window
 * @param excludedRows rows that are copies of requests a lower-numbered segment holds (another
 *     replica took the same request), as the index knew when it handed the segment out: scans
 *     and compaction skip them. {@link RowRanges#NONE} but for a shared WAL's copies.
 */
public record WalSegment(
    String location,
    String tenant,
    long sequence,
    long minTimestampNanos,
    long maxTimestampNanos,
    long rows,
    long bytes,
    long writtenAtMillis,
    RowRanges excludedRows) {

  public WalSegment {
    excludedRows = excludedRows == null ? RowRanges.NONE : excludedRows;
  }

  public WalSegment(
      String location, String tenant, long sequence, long minTimestampNanos,
      long maxTimestampNanos, long rows, long bytes, long writtenAtMillis) {
    this(location, tenant, sequence, minTimestampNanos, maxTimestampNanos, rows, bytes,
        writtenAtMillis, RowRanges.NONE);
  }

  /** This segment with {@code excluded} as its copied rows. */
  public WalSegment withExcludedRows(RowRanges excluded) {
    return new WalSegment(location, tenant, sequence, minTimestampNanos, maxTimestampNanos, rows,
        bytes, writtenAtMillis, excluded);
  }

  /** True if any row may fall in {@code [startNanos, endNanos)}. */
  public boolean overlaps(long startNanos, long endNanos) {
    return maxTimestampNanos >= startNanos && minTimestampNanos < endNanos;
  }
}

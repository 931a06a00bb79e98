package io.icegate.storage.scan;

import io.icegate.storage.wal.RowRanges;
import java.util.List;
import org.apache.iceberg.io.InputFile;

/**
 * One Parquet file a scan reads: a committed Iceberg data file or a WAL segment. {@code
 * splitOffsets} are the starts of its row groups as Iceberg recorded them (empty when unknown, as
 * for WAL segments): the places a scan may cut the file to read its parts in parallel. {@code
 * minTimestampNanos} and {@code maxTimestampNanos} bound its rows' {@code timestamp} as the
 * catalog or the WAL recorded it ({@link Long#MIN_VALUE} and {@link Long#MAX_VALUE} when
 * unknown): a top-N scan reads the newest (or oldest) files first and skips those its cut-off
 * rules out. {@code excludedRows}: row positions the scan must not return — a WAL segment's
 * copies of requests another segment holds ({@link io.icegate.storage.wal.WalSegment#excludedRows}).
 */
public record ScanFile(
    InputFile file, long bytes, boolean wal, List<Long> splitOffsets, long minTimestampNanos,
    long maxTimestampNanos, RowRanges excludedRows) {
  public ScanFile {
    splitOffsets = splitOffsets == null ? List.of() : List.copyOf(splitOffsets);
    excludedRows = excludedRows == null ? RowRanges.NONE : excludedRows;
  }

  public ScanFile(
      InputFile file, long bytes, boolean wal, List<Long> splitOffsets, long minTimestampNanos,
      long maxTimestampNanos) {
    this(file, bytes, wal, splitOffsets, minTimestampNanos, maxTimestampNanos, RowRanges.NONE);
  }

  public ScanFile(InputFile file, long bytes, boolean wal, List<Long> splitOffsets) {
    this(file, bytes, wal, splitOffsets, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  public ScanFile(InputFile file, long bytes, boolean wal) {
    this(file, bytes, wal, List.of());
  }
}

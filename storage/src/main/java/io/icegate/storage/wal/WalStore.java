package io.icegate.storage.wal;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.io.InputFile;
import org.apache.parquet.io.OutputFile;

/**
 * Where one table's WAL segments live, and the index of them that scans and compaction consult.
 * Two kinds: {@link WalDirectory} on local disk (one process owns it) and {@link ObjectStoreWal}
 * on S3 (several ingest replicas share it, claiming segment numbers with conditional PUTs).
 *
 * <p>Segment numbers are the WAL's order. The table's snapshot records the highest number it
 * holds (the compaction mark); a segment is live while its number is above the mark.
 */
public sealed interface WalStore permits WalDirectory, ObjectStoreWal {

  /** Writes a segment's Parquet bytes to the file it is given. */
  @FunctionalInterface
  interface SegmentContent {
    void writeTo(OutputFile out) throws IOException;
  }

  /**
   * One fingerprinted request's rows in its segment: {@code rowCount} rows from position {@code
   * firstRow} (0 = the segment's first row).
   */
  record RequestRows(String fingerprint, long firstRow, long rowCount) {}

  /**
   * What a new segment holds, known before it is written. {@code requests}: its fingerprinted
   * requests with their rows, in row order (a shared store recognises another replica's copy of
   * one of them by its fingerprint, and skips exactly its rows).
   */
  record PendingSegment(
      String tenant, long minTimestampNanos, long maxTimestampNanos, long rows,
      List<RequestRows> requests) {
    public PendingSegment {
      requests = List.copyOf(requests);
    }

    public PendingSegment(String tenant, long minTimestampNanos, long maxTimestampNanos, long rows) {
      this(tenant, minTimestampNanos, maxTimestampNanos, rows, List.of());
    }
  }

  /**
   * Makes a new segment durable and visible under a fresh number, then adds it to the index.
   * Returns only once the segment is durable: the caller acknowledges its clients after that.
   */
  WalSegment write(PendingSegment pending, SegmentContent content) throws IOException;

  /**
   * How many {@link #write}s may run at once. One unless the store numbers segments only once
   * they are complete, so that concurrent writes still enter the index in number order.
   */
  default int concurrentWrites() {
    return 1;
  }

  /** Request fingerprints found in the segments at open, with their write times (ms). */
  Map<String, Long> recoveredFingerprints();

  /**
   * Request fingerprints of segments other processes wrote, found since the last call, with
   * their write times (ms); listing the store first if it was listed longer ago than a second.
   * Empty for a store only this process writes.
   */
  default Map<String, Long> learnFingerprints() throws IOException {
    return Map.of();
  }

  /** True when other processes write segments too, so the index must be refreshed to see them. */
  boolean shared();

  /**
   * Brings the index up to date with the store: segments written by other processes appear,
   * those at or below {@code compactedThrough} (compacted, maybe by another process) leave it.
   * A no-op for a store only this process writes.
   */
  void refresh(long compactedThrough) throws IOException;

  /**
   * Every live segment in the index, in sequence order, each with the rows scans must skip
   * ({@link WalSegment#excludedRows}: copies of requests a lower-numbered segment holds).
   */
  List<WalSegment> allSegments();

  /**
   * The segments compaction may take now: the oldest, in order, each written before {@code
   * cutoff}, up to {@code maxBytes} (at least one), each with the rows compaction must leave
   * out ({@link WalSegment#excludedRows}). Compaction commits "everything up to the last one's
   * number", so no number below it may still turn up later: see each store for how it ensures
   * that.
   */
  List<WalSegment> compactable(Instant cutoff, long maxBytes) throws IOException;

  /**
   * Removes the segments numbered up to {@code compactedThrough} from the index: their rows are
   * now in the Iceberg table. Their files stay until {@link #deleteRetired} — queries that
   * planned before the compaction may still be reading them.
   */
  List<WalSegment> retire(long compactedThrough);

  /** Deletes the files of retired segments. */
  void deleteRetired(List<WalSegment> retired) throws IOException;

  /** Opens a segment for reading. */
  InputFile newInputFile(WalSegment segment);

  /** Where the segments are, for logs and thread names. */
  String location();
}

package io.icegate.storage.table;

import io.icegate.storage.wal.WalDirectory;
import io.icegate.storage.wal.WalSegment;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * One table as queries see it: the committed Iceberg snapshot plus the WAL segments not yet in
 * it. The two change together — a compaction's commit and the retirement of the segments it
 * compacted happen under one lock — so a {@link View} is a single point in time: every record is
 * in exactly one of its two parts.
 */
public final class LakeTable {
  /** Snapshot summary key: every WAL segment numbered up to this value is in the snapshot. */
  public static final String COMPACTED_THROUGH = "icegate.wal.compacted-through";

  private final String name;
  private final Table table;
  private final WalDirectory wal;

  public LakeTable(String name, Table table, WalDirectory wal) {
    this.name = name;
    this.table = table;
    this.wal = wal;
  }

  /** A consistent picture: the snapshot (null while the table is empty) and the newer segments. */
  public record View(Snapshot snapshot, long compactedThrough, List<WalSegment> segments) {}

  public String name() {
    return name;
  }

  public Table table() {
    return table;
  }

  public Schema schema() {
    return table.schema();
  }

  public WalDirectory wal() {
    return wal;
  }

  public synchronized View view() {
    Snapshot snapshot = table.currentSnapshot();
    return new View(snapshot, compactedThrough(snapshot), wal.allSegments());
  }

  /**
   * Commits {@code files} as one snapshot recording that WAL segments up to {@code through} are
   * in it, then retires those segments. Returns the retired segments, whose files the caller
   * deletes once no query can still be reading them.
   */
  public synchronized List<WalSegment> commitCompaction(List<DataFile> files, long through) {
    AppendFiles append = table.newAppend();
    files.forEach(append::appendFile);
    append.set(COMPACTED_THROUGH, Long.toString(through));
    append.commit();
    return wal.retire(through);
  }

  /**
   * The compaction mark of {@code snapshot}: recorded by the newest compaction among it and its
   * ancestors (other writers, such as maintenance rewrites, don't move it), or 0 before any.
   */
  public long compactedThrough(Snapshot snapshot) {
    for (Snapshot s = snapshot; s != null;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      Map<String, String> summary = s.summary();
      String value = summary == null ? null : summary.get(COMPACTED_THROUGH);
      if (value != null) {
        return Long.parseLong(value);
      }
    }
    return 0;
  }
}

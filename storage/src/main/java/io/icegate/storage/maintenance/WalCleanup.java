package io.icegate.storage.maintenance;

import io.icegate.storage.table.LakeTable;
import io.icegate.storage.wal.ObjectStoreWal;
import io.icegate.storage.wal.WalDirectory;
import io.icegate.storage.wal.WalSegment;
import io.icegate.storage.wal.WalStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * Removes WAL segments compacted longer ago than the grace period — those a compactor retired
 * and did not get to delete (it stopped, or runs rarely). A segment qualifies only if its number
 * is at or below the mark of the newest snapshot committed at least the grace period ago: its
 * rows have been in the table since then, so no query still reads it from the WAL. A live
 * segment (above that mark, or in the WAL's index) is never touched, nor a segment still being
 * written ({@code .tmp}).
 *
 * <p>On S3 this is the WAL's own sweep (compacted segments become tombstones, old tombstones
 * go); on local disk the segment files themselves.
 */
final class WalCleanup {
  private static final Pattern SEGMENT = Pattern.compile("(\\d{20})\\.parquet");

  private WalCleanup() {}

  /** The mark of the newest snapshot committed at or before {@code atMillis}; 0 if none. */
  static long markAsOf(Table table, long atMillis) {
    Snapshot s = table.currentSnapshot();
    while (s != null && s.timestampMillis() > atMillis) {
      s = s.parentId() == null ? null : table.snapshot(s.parentId());
    }
    return LakeTable.compactedThrough(table, s);
  }

  /** Deletes (or tombstones) the compacted segments at or below {@code safeThrough}. */
  static int run(WalStore wal, long safeThrough) throws IOException {
    if (safeThrough <= 0) {
      return 0;
    }
    if (wal instanceof ObjectStoreWal objects) {
      return objects.sweep(safeThrough);
    }
    if (!(wal instanceof WalDirectory)) {
      return 0;
    }
    Set<Long> live = new HashSet<>();
    for (WalSegment segment : wal.allSegments()) {
      live.add(segment.sequence());
    }
    Path root = Path.of(wal.location());
    if (!Files.isDirectory(root)) {
      return 0;
    }
    int deleted = 0;
    List<Path> tenants;
    try (Stream<Path> list = Files.list(root)) {
      tenants = list.filter(Files::isDirectory).toList();
    }
    for (Path tenant : tenants) {
      List<Path> files;
      try (Stream<Path> list = Files.list(tenant)) {
        files = list.toList();
      }
      for (Path file : files) {
        Matcher m = SEGMENT.matcher(file.getFileName().toString());
        if (!m.matches()) {
          continue;
        }
        long sequence = Long.parseLong(m.group(1));
        if (sequence <= safeThrough && !live.contains(sequence) && Files.deleteIfExists(file)) {
          deleted++;
        }
      }
    }
    return deleted;
  }
}

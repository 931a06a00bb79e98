package io.icegate.storage.scan;

import java.util.List;

/**
 * The files one scan reads, fixed at planning time, and how many were skipped by partition and
 * column statistics (Iceberg files) or time bounds (WAL segments).
 */
public record ScanPlan(List<ScanFile> files, long filesPruned) {
  public ScanPlan {
    files = List.copyOf(files);
  }

  public long bytes() {
    return files.stream().mapToLong(ScanFile::bytes).sum();
  }
}

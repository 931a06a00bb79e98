package io.icegate.storage.scan;

import java.util.List;
import org.apache.iceberg.io.InputFile;

/**
 * One Parquet file a scan reads: a committed Iceberg data file or a WAL segment. {@code
 * splitOffsets} are the starts of its row groups as Iceberg recorded them (empty when unknown, as
 * for WAL segments): the places a scan may cut the file to read its parts in parallel.
 */
public record ScanFile(InputFile file, long bytes, boolean wal, List<Long> splitOffsets) {
  public ScanFile {
    splitOffsets = splitOffsets == null ? List.of() : List.copyOf(splitOffsets);
  }

  public ScanFile(InputFile file, long bytes, boolean wal) {
    this(file, bytes, wal, List.of());
  }
}

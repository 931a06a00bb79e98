package io.icegate.storage;

import io.icegate.storage.table.LogsTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;

/**
 * Fixtures for maintenance tests: a rewrite that replaces a data file by a byte copy (what a
 * small-file rewrite or the seed backfill does to the table's history: the old file leaves the
 * current snapshot and stays referenced only by older ones), reads as of a snapshot through
 * Iceberg's own reader, and clocks that run ahead.
 */
final class MaintenanceFixtures {
  private MaintenanceFixtures() {}

  /** The data files of the table's current snapshot. */
  static List<DataFile> currentFiles(Table table) throws IOException {
    List<DataFile> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(t -> files.add(t.file()));
    }
    return files;
  }

  /**
   * Replaces {@code file} by a byte-for-byte copy at a new data location, in one {@code
   * RewriteFiles} commit; returns the copy.
   */
  static DataFile rewriteAsCopy(Table table, DataFile file) throws IOException {
    String location =
        table.locationProvider()
            .newDataLocation(table.spec(), file.partition(), "rewritten-" + UUID.randomUUID()
                + ".parquet");
    InputFile in = table.io().newInputFile(file.location());
    OutputFile out = table.io().newOutputFile(location);
    try (InputStream from = in.newStream();
        OutputStream to = out.create()) {
      from.transferTo(to);
    }
    DataFile copy = DataFiles.builder(table.spec()).copy(file).withPath(location).build();
    table.newRewrite().rewriteFiles(Set.of(file), Set.of(copy)).commit();
    return copy;
  }

  /** The bodies of {@code tenant}'s rows as of {@code snapshotId}, read by Iceberg's reader. */
  static List<String> bodiesAsOf(Table table, long snapshotId) throws IOException {
    List<String> out = new ArrayList<>();
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(table).useSnapshot(snapshotId).select(LogsTable.BODY).build()) {
      rows.forEach(r -> out.add(String.valueOf(r.getField(LogsTable.BODY))));
    }
    return out;
  }

  static List<Long> snapshotIds(Table table) {
    List<Long> ids = new ArrayList<>();
    for (Snapshot s : table.snapshots()) {
      ids.add(s.snapshotId());
    }
    return ids;
  }

  static boolean exists(Table table, String location) {
    return table.io().newInputFile(location).exists();
  }

  /** The system clock, {@code ahead} in the future. */
  static Clock ahead(Duration ahead) {
    return Clock.offset(Clock.systemUTC(), ahead);
  }
}

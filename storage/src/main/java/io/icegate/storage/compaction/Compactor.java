package io.icegate.storage.compaction;

import io.icegate.storage.table.LakeTable;
import io.icegate.storage.wal.WalDirectory;
import io.icegate.storage.wal.WalSegment;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.SortOrderComparators;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.parquet.Parquet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves WAL segments into the Iceberg table: reads the oldest segments (a prefix in sequence
 * order, old enough and up to a size bound), sorts their rows by the table's sort order within
 * each partition (tenant, day), writes one data file per partition, commits them as one snapshot
 * that records the highest segment number it contains, and only then retires the segments.
 *
 * <p>Safe to kill at any step: before the commit, nothing is visible (the written files are
 * unreferenced and the segments still serve); after it, the snapshot's mark makes the next start
 * delete the segments it covers, so no row is ever read twice or lost.
 *
 * <p>Rows go through Iceberg's generic reader and writer (row objects), because the vectorized
 * reader cannot read the attribute maps; this is background work, bounded by
 * {@code maxInputBytes} per run.
 */
public final class Compactor {
  private static final Logger LOG = LoggerFactory.getLogger(Compactor.class);

  /** What one run did. */
  public record Result(int segments, long rows, int files, long compactedThrough) {
    public static final Result NOTHING = new Result(0, 0, 0, -1);
  }

  /** When segments are old or many enough to compact, and how much one run takes. */
  public record Policy(Duration minAge, long maxInputBytes, Duration retireGrace) {
    public static final Policy DEFAULT =
        new Policy(Duration.ofSeconds(30), 64L << 20, Duration.ofMinutes(5));
  }

  private record Retired(List<WalSegment> segments, Instant at) {}

  private final LakeTable table;
  private final Policy policy;
  private final Clock clock;
  private final List<Retired> retired = new ArrayList<>();

  public Compactor(LakeTable table, Policy policy, Clock clock) {
    this.table = table;
    this.policy = policy;
    this.clock = clock;
  }

  /** Compacts what is due now; returns {@link Result#NOTHING} if nothing was. */
  public synchronized Result compact() throws IOException {
    deleteRetiredPastGrace();
    List<WalSegment> due = dueSegments(table.view().segments());
    if (due.isEmpty()) {
      return Result.NOTHING;
    }
    long through = due.get(due.size() - 1).sequence();
    Table iceberg = table.table();
    Schema schema = iceberg.schema();
    PartitionSpec spec = iceberg.spec();
    Map<StructLike, List<Record>> partitions = readByPartition(due, schema, spec);
    List<DataFile> files = new ArrayList<>();
    long rows = 0;
    for (var entry : partitions.entrySet()) {
      files.add(write(iceberg, entry.getKey(), entry.getValue()));
      rows += entry.getValue().size();
    }
    List<WalSegment> done = table.commitCompaction(files, through);
    retired.add(new Retired(done, clock.instant()));
    LOG.info(
        "compaction table={} segments={} rows={} files={} compacted_through={}",
        table.name(), due.size(), rows, files.size(), through);
    return new Result(due.size(), rows, files.size(), through);
  }

  /** The oldest segments, in order, while old enough and within the size bound. */
  private List<WalSegment> dueSegments(List<WalSegment> live) throws IOException {
    List<WalSegment> sorted = new ArrayList<>(live);
    sorted.sort(Comparator.comparingLong(WalSegment::sequence));
    Instant cutoff = clock.instant().minus(policy.minAge());
    List<WalSegment> due = new ArrayList<>();
    long bytes = 0;
    for (WalSegment segment : sorted) {
      Instant written = Files.getLastModifiedTime(segment.path()).toInstant();
      // A prefix only: the snapshot's mark says "everything up to N", so N+1 can't be skipped.
      if (written.isAfter(cutoff) || (!due.isEmpty() && bytes + segment.bytes() > policy.maxInputBytes())) {
        break;
      }
      due.add(segment);
      bytes += segment.bytes();
    }
    return due;
  }

  private static Map<StructLike, List<Record>> readByPartition(
      List<WalSegment> segments, Schema schema, PartitionSpec spec) throws IOException {
    Map<StructLike, List<Record>> partitions = new LinkedHashMap<>();
    PartitionKey key = new PartitionKey(spec, schema);
    InternalRowView wrapper = new InternalRowView();
    for (WalSegment segment : segments) {
      try (CloseableIterable<Record> records =
          Parquet.read(org.apache.iceberg.Files.localInput(segment.path().toFile()))
              .project(schema)
              .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(schema, fileSchema))
              .build()) {
        for (Record record : records) {
          key.partition(wrapper.wrap(record));
          partitions.computeIfAbsent(key.copy(), k -> new ArrayList<>()).add(record.copy());
        }
      }
    }
    return partitions;
  }

  private static DataFile write(Table iceberg, StructLike partition, List<Record> records)
      throws IOException {
    Schema schema = iceberg.schema();
    SortOrder order = iceberg.sortOrder();
    Comparator<StructLike> byOrder = SortOrderComparators.forSchema(schema, order);
    InternalRowView left = new InternalRowView();
    InternalRowView right = new InternalRowView();
    records.sort((a, b) -> byOrder.compare(left.wrap(a), right.wrap(b)));
    String name = FileFormat.PARQUET.addExtension("compacted-" + UUID.randomUUID());
    OutputFile out =
        iceberg.io().newOutputFile(iceberg.locationProvider().newDataLocation(iceberg.spec(), partition, name));
    DataWriter<Record> writer =
        Parquet.writeData(out)
            .schema(schema)
            .withSpec(iceberg.spec())
            .withPartition(partition)
            .withSortOrder(order)
            .setAll(iceberg.properties())
            .createWriterFunc(GenericParquetWriter::create)
            .overwrite()
            .build();
    try (writer) {
      for (Record record : records) {
        writer.write(record);
      }
    }
    return writer.toDataFile();
  }

  /** Deletes the files of segments retired longer ago than any query can run. */
  private void deleteRetiredPastGrace() {
    Instant cutoff = clock.instant().minus(policy.retireGrace());
    retired.removeIf(
        r -> {
          if (r.at().isAfter(cutoff)) {
            return false;
          }
          WalDirectory.deleteRetired(r.segments());
          return true;
        });
  }

  /** Deletes every retired segment now; for shutdown, when no query runs any more. */
  public synchronized void deleteAllRetired() {
    retired.forEach(r -> WalDirectory.deleteRetired(r.segments()));
    retired.clear();
  }
}

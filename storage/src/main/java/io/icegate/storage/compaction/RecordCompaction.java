package io.icegate.storage.compaction;

import io.icegate.storage.wal.RowRanges;
import io.icegate.storage.wal.WalSegment;
import io.icegate.storage.wal.WalStore;
import java.io.IOException;
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

/**
 * WAL segments into data files through Iceberg's generic reader and writer, a row object at a
 * time: rows grouped by partition, each group sorted by the table's sort order with Iceberg's
 * comparator and written with Iceberg's Parquet writer.
 *
 * <p>About thirty times slower than {@link ColumnarCompaction}, which {@link Compactor} uses. Kept
 * for what the columnar path does not write — a table whose Parquet codec is not ZSTD, or whose
 * columns, partition or sort sources have a type or nesting the column writer lacks (none of the
 * lake's four tables) — and as the reference the columnar path is tested and benchmarked against:
 * what it writes is by construction what Iceberg writes.
 */
public final class RecordCompaction {
  private RecordCompaction() {}

  /** Writes one data file per partition of {@code segments}' rows, in the table's sort order. */
  public static List<DataFile> write(Table iceberg, WalStore wal, List<WalSegment> segments)
      throws IOException {
    Map<StructLike, List<Record>> partitions =
        readByPartition(wal, segments, iceberg.schema(), iceberg.spec());
    List<DataFile> files = new ArrayList<>();
    for (var entry : partitions.entrySet()) {
      files.add(write(iceberg, entry.getKey(), entry.getValue()));
    }
    return files;
  }

  private static Map<StructLike, List<Record>> readByPartition(
      WalStore wal, List<WalSegment> segments, Schema schema, PartitionSpec spec)
      throws IOException {
    Map<StructLike, List<Record>> partitions = new LinkedHashMap<>();
    PartitionKey key = new PartitionKey(spec, schema);
    InternalRowView wrapper = new InternalRowView();
    for (WalSegment segment : segments) {
      // Rows that copy a request a lower-numbered segment holds (another replica took it too);
      // positions count every row of the file, read in order with no filter.
      RowRanges copied = segment.excludedRows();
      long position = 0;
      try (CloseableIterable<Record> records =
          Parquet.read(wal.newInputFile(segment))
              .project(schema)
              .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(schema, fileSchema))
              .build()) {
        for (Record record : records) {
          if (copied.contains(position++)) {
            continue;
          }
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
        iceberg.io().newOutputFile(
            iceberg.locationProvider().newDataLocation(iceberg.spec(), partition, name));
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
}

package io.icegate.storage.parquet;

import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;

/** Reads one projected column, batch by batch, through the row groups. */
interface ColumnReader {
  /** The Parquet leaf columns it reads. */
  List<LeafColumn> leaves();

  /**
   * Starts the next row group: {@code pages} as read by {@code reader}, described by {@code
   * group}'s metadata (statistics, and where the file has them offset indexes).
   */
  void start(PageReadStore pages, BlockMetaData group, ParquetFileReader reader);

  /**
   * Whether the current row group's statistics show this column holds no value in it (only
   * nulls, or only empty maps): its reads then fill vectors in bulk and never read a page.
   */
  boolean valueless();

  /**
   * Reads the next {@code rows} rows into the freshly created {@code vector}: all of them when
   * {@code keep} is null, else only those whose flag is set ({@code count} of them), skipping
   * the others' values. A null {@code vector} skips all {@code rows}.
   */
  void read(FieldVector vector, int rows, boolean[] keep, int count);
}

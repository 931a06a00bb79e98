package io.icegate.storage.parquet;

import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.parquet.column.page.PageReadStore;

/** Reads one projected column, batch by batch, through the row groups. */
interface ColumnReader {
  /** The Parquet leaf columns it reads. */
  List<LeafColumn> leaves();

  /** Starts the next row group. */
  void start(PageReadStore pages);

  /**
   * Reads the next {@code rows} rows into the freshly created {@code vector}: all of them when
   * {@code keep} is null, else only those whose flag is set ({@code count} of them), skipping
   * the others' values. A null {@code vector} skips all {@code rows}.
   */
  void read(FieldVector vector, int rows, boolean[] keep, int count);
}

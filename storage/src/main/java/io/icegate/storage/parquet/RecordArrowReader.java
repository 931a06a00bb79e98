package io.icegate.storage.parquet;

import io.icegate.storage.scan.ScanFile;
import io.icegate.storage.scan.ScanSplit;

import io.icegate.storage.table.ArrowSchemas;
import io.icegate.storage.table.ArrowValues;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.CloseableIterator;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.parquet.Parquet;

/**
 * Reads one Parquet data file into Arrow batches through Iceberg's generic (row) reader, for
 * projections with nested columns — maps, lists, structs — which the vectorized reader of {@link
 * ParquetArrowReader} cannot read: span events and links, metric buckets and exemplars, the
 * attribute maps. Row by row, so meant for the few rows a query has already selected (a trace
 * by id, a series' exemplars), not for scanning a table's hot columns.
 *
 * <p>Batches are owned by the caller and allocated from the caller's allocator. Row groups whose
 * statistics show no row can match the filter are skipped, as in the vectorized reader.
 */
public final class RecordArrowReader implements CloseableIterator<VectorSchemaRoot> {
  private final org.apache.arrow.vector.types.pojo.Schema arrowSchema;
  private final CloseableIterable<Record> records;
  private final CloseableIterator<Record> rows;
  private final BufferAllocator allocator;
  private final int batchRows;
  private boolean closed;

  private RecordArrowReader(
      Schema projection, CloseableIterable<Record> records, BufferAllocator allocator,
      int batchRows) {
    this.arrowSchema = ArrowSchemas.of(projection);
    this.records = records;
    this.rows = records.iterator();
    this.allocator = allocator;
    this.batchRows = batchRows;
  }

  /** Opens {@code file} for the columns of {@code projection}, skipping row groups by filter. */
  public static RecordArrowReader open(
      InputFile file, Schema projection, Expression filter, BufferAllocator allocator,
      int batchRows) {
    return open(ScanSplit.whole(new ScanFile(file, -1, false)), projection, filter, allocator,
        batchRows);
  }

  /** As {@link #open(InputFile, Schema, Expression, BufferAllocator, int)}, for one split. */
  public static RecordArrowReader open(
      ScanSplit split, Schema projection, Expression filter, BufferAllocator allocator,
      int batchRows) {
    Parquet.ReadBuilder read = Parquet.read(split.file().file());
    if (!split.isWholeFile()) {
      read = read.split(split.start(), split.length());
    }
    CloseableIterable<Record> records =
        read.project(projection)
            .createReaderFunc(
                fileSchema -> GenericParquetReaders.buildReader(projection, fileSchema))
            .filter(MicrosTolerantFilter.widenOrKeep(filter, projection))
            .build();
    return new RecordArrowReader(projection, records, allocator, batchRows);
  }

  @Override
  public boolean hasNext() {
    return !closed && rows.hasNext();
  }

  @Override
  public VectorSchemaRoot next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return next(batchRows);
  }

  /**
   * The next batch of at most {@code rows} rows (fewer only at the end), for reading in step
   * with the vectorized reader of the same split, whose batches end at row-group boundaries.
   */
  public VectorSchemaRoot next(int rows) {
    VectorSchemaRoot root = VectorSchemaRoot.create(arrowSchema, allocator);
    try {
      root.allocateNew();
      List<FieldVector> vectors = root.getFieldVectors();
      int row = 0;
      while (row < rows && this.rows.hasNext()) {
        Record record = this.rows.next();
        for (int i = 0; i < vectors.size(); i++) {
          ArrowValues.write(vectors.get(i), row, record.get(i));
        }
        row++;
      }
      root.setRowCount(row);
      return root;
    } catch (RuntimeException | Error e) {
      root.close();
      throw e;
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      rows.close();
      records.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

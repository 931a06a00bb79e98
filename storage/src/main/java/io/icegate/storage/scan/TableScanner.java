package io.icegate.storage.scan;

import io.icegate.storage.parquet.ParquetArrowReader;
import io.icegate.storage.wal.WalDirectory;
import io.icegate.storage.wal.WalSegment;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.Files;
import org.apache.iceberg.Schema;
import org.apache.iceberg.io.CloseableIterator;

/**
 * Reads a table for a query as Arrow batches: today the WAL segments of the tenant whose time
 * bounds overlap the request, in commit order. (The storage issue adds the Iceberg files, so a
 * scan becomes WAL ∪ Iceberg.) Rows are not filtered here — the engine's filter operator does.
 */
public final class TableScanner {
  private static final int BATCH_ROWS = 4096;

  private final Map<String, Schema> schemas;
  private final Map<String, WalDirectory> wals;

  public TableScanner(Map<String, Schema> schemas, Map<String, WalDirectory> wals) {
    this.schemas = Map.copyOf(schemas);
    this.wals = Map.copyOf(wals);
  }

  /** The table's schema, for planning. */
  public Schema schema(String table) {
    Schema schema = schemas.get(table);
    if (schema == null) {
      throw new IllegalArgumentException("unknown table " + table);
    }
    return schema;
  }

  /** Files that {@code request} would read, after pruning; for EXPLAIN and stats. */
  public List<WalSegment> plan(ScanRequest request) {
    return wals.get(request.table())
        .segments(request.tenant(), request.startNanos(), request.endNanos());
  }

  /**
   * Opens the scan. Each batch is owned by the caller and allocated from {@code allocator};
   * closing the iterator releases whatever file is open.
   */
  public CloseableIterator<VectorSchemaRoot> open(ScanRequest request, BufferAllocator allocator) {
    Schema projection = schema(request.table()).select(request.columns());
    Iterator<WalSegment> segments = plan(request).iterator();
    return new CloseableIterator<>() {
      private ParquetArrowReader current;

      @Override
      public boolean hasNext() {
        while (current == null || !current.hasNext()) {
          if (current != null) {
            current.close();
            current = null;
          }
          if (!segments.hasNext()) {
            return false;
          }
          current =
              ParquetArrowReader.open(
                  Files.localInput(segments.next().path().toFile()),
                  projection,
                  allocator,
                  BATCH_ROWS);
        }
        return true;
      }

      @Override
      public VectorSchemaRoot next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return current.next();
      }

      @Override
      public void close() {
        if (current != null) {
          current.close();
          current = null;
        }
      }
    };
  }
}

package io.icegate.storage.ingest;

import io.icegate.storage.table.ArrowValues;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Fills one Arrow batch row by row, column by name, and counts what was rejected. A column not
 * set in a row is null there. Owns the batch until {@link #finish} hands it over; {@link #close}
 * releases it if building failed.
 */
final class RowWriter implements AutoCloseable {
  private final VectorSchemaRoot root;
  private final Map<String, FieldVector> columns = new HashMap<>();
  private final Set<String> reasons = new LinkedHashSet<>();
  private int row;
  private int rejected;
  private boolean finished;

  RowWriter(Schema schema, BufferAllocator allocator) {
    root = VectorSchemaRoot.create(schema, allocator);
    root.allocateNew();
    for (FieldVector vector : root.getFieldVectors()) {
      columns.put(vector.getName(), vector);
    }
  }

  /** Sets {@code column} of the current row; see {@link ArrowValues#write} for the values. */
  void set(String column, Object value) {
    FieldVector vector = columns.get(column);
    if (vector == null) {
      throw new IllegalArgumentException("no column " + column);
    }
    ArrowValues.write(vector, row, value);
  }

  /** Moves to the next row. */
  void endRow() {
    row++;
  }

  int rows() {
    return row;
  }

  /** Counts {@code count} rejected records for {@code reason}. */
  void reject(int count, String reason) {
    rejected += count;
    if (reasons.size() < BatchResult.MAX_REASONS) {
      reasons.add(reason);
    }
  }

  /** The batch with the rows written so far, now owned by the caller. */
  BatchResult finish() {
    root.setRowCount(row);
    finished = true;
    return new BatchResult(root, rejected, new ArrayList<>(reasons));
  }

  @Override
  public void close() {
    if (!finished) {
      root.close();
    }
  }

  static List<Object> struct(Object... fields) {
    List<Object> out = new ArrayList<>(fields.length);
    for (Object f : fields) {
      out.add(f);
    }
    return out;
  }
}

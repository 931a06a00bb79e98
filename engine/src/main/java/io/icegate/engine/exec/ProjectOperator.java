package io.icegate.engine.exec;

import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Selects and renames columns by moving their buffers; no values are copied. */
public final class ProjectOperator implements Operator {
  private final Operator input;
  private final List<Integer> columns;
  private final List<String> names;

  public ProjectOperator(Operator input, List<Integer> columns, List<String> names) {
    this.input = input;
    this.columns = List.copyOf(columns);
    this.names = List.copyOf(names);
  }

  @Override
  public VectorSchemaRoot next() {
    VectorSchemaRoot batch = input.next();
    if (batch == null) {
      return null;
    }
    try (batch) {
      BufferAllocator allocator = batch.getFieldVectors().get(0).getAllocator();
      return Batches.take(batch, columns, names, allocator);
    }
  }

  @Override
  public void close() {
    input.close();
  }
}

package io.icegate.engine.exec;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A physical operator: pulls batches from its inputs and produces batches. Batches returned by
 * {@link #next()} are owned by the caller, who closes them. Closing the operator closes its inputs
 * and releases whatever it still holds.
 */
public interface Operator extends AutoCloseable {
  /** The next batch (never empty), or {@code null} at the end. */
  VectorSchemaRoot next();

  @Override
  void close();
}

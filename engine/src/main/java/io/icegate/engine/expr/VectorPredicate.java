package io.icegate.engine.expr;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A compiled boolean expression over a batch. {@link #evaluate} sets {@code out[i]} for every row
 * {@code i < batch.getRowCount()}: true if the row passes. A null input makes the row fail, as a
 * SQL filter treats UNKNOWN.
 */
@FunctionalInterface
public interface VectorPredicate {
  void evaluate(VectorSchemaRoot batch, boolean[] out);
}

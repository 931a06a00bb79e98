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

  /**
   * As {@link #evaluate(VectorSchemaRoot, boolean[])}, for the rows where {@code candidates[i]}
   * is true; the others get false. An AND passes the rows its earlier terms kept, so an expensive
   * term (a regex) runs only on what is left. By default the term runs on every row.
   */
  default void evaluate(VectorSchemaRoot batch, boolean[] out, boolean[] candidates) {
    evaluate(batch, out);
    for (int i = 0; i < batch.getRowCount(); i++) {
      out[i] &= candidates[i];
    }
  }

  /**
   * Rough relative cost per row, for ordering the terms of an AND: fixed-width comparisons and
   * once-per-distinct-value tests are cheap, substring searches dearer, regexes dearest.
   */
  default int cost() {
    return 1;
  }
}

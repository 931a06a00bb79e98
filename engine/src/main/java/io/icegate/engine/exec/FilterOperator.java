package io.icegate.engine.exec;

import io.icegate.engine.expr.VectorPredicate;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Evaluates a predicate over each batch and passes on the selected rows. */
public final class FilterOperator implements Operator {
  private final ExecContext context;
  private final Operator input;
  private final VectorPredicate predicate;
  private boolean[] selected = new boolean[0];

  public FilterOperator(ExecContext context, Operator input, VectorPredicate predicate) {
    this.context = context;
    this.input = input;
    this.predicate = predicate;
  }

  @Override
  public VectorSchemaRoot next() {
    while (true) {
      VectorSchemaRoot batch = input.next();
      if (batch == null) {
        return null;
      }
      int count;
      try {
        int rows = batch.getRowCount();
        if (selected.length < rows) {
          selected = new boolean[rows];
        }
        predicate.evaluate(batch, selected);
        count = 0;
        for (int i = 0; i < rows; i++) {
          if (selected[i]) {
            count++;
          }
        }
        if (count == rows) {
          return batch; // every row passes: hand the batch on as it is
        }
      } catch (RuntimeException | Error e) {
        batch.close();
        throw e;
      }
      try (batch) {
        if (count > 0) {
          return Batches.select(batch, selected, count, context.allocator());
        }
      }
    }
  }

  @Override
  public void close() {
    input.close();
  }
}

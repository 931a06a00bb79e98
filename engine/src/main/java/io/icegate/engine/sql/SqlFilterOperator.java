package io.icegate.engine.sql;

import io.icegate.engine.exec.Batches;
import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.expr.SqlExpressions;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Keeps the rows of each batch for which a SQL condition is TRUE. */
final class SqlFilterOperator implements Operator {
  private final ExecContext context;
  private final Operator input;
  private final SqlExpressions.Compiled condition;
  private boolean[] selected = new boolean[0];

  SqlFilterOperator(ExecContext context, Operator input, SqlExpressions.Compiled condition) {
    this.context = context;
    this.input = input;
    this.condition = condition;
  }

  @Override
  public VectorSchemaRoot next() {
    while (true) {
      VectorSchemaRoot batch = input.next();
      if (batch == null) {
        return null;
      }
      int rows = batch.getRowCount();
      int count;
      try {
        context.checkContinue();
        if (selected.length < rows) {
          selected = new boolean[rows];
        }
        count = SqlExpressions.select(condition, batch, selected);
        if (count == rows) {
          return batch;
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

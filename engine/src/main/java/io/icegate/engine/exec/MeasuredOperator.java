package io.icegate.engine.exec;

import org.apache.arrow.vector.VectorSchemaRoot;

/** Counts an operator's batches, rows and time into its plan node's {@link OperatorStats}. */
final class MeasuredOperator implements Operator {
  private final Operator operator;
  private final OperatorStats stats;

  MeasuredOperator(Operator operator, OperatorStats stats) {
    this.operator = operator;
    this.stats = stats;
  }

  @Override
  public VectorSchemaRoot next() {
    long started = System.nanoTime();
    VectorSchemaRoot batch = null;
    try {
      batch = operator.next();
      return batch;
    } finally {
      stats.add(System.nanoTime() - started, batch == null ? -1 : batch.getRowCount());
    }
  }

  @Override
  public void close() {
    operator.close();
  }
}

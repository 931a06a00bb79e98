package io.icegate.engine.exec;

import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;

/** An operator over batches made by a test: the batches one by one; those not taken are closed. */
final class BatchSource implements Operator {
  private final List<VectorSchemaRoot> batches;
  private int next;

  BatchSource(List<VectorSchemaRoot> batches) {
    this.batches = batches;
  }

  @Override
  public VectorSchemaRoot next() {
    return next < batches.size() ? batches.get(next++) : null;
  }

  @Override
  public void close() {
    while (next < batches.size()) {
      batches.get(next++).close();
    }
  }

  /**
   * An input that gives {@code first}, then fails with "storage failed"; {@code unread} (a batch
   * it never gave) is closed with it.
   */
  static Operator failingAfter(VectorSchemaRoot first, VectorSchemaRoot unread) {
    return new Operator() {
      private int calls;

      @Override
      public VectorSchemaRoot next() {
        if (calls++ == 0) {
          return first;
        }
        throw new IllegalStateException("storage failed");
      }

      @Override
      public void close() {
        unread.close();
      }
    };
  }
}

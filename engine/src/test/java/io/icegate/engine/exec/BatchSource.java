package io.icegate.engine.exec;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.Text;

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
   * Drains {@code op}, closing each batch: every row as its values' text joined by {@code |}
   * (strings as themselves, nulls as {@code null}).
   */
  static List<String> textRows(Operator op) {
    List<String> rows = new ArrayList<>();
    for (VectorSchemaRoot out = op.next(); out != null; out = op.next()) {
      try (VectorSchemaRoot batch = out) {
        for (int r = 0; r < batch.getRowCount(); r++) {
          List<String> row = new ArrayList<>();
          for (FieldVector v : batch.getFieldVectors()) {
            Object value = v.getObject(r);
            row.add(value instanceof Text t ? t.toString() : String.valueOf(value));
          }
          rows.add(String.join("|", row));
        }
      }
    }
    return rows;
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

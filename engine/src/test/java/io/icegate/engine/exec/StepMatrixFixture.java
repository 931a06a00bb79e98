package io.icegate.engine.exec;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Step matrices written and read row by row for the operator tests. */
final class StepMatrixFixture {
  private StepMatrixFixture() {}

  /** A series: canonical labels, the name-dropping mark, a value per step (null: no sample). */
  record Row(String labels, boolean dropName, Double[] values) {
    @Override
    public String toString() {
      return labels + (dropName ? " (drop name) " : " ") + java.util.Arrays.toString(values);
    }
  }

  static Row row(String labels, Double... values) {
    return new Row(labels, false, values);
  }

  static Row dropped(String labels, Double... values) {
    return new Row(labels, true, values);
  }

  /** The rows as batches of at most {@code perBatch} rows. */
  static List<VectorSchemaRoot> batches(
      BufferAllocator allocator, int steps, int perBatch, List<Row> rows) {
    List<VectorSchemaRoot> out = new ArrayList<>();
    for (int from = 0; from < rows.size(); from += perBatch) {
      int n = Math.min(perBatch, rows.size() - from);
      VectorSchemaRoot b = StepMatrix.allocate(allocator, steps, n);
      for (int r = 0; r < n; r++) {
        Row row = rows.get(from + r);
        double[] v = new double[steps];
        boolean[] p = new boolean[steps];
        for (int s = 0; s < steps; s++) {
          p[s] = row.values()[s] != null;
          v[s] = p[s] ? row.values()[s] : 0;
        }
        StepMatrix.setRow(b, r, row.labels(), v, p, row.dropName());
      }
      StepMatrix.finish(b, n);
      out.add(b);
    }
    return out;
  }

  /** An operator giving {@code batches} once (closing the ones not given when closed). */
  static Operator source(List<VectorSchemaRoot> batches) {
    return new BatchSource(batches);
  }

  static ExecContext context(BufferAllocator allocator) {
    BooleanSupplier never = () -> false;
    return new ExecContext(allocator, null, System.nanoTime() + Long.MAX_VALUE, never);
  }

  /** Every row of every batch {@code op} gives, in order; the batches are closed. */
  static List<Row> drain(Operator op) {
    List<Row> out = new ArrayList<>();
    try (op) {
      VectorSchemaRoot next;
      while ((next = op.next()) != null) {
        try (VectorSchemaRoot b = next) {
          int steps = StepMatrix.steps(b);
          for (int r = 0; r < b.getRowCount(); r++) {
            Double[] v = new Double[steps];
            for (int s = 0; s < steps; s++) {
              v[s] = StepMatrix.present(b, r, s) ? StepMatrix.value(b, r, s) : null;
            }
            out.add(new Row(StepMatrix.labelText(b, r), StepMatrix.dropName(b).get(r) != 0, v));
          }
        }
      }
    }
    return out;
  }
}

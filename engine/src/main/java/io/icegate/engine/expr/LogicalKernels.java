package io.icegate.engine.expr;

import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;

/** AND, OR, NOT and constants over compiled predicates. */
final class LogicalKernels {
  private LogicalKernels() {}

  static VectorPredicate constant(boolean value) {
    return (batch, out) -> Arrays.fill(out, 0, batch.getRowCount(), value);
  }

  static VectorPredicate and(List<VectorPredicate> children) {
    return new VectorPredicate() {
      private boolean[] scratch = new boolean[0];

      @Override
      public void evaluate(VectorSchemaRoot batch, boolean[] out) {
        int rows = batch.getRowCount();
        children.get(0).evaluate(batch, out);
        if (scratch.length < rows) {
          scratch = new boolean[rows];
        }
        for (int c = 1; c < children.size(); c++) {
          children.get(c).evaluate(batch, scratch);
          for (int i = 0; i < rows; i++) {
            out[i] &= scratch[i];
          }
        }
      }
    };
  }

  static VectorPredicate or(List<VectorPredicate> children) {
    return new VectorPredicate() {
      private boolean[] scratch = new boolean[0];

      @Override
      public void evaluate(VectorSchemaRoot batch, boolean[] out) {
        int rows = batch.getRowCount();
        children.get(0).evaluate(batch, out);
        if (scratch.length < rows) {
          scratch = new boolean[rows];
        }
        for (int c = 1; c < children.size(); c++) {
          children.get(c).evaluate(batch, scratch);
          for (int i = 0; i < rows; i++) {
            out[i] |= scratch[i];
          }
        }
      }
    };
  }

  static VectorPredicate not(VectorPredicate child) {
    return (batch, out) -> {
      child.evaluate(batch, out);
      for (int i = 0; i < batch.getRowCount(); i++) {
        out[i] = !out[i];
      }
    };
  }
}

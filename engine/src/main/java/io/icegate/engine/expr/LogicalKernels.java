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
    return new Combined(children, true);
  }

  static VectorPredicate or(List<VectorPredicate> children) {
    return new Combined(children, false);
  }

  static VectorPredicate not(VectorPredicate child) {
    return (batch, out) -> {
      child.evaluate(batch, out);
      for (int i = 0; i < batch.getRowCount(); i++) {
        out[i] = !out[i];
      }
    };
  }

  /** AND or OR of several predicates, combined row by row into the output. */
  private static final class Combined implements VectorPredicate {
    private final List<VectorPredicate> children;
    private final boolean and;
    private boolean[] scratch = new boolean[0];

    Combined(List<VectorPredicate> children, boolean and) {
      this.children = children;
      this.and = and;
    }

    @Override
    public void evaluate(VectorSchemaRoot batch, boolean[] out) {
      int rows = batch.getRowCount();
      children.get(0).evaluate(batch, out);
      if (scratch.length < rows) {
        scratch = new boolean[rows];
      }
      for (int c = 1; c < children.size(); c++) {
        children.get(c).evaluate(batch, scratch);
        if (and) {
          for (int i = 0; i < rows; i++) {
            out[i] &= scratch[i];
          }
        } else {
          for (int i = 0; i < rows; i++) {
            out[i] |= scratch[i];
          }
        }
      }
    }
  }
}

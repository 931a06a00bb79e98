package io.icegate.engine.expr;

import java.util.Arrays;
import java.util.Comparator;
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

  /**
   * AND or OR of several predicates, combined row by row into the output. An AND runs its terms
   * cheapest first, each only on the rows the earlier ones kept, and stops once no row is left.
   */
  private static final class Combined implements VectorPredicate {
    private final List<VectorPredicate> children;
    private final boolean and;
    private final int cost;
    private boolean[] scratch = new boolean[0];

    Combined(List<VectorPredicate> children, boolean and) {
      // A stable sort: terms of equal cost keep the order the query wrote them in.
      this.children =
          and
              ? children.stream().sorted(Comparator.comparingInt(VectorPredicate::cost)).toList()
              : List.copyOf(children);
      this.and = and;
      this.cost = children.stream().mapToInt(VectorPredicate::cost).max().orElse(1);
    }

    @Override
    public int cost() {
      return cost;
    }

    @Override
    public void evaluate(VectorSchemaRoot batch, boolean[] out) {
      int rows = batch.getRowCount();
      children.get(0).evaluate(batch, out);
      combineRest(batch, out, rows);
    }

    @Override
    public void evaluate(VectorSchemaRoot batch, boolean[] out, boolean[] candidates) {
      int rows = batch.getRowCount();
      children.get(0).evaluate(batch, out, candidates);
      combineRest(batch, out, rows);
      if (!and) {
        for (int i = 0; i < rows; i++) {
          out[i] &= candidates[i];
        }
      }
    }

    private void combineRest(VectorSchemaRoot batch, boolean[] out, int rows) {
      if (scratch.length < rows) {
        scratch = new boolean[rows];
      }
      for (int c = 1; c < children.size(); c++) {
        if (and) {
          if (!any(out, rows)) {
            return; // every row already failed: the later (dearer) terms can't change that
          }
          children.get(c).evaluate(batch, scratch, out);
          for (int i = 0; i < rows; i++) {
            out[i] &= scratch[i];
          }
        } else {
          children.get(c).evaluate(batch, scratch);
          for (int i = 0; i < rows; i++) {
            out[i] |= scratch[i];
          }
        }
      }
    }

    private static boolean any(boolean[] values, int rows) {
      for (int i = 0; i < rows; i++) {
        if (values[i]) {
          return true;
        }
      }
      return false;
    }
  }
}

package io.icegate.engine.exec;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * SQL's {@code UNION ALL}: the batches of each input in turn, their columns renamed to the
 * union's and handed on without a copy. The planner has already given every input the union's
 * column types (casts in the inputs' projections); a batch whose Arrow type still differs from
 * the first input's is refused rather than passed on mislabelled.
 */
public final class UnionOperator implements Operator {
  private final ExecContext context;
  private final List<Operator> inputs;
  private final List<String> names;
  private final List<Integer> columns;
  /** Each column's Arrow type, from the first batch seen. */
  private List<ArrowType> types;
  private int current;

  public UnionOperator(ExecContext context, List<Operator> inputs, List<String> names) {
    this.context = context;
    this.inputs = List.copyOf(inputs);
    this.names = List.copyOf(names);
    this.columns = IntStream.range(0, names.size()).boxed().toList();
  }

  @Override
  public VectorSchemaRoot next() {
    while (current < inputs.size()) {
      context.checkContinue();
      VectorSchemaRoot batch = inputs.get(current).next();
      if (batch == null) {
        current++;
        continue;
      }
      try (batch) {
        check(batch);
        return Batches.take(batch, columns, names, context.allocator());
      }
    }
    return null;
  }

  private void check(VectorSchemaRoot batch) {
    List<FieldVector> vectors = batch.getFieldVectors();
    if (vectors.size() != names.size()) {
      throw new IllegalStateException(
          "UNION input " + (current + 1) + " has " + vectors.size() + " columns, not "
              + names.size());
    }
    if (types == null) {
      types = new ArrayList<>();
      for (FieldVector v : vectors) {
        types.add(v.getField().getType());
      }
      return;
    }
    for (int c = 0; c < vectors.size(); c++) {
      ArrowType type = vectors.get(c).getField().getType();
      if (!type.equals(types.get(c))) {
        throw new IllegalStateException(
            "UNION column " + names.get(c) + " is " + types.get(c) + " in one input and "
                + type + " in input " + (current + 1));
      }
    }
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    for (Operator input : inputs) {
      try {
        input.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}

package io.icegate.engine.sql;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.expr.SqlExpressions;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.TransferPair;
import org.apache.calcite.rel.type.RelDataType;

/**
 * Builds each output batch from an input batch: referenced columns share the input's buffers
 * (a zero-copy slice, so a column referenced twice is fine), computed ones are new vectors.
 */
final class ComputeOperator implements Operator {
  /** One output column: an input column's index, or an expression and its SQL type. */
  record Output(String name, int column, RelDataType type, SqlExpressions.Compiled expression) {
    static Output column(String name, int column) {
      return new Output(name, column, null, null);
    }

    static Output computed(String name, RelDataType type, SqlExpressions.Compiled expression) {
      return new Output(name, -1, type, expression);
    }
  }

  private final ExecContext context;
  private final Operator input;
  private final List<Output> outputs;

  ComputeOperator(ExecContext context, Operator input, List<Output> outputs) {
    this.context = context;
    this.input = input;
    this.outputs = List.copyOf(outputs);
  }

  @Override
  public VectorSchemaRoot next() {
    VectorSchemaRoot batch = input.next();
    if (batch == null) {
      return null;
    }
    try (batch) {
      int rows = batch.getRowCount();
      List<FieldVector> vectors = new ArrayList<>(outputs.size());
      try {
        for (Output output : outputs) {
          if (output.expression() == null) {
            FieldVector source = batch.getVector(output.column());
            TransferPair pair = source.getTransferPair(output.name(), context.allocator());
            pair.splitAndTransfer(0, rows);
            vectors.add((FieldVector) pair.getTo());
          } else {
            vectors.add(
                SqlExpressions.evaluateToVector(
                    output.expression(), batch, output.type(), output.name(),
                    context.allocator()));
          }
        }
      } catch (RuntimeException | Error e) {
        vectors.forEach(FieldVector::close);
        throw e;
      }
      VectorSchemaRoot out = new VectorSchemaRoot(vectors);
      out.setRowCount(rows);
      return out;
    }
  }

  @Override
  public void close() {
    input.close();
  }
}

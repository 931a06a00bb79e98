package io.icegate.engine.sql;

import com.google.common.collect.ImmutableList;
import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.expr.SqlExpressions;
import io.icegate.engine.rel.ArrowRel;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Values;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexLiteral;

/**
 * Constant rows: {@code SELECT 1} (the validation query JDBC pools send), and the empty result
 * Calcite plans for a condition that can never hold ({@code WHERE 1 = 0}, {@code LIMIT 0}).
 */
public final class ArrowValues extends Values implements ArrowRel {
  public ArrowValues(
      RelOptCluster cluster, RelDataType rowType,
      ImmutableList<ImmutableList<RexLiteral>> tuples, RelTraitSet traits) {
    super(cluster, rowType, tuples, traits);
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new ArrowValues(getCluster(), getRowType(), tuples, traitSet);
  }

  @Override
  public Operator implement(ExecContext context) {
    return context.measure(this, new Operator() {
      private boolean done = tuples.isEmpty();

      @Override
      public VectorSchemaRoot next() {
        if (done) {
          return null;
        }
        done = true;
        return batch(context);
      }

      @Override
      public void close() {}
    });
  }

  private VectorSchemaRoot batch(ExecContext context) {
    List<RelDataTypeField> fields = getRowType().getFieldList();
    List<FieldVector> columns = new ArrayList<>();
    try (VectorSchemaRoot one = new VectorSchemaRoot(List.of())) {
      one.setRowCount(1);
      for (int c = 0; c < fields.size(); c++) {
        FieldVector column = null;
        for (int r = 0; r < tuples.size(); r++) {
          SqlExpressions.Compiled literal =
              SqlExpressions.compile(tuples.get(r).get(c), getCluster().getRexBuilder());
          try (FieldVector cell =
              SqlExpressions.evaluateToVector(
                  literal, one, fields.get(c).getType(), fields.get(c).getName(),
                  context.allocator())) {
            if (column == null) {
              column = cell.getField().createVector(context.allocator());
              columns.add(column);
              column.allocateNew();
            }
            column.copyFromSafe(0, r, cell);
          }
        }
        column.setValueCount(tuples.size());
      }
    } catch (RuntimeException | Error e) {
      columns.forEach(FieldVector::close);
      throw e;
    }
    VectorSchemaRoot out = new VectorSchemaRoot(columns);
    out.setRowCount(tuples.size());
    return out;
  }
}

package io.icegate.engine.sql;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.expr.SqlExpressions;
import io.icegate.engine.rel.ArrowRel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;

/**
 * A projection with computed columns (arithmetic, casts, {@code map['key']}, CASE, …): what SQL
 * asks of a projection beyond {@code ArrowProject}'s column selection. Column references still
 * move their buffers; each computed column is evaluated a batch at a time by {@link
 * SqlExpressions}.
 */
public final class ArrowCompute extends Project implements ArrowRel {
  public ArrowCompute(
      RelOptCluster cluster, RelTraitSet traits, RelNode input, List<? extends RexNode> projects,
      RelDataType rowType) {
    super(cluster, traits, List.of(), input, projects, rowType, Set.of());
  }

  @Override
  public Project copy(
      RelTraitSet traitSet, RelNode input, List<RexNode> projects, RelDataType rowType) {
    return new ArrowCompute(getCluster(), traitSet, input, projects, rowType);
  }

  @Override
  public Operator implement(ExecContext context) {
    List<ComputeOperator.Output> outputs = new ArrayList<>();
    var fields = getRowType().getFieldList();
    for (int i = 0; i < getProjects().size(); i++) {
      RexNode project = getProjects().get(i);
      outputs.add(
          project instanceof RexInputRef ref
              ? ComputeOperator.Output.column(fields.get(i).getName(), ref.getIndex())
              : ComputeOperator.Output.computed(
                  fields.get(i).getName(),
                  fields.get(i).getType(),
                  SqlExpressions.compile(project, getCluster().getRexBuilder())));
    }
    Operator input = ((ArrowRel) getInput()).implement(context);
    return context.measure(this, new ComputeOperator(context, input, outputs));
  }
}

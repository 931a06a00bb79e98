package io.icegate.engine.rel;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.exec.ProjectOperator;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;

/**
 * Selects and renames columns. Only column references are executable so far; computed
 * expressions arrive with the engine issue's expression kernels.
 */
public final class ArrowProject extends Project implements ArrowRel {
  public ArrowProject(
      RelOptCluster cluster,
      RelTraitSet traits,
      RelNode input,
      List<? extends RexNode> projects,
      RelDataType rowType) {
    super(cluster, traits, List.of(), input, projects, rowType, java.util.Set.of());
  }

  @Override
  public Project copy(
      RelTraitSet traitSet, RelNode input, List<RexNode> projects, RelDataType rowType) {
    return new ArrowProject(getCluster(), traitSet, input, projects, rowType);
  }

  /**
   * A string column null in every row, read from nothing: what a LogQL metric plan gives in place
   * of the line when nothing above reads it (see {@code LogQueryPlanner.entries}).
   */
  static boolean isNullString(RexNode project) {
    return project instanceof org.apache.calcite.rex.RexLiteral literal
        && literal.isNull()
        && org.apache.calcite.sql.type.SqlTypeName.CHAR_TYPES.contains(
            literal.getType().getSqlTypeName());
  }

  /** True if every output is a plain column reference. */
  public boolean isColumnSelection() {
    return getProjects().stream().allMatch(p -> p instanceof RexInputRef);
  }

  @Override
  public Operator implement(ExecContext context) {
    List<Integer> columns = new ArrayList<>();
    for (RexNode project : getProjects()) {
      if (isNullString(project)) {
        columns.add(io.icegate.engine.exec.Batches.NULL_STRINGS);
        continue;
      }
      if (!(project instanceof RexInputRef ref)) {
        throw new UnsupportedOperationException("computed projection not supported: " + project);
      }
      columns.add(ref.getIndex());
    }
    Operator input = ((ArrowRel) getInput()).implement(context);
    return context.measure(this, new ProjectOperator(input, columns, getRowType().getFieldNames()));
  }
}

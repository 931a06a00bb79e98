package io.icegate.engine.rel;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.exec.UnionOperator;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.SetOp;
import org.apache.calcite.rel.core.Union;

/**
 * {@code UNION ALL} of its inputs, run as a {@link UnionOperator}: each input's batches in turn.
 * {@code UNION} (distinct), {@code INTERSECT} and {@code EXCEPT} reach it rewritten as aggregates
 * over a {@code UNION ALL} ({@link io.icegate.engine.plan.QueryOptimizer}'s logical phase).
 */
public final class ArrowUnion extends Union implements ArrowRel {
  public ArrowUnion(RelOptCluster cluster, RelTraitSet traits, List<RelNode> inputs) {
    super(cluster, traits, List.of(), inputs, true);
  }

  @Override
  public SetOp copy(RelTraitSet traitSet, List<RelNode> inputs, boolean all) {
    if (!all) {
      throw new IllegalArgumentException("ArrowUnion is UNION ALL only");
    }
    return new ArrowUnion(getCluster(), traitSet, inputs);
  }

  @Override
  public Operator implement(ExecContext context) {
    List<Operator> operators = new ArrayList<>();
    try {
      for (RelNode input : getInputs()) {
        operators.add(((ArrowRel) input).implement(context));
      }
    } catch (RuntimeException | Error e) {
      operators.forEach(Operator::close);
      throw e;
    }
    return context.measure(
        this, new UnionOperator(context, operators, getRowType().getFieldNames()));
  }
}

package io.icegate.engine.rel;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.HashAggregateOperator;
import io.icegate.engine.exec.Operator;
import java.util.List;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * Hash aggregation over batches: one group per distinct key, keys and accumulators held in
 * per-group arrays, no row objects. Supports plain grouping (DISTINCT) and {@code COUNT(*)} so
 * far; the engine issue adds the PromQL/LogQL aggregation functions.
 */
public final class ArrowAggregate extends Aggregate implements ArrowRel {
  public ArrowAggregate(
      RelOptCluster cluster,
      RelTraitSet traits,
      RelNode input,
      ImmutableBitSet groupSet,
      List<ImmutableBitSet> groupSets,
      List<AggregateCall> calls) {
    super(cluster, traits, List.of(), input, groupSet, groupSets, calls);
    for (AggregateCall call : calls) {
      if (call.getAggregation().getKind() != SqlKind.COUNT || !call.getArgList().isEmpty()
          || call.isDistinct()) {
        throw new UnsupportedOperationException("aggregate not supported yet: " + call);
      }
    }
  }

  @Override
  public Aggregate copy(
      RelTraitSet traitSet,
      RelNode input,
      ImmutableBitSet groupSet,
      List<ImmutableBitSet> groupSets,
      List<AggregateCall> calls) {
    return new ArrowAggregate(getCluster(), traitSet, input, groupSet, groupSets, calls);
  }

  @Override
  public Operator implement(ExecContext context) {
    Operator input = ((ArrowRel) getInput()).implement(context);
    return context.measure(
        this,
        new HashAggregateOperator(
            context, input, getGroupSet().asList(), aggCalls.size(),
            getRowType().getFieldNames()));
  }
}

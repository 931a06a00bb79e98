package io.icegate.engine.exec;

import io.icegate.promql.ast.AggregateOp;
import java.util.List;
import java.util.Set;

/**
 * A PromQL aggregation of an instant vector ({@link PromAggregateOperator}): the operator, the
 * grouping ({@code by} or {@code without} labels), the parameter at each step ({@code k} of
 * topk/bottomk, {@code q} of quantile; null for the others) and the grid's step count.
 */
public record PromAggregateSpec(
    AggregateOp op, boolean without, List<String> grouping, double[] param, int steps) {
  /** The operators this form computes; the others are evaluated series by series. */
  public static final Set<AggregateOp> SUPPORTED = Set.of(
      AggregateOp.SUM, AggregateOp.AVG, AggregateOp.COUNT, AggregateOp.MIN, AggregateOp.MAX,
      AggregateOp.GROUP, AggregateOp.STDDEV, AggregateOp.STDVAR, AggregateOp.QUANTILE,
      AggregateOp.TOPK, AggregateOp.BOTTOMK);

  public PromAggregateSpec {
    if (!SUPPORTED.contains(op)) {
      throw new IllegalArgumentException(op + " has no step-matrix form");
    }
    grouping = List.copyOf(grouping);
    boolean needsParam = op == AggregateOp.QUANTILE || op == AggregateOp.TOPK
        || op == AggregateOp.BOTTOMK;
    if (needsParam != (param != null) || (param != null && param.length != steps)) {
      throw new IllegalArgumentException(op + ": a parameter per step is needed, and only then");
    }
  }

  /** The grouping as EXPLAIN shows it: {@code by (a, b)} or {@code without (c)}. */
  public String groupingText() {
    return (without ? "without (" : "by (") + String.join(", ", grouping) + ")";
  }
}

package io.icegate.engine.exec;

import io.icegate.promql.ast.AggregateOp;
import java.util.List;
import java.util.Set;

/**
 * A PromQL aggregation of an instant vector ({@link PromAggregateOperator}): the operator, the
 * grouping ({@code by} or {@code without} labels), the parameter at each step ({@code k} of
 * topk/bottomk/limitk, the ratio of limit_ratio, {@code q} of quantile; null for the others),
 * the grid's step count, and the label count_values writes (null for the others).
 */
public record PromAggregateSpec(
    AggregateOp op, boolean without, List<String> grouping, double[] param, int steps,
    String label) {
  /** The operators this form computes; the others are evaluated series by series. */
  public static final Set<AggregateOp> SUPPORTED = Set.of(
      AggregateOp.SUM, AggregateOp.AVG, AggregateOp.COUNT, AggregateOp.MIN, AggregateOp.MAX,
      AggregateOp.GROUP, AggregateOp.STDDEV, AggregateOp.STDVAR, AggregateOp.QUANTILE,
      AggregateOp.TOPK, AggregateOp.BOTTOMK, AggregateOp.LIMITK, AggregateOp.LIMIT_RATIO,
      AggregateOp.COUNT_VALUES);

  /** An aggregation with no label parameter (all but count_values). */
  public PromAggregateSpec(
      AggregateOp op, boolean without, List<String> grouping, double[] param, int steps) {
    this(op, without, grouping, param, steps, null);
  }

  public PromAggregateSpec {
    if (!SUPPORTED.contains(op)) {
      throw new IllegalArgumentException(op + " has no step-matrix form");
    }
    grouping = List.copyOf(grouping);
    boolean needsParam = op == AggregateOp.QUANTILE || op == AggregateOp.TOPK
        || op == AggregateOp.BOTTOMK || op == AggregateOp.LIMITK
        || op == AggregateOp.LIMIT_RATIO;
    if (needsParam != (param != null) || (param != null && param.length != steps)) {
      throw new IllegalArgumentException(op + ": a parameter per step is needed, and only then");
    }
    if ((op == AggregateOp.COUNT_VALUES) != (label != null)) {
      throw new IllegalArgumentException(op + ": count_values needs a label, and only it");
    }
  }

  /** Whether the operator keeps input series and selects samples of them (topk and the like). */
  public boolean selects() {
    return op == AggregateOp.TOPK || op == AggregateOp.BOTTOMK || op == AggregateOp.LIMITK
        || op == AggregateOp.LIMIT_RATIO;
  }

  /** The grouping as EXPLAIN shows it: {@code by (a, b)} or {@code without (c)}. */
  public String groupingText() {
    return (without ? "without (" : "by (") + String.join(", ", grouping) + ")";
  }
}

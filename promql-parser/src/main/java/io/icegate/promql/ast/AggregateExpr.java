package io.icegate.promql.ast;

import java.util.List;

/**
 * An aggregation: {@code sum by (job) (rate(x[5m]))}, {@code topk(3, x)}.
 *
 * @param param the parameter of {@code topk}, {@code bottomk}, {@code quantile},
 *     {@code count_values}, {@code limitk} and {@code limit_ratio}; null for the others
 * @param grouping the labels of {@code by (...)} or {@code without (...)}, empty when there is none
 * @param without whether the labels are those of {@code without}
 */
public record AggregateExpr(
    AggregateOp op,
    Expr param,
    Expr expr,
    List<String> grouping,
    boolean without,
    PositionRange positionRange)
    implements Expr {

  public AggregateExpr {
    grouping = List.copyOf(grouping);
  }

  @Override
  public ValueType type() {
    return ValueType.VECTOR;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(op.toString());
    if (without) {
      b.append(" without (").append(Printer.labels(grouping)).append(") ");
    } else if (!grouping.isEmpty()) {
      b.append(" by (").append(Printer.labels(grouping)).append(") ");
    }
    b.append('(');
    if (op.hasParam()) {
      b.append(param).append(", ");
    }
    return b.append(expr).append(')').toString();
  }
}

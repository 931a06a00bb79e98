package io.icegate.logql.ast;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * A vector aggregation: {@code sum by (app) (rate(...))}, {@code topk(5, ...)}.
 *
 * <p>{@code grouping} is {@code by ()} when none is written (one series out). {@code parameter} is
 * the {@code k} of {@code topk}, {@code bottomk} and {@code approx_topk}, which require it (at least
 * 1); the other aggregations have none. The parser has applied Loki's rules: {@code approx_topk}
 * takes no grouping, {@code sort} and {@code sort_desc} no grouping labels.
 */
public record VectorAggregationExpr(
    VectorOp op, SampleExpr inner, Grouping grouping, OptionalLong parameter)
    implements SampleExpr {
  public VectorAggregationExpr {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(inner, "inner");
    Objects.requireNonNull(grouping, "grouping");
    Objects.requireNonNull(parameter, "parameter");
  }

  /** The vector aggregation functions. */
  public enum VectorOp {
    SUM("sum"),
    AVG("avg"),
    COUNT("count"),
    MAX("max"),
    MIN("min"),
    STDDEV("stddev"),
    STDVAR("stdvar"),
    BOTTOMK("bottomk"),
    TOPK("topk"),
    SORT("sort"),
    SORT_DESC("sort_desc"),
    APPROX_TOPK("approx_topk");

    private final String function;

    VectorOp(String function) {
      this.function = function;
    }

    /** The LogQL function name. */
    public String function() {
      return function;
    }
  }
}

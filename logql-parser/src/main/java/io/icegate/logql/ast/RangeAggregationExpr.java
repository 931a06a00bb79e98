package io.icegate.logql.ast;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A range aggregation: {@code rate({app="api"}[5m])}, {@code quantile_over_time(0.99, {...} |
 * unwrap latency [5m]) by (path)}.
 *
 * <p>The parser has applied Loki's rules: only {@link RangeOp#QUANTILE_OVER_TIME} has (and
 * requires) a {@code parameter}; the {@code *_over_time} aggregations of values require an unwrap
 * and the others refuse one (except {@code rate}, which takes either); {@code grouping} is only
 * allowed for the aggregations that keep one sample per series ({@code avg}, {@code min}, {@code
 * max}, {@code stddev}, {@code stdvar}, {@code quantile}, {@code first}, {@code last}).
 */
public record RangeAggregationExpr(
    RangeOp op, LogRangeExpr range, OptionalDouble parameter, Optional<Grouping> grouping)
    implements SampleExpr {
  public RangeAggregationExpr {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(range, "range");
    Objects.requireNonNull(parameter, "parameter");
    Objects.requireNonNull(grouping, "grouping");
  }

  /** The range aggregation functions. */
  public enum RangeOp {
    COUNT_OVER_TIME("count_over_time"),
    RATE("rate"),
    RATE_COUNTER("rate_counter"),
    BYTES_OVER_TIME("bytes_over_time"),
    BYTES_RATE("bytes_rate"),
    AVG_OVER_TIME("avg_over_time"),
    SUM_OVER_TIME("sum_over_time"),
    MIN_OVER_TIME("min_over_time"),
    MAX_OVER_TIME("max_over_time"),
    STDVAR_OVER_TIME("stdvar_over_time"),
    STDDEV_OVER_TIME("stddev_over_time"),
    QUANTILE_OVER_TIME("quantile_over_time"),
    FIRST_OVER_TIME("first_over_time"),
    LAST_OVER_TIME("last_over_time"),
    ABSENT_OVER_TIME("absent_over_time");

    private final String function;

    RangeOp(String function) {
      this.function = function;
    }

    /** The LogQL function name. */
    public String function() {
      return function;
    }
  }
}

package io.icegate.engine.logql.range;

import io.icegate.logql.ast.Grouping;
import io.icegate.logql.ast.LogRangeExpr;
import io.icegate.logql.ast.RangeAggregationExpr;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What a LogQL range aggregation computes, as its plan node carries it: the aggregation (op,
 * range, offset, unwrap, parameter, own grouping), the grouping of a {@code sum} directly above
 * pushed into it when it has none of its own, and the grid of evaluation steps {@code
 * firstStepNanos + k·stepNanos} for {@code k < steps}.
 *
 * @param pushed the grouping of the vector aggregation above, or null
 * @param stepNanos the step, 0 for an instant query (one step)
 */
public record RangeAggregateSpec(
    RangeAggregationExpr expr, Grouping pushed, long firstStepNanos, long stepNanos, int steps) {
  public RangeAggregateSpec {
    Objects.requireNonNull(expr, "expr");
    if (steps < 1 || (steps > 1 && stepNanos <= 0)) {
      throw new IllegalArgumentException(
          "a step grid needs at least one step and a positive step: " + steps + ", " + stepNanos);
    }
  }

  /** The evaluation times, in nanoseconds. */
  public long[] times() {
    long[] t = new long[steps];
    for (int i = 0; i < steps; i++) {
      t[i] = firstStepNanos + i * stepNanos;
    }
    return t;
  }

  /** The index of the step at {@code timeNanos}, a time of the grid. */
  public int stepIndex(long timeNanos) {
    return stepNanos == 0 ? 0 : (int) ((timeNanos - firstStepNanos) / stepNanos);
  }

  /** The grouping the series are split by: the aggregation's own, else the pushed one (or null). */
  public Grouping grouping() {
    return expr.grouping().orElse(pushed);
  }

  /**
   * Whether the answer can depend on the order in which samples of equal timestamps arrive: which
   * is first or last, counter resets between them, and floating-point sums (whose last bits
   * depend on the order of addition; {@code rate} of an unwrapped label sums it). Counts, byte
   * totals, extremes and quantiles don't, so their input may come in any order.
   */
  public boolean dependsOnArrivalOrder() {
    return switch (expr.op()) {
      case COUNT_OVER_TIME, BYTES_OVER_TIME, BYTES_RATE, ABSENT_OVER_TIME, MIN_OVER_TIME,
          MAX_OVER_TIME, QUANTILE_OVER_TIME -> false;
      case RATE -> expr.range().unwrap().isPresent();
      default -> true;
    };
  }

  /** The LogQL function, as EXPLAIN shows it: {@code quantile_over_time(0.99)}, {@code rate}. */
  public String function() {
    return expr.op().function()
        + (expr.parameter().isPresent() ? "(" + expr.parameter().getAsDouble() + ")" : "");
  }

  public String rangeText() {
    return shortDuration(expr.range().range());
  }

  /** The offset as LogQL writes it, or null when there is none. */
  public String offsetText() {
    Duration offset = expr.range().offset();
    return offset.isZero() ? null : shortDuration(offset);
  }

  /** The unwrapped label (with its conversion, if any), or null. */
  public String unwrapText() {
    LogRangeExpr range = expr.range();
    return range.unwrap()
        .map(u -> u.conversion() == io.icegate.logql.ast.Unwrap.Conversion.NONE
            ? u.label() : u.conversion().name().toLowerCase(java.util.Locale.ROOT)
                + "(" + u.label() + ")")
        .orElse(null);
  }

  /** The grouping as LogQL writes it ({@code by (a, b)}, {@code without (c)}), or null. */
  public String groupingText() {
    Grouping g = grouping();
    if (g == null) {
      return null;
    }
    return (g.without() ? "without (" : "by (") + String.join(", ", g.labels()) + ")";
  }

  /** The step grid: {@code 61 × 1m from 2023-11-14T22:13:20Z}, or the instant's time. */
  public String stepsText() {
    String from = Instant.ofEpochSecond(0, firstStepNanos).toString();
    return steps == 1 && stepNanos == 0
        ? "instant at " + from
        : steps + " x " + shortDuration(Duration.ofNanos(stepNanos)) + " from " + from;
  }

  /** {@code d} in its largest whole unit, as LogQL writes it: 1h, 5m, 30s, 250ms. */
  public static String shortDuration(Duration d) {
    long ms = d.toMillis();
    if (ms != 0 && ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms != 0 && ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }
}

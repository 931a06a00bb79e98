package io.icegate.engine.promql;

import io.icegate.engine.exec.KahanSum;
import java.util.Set;

/**
 * The range functions a plan node evaluates over float samples ({@link
 * io.icegate.engine.exec.PromSelectOperator}), with the kernels the evaluator runs for them
 * ({@link RangeFunctions}): for a series of floats without start timestamps, read through the
 * left-open windows, both give the same numbers. Functions with scalar arguments, and the
 * anchored and smoothed forms, stay with the evaluator.
 */
public final class FloatRangeKernels {
  private FloatRangeKernels() {}

  /**
   * A range function of the float samples {@code [from, to)} of one series (a non-empty window)
   * at evaluation time {@code t}; {@link #isNone} when it gives no value there.
   */
  public interface Kernel {
    double apply(long[] ts, double[] vs, int from, int to, long t, long range);
  }

  private static final Set<String> KEEP_NAME = Set.of("last_over_time", "first_over_time");

  private static final RangeFunctions.Sts NO_STARTS = new RangeFunctions.Sts();

  /** The functions {@link #of} has a kernel for. */
  public static final Set<String> FUNCTIONS =
      Set.of(
          "rate", "increase", "delta", "irate", "idelta", "deriv", "resets", "changes",
          "sum_over_time", "avg_over_time", "count_over_time", "min_over_time", "max_over_time",
          "stddev_over_time", "stdvar_over_time", "last_over_time", "first_over_time",
          "present_over_time", "mad_over_time", "ts_of_last_over_time", "ts_of_first_over_time",
          "ts_of_max_over_time", "ts_of_min_over_time");

  /** Whether {@code v} is a kernel's "no value at this step". */
  public static boolean isNone(double v) {
    return RangeFunctions.isNone(v);
  }

  /** Whether {@code function}'s result loses the metric name (all but last/first_over_time). */
  public static boolean dropsName(String function) {
    return !KEEP_NAME.contains(function);
  }

  /** The kernel of {@code function}, one of {@link #FUNCTIONS}. */
  public static Kernel of(String function) {
    return switch (function) {
      case "rate", "increase", "delta" -> {
        boolean counter = !function.equals("delta");
        boolean rate = function.equals("rate");
        yield (ts, vs, from, to, t, range) ->
            RangeFunctions.extrapolatedRate(ts, vs, from, to, t, range, counter, rate, null, null);
      }
      case "irate", "idelta" -> {
        boolean rate = function.equals("irate");
        yield (ts, vs, from, to, t, range) ->
            RangeFunctions.instantDelta(vs, null, ts, from, to, rate, NO_STARTS);
      }
      case "deriv" -> (ts, vs, from, to, t, range) -> RangeFunctions.slope(ts, vs, from, to);
      case "resets" ->
          (ts, vs, from, to, t, range) -> RangeFunctions.resets(vs, null, ts, from, to, NO_STARTS);
      case "changes" -> (ts, vs, from, to, t, range) -> RangeFunctions.changes(vs, null, from, to);
      case "sum_over_time" -> (ts, vs, from, to, t, range) -> KahanSum.sum(vs, from, to);
      case "avg_over_time" -> (ts, vs, from, to, t, range) -> KahanSum.mean(vs, from, to);
      case "count_over_time" -> (ts, vs, from, to, t, range) -> to - from;
      case "present_over_time" -> (ts, vs, from, to, t, range) -> 1;
      case "min_over_time" -> (ts, vs, from, to, t, range) -> RangeFunctions.min(vs, from, to);
      case "max_over_time" -> (ts, vs, from, to, t, range) -> RangeFunctions.max(vs, from, to);
      case "stddev_over_time" ->
          (ts, vs, from, to, t, range) -> Math.sqrt(KahanSum.variance(vs, from, to));
      case "stdvar_over_time" -> (ts, vs, from, to, t, range) -> KahanSum.variance(vs, from, to);
      case "last_over_time" -> (ts, vs, from, to, t, range) -> vs[to - 1];
      case "first_over_time" -> (ts, vs, from, to, t, range) -> vs[from];
      case "mad_over_time" -> (ts, vs, from, to, t, range) -> RangeFunctions.mad(vs, from, to);
      case "ts_of_last_over_time" -> (ts, vs, from, to, t, range) -> ts[to - 1] / 1000.0;
      case "ts_of_first_over_time" -> (ts, vs, from, to, t, range) -> ts[from] / 1000.0;
      case "ts_of_max_over_time" ->
          (ts, vs, from, to, t, range) -> RangeFunctions.timeOfExtreme(ts, vs, from, to, true);
      case "ts_of_min_over_time" ->
          (ts, vs, from, to, t, range) -> RangeFunctions.timeOfExtreme(ts, vs, from, to, false);
      default -> throw new IllegalArgumentException("no plan kernel for " + function);
    };
  }
}

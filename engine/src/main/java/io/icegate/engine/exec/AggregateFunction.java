package io.icegate.engine.exec;

import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * One aggregate of a {@link HashAggregateOperator}: what it computes, over which input columns,
 * and the type of its result column (as the planner typed the call).
 *
 * @param args input column indexes: none for {@code COUNT(*)}; for the merge kinds, the state
 *     columns a partial aggregate made, in the order that kind's javadoc gives
 * @param filter a boolean input column: only rows where it is true count ({@code FILTER (WHERE
 *     …)}); -1 for every row
 */
public record AggregateFunction(
    Kind kind, List<Integer> args, ArrowType type, boolean nullable, int filter) {
  public AggregateFunction {
    args = List.copyOf(args);
  }

  /** A function over every row. */
  public AggregateFunction(Kind kind, List<Integer> args, ArrowType type, boolean nullable) {
    this(kind, args, type, nullable, -1);
  }

  /**
   * The functions. SQL semantics unless noted: nulls are skipped; over no non-null value a
   * function is NULL except the counts and {@code SUM0} (0). Float statistics follow IEEE (a NaN
   * or an infinity in the input makes the variance NaN, as PromQL's {@code stddev}); {@code
   * MIN}/{@code MAX} of floats skip NaNs unless all are NaN, as PromQL's {@code min}/{@code max}.
   */
  public enum Kind {
    /** {@code COUNT(*)} without an argument, else the non-null values. */
    COUNT,
    /** Distinct non-null values. Not mergeable: needs every value in one place. */
    COUNT_DISTINCT,
    /** Exact over integers (an error when it leaves the result type), IEEE over floats. */
    SUM,
    /** {@code SUM} that is 0 over no value (Calcite's {@code $SUM0}; also merges counts). */
    SUM0,
    MIN,
    MAX,
    /** The mean, in double; truncated if the planner typed the call as an integer. */
    AVG,
    VAR_POP,
    VAR_SAMP,
    STDDEV_POP,
    STDDEV_SAMP,
    /**
     * SQL's {@code PERCENTILE_CONT(φ) WITHIN GROUP (ORDER BY x)}: args (φ, x); interpolated at
     * rank φ·(n−1) with NaN sorting after every number; an error for φ outside [0, 1]. Like the
     * other quantiles, it holds every value of its group until the end, so it is not split
     * into per-split states (as {@code COUNT_DISTINCT}).
     */
    PERCENTILE_CONT,
    /** SQL's {@code PERCENTILE_DISC(φ)}: args (φ, x); the first value whose share reaches φ. */
    PERCENTILE_DISC,
    /**
     * PromQL's {@code quantile(φ, x)}: args (φ, x); NaNs sort first, φ below 0 is −Inf, above 1
     * +Inf, NaN φ NaN ({@link Quantiles#prometheus}).
     */
    QUANTILE,
    /** Partial state of {@code AVG}: the sum as a double, 0 over no value. */
    SUM_STATE,
    /**
     * Partial state of an integer {@code SUM} ({@code SUM0}): the sum wrapped to 64 bits, NULL
     * (0) over no value. With {@link #SUM_WRAPS_STATE} it is the exact 128-bit sum, so a split
     * whose own sum leaves BIGINT doesn't fail when the whole sum fits.
     */
    SUM_LOW_STATE,
    SUM0_LOW_STATE,
    /** Partial state of an integer {@code SUM}: how often the 64-bit sum wrapped (signed). */
    SUM_WRAPS_STATE,
    /** Integer {@code SUM} ({@code SUM0}) from partial states: args (SUM_LOW_STATE, WRAPS). */
    SUM_MERGE,
    SUM0_MERGE,
    /** Partial state of the variances: the running mean (Welford), 0 over no value. */
    MEAN_STATE,
    /** Partial state of the variances: the sum of squared deviations from the mean. */
    M2_STATE,
    /** {@code AVG} from partial states: args (SUM_STATE, COUNT). */
    AVG_MERGE,
    /** Args (COUNT, MEAN_STATE, M2_STATE), merged with the parallel-variance formula. */
    VAR_POP_MERGE,
    VAR_SAMP_MERGE,
    STDDEV_POP_MERGE,
    STDDEV_SAMP_MERGE
  }
}

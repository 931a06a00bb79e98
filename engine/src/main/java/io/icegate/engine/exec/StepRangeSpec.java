package io.icegate.engine.exec;

import io.icegate.engine.promql.FloatRangeKernels;
import io.icegate.engine.series.StepSelection;

/**
 * A range function over a subquery ({@link StepRangeOperator}): the function (one of {@link
 * FloatRangeKernels#FUNCTIONS}), the subquery's range and step, the inner grid the input step
 * matrix is evaluated on ({@code innerTimes}, ascending) and the times the windows {@code (t −
 * range, t]} end at ({@code outerTimes}: the query's steps after the subquery's offset and
 * {@code @}), one per output step.
 */
public record StepRangeSpec(
    String function, long rangeMillis, long stepMillis, long[] innerTimes, long[] outerTimes) {
  public StepRangeSpec {
    if (!FloatRangeKernels.FUNCTIONS.contains(function)) {
      throw new IllegalArgumentException(function + " has no step-matrix kernel");
    }
    for (int i = 1; i < innerTimes.length; i++) {
      if (innerTimes[i] <= innerTimes[i - 1]) {
        throw new IllegalArgumentException("the inner grid must ascend");
      }
    }
  }

  public int innerSteps() {
    return innerTimes.length;
  }

  public int outerSteps() {
    return outerTimes.length;
  }

  /** The range and step as PromQL writes them: {@code 1h:1m}. */
  public String windowText() {
    return StepSelection.duration(rangeMillis) + ":" + StepSelection.duration(stepMillis);
  }

  /**
   * The inner-grid steps each window holds, as index bounds {@code [from[i], to[i])} into {@code
   * innerTimes}: those in {@code (outerTimes[i] − range, outerTimes[i]]}.
   */
  public void windows(int[] from, int[] to) {
    for (int i = 0; i < outerTimes.length; i++) {
      long t = outerTimes[i];
      to[i] = firstAfter(innerTimes, t);
      from[i] = Math.min(firstAfter(innerTimes, t - rangeMillis), to[i]);
    }
  }

  /** The first index of ascending {@code ts} whose time is after {@code t}. */
  private static int firstAfter(long[] ts, long t) {
    int lo = 0;
    int hi = ts.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (ts[mid] <= t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}

package io.icegate.engine.logql.range;

/**
 * A step grid of two or more steps {@code start + k·step} and the windows {@code (t − offset −
 * range, t − offset]} of its steps, for summing samples into the windows that hold them: a sample
 * at {@code ts} lies in the window of every step {@code k} with {@code ts + offset ≤ t_k < ts +
 * offset + range}, a run of consecutive steps, so it adds to difference arrays at the run's two
 * ends — constant work per sample, whatever the range. A prefix sum then gives each window's
 * count and total.
 */
record StepSums(long start, long step, int steps, long range, long offset) {
  StepSums {
    if (steps < 2 || step <= 0) {
      throw new IllegalArgumentException("a grid of steps needs two steps or more: " + steps);
    }
  }

  /** Adds a sample at {@code time} of {@code value} to the windows that hold it. */
  void add(double[] countChange, double[] sumChange, long time, double value) {
    long first = ceilDiv(time + offset - start, step);
    long last = ceilDiv(time + offset + range - start, step) - 1;
    if (first < 0) {
      first = 0;
    }
    if (last > steps - 1) {
      last = steps - 1;
    }
    if (first > last) {
      return; // in no window of the grid
    }
    countChange[(int) first] += 1;
    countChange[(int) last + 1] -= 1;
    sumChange[(int) first] += value;
    sumChange[(int) last + 1] -= value;
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}

package io.icegate.engine.series;

/**
 * The evaluation times of a query: {@code start, start+step, ... <= end} in milliseconds. An
 * instant query is a grid of one step.
 */
public record StepGrid(long start, long end, long step) {
  public StepGrid {
    if (end < start) {
      throw new IllegalArgumentException("end before start");
    }
    if (step <= 0 && end != start) {
      throw new IllegalArgumentException("step must be positive");
    }
  }

  public static StepGrid instant(long time) {
    return new StepGrid(time, time, 1);
  }

  public int size() {
    return step <= 0 ? 1 : (int) ((end - start) / step) + 1;
  }

  /** The times as an array, the form every evaluator loop indexes. */
  public long[] times() {
    long[] t = new long[size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = start + i * step;
    }
    return t;
  }
}

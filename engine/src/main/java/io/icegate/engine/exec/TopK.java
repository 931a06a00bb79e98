package io.icegate.engine.exec;

import java.util.function.IntToDoubleFunction;

/**
 * The order of PromQL's {@code topk} (descending) and {@code bottomk} (ascending), NaN last in
 * both, and the selection of the first k members of a group in that order, as a stable sort
 * would give them. Shared by the series evaluator and {@link PromAggregateOperator}.
 */
public final class TopK {
  private TopK() {}

  /** The largest k for which topk/bottomk select by insertion instead of sorting every member. */
  public static final int PARTIAL_SELECT_MAX = 64;

  /**
   * Puts into {@code kept} the first {@code k} of {@code members[0 .. count)} in the order a
   * stable sort by {@code value} (descending for topk, ascending for bottomk, NaN last) would
   * give, and returns how many there are: each member is inserted after every kept one it does
   * not beat, so ties keep the members' order. {@code kept} and {@code keptValues} hold k.
   */
  public static int firstK(
      int[] members, int count, int k, IntToDoubleFunction value, boolean top, int[] kept,
      double[] keptValues) {
    int size = 0;
    for (int m = 0; m < count; m++) {
      int j = members[m];
      double v = value.applyAsDouble(j);
      // Where v goes: after the last kept value it does not sort before.
      int at = size;
      while (at > 0 && before(v, keptValues[at - 1], top)) {
        at--;
      }
      if (at >= k) {
        continue;
      }
      int moved = Math.min(size, k - 1) - at;
      System.arraycopy(kept, at, kept, at + 1, moved);
      System.arraycopy(keptValues, at, keptValues, at + 1, moved);
      kept[at] = j;
      keptValues[at] = v;
      size = Math.min(size + 1, k);
    }
    return size;
  }

  /** Whether {@code x} sorts strictly before {@code y} in topk's (or bottomk's) order. */
  public static boolean before(double x, double y, boolean top) {
    return top ? compareForTop(y, x) < 0 : compareForBottom(x, y) < 0;
  }

  /** Ascending with NaN first: topk sorts by its reverse (descending, NaN last). */
  public static int compareForTop(double x, double y) {
    if (Double.isNaN(x)) {
      return Double.isNaN(y) ? 0 : -1;
    }
    if (Double.isNaN(y)) {
      return 1;
    }
    return Double.compare(x, y);
  }

  /** Ascending, NaN last. */
  public static int compareForBottom(double x, double y) {
    if (Double.isNaN(x)) {
      return Double.isNaN(y) ? 0 : 1;
    }
    if (Double.isNaN(y)) {
      return -1;
    }
    return Double.compare(x, y);
  }
}

package io.icegate.engine.series;

/**
 * The samples of a series in the left-open window {@code (t - range, t]} at each evaluation time,
 * as index bounds into the series' arrays ({@code [from[i], to[i])}), so range functions read
 * the columns directly. The series should come without stale markers
 * ({@link Series#withoutStaleMarkers()}): Prometheus leaves them out of range vectors.
 */
public final class RangeWindows {
  private RangeWindows() {}

  public static void bounds(Series s, long[] times, long range, int[] from, int[] to) {
    long[] ts = s.timestamps();
    if (walkable(times, ts.length)) {
      // A range query's grid: both window ends only move forward, so one walk finds them all.
      int lo = 0;
      int hi = 0;
      for (int i = 0; i < times.length; i++) {
        long t = times[i];
        while (hi < ts.length && ts[hi] <= t) {
          hi++;
        }
        long start = t - range;
        while (lo < ts.length && ts[lo] <= start) {
          lo++;
        }
        to[i] = hi;
        from[i] = Math.min(lo, hi);
      }
      return;
    }
    for (int i = 0; i < times.length; i++) {
      long t = times[i];
      to[i] = InstantSelection.lastAtOrBefore(ts, t) + 1;
      from[i] = InstantSelection.lastAtOrBefore(ts, t - range) + 1;
      if (from[i] > to[i]) {
        from[i] = to[i];
      }
    }
  }

  /**
   * Whether walking the samples once beats a binary search per evaluation time: the times
   * ascend and the samples are not many more than the times (a sparse grid over a long series
   * would walk past most samples for nothing).
   */
  static boolean walkable(long[] times, int samples) {
    return samples <= 32L * times.length && ascending(times);
  }

  static boolean ascending(long[] times) {
    for (int i = 1; i < times.length; i++) {
      if (times[i] < times[i - 1]) {
        return false;
      }
    }
    return true;
  }
}

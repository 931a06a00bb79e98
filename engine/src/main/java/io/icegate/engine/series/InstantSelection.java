package io.icegate.engine.series;

/**
 * Picks, for each evaluation time t, the newest sample of a series in the left-open lookback
 * window {@code (t - lookback, t]}; no sample when there is none or when that newest sample is a
 * stale marker (the series ended). Works on the arrays only: no per-sample objects.
 */
public final class InstantSelection {
  private InstantSelection() {}

  /**
   * Fills {@code outValues}/{@code outTimes}/{@code present} (one slot per evaluation time).
   *
   * @param times evaluation times in milliseconds, in any order
   */
  public static void select(
      Series s, long[] times, long lookback, double[] outValues, long[] outTimes, boolean[] present) {
    select(s, times, lookback, outValues, null, outTimes, present);
  }

  /**
   * As {@link #select(Series, long[], long, double[], long[], boolean[])}, and for a series with
   * histograms also fills {@code outHistograms} (null entries for float samples).
   */
  public static void select(
      Series s,
      long[] times,
      long lookback,
      double[] outValues,
      FloatHistogram[] outHistograms,
      long[] outTimes,
      boolean[] present) {
    long[] ts = s.timestamps();
    double[] vs = s.values();
    boolean walk = RangeWindows.walkable(times, ts.length);
    int next = 0; // when walking: the first sample after the previous time
    for (int i = 0; i < times.length; i++) {
      long t = times[i];
      int idx;
      if (walk) {
        while (next < ts.length && ts[next] <= t) {
          next++;
        }
        idx = next - 1;
      } else {
        idx = lastAtOrBefore(ts, t);
      }
      if (idx >= 0 && ts[idx] > t - lookback && !s.isStale(idx)) {
        outValues[i] = vs[idx];
        outTimes[i] = ts[idx];
        present[i] = true;
        if (outHistograms != null) {
          outHistograms[i] = s.histogram(idx);
        }
      } else {
        present[i] = false;
      }
    }
  }

  /** The index of the last timestamp {@code <= t}, or -1. */
  public static int lastAtOrBefore(long[] ts, long t) {
    int lo = 0;
    int hi = ts.length - 1;
    int ans = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (ts[mid] <= t) {
        ans = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return ans;
  }
}

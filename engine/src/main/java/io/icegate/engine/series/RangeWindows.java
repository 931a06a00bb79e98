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
    for (int i = 0; i < times.length; i++) {
      long t = times[i];
      to[i] = InstantSelection.lastAtOrBefore(ts, t) + 1;
      from[i] = InstantSelection.lastAtOrBefore(ts, t - range) + 1;
      if (from[i] > to[i]) {
        from[i] = to[i];
      }
    }
  }
}

package io.icegate.engine.series;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Instant selection: newest sample in (t - lookback, t], none once the series went stale. */
class InstantSelectionTest {
  private static final long LOOKBACK = 5 * 60_000;

  // Samples at 0s, 60s, 120s; a stale marker at 180s; a new sample at 600s.
  private final Series series =
      new Series(
          Labels.of("__name__", "up"),
          new long[] {0, 60_000, 120_000, 180_000, 600_000},
          new double[] {1, 2, 3, StaleMarker.STALE_NAN, 7});

  @Test
  void picksTheNewestSampleAtOrBeforeTheStep() {
    long[] times = {0, 59_999, 60_000, 150_000};
    double[] values = new double[4];
    long[] sampleTimes = new long[4];
    boolean[] present = new boolean[4];

    InstantSelection.select(series, times, LOOKBACK, values, sampleTimes, present);

    assertThat(present).containsExactly(true, true, true, true);
    assertThat(values).containsExactly(1, 1, 2, 3);
    assertThat(sampleTimes).containsExactly(0, 0, 60_000, 120_000);
  }

  @Test
  void aStaleMarkerEndsTheSeriesUntilTheNextSample() {
    long[] times = {179_999, 180_000, 400_000, 600_000};
    double[] values = new double[4];
    boolean[] present = new boolean[4];

    InstantSelection.select(series, times, LOOKBACK, values, new long[4], present);

    assertThat(present).containsExactly(true, false, false, true);
    assertThat(values[0]).isEqualTo(3);
    assertThat(values[3]).isEqualTo(7);
  }

  @Test
  void theLookbackWindowIsOpenOnTheLeft() {
    Series one = new Series(Labels.EMPTY, new long[] {0}, new double[] {5});
    long[] times = {LOOKBACK - 1, LOOKBACK};
    boolean[] present = new boolean[2];

    InstantSelection.select(one, times, LOOKBACK, new double[2], new long[2], present);

    // A sample exactly one lookback before the step is outside (t - 5m, t].
    assertThat(present).containsExactly(true, false);
  }

  @Test
  void anOrdinaryNaNIsAValueNotAStaleMarker() {
    Series nan = new Series(Labels.EMPTY, new long[] {0}, new double[] {Double.NaN});
    boolean[] present = new boolean[1];
    double[] values = new double[1];

    InstantSelection.select(nan, new long[] {0}, LOOKBACK, values, new long[1], present);

    assertThat(present[0]).isTrue();
    assertThat(values[0]).isNaN();
    assertThat(StaleMarker.isStale(Double.NaN)).isFalse();
  }
}

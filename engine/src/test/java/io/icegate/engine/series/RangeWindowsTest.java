package io.icegate.engine.series;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Range windows are (t - range, t], and never see stale markers. */
class RangeWindowsTest {
  @Test
  void windowExcludesTheSampleExactlyOneRangeBack() {
    Series s = new Series(Labels.EMPTY, new long[] {0, 10, 20, 30}, new double[] {1, 2, 3, 4});
    long[] times = {30, 25, 5};
    int[] from = new int[3];
    int[] to = new int[3];

    RangeWindows.bounds(s, times, 20, from, to);

    // t=30: (10, 30] holds 20 and 30; t=25: (5, 25] holds 10 and 20; t=5: (-15, 5] holds 0.
    assertThat(from).containsExactly(2, 1, 0);
    assertThat(to).containsExactly(4, 3, 1);
  }

  @Test
  void staleMarkersAreLeftOutOfWindows() {
    Series s =
        new Series(
            Labels.EMPTY, new long[] {0, 10, 20}, new double[] {1, StaleMarker.STALE_NAN, 3});

    Series clean = s.withoutStaleMarkers();

    assertThat(clean.timestamps()).containsExactly(0, 20);
    assertThat(clean.values()).containsExactly(1, 3);
  }

  @Test
  void stepGridIncludesTheEnd() {
    assertThat(new StepGrid(0, 60_000, 15_000).times()).containsExactly(0, 15_000, 30_000, 45_000, 60_000);
    assertThat(StepGrid.instant(7).times()).containsExactly(7);
  }

  @Test
  void labelsSortByNameAndDropEmptyValues() {
    Labels l = Labels.of("b", "2", "a", "1", "c", "");

    assertThat(l.toString()).isEqualTo("{a=\"1\", b=\"2\"}");
    assertThat(l.get("c")).isEmpty();
    assertThat(Labels.of("__name__", "x", "__type__", "gauge", "a", "1").withoutName())
        .isEqualTo(Labels.of("a", "1"));
  }
}

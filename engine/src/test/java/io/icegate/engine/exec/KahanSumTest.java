package io.icegate.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Means as Prometheus computes avg and avg_over_time: compensated, incremental past overflow. */
class KahanSumTest {
  @Test
  void compensationKeepsWhatANaiveSumLoses() {
    // Naively 1 + 1e100 + 1 - 1e100 is 0; the compensated sum is 2, the mean 0.5.
    double[] v = {7, 1, 1e100, 1, -1e100, 7};
    assertThat(KahanSum.mean(v, 1, 5)).isEqualTo(0.5);
    assertThat(KahanSum.sum(v, 1, 5)).isEqualTo(2.0);
    assertThat(KahanSum.mean(v, 0, 1)).isEqualTo(7.0);
  }

  @Test
  void aSumThatWouldOverflowSwitchesToTheIncrementalMean() {
    // 1e308 + 1e308 overflows; the mean of the three is 1e308 / 3.
    double[] v = {1e308, 1e308, -1e308};
    assertThat(KahanSum.mean(v, 0, 3)).isCloseTo(1e308 / 3, within(1e293));
    double[] big = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
    assertThat(KahanSum.mean(big, 0, 4)).isCloseTo(Double.MAX_VALUE, within(1e293));
  }

  @Test
  void infinitiesAndNaNPassThrough() {
    assertThat(KahanSum.mean(new double[] {1, Double.POSITIVE_INFINITY, 2}, 0, 3))
        .isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(KahanSum.mean(new double[] {1, Double.NaN, 2}, 0, 3)).isNaN();
  }
}

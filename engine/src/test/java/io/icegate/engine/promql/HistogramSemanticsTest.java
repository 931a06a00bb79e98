package io.icegate.engine.promql;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.engine.series.FloatHistogram;
import io.icegate.engine.series.FloatHistogram.CounterResetHint;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.Series;
import io.icegate.promql.PromQL;
import io.icegate.promql.PromQLOptions;
import io.icegate.promql.ast.VectorSelector;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Native histogram rules that Prometheus's promqltest scripts reach only through whole queries,
 * checked one by one. Expected values are worked out by hand from the rules (quoted in each
 * test) or taken from native_histograms.test, as noted.
 */
class HistogramSemanticsTest {
  private static FloatHistogram custom(double[] bounds, double... counts) {
    int[] idx = new int[counts.length];
    double total = 0;
    for (int i = 0; i < counts.length; i++) {
      idx[i] = i;
      total += counts[i];
    }
    return new FloatHistogram(FloatHistogram.CUSTOM_BUCKETS_SCHEMA, 0, 0, total, total, idx,
        counts, new int[0], new double[0], bounds, CounterResetHint.UNKNOWN);
  }

  @Test
  void resetsAcrossDifferentCustomBoundsCompareTheSharedBounds() {
    // (-Inf,1]:3 then (-Inf,5]:3: the bounds share only +Inf, where both hold 3.
    FloatHistogram prev = custom(new double[] {1}, 3);
    FloatHistogram cur = custom(new double[] {5, 10}, 3);
    assertThat(cur.detectReset(prev)).isFalse();
    // (-Inf,5]:2 (5,+Inf]:1 then (-Inf,5]:1 (5,10]:1 (10,+Inf]:1: at the shared bound 5 the
    // count fell from 2 to 1, although the total stayed 3.
    FloatHistogram prev2 = custom(new double[] {5}, 2, 1);
    FloatHistogram cur2 = custom(new double[] {5, 10}, 1, 1, 1);
    assertThat(cur2.detectReset(prev2)).isTrue();
  }

  @Test
  void gaugeHistogramsAreCheckedForResetsLikeUnhintedOnes() {
    FloatHistogram prev = custom(new double[] {5}, 2, 1);
    FloatHistogram cur = custom(new double[] {5}, 1, 1).withHint(CounterResetHint.GAUGE);
    assertThat(cur.detectReset(prev)).isTrue();
    assertThat(cur.withHint(CounterResetHint.NOT_COUNTER_RESET).detectReset(prev)).isFalse();
  }

  @Test
  void trimDropsWholeBucketsThatReachInfinity() {
    // native_histograms.test: cbh_one_bucket </ 10.0 keeps nothing of (-Inf,+Inf].
    FloatHistogram one = custom(new double[0], 100);
    FloatHistogram below = HistogramTrim.trim(one, 10, true);
    assertThat(below.count).isZero();
    assertThat(below.sum).isZero();
    // native_histograms.test: cbh_two_buckets_split_at_positive >/ -10.0 drops (-Inf,5] and
    // keeps (5,+Inf], its observations taken at 5.
    FloatHistogram two = new FloatHistogram(FloatHistogram.CUSTOM_BUCKETS_SCHEMA, 0, 0, 101, 33,
        new int[] {0, 1}, new double[] {1, 100}, new int[0], new double[0], new double[] {5},
        CounterResetHint.UNKNOWN);
    FloatHistogram above = HistogramTrim.trim(two, -10, false);
    assertThat(above.count).isEqualTo(100);
    assertThat(above.sum).isEqualTo(500);
    assertThat(above.positiveIndexes).containsExactly(1);
  }

  @Test
  void statsOnlySelectorsAreThoseUnderHistogramCountSumOrAvg() {
    assertThat(statsOnly("histogram_count(sum(a))")).containsExactly("a");
    assertThat(statsOnly("histogram_avg(rate(a[5m]))")).containsExactly("a");
    // A function that needs the buckets, a trim or a subquery in between: buckets are read.
    assertThat(statsOnly("histogram_count(a unless histogram_quantile(0.5, b) < 3)"))
        .containsExactly("a");
    assertThat(statsOnly("histogram_count(increase(a[40m:9m]))")).isEmpty();
    assertThat(statsOnly("histogram_sum(a </ 3)")).isEmpty();
    assertThat(statsOnly("sum(a)")).isEmpty();
  }

  private static Set<String> statsOnly(String query) {
    Set<String> names = new TreeSet<>();
    for (VectorSelector vs :
        HistogramStats.selectors(PromQL.parse(query, PromQLOptions.ALL_ENABLED))) {
      names.add(vs.name());
    }
    return names;
  }

  @Test
  void statsOnlyReadingGivesUnhintedHistogramsAResetHint() {
    FloatHistogram h5 = custom(new double[] {5}, 3, 2);
    FloatHistogram h6 = custom(new double[] {5}, 4, 2);
    FloatHistogram h3 = custom(new double[] {5}, 2, 1);
    Series s = new Series(Labels.of("__name__", "a"), new long[] {0, 1, 2}, new double[3],
        new FloatHistogram[] {h5, h6, h3});
    Series stats = HistogramStats.statsOnly(s);
    // The first has nothing before it; then a rise (not a reset) and a fall (a reset).
    assertThat(stats.histogram(0).hint).isEqualTo(CounterResetHint.UNKNOWN);
    assertThat(stats.histogram(1).hint).isEqualTo(CounterResetHint.NOT_COUNTER_RESET);
    assertThat(stats.histogram(2).hint).isEqualTo(CounterResetHint.COUNTER_RESET);
    // Only count, sum and schema are kept.
    assertThat(stats.histogram(1).count).isEqualTo(6);
    assertThat(stats.histogram(1).positiveCounts).isEmpty();
    assertThat(stats.histogram(1).schema).isEqualTo(FloatHistogram.CUSTOM_BUCKETS_SCHEMA);
  }

  @Test
  void startTimestampsTellResetsAndDeltas() {
    // A start after the previous sample: the counter restarted in between.
    assertThat(RangeFunctions.startReset(0, 60_000, 90_000, 120_000)).isTrue();
    // A start at the previous sample: a delta if that sample had a start of its own ...
    assertThat(RangeFunctions.startReset(0, 60_000, 60_000, 120_000)).isFalse();
    assertThat(RangeFunctions.startReset(30_000, 60_000, 60_000, 120_000)).isTrue();
    // ... but not when that start was the sample's own time (unknown start in OTel) or after it.
    assertThat(RangeFunctions.startReset(60_000, 60_000, 60_000, 120_000)).isFalse();
    assertThat(RangeFunctions.startReset(120_000, 60_000, 60_000, 120_000)).isFalse();
    // No start, a start at or after the sample, or one reaching back over the previous sample.
    assertThat(RangeFunctions.startReset(0, 60_000, 0, 120_000)).isFalse();
    assertThat(RangeFunctions.startReset(0, 60_000, 120_000, 120_000)).isFalse();
    assertThat(RangeFunctions.startReset(0, 60_000, 30_000, 120_000)).isFalse();
    // Overlap: a start before the previous sample that is not the previous sample's start.
    assertThat(RangeFunctions.startOverlaps(0, 60_000, 0)).isFalse();
    assertThat(RangeFunctions.startOverlaps(-60_000, 60_000, -60_000)).isFalse();
    assertThat(RangeFunctions.startOverlaps(0, 60_000, 30_000)).isTrue();
  }
}

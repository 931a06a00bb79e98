package io.icegate.engine.logql;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.engine.promql.QueryResult;
import io.icegate.engine.series.Labels;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The count-min sketch behind {@code approx_topk}, on vectors whose top k is known by hand. */
class ApproxTopKTest {
  private static QueryResult.VectorResult vector(int series) {
    List<QueryResult.Sample> samples = new ArrayList<>();
    for (int i = 1; i <= series; i++) {
      samples.add(new QueryResult.Sample(Labels.of("id", Integer.toString(i)), 1000, i, null));
    }
    return new QueryResult.VectorResult(samples, List.of(), List.of());
  }

  @Test
  void twoThousandSeriesGiveTheExactTopThree() {
    // Series id=i has value i: the top three are 2000, 1999, 1998.
    QueryResult.VectorResult top = ApproxTopK.select(vector(2000), 3);

    assertThat(top.samples())
        .extracting(s -> s.labels().get("id") + "=" + s.value())
        .containsExactly("2000=2000.0", "1999=1999.0", "1998=1998.0");
    assertThat(top.samples()).allMatch(s -> s.timestamp() == 1000);
  }

  @Test
  void kAboveTheSeriesCountReturnsThemAll() {
    assertThat(ApproxTopK.select(vector(3), 10).samples())
        .extracting(s -> s.labels().get("id"))
        .containsExactly("3", "2", "1");
  }

  @Test
  void theSketchNeverUnderestimatesNonNegativeSums() {
    ApproxTopK sketch = new ApproxTopK();
    long[] a = ApproxTopK.hash("{id=\"a\"}");
    long[] b = ApproxTopK.hash("{id=\"b\"}");
    sketch.add(a, 2);
    sketch.add(a, 3);
    sketch.add(b, 7);
    assertThat(sketch.estimate(a)).isGreaterThanOrEqualTo(5);
    assertThat(sketch.estimate(b)).isGreaterThanOrEqualTo(7);
    // Two keys don't share every row's counter: both estimates are exact.
    assertThat(sketch.estimate(a)).isEqualTo(5);
    assertThat(sketch.estimate(b)).isEqualTo(7);
  }
}

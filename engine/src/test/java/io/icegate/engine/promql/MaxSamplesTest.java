package io.icegate.engine.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.engine.series.SeriesSource;
import io.icegate.engine.series.StepGrid;
import io.icegate.promql.PromQLOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code --query.max-samples} counts the samples held at once, as Prometheus does, not all the
 * samples a query reads: each case of Prometheus's own table (resources/prometheus) runs at its
 * limit and fails one below it.
 */
class MaxSamplesTest {
  private static final InMemorySeriesSource SOURCE = new InMemorySeriesSource();

  /** The load block of Prometheus's TestMaxQuerySamples. */
  static final String LOAD = """
        load 10s
          metric 1+1x100
          bigmetric{a="1"} 1+1x100
          bigmetric{a="2"} 1+1x100
          metricWith1HistogramEvery10Seconds {{schema:1 count:5 sum:20 buckets:[1 2 1 1]}}+{{schema:1 count:10 sum:5 buckets:[1 2 3 4]}}x100
        """;

  @BeforeAll
  static void load() {
    List<PromQLScript.Outcome> outcomes = new PromQLScript(SOURCE).run(LOAD);
    assertThat(outcomes).isEmpty();
  }

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    try (InputStream in =
        MaxSamplesTest.class.getResourceAsStream("/prometheus/max-query-samples.tsv")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t");
        cases.add(Arguments.of(f[0], Long.parseLong(f[1]), Long.parseLong(f[2]) * 1000,
            Long.parseLong(f[3]) * 1000, Long.parseLong(f[4]) * 1000));
      }
    }
    return cases.stream();
  }

  static QueryResult run(
      SeriesSource source, String query, long limit, long start, long end, long step) {
    PromQLEngine engine = new PromQLEngine(source, PromQLEngine.Options.DEFAULT
        .withMaxSamples(limit)
        .withParserOptions(PromQLOptions.ALL_ENABLED));
    return step == 0
        ? engine.instantQuery(query, start)
        : engine.rangeQuery(query, new StepGrid(start, end, step));
  }

  @ParameterizedTest(name = "{0} holds {1} samples at its peak")
  @MethodSource("cases")
  void aQueryRunsAtItsPeakAndFailsBelowIt(
      String query, long peak, long start, long end, long step) {
    assertThatCode(() -> run(SOURCE, query, peak, start, end, step)).doesNotThrowAnyException();
    assertThatThrownBy(() -> run(SOURCE, query, peak - 1, start, end, step))
        .isInstanceOf(PromQLException.class)
        .hasMessage("query processing would load too many samples into memory in query execution");
  }
}

package io.icegate.engine.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.storage.Lake;
import io.icegate.storage.compaction.Compactor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The samples a query holds at its peak are the same when its leaves run in the metrics table's
 * plan ({@link io.icegate.engine.exec.PromSelectOperator}) as when the evaluator runs them over
 * series: Prometheus's table ({@link MaxSamplesTest}) holds through storage, and for queries
 * whose leaves the plan evaluates (counter names, so that rate and irate are not left to the
 * series way for their note) the smallest limit a query runs at is the one it runs at in memory,
 * with the same answer.
 */
class MaxSamplesStorageTest {
  private static final String EXTRA = """
      load 10s
        requests_total{a="1"} 1+1x100
        requests_total{a="2"} 5+2x40 0+3x50
        requests_total{a="3"} 1 2 3 stale 5 6 _ 8 9 10
        gauge_x{a="1"} 0+3x30 100-2x60
      """;

  @TempDir static Path dir;
  private static RootAllocator root;
  private static Lake lake;
  private static LakeSeriesStore store;
  private static final InMemorySeriesSource MEMORY = new InMemorySeriesSource();

  @BeforeAll
  static void load() throws IOException {
    root = new RootAllocator();
    lake =
        Lake.openLocal(
            dir, Duration.ofMillis(1),
            new Compactor.Policy(Duration.ZERO, Long.MAX_VALUE, Duration.ZERO), Duration.ZERO);
    store = new LakeSeriesStore(lake, root);
    for (PromQLScript.Store s : List.of(store, MEMORY)) {
      assertThat(new PromQLScript(s).run(MaxSamplesTest.LOAD)).isEmpty();
      assertThat(new PromQLScript(s).run(EXTRA)).isEmpty();
    }
  }

  @AfterAll
  static void close() throws Exception {
    assertThat(store.planned()).as("leaves evaluated in the plan").isPositive();
    assertThat(store.composed()).as("plans composed over leaves").isPositive();
    lake.close();
    assertThat(root.getAllocatedMemory()).isZero();
    root.close();
  }

  static Stream<Arguments> prometheusCases() throws IOException {
    return MaxSamplesTest.cases();
  }

  @ParameterizedTest(name = "{0} holds {1} samples at its peak")
  @MethodSource("prometheusCases")
  void prometheusTableHoldsThroughStorage(
      String query, long peak, long start, long end, long step) {
    assertThatCode(() -> MaxSamplesTest.run(store, query, peak, start, end, step))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> MaxSamplesTest.run(store, query, peak - 1, start, end, step))
        .isInstanceOf(PromQLException.class)
        .hasMessage("query processing would load too many samples into memory in query execution");
  }

  static Stream<Arguments> plannedCases() {
    List<String> queries =
        List.of(
            "requests_total", "rate(requests_total[20s])", "increase(requests_total[35s])",
            "irate(requests_total[20s])", "max_over_time(gauge_x[20s])",
            "count_over_time(requests_total[1m])", "sum(rate(requests_total[30s]))",
            "last_over_time(requests_total[15s] offset 5s)", "deriv(gauge_x[1m])",
            "changes(requests_total[50s] @ 100)", "resets(requests_total[2m])",
            "max_over_time(rate(requests_total[20s])[1m:10s])");
    long[][] grids = {{100, 100, 0}, {0, 200, 15}, {50, 900, 7}};
    return queries.stream()
        .flatMap(q -> Stream.of(grids).map(g -> Arguments.of(q, g[0], g[1], g[2])));
  }

  @ParameterizedTest(name = "{0} from {1} to {2} by {3}")
  @MethodSource("plannedCases")
  void aLeafInThePlanHoldsWhatItHoldsInMemory(String query, long start, long end, long step) {
    long s = start * 1000;
    long e = end * 1000;
    long st = step * 1000;
    long peak = smallestLimit(query, s, e, st);
    QueryResult expected = MaxSamplesTest.run(MEMORY, query, peak, s, e, st);
    assertThat(describe(MaxSamplesTest.run(store, query, peak, s, e, st)))
        .isEqualTo(describe(expected));
    if (peak > 1) {
      assertThatThrownBy(() -> MaxSamplesTest.run(store, query, peak - 1, s, e, st))
          .isInstanceOf(PromQLException.class);
    }
  }

  /** A result as text: every series' labels, times and values (bit-exact), notes. */
  private static String describe(QueryResult r) {
    StringBuilder out = new StringBuilder();
    if (r instanceof QueryResult.MatrixResult m) {
      for (io.icegate.engine.series.Series x : m.series()) {
        out.append(x.labels()).append(java.util.Arrays.toString(x.timestamps()))
            .append(java.util.Arrays.toString(x.values())).append('\n');
      }
    } else if (r instanceof QueryResult.VectorResult v) {
      for (QueryResult.Sample x : v.samples()) {
        out.append(x.labels()).append(' ').append(x.timestamp()).append(' ').append(x.value())
            .append('\n');
      }
    }
    return out.append(r.warnings()).append(r.infos()).toString();
  }

  /** The smallest max-samples setting {@code query} runs at in memory. */
  private static long smallestLimit(String query, long start, long end, long step) {
    long lo = 1;
    long hi = 1 << 20;
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      boolean runs;
      try {
        MaxSamplesTest.run(MEMORY, query, mid, start, end, step);
        runs = true;
      } catch (PromQLException ex) {
        runs = false;
      }
      if (runs) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }
}

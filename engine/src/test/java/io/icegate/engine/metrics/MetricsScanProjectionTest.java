package io.icegate.engine.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.engine.exec.PlanRunner;
import io.icegate.engine.plan.IceGateCatalog;
import io.icegate.engine.series.LabelMatcher;
import io.icegate.storage.Lake;
import io.icegate.storage.table.MetricsTable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.calcite.plan.RelOptUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the PromQL scans read of the metrics table: the number scan every selection runs reads no
 * float-count column (it tells histogram rows by the integer {@code count}); only the histogram
 * plan, run when that scan met a histogram or summary row, reads them.
 */
class MetricsScanProjectionTest {
  private static final List<String> FLOAT_COUNTS =
      List.of(
          MetricsTable.COUNT_DOUBLE, MetricsTable.ZERO_COUNT_DOUBLE,
          MetricsTable.BUCKET_COUNTS_DOUBLE, MetricsTable.POSITIVE_BUCKET_COUNTS_DOUBLE,
          MetricsTable.NEGATIVE_BUCKET_COUNTS_DOUBLE);

  @TempDir Path dir;

  @Test
  void onlyTheHistogramPlanReadsTheFloatCountColumns() throws Exception {
    try (RootAllocator root = new RootAllocator();
        Lake lake = Lake.openLocal(dir, Duration.ofMillis(1))) {
      IceGateCatalog catalog = new IceGateCatalog(lake.scanner(), List.of(MetricsTable.NAME));
      PlanRunner runner = new PlanRunner(lake.scanner(), root, 64L << 20, Duration.ofMinutes(1));
      List<MetricsSeriesSource.PlanRun> plans =
          new MetricsSeriesSource(catalog, runner, "fake", () -> false)
              .plans(List.of(LabelMatcher.of("__name__", LabelMatcher.Type.EQ, "rpc_seconds")),
                  0, 60_000);
      assertThat(plans).extracting(MetricsSeriesSource.PlanRun::role)
          .containsExactly(MetricsSeriesSource.NUMBERS, MetricsSeriesSource.FAMILIES);
      String numbers = RelOptUtil.toString(plans.get(0).plan());
      String families = RelOptUtil.toString(plans.get(1).plan());
      assertThat(numbers).contains("ArrowTableScan", MetricsTable.VALUE_DOUBLE, MetricsTable.COUNT);
      for (String column : FLOAT_COUNTS) {
        assertThat(numbers).doesNotContain(column);
        assertThat(families).contains(column);
      }
    }
  }
}

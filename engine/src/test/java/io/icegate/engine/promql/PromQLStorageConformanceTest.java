package io.icegate.engine.promql;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.Lake;
import io.icegate.storage.compaction.Compactor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prometheus's promqltest scripts with their series stored in the real metrics table: each
 * {@code load} goes through the remote-write batch builder, the WAL and compaction into Iceberg,
 * and each eval reads through the Calcite scan. Every eval that passes against the in-memory
 * store must pass here too — storage must not change a single answer. Native histograms with
 * fractional counts are stored in the table's float-count columns; a script that loads a
 * histogram with a negative count (remote-write refuses them, as Prometheus does) or start
 * timestamps is skipped (printed as such; none of Prometheus's scripts loads negative counts).
 */
class PromQLStorageConformanceTest {
  /**
   * The scripts CI runs through storage (a few minutes; histograms.test and
   * native_histograms.test, which load fractional counts into the float-count columns, take 47 s
   * and 79 s on a quiet machine); {@code -Dpromqltest.storage.files=all} runs every script (about
   * ten minutes), or a comma-separated list of files.
   */
  private static final List<String> DEFAULT_FILES =
      List.of(
          "at_modifier.test", "collision.test", "histograms.test", "literals.test",
          "name_label_dropping.test", "native_histograms.test", "range_queries.test",
          "selectors.test", "staleness.test", "subquery.test", "trig_functions.test",
          "type_and_unit.test");

  @TempDir Path dir;

  @TestFactory
  Stream<DynamicTest> scriptsThroughTheMetricsTable() {
    String only = System.getProperty("promqltest.storage.files");
    List<String> files =
        only == null
            ? DEFAULT_FILES
            : only.equals("all") ? PromQLConformanceTest.FILES : List.of(only.split(","));
    return files.stream()
        .map(
            file ->
                DynamicTest.dynamicTest(
                    file,
                    () -> {
                      String script = PromQLConformanceTest.read(file);
                      Set<Integer> passInMemory = new HashSet<>();
                      for (PromQLScript.Outcome o : new PromQLScript().run(script)) {
                        if (o.passed()) {
                          passInMemory.add(o.line());
                        }
                      }
                      Path lakeDir = Files.createTempDirectory(dir, "lake");
                      try (RootAllocator root = new RootAllocator();
                          Lake lake =
                              Lake.openLocal(
                                  lakeDir, Duration.ofMillis(1),
                                  new Compactor.Policy(Duration.ZERO, Long.MAX_VALUE, Duration.ZERO),
                                  Duration.ZERO)) {
                        List<PromQLScript.Outcome> outcomes;
                        LakeSeriesStore store = new LakeSeriesStore(lake, root);
                        try {
                          outcomes = new PromQLScript(store).run(script);
                        } catch (UnsupportedOperationException e) {
                          System.out.printf(
                              "promqltest via storage %-26s skipped: %s%n", file, e.getMessage());
                          return;
                        }
                        int passed = 0;
                        List<String> lost = new ArrayList<>();
                        for (PromQLScript.Outcome o : outcomes) {
                          if (o.passed()) {
                            passed++;
                          } else if (passInMemory.contains(o.line())) {
                            lost.add(file + ":" + o.line() + " `" + o.query() + "`: " + o.failure());
                          }
                        }
                        System.out.printf(
                            "promqltest via storage %-26s %4d/%4d evals pass"
                                + " (%d leaves evaluated in the plan, %d composed plans)%n",
                            file, passed, outcomes.size(), store.planned(), store.composed());
                        assertThat(lost)
                            .as("evals that pass in memory but not through the metrics table")
                            .isEmpty();
                        assertThat(root.getAllocatedMemory()).isZero();
                      }
                    }));
  }
}

package io.icegate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the benchmark runnable, and doubles as a cross-check: on a small corpus every case must
 * return the same rows from our engine as from DuckDB over the same Parquet files (the runner
 * throws otherwise). Times printed here mean nothing.
 */
class EndToEndBenchTest {
  @TempDir Path dir;

  @Test
  void ourAnswersMatchDuckDbOnTheSameFiles() throws Exception {
    List<String> report = EndToEndBench.run(dir, 20_000, 0, 1);
    assertThat(report).anyMatch(line -> line.startsWith("line filter, limit 1000"));
    assertThat(report).anyMatch(line -> line.startsWith("regex filter, limit 1000"));
    assertThat(report).anyMatch(line -> line.startsWith("json label filter, limit 1000"));
    assertThat(report).anyMatch(line -> line.startsWith("sum by count_over_time 1m"));
    assertThat(report).anyMatch(line -> line.startsWith("json parser, sum by status"));
    assertThat(report).anyMatch(line -> line.startsWith("json then label filter"));
    assertThat(report).anyMatch(line -> line.startsWith("  json stage throughput"));
  }
}

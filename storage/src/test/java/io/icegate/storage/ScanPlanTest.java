package io.icegate.storage;

import static io.icegate.storage.OtlpLogs.line;
import static io.icegate.storage.OtlpLogs.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.scan.ScanFile;
import io.icegate.storage.scan.ScanPlan;
import io.icegate.storage.scan.ScanRequest;
import io.icegate.storage.table.LogsTable;
import io.opentelemetry.proto.logs.v1.LogRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Planning keeps a tenant's file list per snapshot: the files a request gets must still be pruned
 * by its own time bounds, and a new snapshot's files must be seen by the next plan.
 */
class ScanPlanTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  /** A day later: far outside the first file's time range. */
  private static final long T1 = T0 + 86_400_000_000_000L;

  @TempDir Path dir;
  private RootAllocator allocator;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  @Test
  void eachPlanPrunesByItsOwnBoundsAndSeesTheNextSnapshotsFiles() throws Exception {
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1),
        new Compactor.Policy(Duration.ZERO, 64L << 20, Duration.ZERO), Duration.ZERO)) {
      append(lake, "fake", T0);
      lake.compact();

      ScanPlan first = plan(lake, "fake", T0, T0 + 100);
      assertThat(first.files()).hasSize(1);
      assertThat(first.files().get(0).wal()).isFalse();
      assertThat(first.files().get(0).minTimestampNanos()).isEqualTo(T0);
      assertThat(first.files().get(0).maxTimestampNanos()).isEqualTo(T0 + 9);
      // The same snapshot, other bounds: the listed file is outside them.
      ScanPlan later = plan(lake, "fake", T1, T1 + 100);
      assertThat(later.files()).isEmpty();
      assertThat(later.filesPruned()).isEqualTo(1);
      // Another tenant has no files at all.
      assertThat(plan(lake, "other", T0, T0 + 100).files()).isEmpty();
      // Bounds that end at the first row's time exclude it (the end is exclusive).
      assertThat(plan(lake, "fake", T0 - 100, T0).files()).isEmpty();

      append(lake, "fake", T1);
      lake.compact();
      List<ScanFile> committed =
          plan(lake, "fake", T1, T1 + 100).files().stream().filter(f -> !f.wal()).toList();
      assertThat(committed).as("the new snapshot's file").hasSize(1);
      assertThat(committed.get(0).minTimestampNanos()).isEqualTo(T1);
      assertThat(plan(lake, "fake", T0, T0 + 100).files())
          .extracting(ScanFile::minTimestampNanos).containsExactly(T0);
    }
  }

  private void append(Lake lake, String tenant, long start) throws Exception {
    LogRecord[] lines = new LogRecord[10];
    for (int i = 0; i < lines.length; i++) {
      lines[i] = line(start + i, "line " + i);
    }
    var built = LogsBatchBuilder.build(request("svc", lines), tenant, start, allocator);
    lake.logsWal().append(tenant, built.batch()).get();
  }

  private static ScanPlan plan(Lake lake, String tenant, long from, long to) {
    return lake.scanner().plan(
        new ScanRequest(LogsTable.NAME, tenant, from, to, List.of(LogsTable.BODY)));
  }
}

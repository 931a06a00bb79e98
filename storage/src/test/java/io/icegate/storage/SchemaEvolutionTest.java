package io.icegate.storage;

import static io.icegate.storage.OtlpLogs.line;
import static io.icegate.storage.OtlpLogs.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.catalog.LakeCatalog;
import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.scan.ScanRequest;
import io.icegate.storage.table.LogsTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.io.CloseableIterator;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A promoted column added to the table later: files written before it (Iceberg data files and
 * WAL segments) read it as null, and ingest keeps working with batches that don't have it yet.
 */
class SchemaEvolutionTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final Compactor.Policy NOW =
      new Compactor.Policy(Duration.ZERO, 64L << 20, Duration.ofHours(1));

  @TempDir Path dir;
  private final RootAllocator allocator = new RootAllocator();

  @AfterEach
  void empty() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  @Test
  void addingAPromotedColumnKeepsOldFilesReadableAndIngestWorking() throws Exception {
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), NOW, Duration.ZERO)) {
      append(lake, T0, "compacted before");
      lake.compact();
      append(lake, T0 + 1, "in the wal before");
    }
    try (LakeCatalog catalog = LakeCatalog.openEmbedded(dir)) {
      catalog.logs().updateSchema().addColumn("k8s_pod_name", Types.StringType.get()).commit();
    }
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), NOW, Duration.ZERO)) {
      append(lake, T0 + 2, "after the change");
      List<String[]> rows = rows(lake);
      assertThat(rows).extracting(r -> r[0])
          .containsExactlyInAnyOrder("compacted before", "in the wal before", "after the change");
      assertThat(rows).allSatisfy(r -> assertThat(r[1]).isNull());
      lake.compact();
      assertThat(rows(lake)).hasSize(3);
    }
  }

  private void append(Lake lake, long ts, String body) throws Exception {
    var built = LogsBatchBuilder.build(request("svc", line(ts, body)), "fake", ts, allocator);
    lake.logsWal().append("fake", built.batch()).get();
  }

  private List<String[]> rows(Lake lake) throws Exception {
    List<String[]> out = new ArrayList<>();
    var scan = new ScanRequest(LogsTable.NAME, "fake", Long.MIN_VALUE, Long.MAX_VALUE,
        List.of(LogsTable.BODY, "k8s_pod_name"));
    try (CloseableIterator<VectorSchemaRoot> it = lake.scanner().open(scan, allocator)) {
      while (it.hasNext()) {
        try (VectorSchemaRoot batch = it.next()) {
          VarCharVector body = (VarCharVector) batch.getVector(LogsTable.BODY);
          VarCharVector pod = (VarCharVector) batch.getVector("k8s_pod_name");
          for (int i = 0; i < batch.getRowCount(); i++) {
            out.add(new String[] {
              new String(body.get(i), StandardCharsets.UTF_8),
              pod.isNull(i) ? null : new String(pod.get(i), StandardCharsets.UTF_8)
            });
          }
        }
      }
    }
    return out;
  }
}

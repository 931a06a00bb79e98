package io.icegate.storage;

import static io.icegate.storage.OtlpLogs.line;
import static io.icegate.storage.OtlpLogs.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.storage.catalog.LakeCatalog;
import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.ingest.EventsBatchBuilder;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.ingest.MetricsBatchBuilder;
import io.icegate.storage.table.EventsTable;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.table.MetricsTable;
import io.icegate.storage.table.SpansTable;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lake as four tables: their schemas in the catalog, one WAL each, compaction of all. */
class LakeTablesTest {
  private static final long T0 = 1_700_000_000_000_000_000L;

  @TempDir Path dir;
  private BufferAllocator allocator;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    assertThat(allocator.getAllocatedMemory()).as("leaked Arrow memory").isZero();
    allocator.close();
  }

  @Test
  void theCatalogHoldsAllFourTablesWithNanosecondTimeAndPromotedColumns() throws Exception {
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1))) {
      for (String table :
          new String[] {LogsTable.NAME, SpansTable.NAME, MetricsTable.NAME, EventsTable.NAME}) {
        var schema = lake.scanner().schema(table);
        assertThat(schema.findField("tenant_id").type()).isEqualTo(Types.StringType.get());
        assertThat(schema.findField("timestamp").type())
            .as(table).isEqualTo(Types.TimestampNanoType.withoutZone());
      }
      assertThat(lake.scanner().schema(SpansTable.NAME).findField(SpansTable.TRACE_ID).type())
          .isEqualTo(Types.FixedType.ofLength(16));
      assertThat(lake.scanner().schema(MetricsTable.NAME).findField(MetricsTable.SERIES_ID).type())
          .isEqualTo(Types.LongType.get());
      assertThatThrownBy(() -> lake.wal("nope")).hasMessageContaining("unknown table nope");
    }
  }

  @Test
  void eachTableHasItsOwnWalDirectoryDedupeIndexAndCompaction() throws Exception {
    ExportLogsServiceRequest event =
        request("svc", line(T0, "deployed").toBuilder().setEventName("deploy").build());
    Compactor.Policy now = new Compactor.Policy(Duration.ZERO, 64L << 20, Duration.ofHours(1));
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), now, Duration.ofHours(1))) {
      // One fingerprint in two tables: each table's index claims it once.
      for (int i = 0; i < 2; i++) {
        lake.logsWal()
            .append("fake", LogsBatchBuilder.build(event, "fake", T0, allocator).batch(), "fp")
            .get();
        lake.eventsWal()
            .append("fake", EventsBatchBuilder.build(event, "fake", T0, allocator).batch(), "fp")
            .get();
      }
      assertThat(ScannedRows.scan(lake, allocator, LogsTable.NAME, "fake")).hasSize(1);
      assertThat(ScannedRows.scan(lake, allocator, EventsTable.NAME, "fake")).hasSize(1);
      assertThat(dir.resolve("wal").resolve("logs").resolve("fake")).isDirectory();
      assertThat(dir.resolve("wal").resolve("events").resolve("fake")).isDirectory();
      assertThat(Files.exists(dir.resolve("wal").resolve("spans").resolve("fake"))).isFalse();
    }
    // The dedupe window keeps segments out of compaction; without one, compact() takes both.
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), now, Duration.ZERO)) {
      Compactor.Result all = lake.compact();
      assertThat(all.segments()).isEqualTo(2);
      assertThat(all.rows()).isEqualTo(2);
      assertThat(lake.compact()).isEqualTo(Compactor.Result.NOTHING);
      assertThat(ScannedRows.scan(lake, allocator, LogsTable.NAME, "fake")).hasSize(1);
      assertThat(ScannedRows.scan(lake, allocator, EventsTable.NAME, "fake")).hasSize(1);
    }
  }

  @Test
  void aColumnAddedToMetricsLaterReadsAsNullInOlderFilesAlongsideNestedColumns()
      throws Exception {
    Compactor.Policy now = new Compactor.Policy(Duration.ZERO, 64L << 20, Duration.ofHours(1));
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), now, Duration.ZERO)) {
      appendGauge(lake, T0);
      lake.compact();
      appendGauge(lake, T0 + 1);
    }
    try (LakeCatalog catalog = LakeCatalog.openEmbedded(dir)) {
      catalog.table(MetricsTable.NAME).updateSchema()
          .addColumn("k8s_pod_name", Types.StringType.get()).commit();
    }
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), now, Duration.ZERO)) {
      appendGauge(lake, T0 + 2);
      var rows = ScannedRows.scan(lake, allocator, MetricsTable.NAME, "fake");
      assertThat(rows).hasSize(3).allSatisfy(r -> {
        assertThat(r).containsEntry("k8s_pod_name", null);
        assertThat(r).containsEntry(MetricsTable.EXEMPLARS, java.util.List.of());
      });
      lake.compact();
      assertThat(ScannedRows.scan(lake, allocator, MetricsTable.NAME, "fake")).hasSize(3);
    }
  }

  private void appendGauge(Lake lake, long t) throws Exception {
    var metrics =
        io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest.newBuilder()
            .addResourceMetrics(io.opentelemetry.proto.metrics.v1.ResourceMetrics.newBuilder()
                .addScopeMetrics(io.opentelemetry.proto.metrics.v1.ScopeMetrics.newBuilder()
                    .addMetrics(io.opentelemetry.proto.metrics.v1.Metric.newBuilder()
                        .setName("up")
                        .setGauge(io.opentelemetry.proto.metrics.v1.Gauge.newBuilder()
                            .addDataPoints(io.opentelemetry.proto.metrics.v1.NumberDataPoint
                                .newBuilder().setTimeUnixNano(t).setAsDouble(1))))))
            .build();
    lake.metricsWal()
        .append("fake", MetricsBatchBuilder.build(metrics, "fake", t, allocator).batch())
        .get();
  }
}

package io.icegate.engine.promql;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.engine.exec.PlanRunner;
import io.icegate.engine.metrics.MetricsSeriesSource;
import io.icegate.engine.plan.IceGateCatalog;
import io.icegate.engine.series.FloatHistogram;
import io.icegate.engine.series.LabelMatcher;
import io.icegate.engine.series.Series;
import io.icegate.protocol.prometheus.RemoteWriteRequest;
import io.icegate.storage.Lake;
import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.ingest.BatchResult;
import io.icegate.storage.ingest.MetricsBatchBuilder;
import io.icegate.storage.table.MetricsTable;
import io.icegate.storage.wal.WalDirectory;
import io.icegate.storage.wal.WalWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.BaseTransaction;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.NullOrder;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.SortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native histograms with fractional counts through the metrics table: loaded by remote-write,
 * compacted, and read back by PromQL with the counts they were written with — also from a lake
 * whose table an older IceGate created without the float-count columns.
 */
class FloatHistogramStorageTest {
  private static final Compactor.Policy NOW =
      new Compactor.Policy(Duration.ZERO, Long.MAX_VALUE, Duration.ZERO);

  @TempDir Path dir;
  private final RootAllocator root = new RootAllocator();

  @AfterEach
  void empty() {
    assertThat(root.getAllocatedMemory()).isZero();
    root.close();
  }

  /** Passes in memory and through storage alike (the runner compares with hand-set values). */
  private static final String SCRIPT = """
      load 1m
        frac_hist {{schema:0 count:1.5 sum:2.25 z_bucket:0.25 z_bucket_w:0.001 offset:1 buckets:[0.5 0.75] counter_reset_hint:gauge}}x2
        frac_custom {{schema:-53 count:1.5 sum:0.7 custom_values:[0.5] buckets:[0.5 1]}}
        whole_hist {{schema:0 count:4 sum:5 buckets:[1 3]}}

      eval instant at 1m frac_hist
        frac_hist {{schema:0 count:1.5 sum:2.25 z_bucket:0.25 z_bucket_w:0.001 offset:1 buckets:[0.5 0.75] counter_reset_hint:gauge}}

      eval instant at 1m histogram_count(frac_hist)
        {} 1.5

      eval instant at 1m histogram_fraction(0, 2, frac_hist)
        {} 0.5

      eval instant at 0m frac_custom
        frac_custom {{schema:-53 count:1.5 sum:0.7 custom_values:[0.5] buckets:[0.5 1]}}

      eval instant at 0m histogram_sum(whole_hist) + histogram_count(frac_custom)
        {} 6.5
      """;

  @Test
  void fractionalCountsLoadedByRemoteWriteComeBackThroughTheTable() throws Exception {
    List<PromQLScript.Outcome> inMemory = new PromQLScript().run(SCRIPT);
    assertThat(inMemory).hasSize(5).allSatisfy(o -> assertThat(o.failure()).isNull());
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), NOW, Duration.ZERO)) {
      List<PromQLScript.Outcome> stored =
          new PromQLScript(new LakeSeriesStore(lake, root)).run(SCRIPT);
      assertThat(stored).hasSize(5)
          .allSatisfy(o -> assertThat(o.failure()).as(o.query()).isNull());
    }
  }

  @Test
  void aLakeOfAnOlderVersionReadsItsHistogramsAndNewFractionalOnes() throws Exception {
    long t0 = 1_700_000_000_000L;
    // The old version: its metrics table (no float-count columns), one segment in its WAL.
    try (JdbcCatalog catalog = embeddedCatalog()) {
      Table old = createOldMetricsTable(catalog);
      WalDirectory store = WalDirectory.open(dir.resolve("wal").resolve(MetricsTable.NAME));
      try (WalWriter wal =
          new WalWriter(store, old.schema(), MetricsTable.TIMESTAMP, Duration.ofMillis(1), 1024)) {
        wal.append("fake", withoutFloatCountColumns(build(histogram(t0, false)))).get();
      }
    }
    try (Lake lake = Lake.openLocal(dir, Duration.ofMillis(1), NOW, Duration.ZERO)) {
      lake.metricsWal().append("fake", build(histogram(t0 + 60_000, true))).get();
      lake.compact(MetricsTable.NAME);
      IceGateCatalog catalog = new IceGateCatalog(lake.scanner(), List.of(MetricsTable.NAME));
      PlanRunner runner = new PlanRunner(lake.scanner(), root, 64L << 20, Duration.ofMinutes(1));
      List<Series> series =
          new MetricsSeriesSource(catalog, runner, "fake", () -> false)
              .select(
                  List.of(LabelMatcher.of("__name__", LabelMatcher.Type.EQ, "rpc_seconds")),
                  t0 - 1, t0 + 120_000);
      assertThat(series).hasSize(1);
      Series s = series.get(0);
      assertThat(s.timestamps()).containsExactly(t0, t0 + 60_000);
      // Old row: integer counts 3 = buckets (1, 2] 1 and (2, 4] 2; new row: as sent.
      FloatHistogram before = s.histogram(0);
      assertThat(before.count).isEqualTo(3.0);
      assertThat(before.positiveIndexes).containsExactly(1, 2);
      assertThat(before.positiveCounts).containsExactly(1.0, 2.0);
      FloatHistogram after = s.histogram(1);
      assertThat(after.count).isEqualTo(1.5);
      assertThat(after.zeroCount).isEqualTo(0.25);
      assertThat(after.positiveIndexes).containsExactly(1, 2);
      assertThat(after.positiveCounts).containsExactly(0.5, 0.75);
    }
  }

  private VectorSchemaRoot build(RemoteWriteRequest.Histogram h) {
    RemoteWriteRequest request = new RemoteWriteRequest(
        List.of(new RemoteWriteRequest.TimeSeries(
            List.of(new RemoteWriteRequest.Label("__name__", "rpc_seconds"),
                new RemoteWriteRequest.Label("job", "api")),
            List.of(), List.of(), List.of(h))),
        List.of());
    BatchResult built = MetricsBatchBuilder.build(request, "fake", 1, root);
    assertThat(built.rejected()).isZero();
    return built.batch();
  }

  /**
   * Schema 0, buckets 1 and 2: integer counts 1, 2 (deltas 1, 1), or fractional 0.5, 0.75 with
   * zero count 0.25 (a gauge histogram, so no counter reset between the two).
   */
  private static RemoteWriteRequest.Histogram histogram(long millis, boolean fractional) {
    List<RemoteWriteRequest.BucketSpan> span = List.of(new RemoteWriteRequest.BucketSpan(1, 2));
    return fractional
        ? new RemoteWriteRequest.Histogram(
            true, 0, 1.5, 2.25, 0, 0.001, 0, 0.25, List.of(), new long[0], new double[0], span,
            new long[0], new double[] {0.5, 0.75}, RemoteWriteRequest.ResetHint.GAUGE, millis,
            new double[0])
        : new RemoteWriteRequest.Histogram(
            false, 3, 0, 6.0, 0, 0.001, 0, 0, List.of(), new long[0], new double[0], span,
            new long[] {1, 1}, new double[0], RemoteWriteRequest.ResetHint.GAUGE, millis,
            new double[0]);
  }

  /** The embedded catalog {@code Lake.openLocal(dir)} opens. */
  private JdbcCatalog embeddedCatalog() throws Exception {
    Files.createDirectories(dir.resolve("warehouse"));
    Map<String, String> props = new HashMap<>();
    props.put(CatalogProperties.URI, "jdbc:sqlite:" + dir.resolve("catalog.db").toAbsolutePath());
    props.put(CatalogProperties.WAREHOUSE_LOCATION,
        dir.resolve("warehouse").toAbsolutePath().toUri().toString());
    props.put("jdbc.schema-version", "V1");
    JdbcCatalog catalog = new JdbcCatalog();
    catalog.setConf(new Configuration());
    catalog.initialize("icegate", props);
    catalog.createNamespace(Namespace.of("icegate"));
    return catalog;
  }

  /** The metrics table as the previous version created it: its field list, ids 1–63. */
  private static Table createOldMetricsTable(JdbcCatalog catalog) {
    List<Types.NestedField> columns = new ArrayList<>();
    for (Types.NestedField column : MetricsTable.SCHEMA.columns()) {
      if (column.fieldId() <= 63) {
        columns.add(column);
      }
    }
    Schema old = new Schema(columns);
    TableIdentifier id = TableIdentifier.of("icegate", MetricsTable.NAME);
    BaseTransaction create = (BaseTransaction) catalog.buildTable(id, old)
        .withProperties(MetricsTable.DEFINITION.properties()).createTransaction();
    Map<String, String> properties = new HashMap<>(MetricsTable.DEFINITION.properties());
    properties.remove(TableProperties.FORMAT_VERSION);
    create.underlyingOps().commit(null, TableMetadata.buildFromEmpty(3)
        .assignUUID()
        .setLocation(create.currentMetadata().location())
        .setCurrentSchema(old, old.highestFieldId())
        .setDefaultPartitionSpec(PartitionSpec.builderFor(old).identity(MetricsTable.TENANT_ID)
            .day(MetricsTable.TIMESTAMP, "timestamp_day").build())
        .setDefaultSortOrder(SortOrder.builderFor(old)
            .asc(MetricsTable.METRIC_NAME, NullOrder.NULLS_FIRST)
            .asc(MetricsTable.SERIES_ID, NullOrder.NULLS_FIRST)
            .asc(MetricsTable.TIMESTAMP, NullOrder.NULLS_FIRST).build())
        .setProperties(properties)
        .build());
    return catalog.loadTable(id);
  }

  private static VectorSchemaRoot withoutFloatCountColumns(VectorSchemaRoot batch) {
    List<FieldVector> kept = new ArrayList<>();
    for (FieldVector vector : batch.getFieldVectors()) {
      if (vector.getName().endsWith("_double") && vector.getName().contains("count")) {
        vector.close();
      } else {
        kept.add(vector);
      }
    }
    VectorSchemaRoot old = new VectorSchemaRoot(kept);
    old.setRowCount(batch.getRowCount());
    return old;
  }
}

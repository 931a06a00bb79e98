package io.icegate.storage;

import static io.icegate.storage.OtlpLogs.attr;
import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.storage.catalog.SeedTables;
import io.icegate.storage.compaction.CompactionLease;
import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.compaction.SeedBackfill;
import io.icegate.storage.ingest.BatchResult;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.ingest.MetricsBatchBuilder;
import io.icegate.storage.table.EventsTable;
import io.icegate.storage.table.LogsTable;
import io.icegate.storage.table.MetricsTable;
import io.icegate.storage.table.SpansTable;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lake the seed's Rust IceGate wrote becomes fully queryable: its files are rewritten once
 * ({@link SeedBackfill}, run by compaction) with the columns our ingest derives, and a seed row
 * then carries exactly the values our ingest gives the same OTLP record. The expected values are
 * computed by sending the same requests through our own builders ({@link LogsBatchBuilder},
 * {@link MetricsBatchBuilder}) — "identical to ours" is the specification — plus hand-written
 * label strings and names (the metrics ones as hand-derived in {@code MetricsTableTest}). The
 * seed's rows are written as its transforms store those requests (NOTES.md §1: microseconds,
 * {@code service.name} and, on metrics, {@code service.instance.id} moved out of the resource
 * map into columns, the OTLP metric name as sent).
 */
class SeedBackfillTest {
  private static final Compactor.Policy NOW = ScannedRows.NOW;
  /** Microsecond-aligned, so the seed's rounding keeps it whole. */
  private static final long T0 = 1_700_000_000_123_456_000L;

  private static final String GAUGE_LABELS =
      "{a_b=\"1;2\", http_method=\"GET\", instance=\"i-1\", job=\"shop/checkout\"}";
  private static final long GAUGE_LABELS_ID = -7984206626587313603L;
  private static final String JOB_LABELS = "{instance=\"i-1\", job=\"shop/checkout\"}";
  private static final long JOB_LABELS_ID = -5596376235664590713L;

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

  // ---- logs ----

  private static ExportLogsServiceRequest logsRequest() {
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(attr("service.name", "checkout"))
                        .addAttributes(attr("k8s.pod.name", "pod-1"))
                        .addAttributes(attr("k8s.namespace.name", "shop"))
                        .addAttributes(attr("host.name", "h1")))
                .addScopeLogs(
                    ScopeLogs.newBuilder()
                        .addLogRecords(record(T0, "INFO", "first line", attr("user", "ann")))
                        .addLogRecords(record(T0 + 5_000, "ERROR", "second line"))))
        .addResourceLogs(
            // No service.name: Loki's discovery names the service after the container.
            ResourceLogs.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(attr("k8s.container.name", "worker"))
                        .addAttributes(attr("deployment.environment", "prod")))
                .addScopeLogs(
                    ScopeLogs.newBuilder()
                        .addLogRecords(record(T0 + 9_000, "WARN", "third line"))))
        .build();
  }

  private static LogRecord record(long nanos, String severity, String body, KeyValue... attrs) {
    return LogRecord.newBuilder()
        .setTimeUnixNano(nanos)
        .setObservedTimeUnixNano(nanos + 1_000)
        .setSeverityText(severity)
        .setBody(AnyValue.newBuilder().setStringValue(body))
        .addAllAttributes(List.of(attrs))
        .build();
  }

  /** The request's records as the seed's logs transform stores them. */
  private static List<Record> seedLogRows(ExportLogsServiceRequest request) {
    List<Record> rows = new ArrayList<>();
    for (ResourceLogs resource : request.getResourceLogsList()) {
      String service = null;
      Map<String, String> resourceMap = new TreeMap<>();
      for (KeyValue kv : resource.getResource().getAttributesList()) {
        if (kv.getKey().equals("service.name")) {
          service = kv.getValue().getStringValue(); // promoted to its column, not in the map
        } else {
          resourceMap.put(kv.getKey(), kv.getValue().getStringValue());
        }
      }
      for (ScopeLogs scope : resource.getScopeLogsList()) {
        for (LogRecord log : scope.getLogRecordsList()) {
          Record r = GenericRecord.create(SeedLake.LOGS);
          r.setField("tenant_id", "acme");
          r.setField("service_name", service);
          r.setField("timestamp", SeedLake.time(log.getTimeUnixNano() / 1000));
          r.setField("observed_timestamp", SeedLake.time(log.getObservedTimeUnixNano() / 1000));
          r.setField("ingested_timestamp", SeedLake.time(T0 / 1000 + 77));
          r.setField("severity_text", log.getSeverityText());
          r.setField("body", log.getBody().getStringValue());
          r.setField("resource_attributes", resourceMap);
          r.setField("scope_attributes", Map.of());
          r.setField("log_attributes", strings(log.getAttributesList()));
          rows.add(r);
        }
      }
    }
    return rows;
  }

  /** body → [stream_labels, service_name] as our logs builder makes them. */
  private Map<String, List<String>> oursForLogs(ExportLogsServiceRequest request) {
    Map<String, List<String>> out = new HashMap<>();
    try (VectorSchemaRoot batch =
        LogsBatchBuilder.build(request, "acme", T0, allocator).batch()) {
      for (int i = 0; i < batch.getRowCount(); i++) {
        out.put(
            text(batch, LogsTable.BODY, i),
            List.of(text(batch, LogsTable.STREAM_LABELS, i), text(batch, LogsTable.SERVICE_NAME, i)));
      }
    }
    return out;
  }

  @Test
  void seedLogRowsGetTheStreamLabelsOurIngestGivesTheSameRecords() throws Exception {
    ExportLogsServiceRequest request = logsRequest();
    List<Record> seedRows = seedLogRows(request);
    writeSeed("logs", List.of(seedRows));

    try (Lake lake = open()) {
      Table table = lake.table(LogsTable.NAME).table();
      assertThat(table.properties()).containsKey(SeedTables.BACKFILL_PENDING);
      // Before: the rows read, but nothing selects them by stream.
      assertThat(ScannedRows.scan(lake, allocator, LogsTable.NAME, "acme"))
          .extracting(r -> r.get(LogsTable.STREAM_LABELS))
          .containsOnlyNulls();

      Compactor.Result result = lake.compact(LogsTable.NAME);
      assertThat(result.seedRows()).isEqualTo(3);
      assertThat(result.segments()).isZero();

      List<Map<String, Object>> rows = ScannedRows.scan(lake, allocator, LogsTable.NAME, "acme");
      Map<String, List<String>> ours = oursForLogs(request);
      // Rewritten in our order (service_name, stream_labels, newest first), not the seed's.
      assertThat(rows)
          .extracting(r -> r.get(LogsTable.BODY))
          .containsExactly("second line", "first line", "third line");
      for (Map<String, Object> row : rows) {
        assertThat(List.of(row.get(LogsTable.STREAM_LABELS), row.get(LogsTable.SERVICE_NAME)))
            .as("row %s", row.get(LogsTable.BODY))
            .isEqualTo(ours.get((String) row.get(LogsTable.BODY)));
      }
      // By hand: Loki's default index labels of the resource, dots made underscores, sorted;
      // host.name is not one of them; without service.name, k8s.container.name names it.
      Map<String, Map<String, Object>> byBody = byBody(rows);
      assertThat(byBody.get("first line"))
          .containsEntry(
              LogsTable.STREAM_LABELS,
              "{k8s_namespace_name=\"shop\", k8s_pod_name=\"pod-1\", service_name=\"checkout\"}")
          .containsEntry(LogsTable.SERVICE_NAME, "checkout")
          .containsEntry(LogsTable.TIMESTAMP, T0)
          .containsEntry(LogsTable.OBSERVED_TIMESTAMP, T0 + 1_000)
          .containsEntry(LogsTable.INGESTED_TIMESTAMP, T0 + 77_000)
          .containsEntry(LogsTable.SEVERITY_TEXT, "INFO")
          .containsEntry(LogsTable.LOG_ATTRIBUTES, Map.of("user", "ann"))
          .containsEntry(
              LogsTable.RESOURCE_ATTRIBUTES,
              Map.of("k8s.pod.name", "pod-1", "k8s.namespace.name", "shop", "host.name", "h1"));
      assertThat(byBody.get("third line"))
          .containsEntry(
              LogsTable.STREAM_LABELS,
              "{deployment_environment=\"prod\", k8s_container_name=\"worker\","
                  + " service_name=\"worker\"}")
          .containsEntry(LogsTable.SERVICE_NAME, "worker")
          .containsEntry(LogsTable.TIMESTAMP, T0 + 9_000);

      // Done once: the mark is gone, the new file is written in nanoseconds (its statistics
      // are), and a second run finds nothing.
      table.refresh();
      assertThat(table.properties()).doesNotContainKey(SeedTables.BACKFILL_PENDING);
      List<DataFile> files = files(table);
      assertThat(files).hasSize(1);
      assertThat(files.get(0).sortOrderId()).isEqualTo(table.sortOrder().orderId());
      assertThat(
              (Long) Conversions.fromByteBuffer(
                  Types.LongType.get(), files.get(0).lowerBounds().get(3)))
          .isEqualTo(T0);
      long snapshot = table.currentSnapshot().snapshotId();
      assertThat(lake.compact(LogsTable.NAME)).isEqualTo(Compactor.Result.NOTHING);
      table.refresh();
      assertThat(table.currentSnapshot().snapshotId()).isEqualTo(snapshot);

      // Our own rows land beside them and compact with them, untouched by the backfill.
      LakeRows.append(lake, allocator, "acme", "checkout", T0 + 7, "ours", null);
      assertThat(lake.compact(LogsTable.NAME).segments()).isEqualTo(1);
      assertThat(LakeRows.bodies(lake, allocator, "acme"))
          .containsExactlyInAnyOrder("first line", "second line", "third line", "ours");
    }
  }

  @Test
  void aBackfillKilledAnywhereFinishesWithEveryRowOnce() throws Exception {
    ExportLogsServiceRequest request = logsRequest();
    List<Record> all = seedLogRows(request);
    // Two seed files: the first resource's records, and the second's.
    writeSeed("logs", List.of(all.subList(0, 2), all.subList(2, 3)));
    List<String> bodies = List.of("first line", "second line", "third line");

    SeedBackfill.Rewrite stale;
    try (Lake lake = open()) {
      Table table = lake.table(LogsTable.NAME).table();
      SeedBackfill backfill = new SeedBackfill(LogsTable.NAME, table);
      List<DataFile> candidates = backfill.candidates();
      assertThat(candidates).hasSize(2);
      // Killed after writing a file (the two-row one), before committing it: nothing visible
      // changes.
      DataFile twoRows =
          candidates.stream().filter(f -> f.recordCount() == 2).findFirst().orElseThrow();
      stale = backfill.rewrite(twoRows);
      assertThat(stale.replacement()).isNotNull();
      assertThat(stale.rows()).isEqualTo(2);
    }
    try (Lake lake = open()) {
      assertThat(LakeRows.bodies(lake, allocator, "acme")).containsExactlyInAnyOrderElementsOf(bodies);
      Table table = lake.table(LogsTable.NAME).table();
      assertThat(files(table)).hasSize(2);
      // Killed after one file's commit, before the other's and before the mark is removed.
      SeedBackfill backfill = new SeedBackfill(LogsTable.NAME, table);
      DataFile oneRow =
          backfill.candidates().stream().filter(f -> f.recordCount() == 1).findFirst()
              .orElseThrow();
      assertThat(backfill.commit(List.of(backfill.rewrite(oneRow)))).isTrue();
      assertThat(backfill.candidates()).hasSize(1);
    }
    try (Lake lake = open()) {
      Table table = lake.table(LogsTable.NAME).table();
      assertThat(table.properties()).containsKey(SeedTables.BACKFILL_PENDING);
      assertThat(LakeRows.bodies(lake, allocator, "acme")).containsExactlyInAnyOrderElementsOf(bodies);
      // The next run finishes the rest.
      assertThat(lake.compact(LogsTable.NAME).seedRows()).isEqualTo(2);
      table.refresh();
      assertThat(table.properties()).doesNotContainKey(SeedTables.BACKFILL_PENDING);
      assertThat(files(table)).hasSize(2);
      List<Map<String, Object>> rows = ScannedRows.scan(lake, allocator, LogsTable.NAME, "acme");
      assertThat(rows).extracting(r -> r.get(LogsTable.BODY))
          .containsExactlyInAnyOrderElementsOf(bodies);
      Map<String, List<String>> ours = oursForLogs(request);
      for (Map<String, Object> row : rows) {
        assertThat(List.of(row.get(LogsTable.STREAM_LABELS), row.get(LogsTable.SERVICE_NAME)))
            .isEqualTo(ours.get((String) row.get(LogsTable.BODY)));
      }

      // A second replica that rewrote the first file too (the one written before the first
      // "crash") cannot land it: its original is gone, the commit changes nothing.
      long snapshot = table.currentSnapshot().snapshotId();
      assertThat(new SeedBackfill(LogsTable.NAME, table).commit(List.of(stale))).isFalse();
      table.refresh();
      assertThat(table.currentSnapshot().snapshotId()).isEqualTo(snapshot);
      assertThat(LakeRows.bodies(lake, allocator, "acme")).containsExactlyInAnyOrderElementsOf(bodies);
    }
  }

  @Test
  void aRunIsBoundedAndALostLeaseCommitsNothingAndLeavesNoFiles() throws Exception {
    List<Record> all = seedLogRows(logsRequest());
    writeSeed("logs", List.of(all.subList(0, 2), all.subList(2, 3)));
    try (Lake lake = open()) {
      Table table = lake.table(LogsTable.NAME).table();
      SeedBackfill backfill = new SeedBackfill(LogsTable.NAME, table);

      // The lease runs out while the files are written: nothing lands, nothing is left behind.
      CompactionLease.Held expired =
          new CompactionLease.Held() {
            private int asked;

            @Override
            public boolean stillHeld() {
              return asked++ == 0; // held when the run starts, gone before its commit
            }

            @Override
            public void close() {}
          };
      long snapshot = table.currentSnapshot().snapshotId();
      assertThat(backfill.run(expired, 1, 8)).isEqualTo(new SeedBackfill.Result(0, 0, 0, false));
      table.refresh();
      assertThat(table.currentSnapshot().snapshotId()).isEqualTo(snapshot);
      assertThat(backfillFiles()).isEmpty();

      // One commit of one file (1 byte per commit), then the rest on the next run.
      CompactionLease.Held held = CompactionLease.exclusiveProcess().tryAcquire();
      SeedBackfill.Result first = backfill.run(held, 1, 1);
      assertThat(first.commits()).isEqualTo(1);
      assertThat(first.done()).isFalse();
      table.refresh();
      assertThat(table.properties()).containsKey(SeedTables.BACKFILL_PENDING);
      SeedBackfill.Result second = backfill.run(held, 1, 1);
      assertThat(second.done()).isTrue();
      assertThat(first.rows() + second.rows()).isEqualTo(3);
      table.refresh();
      assertThat(table.properties()).doesNotContainKey(SeedTables.BACKFILL_PENDING);
      assertThat(backfillFiles()).hasSize(2);
      assertThat(ScannedRows.scan(lake, allocator, LogsTable.NAME, "acme"))
          .extracting(r -> r.get(LogsTable.STREAM_LABELS))
          .doesNotContainNull()
          .hasSize(3);
    }
  }

  /** The files backfills wrote anywhere under the lake, referenced or not. */
  private List<Path> backfillFiles() throws Exception {
    try (var walk = java.nio.file.Files.walk(dir)) {
      return walk.filter(p -> p.getFileName().toString().startsWith("seed-backfill-"))
          .filter(p -> p.toString().endsWith(".parquet"))
          .toList();
    }
  }

  // ---- metrics ----

  private static ExportMetricsServiceRequest metricsRequest() {
    Metric memory =
        Metric.newBuilder()
            .setName("system.memory.usage")
            .setUnit("By")
            .setDescription("Memory in use.")
            .setGauge(
                Gauge.newBuilder()
                    .addDataPoints(
                        NumberDataPoint.newBuilder()
                            .setTimeUnixNano(T0)
                            .setAsDouble(1.5e9)
                            .addAttributes(attr("http.method", "GET"))
                            .addAttributes(attr("a.b", "1"))
                            .addAttributes(attr("a_b", "2"))
                            .addExemplars(
                                Exemplar.newBuilder()
                                    .setTimeUnixNano(T0 - 7_000)
                                    .setAsDouble(1.4e9)
                                    .addFilteredAttributes(attr("user", "alice")))))
            .build();
    Metric requests =
        Metric.newBuilder()
            .setName("http.server.requests")
            .setUnit("{request}")
            .setSum(
                Sum.newBuilder()
                    .setIsMonotonic(true)
                    .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                    .addDataPoints(
                        NumberDataPoint.newBuilder()
                            .setStartTimeUnixNano(T0 - 60_000_000_000L)
                            .setTimeUnixNano(T0)
                            .setAsInt(42)))
            .build();
    Metric cpu =
        Metric.newBuilder()
            .setName("cpu.utilization")
            .setUnit("1")
            .setGauge(
                Gauge.newBuilder()
                    .addDataPoints(
                        NumberDataPoint.newBuilder()
                            .setTimeUnixNano(T0)
                            .setAsDouble(0.5)
                            .addAttributes(attr("cpu", "0"))))
            .build();
    Metric duration =
        Metric.newBuilder()
            .setName("http.server.duration")
            .setUnit("ms")
            .setHistogram(
                Histogram.newBuilder()
                    .setAggregationTemporality(
                        AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                    .addDataPoints(
                        HistogramDataPoint.newBuilder()
                            .setTimeUnixNano(T0)
                            .setCount(6)
                            .setSum(12.5)
                            .addAllExplicitBounds(List.of(1.0, 5.0))
                            .addAllBucketCounts(List.of(1L, 2L, 3L))
                            .addAttributes(attr("http.route", "/cart"))))
            .build();
    Metric queue =
        Metric.newBuilder()
            .setName("queue.size")
            .setGauge(
                Gauge.newBuilder()
                    .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(T0).setAsInt(3)))
            .build();
    return ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(
            ResourceMetrics.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(attr("service.name", "checkout"))
                        .addAttributes(attr("service.namespace", "shop"))
                        .addAttributes(attr("service.instance.id", "i-1")))
                .addScopeMetrics(
                    ScopeMetrics.newBuilder().addAllMetrics(List.of(memory, requests, cpu, duration))))
        .addResourceMetrics(
            // No service: no job, no instance.
            ResourceMetrics.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(attr("host.name", "h1")))
                .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(queue)))
        .build();
  }

  /** The request's points as the seed's metrics transform stores them (types used here). */
  private static List<Record> seedMetricRows(ExportMetricsServiceRequest request) {
    List<Record> rows = new ArrayList<>();
    for (ResourceMetrics resource : request.getResourceMetricsList()) {
      String service = null;
      String instance = null;
      Map<String, String> resourceMap = new TreeMap<>();
      for (KeyValue kv : resource.getResource().getAttributesList()) {
        switch (kv.getKey()) {
          case "service.name" -> service = kv.getValue().getStringValue();
          case "service.instance.id" -> instance = kv.getValue().getStringValue();
          default -> resourceMap.put(kv.getKey(), kv.getValue().getStringValue());
        }
      }
      for (ScopeMetrics scope : resource.getScopeMetricsList()) {
        for (Metric metric : scope.getMetricsList()) {
          List<Record> points = new ArrayList<>();
          switch (metric.getDataCase()) {
            case GAUGE -> metric.getGauge().getDataPointsList()
                .forEach(p -> points.add(numberPoint(p, "gauge", null, null)));
            case SUM -> metric.getSum().getDataPointsList()
                .forEach(p -> points.add(numberPoint(p, "sum",
                    metric.getSum().getAggregationTemporality()
                        == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA
                        ? "DELTA" : "CUMULATIVE",
                    metric.getSum().getIsMonotonic())));
            case HISTOGRAM -> metric.getHistogram().getDataPointsList().forEach(p -> {
              Record r = GenericRecord.create(SeedLake.METRICS);
              r.setField("timestamp", SeedLake.time(p.getTimeUnixNano() / 1000));
              r.setField("metric_type", "histogram");
              r.setField("aggregation_temporality", "CUMULATIVE");
              r.setField("data_point_attributes", strings(p.getAttributesList()));
              r.setField("count", p.getCount());
              r.setField("sum", p.getSum());
              r.setField("bucket_counts", p.getBucketCountsList());
              r.setField("explicit_bounds", p.getExplicitBoundsList());
              r.setField("flags", p.getFlags());
              points.add(r);
            });
            default -> throw new IllegalArgumentException("not used here: " + metric);
          }
          for (Record r : points) {
            r.setField("tenant_id", "acme");
            r.setField("service_name", service);
            r.setField("service_instance_id", instance);
            r.setField("ingested_timestamp", SeedLake.time(T0 / 1000 + 77));
            r.setField("metric_name", metric.getName()); // the OTLP name, as sent
            r.setField("description", metric.getDescription().isEmpty() ? null : metric.getDescription());
            r.setField("unit", metric.getUnit().isEmpty() ? null : metric.getUnit());
            r.setField("resource_attributes", resourceMap);
            r.setField("scope_attributes", Map.of());
            rows.add(r);
          }
        }
      }
    }
    return rows;
  }

  private static Record numberPoint(
      NumberDataPoint p, String type, String temporality, Boolean monotonic) {
    Record r = GenericRecord.create(SeedLake.METRICS);
    r.setField("timestamp", SeedLake.time(p.getTimeUnixNano() / 1000));
    if (p.getStartTimeUnixNano() != 0) {
      r.setField("start_timestamp", SeedLake.time(p.getStartTimeUnixNano() / 1000));
    }
    r.setField("metric_type", type);
    r.setField("aggregation_temporality", temporality);
    r.setField("is_monotonic", monotonic);
    r.setField("data_point_attributes", strings(p.getAttributesList()));
    if (p.getValueCase() == NumberDataPoint.ValueCase.AS_DOUBLE) {
      r.setField("value_double", p.getAsDouble());
    } else {
      r.setField("value_int", p.getAsInt());
    }
    r.setField("flags", p.getFlags());
    List<Record> exemplars = new ArrayList<>();
    for (Exemplar e : p.getExemplarsList()) {
      Record x = GenericRecord.create(SeedLake.EXEMPLAR);
      x.setField("timestamp", SeedLake.time(e.getTimeUnixNano() / 1000));
      x.setField("value_double", e.getAsDouble());
      x.setField("attributes", strings(e.getFilteredAttributesList()));
      exemplars.add(x);
    }
    r.setField("exemplars", exemplars.isEmpty() ? null : exemplars);
    return r;
  }

  /** otel name → [metric_name, series_labels, series_id] as our metrics builder makes them. */
  private Map<String, List<Object>> oursForMetrics(ExportMetricsServiceRequest request) {
    Map<String, List<Object>> out = new HashMap<>();
    BatchResult built = MetricsBatchBuilder.build(request, "acme", T0, allocator);
    assertThat(built.rejected()).isZero();
    try (VectorSchemaRoot batch = built.batch()) {
      for (int i = 0; i < batch.getRowCount(); i++) {
        out.put(
            text(batch, MetricsTable.OTEL_METRIC_NAME, i),
            List.of(
                text(batch, MetricsTable.METRIC_NAME, i),
                text(batch, MetricsTable.SERIES_LABELS, i),
                ((BigIntVector) batch.getVector(MetricsTable.SERIES_ID)).get(i)));
      }
    }
    return out;
  }

  @Test
  void seedMetricRowsGetOurPrometheusNamesAndSeries() throws Exception {
    ExportMetricsServiceRequest request = metricsRequest();
    writeSeed("metrics", List.of(seedMetricRows(request)));

    try (Lake lake = open()) {
      // Adopted: the seed's ids, nanosecond times (nested exemplar ones too), our columns null.
      var schema = lake.scanner().schema(MetricsTable.NAME);
      assertThat(schema.findField(4).type()).isEqualTo(Types.TimestampNanoType.withoutZone());
      assertThat(schema.findField(38).type()).isEqualTo(Types.TimestampNanoType.withoutZone());
      assertThat(schema.findField("series_labels").isOptional()).isTrue();
      List<Map<String, Object>> before = ScannedRows.scan(lake, allocator, MetricsTable.NAME, "acme");
      assertThat(before).hasSize(5);
      Map<String, Object> memoryBefore = byColumn(before, MetricsTable.METRIC_NAME)
          .get("system.memory.usage");
      assertThat(memoryBefore)
          .containsEntry(MetricsTable.TIMESTAMP, T0)
          .containsEntry(MetricsTable.SERIES_LABELS, null)
          .containsEntry(MetricsTable.SERIES_ID, null);

      assertThat(lake.compact(MetricsTable.NAME).seedRows()).isEqualTo(5);

      List<Map<String, Object>> rows = ScannedRows.scan(lake, allocator, MetricsTable.NAME, "acme");
      assertThat(rows).hasSize(5);
      assertThat(rows)
          .as("rewritten sorted by the Prometheus name, as our files are")
          .extracting(r -> (String) r.get(MetricsTable.METRIC_NAME))
          .isSorted();
      Map<String, List<Object>> ours = oursForMetrics(request);
      for (Map<String, Object> row : rows) {
        assertThat(
                List.of(
                    row.get(MetricsTable.METRIC_NAME),
                    row.get(MetricsTable.SERIES_LABELS),
                    row.get(MetricsTable.SERIES_ID)))
            .as("metric %s", row.get(MetricsTable.OTEL_METRIC_NAME))
            .isEqualTo(ours.get((String) row.get(MetricsTable.OTEL_METRIC_NAME)));
      }
      // By hand (Prometheus's OTLP translation, FNV-1a computed outside this code).
      Map<String, Map<String, Object>> byOtel = byColumn(rows, MetricsTable.OTEL_METRIC_NAME);
      Map<String, Object> memory = byOtel.get("system.memory.usage");
      assertThat(memory)
          .containsEntry(MetricsTable.METRIC_NAME, "system_memory_usage_bytes")
          .containsEntry(MetricsTable.SERIES_LABELS, GAUGE_LABELS)
          .containsEntry(MetricsTable.SERIES_ID, GAUGE_LABELS_ID)
          .containsEntry(MetricsTable.SERVICE_NAME, "checkout")
          .containsEntry(MetricsTable.SERVICE_INSTANCE_ID, "i-1")
          .containsEntry(MetricsTable.TIMESTAMP, T0)
          .containsEntry(MetricsTable.INGESTED_TIMESTAMP, T0 + 77_000)
          .containsEntry(MetricsTable.VALUE_DOUBLE, 1.5e9)
          .containsEntry(MetricsTable.DESCRIPTION, "Memory in use.")
          .containsEntry(
              MetricsTable.DATA_POINT_ATTRIBUTES,
              Map.of("http.method", "GET", "a.b", "1", "a_b", "2"))
          .containsEntry(MetricsTable.RESOURCE_ATTRIBUTES, Map.of("service.namespace", "shop"));
      @SuppressWarnings("unchecked")
      Map<String, Object> exemplar =
          (Map<String, Object>) ((List<?>) memory.get(MetricsTable.EXEMPLARS)).get(0);
      assertThat(exemplar)
          .containsEntry("timestamp", T0 - 7_000)
          .containsEntry("value_double", 1.4e9)
          .containsEntry("attributes", Map.of("user", "alice"));
      assertThat(byOtel.get("http.server.requests"))
          .containsEntry(MetricsTable.METRIC_NAME, "http_server_requests_total")
          .containsEntry(MetricsTable.SERIES_LABELS, JOB_LABELS)
          .containsEntry(MetricsTable.SERIES_ID, JOB_LABELS_ID)
          .containsEntry(MetricsTable.START_TIMESTAMP, T0 - 60_000_000_000L)
          .containsEntry(MetricsTable.VALUE_INT, 42L);
      assertThat(byOtel.get("cpu.utilization"))
          .containsEntry(MetricsTable.METRIC_NAME, "cpu_utilization_ratio");
      assertThat(byOtel.get("http.server.duration"))
          .containsEntry(MetricsTable.METRIC_NAME, "http_server_duration_milliseconds")
          .containsEntry(MetricsTable.BUCKET_COUNTS, List.of(1L, 2L, 3L))
          .containsEntry(MetricsTable.EXPLICIT_BOUNDS, List.of(1.0, 5.0))
          .containsEntry(MetricsTable.COUNT, 6L);
      assertThat(byOtel.get("queue.size"))
          .containsEntry(MetricsTable.METRIC_NAME, "queue_size")
          .containsEntry(MetricsTable.SERIES_LABELS, "{}");

      Table table = lake.table(MetricsTable.NAME).table();
      table.refresh();
      assertThat(table.properties()).doesNotContainKey(SeedTables.BACKFILL_PENDING);
      assertThat(lake.compact(MetricsTable.NAME).seedRows()).isZero();
    }
  }

  // ---- spans and events ----

  @Test
  void seedSpansAreReadWithNanosecondTimesAndGetTheirDurationInNanoseconds() throws Exception {
    byte[] traceId = HexFormat.of().parseHex("5b8efff798038103d269b633813fc60c");
    byte[] spanId = HexFormat.of().parseHex("eee19b7ec3c1b174");
    long start = T0 / 1000;
    Record span = GenericRecord.create(SeedLake.SPANS);
    span.setField("tenant_id", "acme");
    span.setField("service_name", "checkout");
    span.setField("trace_id", traceId);
    span.setField("span_id", spanId);
    span.setField("timestamp", SeedLake.time(start));
    span.setField("end_timestamp", SeedLake.time(start + 250));
    span.setField("ingested_timestamp", SeedLake.time(start + 300));
    span.setField("duration_micros", 250L);
    span.setField("name", "GET /cart");
    span.setField("kind", 2);
    span.setField("status_code", 0);
    span.setField("resource_attributes", Map.of("host.name", "h1"));
    Record event = GenericRecord.create(
        ((Types.ListType) SeedLake.SPANS.findField("events").type()).elementType().asStructType());
    event.setField("timestamp", SeedLake.time(start + 100));
    event.setField("name", "cache miss");
    event.setField("attributes", Map.of("key", "cart"));
    event.setField("dropped_attributes_count", 0);
    span.setField("events", List.of(event));
    span.setField("span_attributes", Map.of("http.method", "GET"));
    span.setField("scope_attributes", Map.of());
    writeSeed("spans", List.of(List.of(span)));

    try (Lake lake = open()) {
      Map<String, Object> before =
          ScannedRows.scan(lake, allocator, SpansTable.NAME, "acme").get(0);
      assertThat(before)
          .containsEntry(SpansTable.TIMESTAMP, T0)
          .containsEntry(SpansTable.END_TIMESTAMP, T0 + 250_000)
          .containsEntry(SpansTable.INGESTED_TIMESTAMP, T0 + 300_000)
          .containsEntry("duration_micros", 250L)
          .containsEntry(SpansTable.DURATION_NANOS, null)
          .containsEntry(SpansTable.TRACE_ID, "5b8efff798038103d269b633813fc60c")
          .containsEntry(SpansTable.NAME_COLUMN, "GET /cart");
      assertEvent(before);

      assertThat(lake.compact(SpansTable.NAME).seedRows()).isEqualTo(1);
      Map<String, Object> after = ScannedRows.scan(lake, allocator, SpansTable.NAME, "acme").get(0);
      // end − start: 250 µs.
      assertThat(after)
          .containsEntry(SpansTable.DURATION_NANOS, 250_000L)
          .containsEntry("duration_micros", 250L)
          .containsEntry(SpansTable.TIMESTAMP, T0)
          .containsEntry(SpansTable.END_TIMESTAMP, T0 + 250_000)
          .containsEntry(SpansTable.SERVICE_NAME, "checkout");
      assertEvent(after);
    }
  }

  private static void assertEvent(Map<String, Object> span) {
    @SuppressWarnings("unchecked")
    Map<String, Object> event = (Map<String, Object>) ((List<?>) span.get("events")).get(0);
    assertThat(event)
        .containsEntry("timestamp", T0 + 100_000)
        .containsEntry("name", "cache miss")
        .containsEntry("attributes", Map.of("key", "cart"));
  }

  @Test
  void theSeedsEventsTableIsAdoptedAndReadWithData() throws Exception {
    long micros = T0 / 1000;
    Record event = GenericRecord.create(SeedLake.EVENTS);
    event.setField("tenant_id", "acme");
    event.setField("service_name", "checkout");
    event.setField("timestamp", SeedLake.time(micros));
    event.setField("observed_timestamp", SeedLake.time(micros + 1));
    event.setField("ingested_timestamp", SeedLake.time(micros + 2));
    event.setField("event_domain", "browser");
    event.setField("event_name", "page_view");
    event.setField("resource_attributes", Map.of());
    event.setField("scope_attributes", Map.of());
    event.setField("log_attributes", Map.of("url", "/cart"));
    writeSeed("events", List.of(List.of(event)));

    try (Lake lake = open()) {
      var schema = lake.scanner().schema(EventsTable.NAME);
      assertThat(schema.findField(3).type()).isEqualTo(Types.TimestampNanoType.withoutZone());
      assertThat(schema.findField(7).name()).isEqualTo("event_name");
      assertThat(schema.findField("severity_number").isOptional()).isTrue();
      Map<String, Object> row = ScannedRows.scan(lake, allocator, EventsTable.NAME, "acme").get(0);
      assertThat(row)
          .containsEntry(EventsTable.TIMESTAMP, T0)
          .containsEntry(EventsTable.OBSERVED_TIMESTAMP, T0 + 1_000)
          .containsEntry(EventsTable.EVENT_NAME, "page_view")
          .containsEntry(EventsTable.EVENT_DOMAIN, "browser")
          .containsEntry(EventsTable.LOG_ATTRIBUTES, Map.of("url", "/cart"))
          .containsEntry(EventsTable.SEVERITY_NUMBER, null);
      // Nothing of ours is derived on events: the mark goes, the file stays.
      Table table = lake.table(EventsTable.NAME).table();
      List<DataFile> files = files(table);
      assertThat(lake.compact(EventsTable.NAME).seedRows()).isZero();
      table.refresh();
      assertThat(table.properties()).doesNotContainKey(SeedTables.BACKFILL_PENDING);
      assertThat(files(table)).extracting(DataFile::location)
          .containsExactlyElementsOf(files.stream().map(DataFile::location).toList());
    }
  }

  // ---- fixtures ----

  private Lake open() throws Exception {
    return Lake.openLocal(dir, Duration.ofMillis(1), NOW, Duration.ZERO);
  }

  /** The seed's table {@code name} with one data file per list of rows. */
  private void writeSeed(String name, List<List<Record>> files) throws Exception {
    JdbcCatalog catalog = SeedLake.catalog(dir);
    try {
      Table table = SeedLake.create(catalog, name);
      for (List<Record> rows : files) {
        SeedLake.append(table, rows);
      }
    } finally {
      catalog.close();
    }
  }

  private static List<DataFile> files(Table table) throws Exception {
    List<DataFile> out = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().includeColumnStats().planFiles()) {
      tasks.forEach(t -> out.add(t.file().copy()));
    }
    return out;
  }

  private static Map<String, String> strings(List<KeyValue> attributes) {
    Map<String, String> out = new TreeMap<>();
    attributes.forEach(kv -> out.put(kv.getKey(), kv.getValue().getStringValue()));
    return out;
  }

  private static String text(VectorSchemaRoot batch, String column, int row) {
    VarCharVector v = (VarCharVector) batch.getVector(column);
    return v.isNull(row) ? null : new String(v.get(row), StandardCharsets.UTF_8);
  }

  private static Map<String, Map<String, Object>> byBody(List<Map<String, Object>> rows) {
    return byColumn(rows, LogsTable.BODY);
  }

  private static Map<String, Map<String, Object>> byColumn(
      List<Map<String, Object>> rows, String column) {
    return rows.stream()
        .collect(Collectors.toMap(r -> (String) r.get(column), Function.identity()));
  }
}

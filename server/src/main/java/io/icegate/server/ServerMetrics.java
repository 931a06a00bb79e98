package io.icegate.server;

import io.icegate.engine.exec.ScanTotals;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** The server's own metrics, served in Prometheus text format on every port's /metrics. */
public final class ServerMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final ExpositionFormats formats = ExpositionFormats.init();

  public final Counter httpRequests;
  public final Counter ingestedRecords;
  public final Counter rejectedRecords;
  public final Histogram queryDuration;
  public final Counter compactedSegments;
  public final Counter overloadedRequests;
  public final Counter expiredSnapshots;
  public final Counter maintenanceDeletedFiles;

  public ServerMetrics() {
    JvmMetrics.builder().register(registry);
    httpRequests =
        Counter.builder()
            .name("icegate_http_requests_total")
            .help("HTTP requests answered, by listener, path and status code")
            .labelNames("listener", "path", "code")
            .register(registry);
    ingestedRecords =
        Counter.builder()
            .name("icegate_ingested_records_total")
            .help("Records made durable in the WAL, by signal")
            .labelNames("signal")
            .register(registry);
    rejectedRecords =
        Counter.builder()
            .name("icegate_rejected_records_total")
            .help("Records rejected as invalid (OTLP partial success), by signal")
            .labelNames("signal")
            .register(registry);
    queryDuration =
        Histogram.builder()
            .name("icegate_query_duration_seconds")
            .help("Query execution time, by API")
            .labelNames("api")
            .register(registry);
    compactedSegments =
        Counter.builder()
            .name("icegate_compacted_wal_segments_total")
            .help("WAL segments moved into the Iceberg tables")
            .register(registry);
    overloadedRequests =
        Counter.builder()
            .name("icegate_overloaded_requests_total")
            .help("Ingest requests refused because the WAL was behind (backpressure), by signal")
            .labelNames("signal")
            .register(registry);
    expiredSnapshots =
        Counter.builder()
            .name("icegate_expired_snapshots_total")
            .help("Iceberg snapshots removed by table maintenance")
            .register(registry);
    maintenanceDeletedFiles =
        Counter.builder()
            .name("icegate_maintenance_deleted_files_total")
            .help("Files table maintenance deleted, by kind: expired (only expired snapshots"
                + " referenced them), orphan (no snapshot did), wal_segment (compacted WAL)")
            .labelNames("kind")
            .register(registry);
    registerScanTotals();
  }

  /** What queries read, from the engine's process-wide totals. */
  private void registerScanTotals() {
    CounterWithCallback.builder()
        .name("icegate_query_plans_total")
        .help("Physical query plans run (a LogQL metric query runs one per range aggregation)")
        .callback(c -> c.call(ScanTotals.plans()))
        .register(registry);
    CounterWithCallback.builder()
        .name("icegate_query_files_scanned_total")
        .help("Parquet files (Iceberg data files and WAL segments) queries read")
        .callback(c -> c.call(ScanTotals.filesScanned()))
        .register(registry);
    CounterWithCallback.builder()
        .name("icegate_query_files_pruned_total")
        .help("Files queries skipped by partition, statistics or time bounds")
        .callback(c -> c.call(ScanTotals.filesPruned()))
        .register(registry);
    CounterWithCallback.builder()
        .name("icegate_query_rows_scanned_total")
        .help("Rows queries read from storage, before filtering")
        .callback(c -> c.call(ScanTotals.rowsScanned()))
        .register(registry);
    CounterWithCallback.builder()
        .name("icegate_query_bytes_scanned_total")
        .help("Bytes of Arrow column data queries read from storage")
        .callback(c -> c.call(ScanTotals.bytesScanned()))
        .register(registry);
    CounterWithCallback.builder()
        .name("icegate_query_operator_seconds_total")
        .help("Time inside each type of query plan operator, inclusive of its inputs and summed"
            + " over a parallel scan's threads")
        .labelNames("operator")
        .callback(c -> ScanTotals.operatorSeconds().forEach((node, s) -> c.call(s, node)))
        .register(registry);
    CounterWithCallback.builder()
        .name("icegate_query_operator_rows_total")
        .help("Rows each type of query plan operator produced")
        .labelNames("operator")
        .callback(c -> ScanTotals.operatorRows().forEach((node, n) -> c.call(n, node)))
        .register(registry);
  }

  /**
   * {@code icegate_catalog_up}: 1 while the catalog answers as last probed, else 0 — while it
   * is 0 and {@code ingest_requires_catalog} holds, ingest answers 503.
   */
  public void registerCatalogUp(java.util.function.BooleanSupplier up) {
    GaugeWithCallback.builder()
        .name("icegate_catalog_up")
        .help("1 if the catalog answered its last probe or operation, 0 if it is known down")
        .callback(g -> g.call(up.getAsBoolean() ? 1 : 0))
        .register(registry);
  }

  /** The current values in Prometheus text exposition format 0.0.4. */
  public byte[] scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    formats.getPrometheusTextFormatWriter().write(out, registry.scrape());
    return out.toByteArray();
  }

  public String contentType() {
    return formats.getPrometheusTextFormatWriter().getContentType();
  }
}

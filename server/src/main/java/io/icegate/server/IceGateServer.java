package io.icegate.server;

import io.icegate.engine.logql.LogMetadataEngine;
import io.icegate.engine.logql.LogQueryEngine;
import io.icegate.engine.logql.LogQueryRange;
import io.icegate.logql.LogQL;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.protocol.loki.Direction;
import io.icegate.server.config.ServerConfig;
import io.icegate.server.http.ErrorRenderer;
import io.icegate.server.http.Handler;
import io.icegate.server.http.HttpExchange;
import io.icegate.server.http.HttpListener;
import io.icegate.server.http.InFlight;
import io.icegate.server.loki.LokiErrors;
import io.icegate.server.loki.LokiFormatQueryHandler;
import io.icegate.server.loki.LokiMetadataHandler;
import io.icegate.server.loki.LokiQueryHandler;
import io.icegate.server.loki.LokiRoutes;
import io.icegate.server.otlp.OtlpErrors;
import io.icegate.server.ingest.IngestGate;
import io.icegate.server.ingest.LogsIngest;
import io.icegate.server.ingest.MetricsIngest;
import io.icegate.server.ingest.TracesIngest;
import io.icegate.server.push.PushHandler;
import io.icegate.server.ingest.TenantLimiter;
import io.icegate.server.otlp.OtlpHttpHandler;
import io.icegate.server.otlp.OtlpSignal;
import io.icegate.server.otlp.grpc.OtlpGrpcServer;
import io.icegate.server.prom.PromErrors;
import io.icegate.server.prom.PromQueryHandlers;
import io.icegate.server.prom.PromStatusHandlers;
import io.icegate.server.sql.SqlRoutes;
import io.icegate.storage.Lake;
import io.icegate.storage.LakeConfig;
import io.icegate.storage.compaction.Compactor;
import io.icegate.storage.maintenance.MaintenancePolicy;
import io.icegate.storage.maintenance.TableMaintenance;
import io.icegate.storage.table.LakeTables;
import io.icegate.storage.table.TableDefinition;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole process: storage, engine and the listeners, wired. {@link #close()} is the graceful
 * shutdown SIGTERM triggers: stop accepting, let requests in flight finish (within the grace
 * period), flush the WAL, close the catalog.
 */
public final class IceGateServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IceGateServer.class);

  private final ServerConfig config;
  private final BufferAllocator rootAllocator;
  private final BufferAllocator ingestAllocator;
  private final Lake lake;
  private final EventLoopGroup boss;
  private final EventLoopGroup io;
  private final ExecutorService workers;
  private final InFlight inFlight = new InFlight();
  private final ServerMetrics metrics = new ServerMetrics();
  private final HttpListener otlpHttp;
  private final HttpListener loki;
  private final OtlpGrpcServer otlpGrpc;
  private final HttpListener prometheus;
  private final TenantLimiter limiter;
  private final IngestGate gate;
  private final ScheduledExecutorService maintenance;
  /** When table maintenance last ran; starts at the server's start (see maintainIfDue). */
  private volatile long lastMaintenanceMillis = System.currentTimeMillis();
  private final AutoCloseable lokiTail;
  private boolean closed;

  private IceGateServer(ServerConfig config) throws IOException, InterruptedException {
    this.config = config.validate();
    this.rootAllocator = new RootAllocator(Long.MAX_VALUE);
    this.ingestAllocator = rootAllocator.newChildAllocator("ingest", 0, Long.MAX_VALUE);
    this.lake = openLake(config);
    this.boss = new NioEventLoopGroup(1);
    this.io = new NioEventLoopGroup();
    this.workers =
        Executors.newFixedThreadPool(
            Math.max(8, 4 * Runtime.getRuntime().availableProcessors()),
            r -> {
              Thread t = new Thread(r, "icegate-worker");
              t.setDaemon(true);
              return t;
            });
    LogQueryEngine logs =
        new LogQueryEngine(
            lake.scanner(), rootAllocator, config.queryMemoryBytes(), config.queryTimeout());
    warmUp(logs);

    for (TableDefinition table : LakeTables.ALL) {
      lake.wal(table.name()).limitPending(config.walMaxPendingBytes(), config.walMaxPendingRows());
    }
    this.limiter = new TenantLimiter(config::limitsFor);
    this.gate =
        config.ingestRequiresCatalog() ? new IngestGate(lake.catalogHealth()) : IngestGate.OPEN;
    metrics.registerCatalogUp(lake.catalogHealth()::up);
    LogsIngest logsIngest =
        new LogsIngest(
            lake.logsWal(), lake.eventsWal(), ingestAllocator, limiter, metrics, gate);
    TracesIngest tracesIngest =
        new TracesIngest(lake.spansWal(), ingestAllocator, limiter, metrics, gate);
    MetricsIngest metricsIngest =
        new MetricsIngest(lake.metricsWal(), ingestAllocator, limiter, metrics, gate);

    Map<String, Handler> otlpRoutes = common();
    otlpRoutes.put(
        "/v1/logs",
        new OtlpHttpHandler<>(OtlpSignal.LOGS, logsIngest, limiter, config.maxRequestBytes()));
    otlpRoutes.put(
        "/v1/traces",
        new OtlpHttpHandler<>(
            OtlpSignal.TRACES, tracesIngest, limiter, config.maxRequestBytes()));
    otlpRoutes.put(
        "/v1/metrics",
        new OtlpHttpHandler<>(
            OtlpSignal.METRICS, metricsIngest, limiter, config.maxRequestBytes()));
    this.otlpHttp = listen("otlp-http", config.otlpHttpPort(), otlpRoutes, OtlpErrors.renderer());
    this.otlpGrpc =
        config.otlpGrpcPort() < 0
            ? null
            : OtlpGrpcServer.start(
                config.host(),
                config.otlpGrpcPort(),
                config.grpcMaxMessageBytes(),
                new OtlpGrpcServer.Signals(logsIngest, tracesIngest, metricsIngest),
                limiter,
                workers);

    Map<String, Handler> lokiRoutes = common();
    LogMetadataEngine streams =
        new LogMetadataEngine(
            lake.scanner(), rootAllocator, config.queryMemoryBytes(), config.queryTimeout());
    lokiRoutes.put(
        "/loki/api/v1/query_range",
        new LokiQueryHandler(
            logs, false, config.maxEntriesLimitPerQuery(),
            config::limitsFor, config.queryMemoryBytes(),
            metrics));
    lokiRoutes.put(
        "/loki/api/v1/query",
        new LokiQueryHandler(
            logs, true, config.maxEntriesLimitPerQuery(),
            config::limitsFor, config.queryMemoryBytes(),
            metrics));
    LokiMetadataHandler metadata =
        new LokiMetadataHandler(streams, tenant -> config.limitsFor(tenant).queryTimeout());
    lokiRoutes.put(
        "/loki/api/v1/push",
        new PushHandler(
            "logs", lake.logsWal(), PushHandler.lokiPush(ingestAllocator), limiter, metrics,
            config.maxRequestBytes(), gate));
    lokiRoutes.put("/loki/api/v1/labels", metadata);
    lokiRoutes.put("/loki/api/v1/series", metadata);
    lokiRoutes.put("/loki/api/v1/label/*", metadata);
    lokiRoutes.put("/loki/api/v1/format_query", new LokiFormatQueryHandler());
    this.lokiTail = LokiRoutes.addTo(lokiRoutes, lake.scanner(), rootAllocator, config, logs);
    SqlRoutes.addTo(lokiRoutes, lake.scanner(), rootAllocator, config);
    this.loki = listen("loki", config.lokiPort(), lokiRoutes, LokiErrors.renderer());

    this.prometheus =
        config.prometheusPort() < 0
            ? null
            : listen("prometheus", config.prometheusPort(), withRemoteWrite(prometheusRoutes(config)),
                PromErrors.renderer());
    this.maintenance =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "icegate-compaction");
              t.setDaemon(true);
              return t;
            });
    long every = config.compaction().interval().toMillis();
    if (every > 0) {
      maintenance.scheduleWithFixedDelay(this::compactQuietly, every, every, TimeUnit.MILLISECONDS);
    }
  }

  private void compactQuietly() {
    try {
      Compactor.Result result = lake.compact();
      if (result.segments() > 0) {
        metrics.compactedSegments.inc(result.segments());
      }
      if (result.seedRows() > 0) {
        LOG.info("seed rows backfilled rows={}", result.seedRows());
      }
    } catch (IOException | RuntimeException e) {
      // The segments stay in the WAL and keep serving; the next run tries again.
      LOG.error("compaction failed", e);
    }
    maintainIfDue();
  }

  /**
   * Table maintenance after a compaction run, once per {@code maintenance_interval} (the first
   * one interval after start). Each table is maintained under its compaction lease, so on S3
   * only the replica that holds it does the work; the others skip that table.
   */
  private void maintainIfDue() {
    long every = config.maintenance().interval().toMillis();
    long now = System.currentTimeMillis();
    if (every <= 0 || now - lastMaintenanceMillis < every) {
      return;
    }
    lastMaintenanceMillis = now;
    try {
      TableMaintenance.Result result = lake.maintain();
      metrics.expiredSnapshots.inc(result.expiredSnapshots());
      metrics.maintenanceDeletedFiles.labelValues("expired").inc(result.expiredFiles());
      metrics.maintenanceDeletedFiles.labelValues("orphan").inc(result.orphanFiles());
      metrics.maintenanceDeletedFiles.labelValues("wal_segment").inc(result.walSegments());
    } catch (IOException | RuntimeException e) {
      // Nothing is lost: what was not deleted is deleted by the next run.
      LOG.error("table maintenance failed", e);
    }
  }

  /**
   * Opens the storage the config describes: the catalog (embedded, Nessie or REST) and the
   * object storage (local disk or S3) that holds the data files and the WAL.
   */
  public static Lake openLake(ServerConfig config) throws IOException {
    var c = config.compaction();
    var m = config.maintenance();
    return Lake.open(
        new LakeConfig(
            config.dataDir(),
            config.catalog(),
            config.storage(),
            config.walMaxDelay(),
            // Retired segments are deleted only after any query that planned before the
            // compaction has certainly ended.
            new Compactor.Policy(
                    c.minAge(), c.maxInputBytes(), config.queryTimeout().plus(Duration.ofMinutes(1)))
                // Never younger than the dedupe window: Lake.open raises it to that floor.
                .withWalBytesTrigger(c.walBytes(), Duration.ZERO),
            c.dedupeWindow(),
            config.walListInterval(),
            c.leaseTtl(),
            new MaintenancePolicy(
                m.snapshotMaxAge(), m.minSnapshotsToKeep(), m.orphanMinAge(),
                MaintenancePolicy.DEFAULT.maxDeletesPerRun()),
            config.catalogProbeInterval()));
  }

  /**
   * Plans one query before the listeners open: Calcite's first plan loads and initialises
   * hundreds of classes (about a second), which would otherwise land on the first user's query.
   */
  private static void warmUp(LogQueryEngine logs) {
    long started = System.nanoTime();
    logs.explain(
        (LogSelectorExpr) LogQL.parse("{warm=\"up\"} |= \"x\""),
        new LogQueryRange(Tenants.DEFAULT, 0, 1, 1, Direction.BACKWARD));
    LOG.info("query planner ready in {} ms", (System.nanoTime() - started) / 1_000_000);
  }

  /** Starts the server; it serves until {@link #close()}. */
  public static IceGateServer start(ServerConfig config) throws IOException, InterruptedException {
    return new IceGateServer(config);
  }

  private HttpListener listen(
      String name, int port, Map<String, Handler> routes, ErrorRenderer errors)
      throws InterruptedException {
    return HttpListener.start(
        name,
        config.host(),
        port,
        config.maxRequestBytes(),
        config.inflightBodyBudget(),
        Map.copyOf(routes),
        errors,
        boss,
        io,
        workers,
        inFlight,
        (listener, route, status) ->
            metrics
                .httpRequests
                .labelValues(listener, route == null ? "other" : route, Integer.toString(status))
                .inc());
  }

  /** Prometheus remote-write 1.0 into the metrics table, beside the Prometheus HTTP API. */
  private Map<String, Handler> withRemoteWrite(Map<String, Handler> routes) {
    routes.put(
        "/api/v1/write",
        new PushHandler(
            "metrics", lake.metricsWal(), PushHandler.remoteWrite(ingestAllocator), limiter,
            metrics, config.maxRequestBytes(), gate));
    return routes;
  }

  /** The Prometheus HTTP API: status, health, and PromQL over the metrics table. */
  private Map<String, Handler> prometheusRoutes(ServerConfig config) {
    Map<String, Handler> routes = common();
    PromStatusHandlers status = new PromStatusHandlers(config);
    routes.put("/api/v1/status/buildinfo", status.buildInfo());
    routes.put("/api/v1/status/runtimeinfo", status.runtimeInfo());
    routes.put("/api/v1/status/config", status.config());
    routes.put("/-/ready", status.ready());
    routes.put("/-/healthy", status.healthy());
    routes.put("/api/v1/rules", status.rules());
    routes.put("/api/v1/alerts", status.alerts());
    PromQueryHandlers queries =
        PromQueryHandlers.overMetricsTable(
            lake.scanner(), rootAllocator, config.queryMemoryBytes(), config.queryTimeout(),
            config.promQuery());
    routes.put("/api/v1/format_query", queries.formatQuery());
    routes.put("/api/v1/parse_query", queries.parseQuery());
    routes.put("/api/v1/query", queries.query());
    routes.put("/api/v1/query_range", queries.queryRange());
    routes.put("/api/v1/query_exemplars", queries.queryExemplars());
    routes.put("/api/v1/labels", queries.labels());
    routes.put("/api/v1/label/*", queries.labelValues());
    routes.put("/api/v1/series", queries.series());
    routes.put("/api/v1/metadata", queries.metadata());
    return routes;
  }

  /** {@code /ready} and {@code /metrics}, on every port. */
  private Map<String, Handler> common() {
    Map<String, Handler> routes = new HashMap<>();
    routes.put(
        "/ready",
        exchange ->
          exchange.respond(
              HttpResponseStatus.OK,
              "text/plain; charset=utf-8",
              "ready\n".getBytes(StandardCharsets.UTF_8)));
    routes.put("/metrics", this::serveMetrics);
    return routes;
  }

  private void serveMetrics(HttpExchange exchange) throws IOException {
    exchange.respond(HttpResponseStatus.OK, metrics.contentType(), metrics.scrape());
  }

  public int otlpHttpPort() {
    return otlpHttp.port();
  }

  public int lokiPort() {
    return loki.port();
  }

  /** The OTLP/gRPC port, or -1 without that listener. */
  public int otlpGrpcPort() {
    return otlpGrpc == null ? -1 : otlpGrpc.port();
  }

  /** The Prometheus API port, or -1 without that listener. */
  public int prometheusPort() {
    return prometheus == null ? -1 : prometheus.port();
  }

  /** The Arrow memory ingest requests hold now (batches being built or waiting for the WAL). */
  public long ingestMemoryBytes() {
    return ingestAllocator.getAllocatedMemory();
  }

  /** The most Arrow memory ingest requests ever held at once. */
  public long ingestMemoryPeakBytes() {
    return ingestAllocator.getPeakMemoryAllocation();
  }

  /** The storage this server writes to (tests and benchmarks look at its WAL). */
  public Lake lake() {
    return lake;
  }

  public ServerMetrics metrics() {
    return metrics;
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    LOG.info("shutting down: draining requests (grace {})", config.shutdownGrace());
    inFlight.drain();
    otlpHttp.close();
    loki.close();
    if (prometheus != null) {
      prometheus.close();
    }
    maintenance.shutdown();
    try {
      if (otlpGrpc != null) {
        otlpGrpc.close(config.shutdownGrace());
      }
      if (!inFlight.awaitDrained(config.shutdownGrace())) {
        LOG.warn("requests still in flight after the grace period");
      }
      workers.shutdown();
      workers.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    io.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    try {
      lokiTail.close(); // live tails: their connections are closed, stop their pollers
    } catch (Exception e) {
      LOG.warn("stopping live tails failed", e);
    }
    try {
      maintenance.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lake.close();
    ingestAllocator.close();
    rootAllocator.close();
    LOG.info("shut down");
  }
}

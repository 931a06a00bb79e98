package io.icegate.server.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.icegate.storage.LakeConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Everything the server can be told, as one typed value. Loaded from a YAML file (optional), then
 * overridden by command-line flags, then validated with messages that name the bad key.
 *
 * @param dataDir where the embedded catalog lives, and with local storage the warehouse and WAL
 * @param host the address listeners bind to
 * @param otlpHttpPort OTLP/HTTP ingest (0 = any free port)
 * @param lokiPort the Loki API (0 = any free port)
 * @param maxRequestBytes the largest request body accepted, compressed or inflated
 * @param walMaxDelay how long an ingest request waits for others to share its WAL segment
 * @param queryMemoryBytes the Arrow memory one query may hold
 * @param queryTimeout how long a query may run
 * @param maxEntriesLimitPerQuery the largest {@code limit} a log query may ask for (Loki's
 *     {@code max_entries_limit_per_query})
 * @param shutdownGrace how long SIGTERM waits for in-flight requests
 * @param compaction when WAL segments move into the Iceberg tables (interval, minimum age, WAL
 *     bytes that make younger segments due, input bound per run)
 * @param catalog the Iceberg catalog: embedded (default), Nessie or REST ({@code catalog:} block)
 * @param storage where data files and WAL segments go: local disk (default) or S3 ({@code
 *     storage:} block)
 * @param walListInterval with S3: how stale a query's view of other replicas' WAL segments and
 *     commits may be
 * @param otlpGrpcPort OTLP/gRPC ingest (0 = any free port, -1 = no listener)
 * @param prometheusPort the Prometheus HTTP API (0 = any free port, -1 = no listener)
 * @param promQuery PromQL evaluation settings, Prometheus's {@code --query.*} flags ({@code
 *     prometheus_query:} block)
 * @param grpcMaxMessageBytes the largest OTLP/gRPC message accepted (inflated)
 * @param walMaxPendingBytes backpressure: the Arrow bytes the WAL writer may hold waiting for a
 *     commit; beyond it ingest answers 429 / RESOURCE_EXHAUSTED
 * @param walMaxPendingRows backpressure: the rows the WAL writer may hold waiting for a commit
 * @param limits every tenant's ingest limits unless overridden
 * @param tenantLimits per-tenant overrides, complete (defaults already applied)
 * @param maxInflightBodyBytes the request body bytes one HTTP listener holds at once (received
 *     and not yet answered); beyond it requests are answered 429 before they are decoded. 0 = 4 x
 *     {@code maxRequestBytes}; see {@link #inflightBodyBudget}
 * @param maintenance snapshot expiry and orphan-file removal (interval, retention, age guard)
 * @param ingestRequiresCatalog while the catalog is known to be down, ingest answers 503 /
 *     UNAVAILABLE with a retry delay (true, the default); false acknowledges as long as the object
 *     store takes the WAL (what the lake can do without a catalog)
 * @param catalogProbeInterval how often the catalog's health is probed: how soon an outage, and
 *     its end, is noticed
 */
public record ServerConfig(
    Path dataDir,
    String host,
    int otlpHttpPort,
    int lokiPort,
    int maxRequestBytes,
    Duration walMaxDelay,
    long queryMemoryBytes,
    Duration queryTimeout,
    int maxEntriesLimitPerQuery,
    Duration shutdownGrace,
    Compaction compaction,
    LakeConfig.Catalog catalog,
    LakeConfig.Storage storage,
    Duration walListInterval,
    int otlpGrpcPort,
    int prometheusPort,
    PromQuery promQuery,
    int grpcMaxMessageBytes,
    long walMaxPendingBytes,
    long walMaxPendingRows,
    Limits limits,
    Map<String, Limits> tenantLimits,
    long maxInflightBodyBytes,
    Maintenance maintenance,
    boolean ingestRequiresCatalog,
    Duration catalogProbeInterval) {

  /** The in-flight body budget when {@code max_inflight_body_bytes} is 0: this many bodies. */
  public static final int DEFAULT_INFLIGHT_BODIES = 4;

  public ServerConfig {
    tenantLimits = Map.copyOf(tenantLimits);
  }

  /**
   * The request body bytes one HTTP listener may hold at once: {@code max_inflight_body_bytes},
   * or {@value #DEFAULT_INFLIGHT_BODIES} bodies of {@code max_request_bytes} when that is 0.
   */
  public long inflightBodyBudget() {
    return maxInflightBodyBytes > 0
        ? maxInflightBodyBytes
        : (long) DEFAULT_INFLIGHT_BODIES * maxRequestBytes;
  }

  /** The limits that apply to {@code tenant}. */
  public Limits limitsFor(String tenant) {
    return tenantLimits.getOrDefault(tenant, limits);
  }

  /**
   * @param interval how often the background compactor looks for due segments (0 = never)
   * @param minAge how old a segment must be to be compacted
   * @param maxInputBytes how many WAL bytes one run compacts at most
   * @param dedupeWindow how long after its ack a client's retry of a request is recognised and
   *     not stored again; segments are compacted only once older than this
   * @param leaseTtl with S3: how long one replica's claim to run compaction lasts
   * @param walBytes when a table's live (not yet compacted) WAL segments hold at least this many
   *     bytes, the next run compacts them even if younger than {@code minAge} (but never younger
   *     than {@code dedupeWindow}); 0 = age only
   */
  public record Compaction(
      Duration interval, Duration minAge, long maxInputBytes, Duration dedupeWindow,
      Duration leaseTtl, long walBytes) {
    /** The default of {@code compaction_wal_bytes}: 512 MiB. */
    public static final long DEFAULT_WAL_BYTES = 512L << 20;

    public static final Compaction DEFAULT =
        new Compaction(
            Duration.ofMinutes(1), Duration.ofSeconds(30), 64L << 20, Duration.ofMinutes(5),
            Duration.ofMinutes(10), DEFAULT_WAL_BYTES);

    /** With the default WAL-bytes trigger ({@link #DEFAULT_WAL_BYTES}). */
    public Compaction(
        Duration interval, Duration minAge, long maxInputBytes, Duration dedupeWindow,
        Duration leaseTtl) {
      this(interval, minAge, maxInputBytes, dedupeWindow, leaseTtl, DEFAULT_WAL_BYTES);
    }
  }

  /**
   * Table maintenance, Iceberg's two clean-ups: snapshot expiry and orphan-file removal (plus
   * WAL segments compacted longer ago than the query timeout). Run by the compaction leader,
   * after a compaction run, at most once per {@code interval}.
   *
   * @param interval how often maintenance runs (0 = never); it runs after a compaction run, so
   *     not at all when {@code compaction_interval} is 0
   * @param snapshotMaxAge snapshots older than this are expired (Iceberg's {@code
   *     history.expire.max-snapshot-age-ms}, 5 days); time travel reaches this far back
   * @param minSnapshotsToKeep snapshots kept whatever their age (Iceberg's {@code
   *     history.expire.min-snapshots-to-keep}, 1)
   * @param orphanMinAge an unreferenced file is deleted only once older than this (Iceberg's
   *     orphan-file default, 3 days; at least 1 day, as Iceberg's procedure requires)
   */
  public record Maintenance(
      Duration interval, Duration snapshotMaxAge, int minSnapshotsToKeep,
      Duration orphanMinAge) {
    public static final Maintenance DEFAULT =
        new Maintenance(Duration.ofHours(1), Duration.ofDays(5), 1, Duration.ofDays(3));
  }

  /**
   * PromQL settings, as Prometheus's flags of the same names.
   *
   * @param lookbackDelta how far back an instant selector looks for a sample ({@code
   *     --query.lookback-delta}, 5m); a query's {@code lookback_delta} parameter overrides it
   * @param timeout how long a PromQL query may run ({@code --query.timeout}, 2m); a query's {@code
   *     timeout} parameter can only shorten it
   * @param maxSamples the most samples one query may hold ({@code --query.max-samples}, 50M)
   */
  public record PromQuery(Duration lookbackDelta, Duration timeout, long maxSamples) {
    public static final PromQuery DEFAULT =
        new PromQuery(Duration.ofMinutes(5), Duration.ofMinutes(2), 50_000_000);
  }

  public static ServerConfig defaults() {
    return new ServerConfig(
        Path.of("data"),
        "0.0.0.0",
        4318,
        3100,
        16 * 1024 * 1024,
        Duration.ofMillis(5),
        512L * 1024 * 1024,
        Duration.ofMinutes(2),
        5000,
        Duration.ofSeconds(30),
        Compaction.DEFAULT,
        new LakeConfig.Catalog.Embedded(),
        new LakeConfig.Storage.Local(),
        Duration.ofSeconds(1),
        4317,
        9090,
        PromQuery.DEFAULT,
        16 * 1024 * 1024,
        256L * 1024 * 1024,
        1_000_000,
        Limits.DEFAULT,
        Map.of(),
        0,
        Maintenance.DEFAULT,
        true,
        Duration.ofSeconds(2));
  }

  /** The file's keys, all optional; durations in Go/Prometheus form ("5ms", "2m"). */
  @JsonIgnoreProperties(ignoreUnknown = false)
  record FileConfig(
      @JsonProperty("data_dir") String dataDir,
      @JsonProperty("host") String host,
      @JsonProperty("otlp_http_port") Integer otlpHttpPort,
      @JsonProperty("loki_port") Integer lokiPort,
      @JsonProperty("max_request_bytes") Integer maxRequestBytes,
      @JsonProperty("wal_max_delay") String walMaxDelay,
      @JsonProperty("query_memory_bytes") Long queryMemoryBytes,
      @JsonProperty("query_timeout") String queryTimeout,
      @JsonProperty("max_entries_limit_per_query") Integer maxEntriesLimitPerQuery,
      @JsonProperty("shutdown_grace") String shutdownGrace,
      @JsonProperty("compaction_interval") String compactionInterval,
      @JsonProperty("compaction_min_age") String compactionMinAge,
      @JsonProperty("compaction_max_input_bytes") Long compactionMaxInputBytes,
      @JsonProperty("dedupe_window") String dedupeWindow,
      @JsonProperty("compaction_lease_ttl") String compactionLeaseTtl,
      @JsonProperty("compaction_wal_bytes") Long compactionWalBytes,
      @JsonProperty("wal_list_interval") String walListInterval,
      @JsonProperty("catalog") CatalogFile catalog,
      @JsonProperty("storage") StorageFile storage,
      @JsonProperty("otlp_grpc_port") Integer otlpGrpcPort,
      @JsonProperty("prometheus_port") Integer prometheusPort,
      @JsonProperty("prometheus_query") PromQueryFile prometheusQuery,
      @JsonProperty("grpc_max_message_bytes") Integer grpcMaxMessageBytes,
      @JsonProperty("wal_max_pending_bytes") Long walMaxPendingBytes,
      @JsonProperty("wal_max_pending_rows") Long walMaxPendingRows,
      @JsonProperty("limits") Limits.File limits,
      @JsonProperty("tenant_limits") Map<String, Limits.File> tenantLimits,
      @JsonProperty("max_inflight_body_bytes") Long maxInflightBodyBytes,
      @JsonProperty("maintenance_interval") String maintenanceInterval,
      @JsonProperty("snapshot_max_age") String snapshotMaxAge,
      @JsonProperty("min_snapshots_to_keep") Integer minSnapshotsToKeep,
      @JsonProperty("orphan_min_age") String orphanMinAge,
      @JsonProperty("ingest_requires_catalog") Boolean ingestRequiresCatalog,
      @JsonProperty("catalog_probe_interval") String catalogProbeInterval) {}

  /** The {@code prometheus_query:} block. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  record PromQueryFile(
      @JsonProperty("lookback_delta") String lookbackDelta,
      @JsonProperty("timeout") String timeout,
      @JsonProperty("max_samples") Long maxSamples) {
    PromQuery over(PromQuery d) {
      return new PromQuery(
          lookbackDelta != null
              ? duration("prometheus_query.lookback_delta", lookbackDelta)
              : d.lookbackDelta(),
          timeout != null ? duration("prometheus_query.timeout", timeout) : d.timeout(),
          maxSamples != null ? maxSamples : d.maxSamples());
    }
  }

  /** The {@code catalog:} block. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  record CatalogFile(
      @JsonProperty("type") String type,
      @JsonProperty("uri") String uri,
      @JsonProperty("ref") String ref,
      @JsonProperty("warehouse") String warehouse,
      @JsonProperty("properties") Map<String, String> properties) {}

  /** The {@code storage:} block. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  record StorageFile(
      @JsonProperty("type") String type,
      @JsonProperty("bucket") String bucket,
      @JsonProperty("prefix") String prefix,
      @JsonProperty("endpoint") String endpoint,
      @JsonProperty("region") String region,
      @JsonProperty("path_style_access") Boolean pathStyleAccess,
      @JsonProperty("access_key_id") String accessKeyId,
      @JsonProperty("secret_access_key") String secretAccessKey) {}

  /** Reads {@code file} over the defaults. */
  public static ServerConfig load(Path file) throws IOException {
    ObjectMapper yaml =
        new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    FileConfig f;
    try {
      var tree = yaml.readTree(Files.readAllBytes(file));
      // An empty file, or one of comments only, means "all defaults".
      f = tree == null || tree.isMissingNode() || tree.isNull()
          ? null
          : yaml.treeToValue(tree, FileConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(file + ": unknown key " + keyPath(e));
    } catch (JsonMappingException e) {
      throw new ConfigException(file + ": " + keyPath(e) + ": " + e.getOriginalMessage());
    }
    if (f == null) {
      return defaults();
    }
    ServerConfig d = defaults();
    Limits limits = f.limits() != null ? f.limits().over(d.limits()) : d.limits();
    Map<String, Limits> tenants = new java.util.TreeMap<>();
    if (f.tenantLimits() != null) {
      f.tenantLimits()
          .forEach(
              (tenant, o) -> tenants.put(tenant, o == null ? limits : o.over(limits)));
    }
    return new ServerConfig(
        f.dataDir() != null ? Path.of(f.dataDir()) : d.dataDir(),
        f.host() != null ? f.host() : d.host(),
        f.otlpHttpPort() != null ? f.otlpHttpPort() : d.otlpHttpPort(),
        f.lokiPort() != null ? f.lokiPort() : d.lokiPort(),
        f.maxRequestBytes() != null ? f.maxRequestBytes() : d.maxRequestBytes(),
        f.walMaxDelay() != null ? duration("wal_max_delay", f.walMaxDelay()) : d.walMaxDelay(),
        f.queryMemoryBytes() != null ? f.queryMemoryBytes() : d.queryMemoryBytes(),
        f.queryTimeout() != null ? duration("query_timeout", f.queryTimeout()) : d.queryTimeout(),
        f.maxEntriesLimitPerQuery() != null
            ? f.maxEntriesLimitPerQuery()
            : d.maxEntriesLimitPerQuery(),
        f.shutdownGrace() != null
            ? duration("shutdown_grace", f.shutdownGrace())
            : d.shutdownGrace(),
        new Compaction(
            f.compactionInterval() != null
                ? duration("compaction_interval", f.compactionInterval())
                : d.compaction().interval(),
            f.compactionMinAge() != null
                ? duration("compaction_min_age", f.compactionMinAge())
                : d.compaction().minAge(),
            f.compactionMaxInputBytes() != null
                ? f.compactionMaxInputBytes()
                : d.compaction().maxInputBytes(),
            f.dedupeWindow() != null
                ? duration("dedupe_window", f.dedupeWindow())
                : d.compaction().dedupeWindow(),
            f.compactionLeaseTtl() != null
                ? duration("compaction_lease_ttl", f.compactionLeaseTtl())
                : d.compaction().leaseTtl(),
            f.compactionWalBytes() != null
                ? f.compactionWalBytes()
                : d.compaction().walBytes()),
        f.catalog() != null ? catalog(f.catalog()) : d.catalog(),
        f.storage() != null ? storage(f.storage()) : d.storage(),
        f.walListInterval() != null
            ? duration("wal_list_interval", f.walListInterval())
            : d.walListInterval(),
        f.otlpGrpcPort() != null ? f.otlpGrpcPort() : d.otlpGrpcPort(),
        f.prometheusPort() != null ? f.prometheusPort() : d.prometheusPort(),
        f.prometheusQuery() != null ? f.prometheusQuery().over(d.promQuery()) : d.promQuery(),
        f.grpcMaxMessageBytes() != null ? f.grpcMaxMessageBytes() : d.grpcMaxMessageBytes(),
        f.walMaxPendingBytes() != null ? f.walMaxPendingBytes() : d.walMaxPendingBytes(),
        f.walMaxPendingRows() != null ? f.walMaxPendingRows() : d.walMaxPendingRows(),
        limits,
        tenants,
        f.maxInflightBodyBytes() != null
            ? f.maxInflightBodyBytes()
            : d.maxInflightBodyBytes(),
        new Maintenance(
            f.maintenanceInterval() != null
                ? duration("maintenance_interval", f.maintenanceInterval())
                : d.maintenance().interval(),
            f.snapshotMaxAge() != null
                ? duration("snapshot_max_age", f.snapshotMaxAge())
                : d.maintenance().snapshotMaxAge(),
            f.minSnapshotsToKeep() != null
                ? f.minSnapshotsToKeep()
                : d.maintenance().minSnapshotsToKeep(),
            f.orphanMinAge() != null
                ? duration("orphan_min_age", f.orphanMinAge())
                : d.maintenance().orphanMinAge()),
        f.ingestRequiresCatalog() != null
            ? f.ingestRequiresCatalog()
            : d.ingestRequiresCatalog(),
        f.catalogProbeInterval() != null
            ? duration("catalog_probe_interval", f.catalogProbeInterval())
            : d.catalogProbeInterval());
  }

  /** The YAML key a mapping error is about, e.g. {@code storage.bucket}. */
  private static String keyPath(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
      }
    }
    return path.toString();
  }

  private static LakeConfig.Catalog catalog(CatalogFile c) {
    String type = c.type() == null ? "embedded" : c.type().toLowerCase(Locale.ROOT);
    if (!type.equals("rest") && c.properties() != null) {
      throw new ConfigException("catalog.properties applies to catalog.type rest only");
    }
    switch (type) {
      case "embedded" -> {
        if (c.uri() != null || c.ref() != null || c.warehouse() != null) {
          throw new ConfigException(
              "catalog.uri, catalog.ref and catalog.warehouse do not apply to catalog.type"
                  + " embedded");
        }
        return new LakeConfig.Catalog.Embedded();
      }
      case "nessie" -> {
        if (c.ref() != null && c.ref().isBlank()) {
          throw new ConfigException("catalog.ref must not be empty");
        }
        return new LakeConfig.Catalog.Nessie(
            httpUri("catalog.uri", c.uri(), "nessie"), c.ref(), c.warehouse());
      }
      case "rest" -> {
        if (c.ref() != null) {
          throw new ConfigException("catalog.ref applies to catalog.type nessie only");
        }
        return new LakeConfig.Catalog.Rest(
            httpUri("catalog.uri", c.uri(), "rest"), c.warehouse(), c.properties());
      }
      default -> throw new ConfigException(
          "catalog.type must be embedded, nessie or rest, got " + c.type());
    }
  }

  private static LakeConfig.Storage storage(StorageFile s) {
    String type = s.type() == null ? "local" : s.type().toLowerCase(Locale.ROOT);
    switch (type) {
      case "local" -> {
        if (s.bucket() != null || s.prefix() != null || s.endpoint() != null
            || s.region() != null || s.pathStyleAccess() != null || s.accessKeyId() != null
            || s.secretAccessKey() != null) {
          throw new ConfigException(
              "storage.bucket, prefix, endpoint, region, path_style_access, access_key_id and"
                  + " secret_access_key apply to storage.type s3 only");
        }
        return new LakeConfig.Storage.Local();
      }
      case "s3" -> {
        if (s.bucket() == null || s.bucket().isBlank()) {
          throw new ConfigException("storage.bucket is required for storage.type s3");
        }
        if (!s.bucket().matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
          throw new ConfigException("storage.bucket is not a valid bucket name: " + s.bucket());
        }
        if ((s.accessKeyId() == null) != (s.secretAccessKey() == null)) {
          throw new ConfigException(
              "storage.access_key_id and storage.secret_access_key go together (leave both out"
                  + " to use AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the SDK's chain)");
        }
        URI endpoint = s.endpoint() == null ? null : httpUri("storage.endpoint", s.endpoint(), "s3");
        return new LakeConfig.Storage.S3(
            s.bucket(),
            s.prefix(),
            endpoint,
            s.region(),
            s.pathStyleAccess() != null && s.pathStyleAccess(),
            s.accessKeyId(),
            s.secretAccessKey());
      }
      default -> throw new ConfigException("storage.type must be local or s3, got " + s.type());
    }
  }

  private static URI httpUri(String key, String text, String type) {
    if (text == null || text.isBlank()) {
      throw new ConfigException(key + " is required for type " + type);
    }
    try {
      URI uri = new URI(text);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
          || uri.getHost() == null) {
        throw new ConfigException(key + " must be an http(s) URL, got " + text);
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new ConfigException(key + " is not a URL: " + e.getMessage());
    }
  }

  /** A copy with changes, for the with* methods (one place that lists every component). */
  private ServerConfig copy(java.util.function.Consumer<Builder> change) {
    Builder b = new Builder(this);
    change.accept(b);
    return b.build();
  }

  /** Mutable twin of the record, so that each with* names only what it changes. */
  private static final class Builder {
    Path dataDir;
    String host;
    int otlpHttpPort;
    int lokiPort;
    int maxRequestBytes;
    Duration walMaxDelay;
    long queryMemoryBytes;
    Duration queryTimeout;
    int maxEntriesLimitPerQuery;
    Duration shutdownGrace;
    Compaction compaction;
    LakeConfig.Catalog catalog;
    LakeConfig.Storage storage;
    Duration walListInterval;
    int otlpGrpcPort;
    int prometheusPort;
    PromQuery promQuery;
    int grpcMaxMessageBytes;
    long walMaxPendingBytes;
    long walMaxPendingRows;
    Limits limits;
    Map<String, Limits> tenantLimits;
    long maxInflightBodyBytes;
    Maintenance maintenance;
    boolean ingestRequiresCatalog;
    Duration catalogProbeInterval;

    Builder(ServerConfig c) {
      dataDir = c.dataDir;
      host = c.host;
      otlpHttpPort = c.otlpHttpPort;
      lokiPort = c.lokiPort;
      maxRequestBytes = c.maxRequestBytes;
      walMaxDelay = c.walMaxDelay;
      queryMemoryBytes = c.queryMemoryBytes;
      queryTimeout = c.queryTimeout;
      maxEntriesLimitPerQuery = c.maxEntriesLimitPerQuery;
      shutdownGrace = c.shutdownGrace;
      compaction = c.compaction;
      catalog = c.catalog;
      storage = c.storage;
      walListInterval = c.walListInterval;
      otlpGrpcPort = c.otlpGrpcPort;
      prometheusPort = c.prometheusPort;
      promQuery = c.promQuery;
      grpcMaxMessageBytes = c.grpcMaxMessageBytes;
      walMaxPendingBytes = c.walMaxPendingBytes;
      walMaxPendingRows = c.walMaxPendingRows;
      limits = c.limits;
      tenantLimits = c.tenantLimits;
      maxInflightBodyBytes = c.maxInflightBodyBytes;
      maintenance = c.maintenance;
      ingestRequiresCatalog = c.ingestRequiresCatalog;
      catalogProbeInterval = c.catalogProbeInterval;
    }

    ServerConfig build() {
      return new ServerConfig(dataDir, host, otlpHttpPort, lokiPort, maxRequestBytes,
          walMaxDelay, queryMemoryBytes, queryTimeout, maxEntriesLimitPerQuery, shutdownGrace,
          compaction, catalog, storage, walListInterval, otlpGrpcPort, prometheusPort, promQuery,
          grpcMaxMessageBytes, walMaxPendingBytes, walMaxPendingRows, limits, tenantLimits,
          maxInflightBodyBytes, maintenance, ingestRequiresCatalog, catalogProbeInterval);
    }
  }

  public ServerConfig withDataDir(Path dir) {
    return copy(b -> b.dataDir = dir);
  }

  /**
   * The host and the OTLP/HTTP and Loki ports. A port 0 (any free port) there moves the listener
   * beside it to any free port too — OTLP/gRPC with OTLP/HTTP, Prometheus with Loki — so that a
   * server started for a test never collides with another on the fixed defaults.
   */
  public ServerConfig withPorts(String newHost, int otlpHttp, int loki) {
    return withPorts(
        newHost, otlpHttp, loki,
        otlpHttp == 0 && otlpGrpcPort > 0 ? 0 : otlpGrpcPort,
        loki == 0 && prometheusPort > 0 ? 0 : prometheusPort);
  }

  /** Every listener's port (0 = any free port, -1 = none for gRPC and Prometheus). */
  public ServerConfig withPorts(
      String newHost, int otlpHttp, int loki, int otlpGrpc, int prometheus) {
    return copy(
        b -> {
          b.host = newHost;
          b.otlpHttpPort = otlpHttp;
          b.lokiPort = loki;
          b.otlpGrpcPort = otlpGrpc;
          b.prometheusPort = prometheus;
        });
  }

  public ServerConfig withMaxRequestBytes(int bytes) {
    return copy(b -> b.maxRequestBytes = bytes);
  }

  public ServerConfig withCompaction(Compaction newCompaction) {
    return copy(b -> b.compaction = newCompaction);
  }

  /** Whether ingest is refused while the catalog is down, and how often it is probed. */
  public ServerConfig withCatalogGate(boolean requiresCatalog, Duration probeInterval) {
    return copy(
        b -> {
          b.ingestRequiresCatalog = requiresCatalog;
          b.catalogProbeInterval = probeInterval;
        });
  }

  public ServerConfig withMaintenance(Maintenance newMaintenance) {
    return copy(b -> b.maintenance = newMaintenance);
  }

  public ServerConfig withWalMaxDelay(Duration delay) {
    return copy(b -> b.walMaxDelay = delay);
  }

  /** Backpressure bounds of the WAL writer. */
  public ServerConfig withWalMaxPending(long bytes, long rows) {
    return copy(
        b -> {
          b.walMaxPendingBytes = bytes;
          b.walMaxPendingRows = rows;
        });
  }

  public ServerConfig withPromQuery(PromQuery settings) {
    return copy(b -> b.promQuery = settings);
  }

  public ServerConfig withGrpcMaxMessageBytes(int bytes) {
    return copy(b -> b.grpcMaxMessageBytes = bytes);
  }

  /** The in-flight body budget per HTTP listener, in bytes (0 = the default). */
  public ServerConfig withMaxInflightBodyBytes(long bytes) {
    return copy(b -> b.maxInflightBodyBytes = bytes);
  }

  /** Default limits and per-tenant overrides. */
  public ServerConfig withLimits(Limits defaults, Map<String, Limits> perTenant) {
    return copy(
        b -> {
          b.limits = defaults;
          b.tenantLimits = perTenant;
        });
  }

  /** Checks every value, naming the first bad key. */
  public ServerConfig validate() {
    port("otlp_http_port", otlpHttpPort);
    port("loki_port", lokiPort);
    optionalPort("otlp_grpc_port", otlpGrpcPort);
    optionalPort("prometheus_port", prometheusPort);
    if (grpcMaxMessageBytes <= 0) {
      throw new ConfigException(
          "grpc_max_message_bytes must be positive, got " + grpcMaxMessageBytes);
    }
    if (walMaxPendingBytes <= 0 || walMaxPendingRows <= 0) {
      throw new ConfigException("wal_max_pending_bytes and wal_max_pending_rows must be positive");
    }
    limits.validate("limits");
    tenantLimits.forEach((tenant, l) -> l.validate("tenant_limits." + tenant));
    if (maxRequestBytes <= 0) {
      throw new ConfigException("max_request_bytes must be positive, got " + maxRequestBytes);
    }
    if (maxInflightBodyBytes < 0
        || maxInflightBodyBytes > 0 && maxInflightBodyBytes < maxRequestBytes) {
      throw new ConfigException(
          "max_inflight_body_bytes must be 0 (default: " + DEFAULT_INFLIGHT_BODIES
              + " x max_request_bytes) or at least max_request_bytes (" + maxRequestBytes
              + "), got " + maxInflightBodyBytes);
    }
    if (queryMemoryBytes <= 0) {
      throw new ConfigException("query_memory_bytes must be positive, got " + queryMemoryBytes);
    }
    if (maxEntriesLimitPerQuery <= 0) {
      throw new ConfigException(
          "max_entries_limit_per_query must be positive, got " + maxEntriesLimitPerQuery);
    }
    if (compaction.interval().isNegative()
        || compaction.minAge().isNegative()
        || compaction.dedupeWindow().isNegative()) {
      throw new ConfigException(
          "compaction_interval, compaction_min_age and dedupe_window must not be negative");
    }
    if (compaction.walBytes() < 0) {
      throw new ConfigException(
          "compaction_wal_bytes must not be negative (0 = off), got " + compaction.walBytes());
    }
    if (compaction.maxInputBytes() <= 0) {
      throw new ConfigException(
          "compaction_max_input_bytes must be positive, got " + compaction.maxInputBytes());
    }
    if (walMaxDelay.isNegative() || queryTimeout.isNegative() || queryTimeout.isZero()) {
      throw new ConfigException("wal_max_delay and query_timeout must be positive durations");
    }
    checkQueryTimeoutCeiling("limits", limits);
    tenantLimits.forEach((tenant, l) -> checkQueryTimeoutCeiling("tenant_limits." + tenant, l));
    if (promQuery.lookbackDelta().compareTo(Duration.ofMillis(1)) < 0
        || promQuery.timeout().compareTo(Duration.ofMillis(1)) < 0) {
      throw new ConfigException(
          "prometheus_query.lookback_delta and prometheus_query.timeout must be at least 1ms");
    }
    if (promQuery.maxSamples() <= 0) {
      throw new ConfigException(
          "prometheus_query.max_samples must be positive, got " + promQuery.maxSamples());
    }
    if (catalogProbeInterval.compareTo(Duration.ofMillis(100)) < 0) {
      throw new ConfigException(
          "catalog_probe_interval must be at least 100ms, got " + catalogProbeInterval);
    }
    if (walListInterval.isNegative()) {
      throw new ConfigException("wal_list_interval must not be negative");
    }
    // The lease must outlive a run, and leave room for the clock-skew margin its holder keeps.
    if (compaction.leaseTtl().compareTo(Duration.ofMinutes(1)) < 0) {
      throw new ConfigException(
          "compaction_lease_ttl must be at least 1m, got " + compaction.leaseTtl());
    }
    validateMaintenance();
    return this;
  }

  /**
   * Maintenance may not delete what a query or a compaction still needs: snapshots live at
   * least as long as a query (plus the minute retired WAL segments are kept), and an
   * unreferenced file is young for at least a day — Iceberg's orphan procedure refuses less,
   * since a writer's files exist before its commit — and longer than a compaction lease.
   */
  private void validateMaintenance() {
    if (maintenance.interval().isNegative()) {
      throw new ConfigException("maintenance_interval must not be negative");
    }
    if (maintenance.minSnapshotsToKeep() < 1) {
      throw new ConfigException(
          "min_snapshots_to_keep must be at least 1, got " + maintenance.minSnapshotsToKeep());
    }
    Duration grace = queryTimeout.plus(Duration.ofMinutes(1));
    if (maintenance.snapshotMaxAge().compareTo(grace) < 0) {
      throw new ConfigException(
          "snapshot_max_age must be at least query_timeout + 1m (" + words(grace)
              + "): a running query reads its snapshot's files, got "
              + words(maintenance.snapshotMaxAge()));
    }
    Duration floor = compaction.leaseTtl().compareTo(Duration.ofDays(1)) > 0
        ? compaction.leaseTtl()
        : Duration.ofDays(1);
    if (maintenance.orphanMinAge().compareTo(floor) < 0) {
      throw new ConfigException(
          "orphan_min_age must be at least " + words(floor)
              + " (1d and compaction_lease_ttl): younger unreferenced files may be a running"
              + " compaction's, got " + words(maintenance.orphanMinAge()));
    }
  }

  /** A duration as the config file would spell it, in its largest whole unit: 1d, 2m, 150ms. */
  private static String words(Duration d) {
    long ms = d.toMillis();
    long[] units = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
    String[] names = {"d", "h", "m", "s"};
    for (int i = 0; i < units.length; i++) {
      if (ms != 0 && ms % units[i] == 0) {
        return ms / units[i] + names[i];
      }
    }
    return ms + "ms";
  }

  private static void port(String key, int value) {
    if (value < 0 || value > 65535) {
      throw new ConfigException(key + " must be a port number 0-65535, got " + value);
    }
  }

  private static void optionalPort(String key, int value) {
    if (value < -1 || value > 65535) {
      throw new ConfigException(
          key + " must be a port number 0-65535, or -1 for no listener, got " + value);
    }
  }

  /** A duration in the config file's form ("90s", "5d"); a bad one names {@code key}. */
  public static Duration parseDuration(String key, String text) {
    return duration(key, text);
  }

  private static Duration duration(String key, String text) {
    try {
      return GoDuration.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + ": " + e.getMessage());
    }
  }

  /**
   * A tenant's {@code query_timeout} may only shorten the server's: snapshot expiry keeps the
   * files a query reads for the server's {@code query_timeout} and a minute.
   */
  private void checkQueryTimeoutCeiling(String where, Limits l) {
    if (l.queryTimeout().compareTo(queryTimeout) > 0) {
      throw new ConfigException(
          where + ".query_timeout (" + words(l.queryTimeout()) + ") must not exceed"
              + " query_timeout (" + words(queryTimeout) + "), the longest any query may run");
    }
  }

}

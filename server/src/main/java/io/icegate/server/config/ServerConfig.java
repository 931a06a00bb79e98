package io.icegate.server.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the server can be told, as one typed value. Loaded from a YAML file (optional), then
 * overridden by command-line flags, then validated with messages that name the bad key.
 *
 * @param dataDir where the catalog, warehouse and WAL live
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
 * @param compaction when WAL segments move into the Iceberg tables (interval, minimum age, input
 *     bound per run)
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
    Compaction compaction) {

  /**
   * @param interval how often the background compactor looks for due segments (0 = never)
   * @param minAge how old a segment must be to be compacted
   * @param maxInputBytes how many WAL bytes one run compacts at most
   * @param dedupeWindow how long after its ack a client's retry of a request is recognised and
   *     not stored again; segments are compacted only once older than this
   */
  public record Compaction(
      Duration interval, Duration minAge, long maxInputBytes, Duration dedupeWindow) {
    public static final Compaction DEFAULT =
        new Compaction(
            Duration.ofMinutes(1), Duration.ofSeconds(30), 64L << 20, Duration.ofMinutes(5));
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
        Compaction.DEFAULT);
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
      @JsonProperty("dedupe_window") String dedupeWindow) {}

  /** Reads {@code file} over the defaults. */
  public static ServerConfig load(Path file) throws IOException {
    ObjectMapper yaml =
        new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    FileConfig f;
    try {
      f = yaml.readValue(Files.readAllBytes(file), FileConfig.class);
    } catch (JsonMappingException e) {
      throw new ConfigException(file + ": " + e.getOriginalMessage());
    }
    if (f == null) {
      return defaults();
    }
    ServerConfig d = defaults();
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
                : d.compaction().dedupeWindow()));
  }

  public ServerConfig withDataDir(Path dir) {
    return new ServerConfig(dir, host, otlpHttpPort, lokiPort, maxRequestBytes, walMaxDelay,
        queryMemoryBytes, queryTimeout, maxEntriesLimitPerQuery, shutdownGrace, compaction);
  }

  public ServerConfig withPorts(String newHost, int otlpHttp, int loki) {
    return new ServerConfig(dataDir, newHost, otlpHttp, loki, maxRequestBytes, walMaxDelay,
        queryMemoryBytes, queryTimeout, maxEntriesLimitPerQuery, shutdownGrace, compaction);
  }

  public ServerConfig withMaxRequestBytes(int bytes) {
    return new ServerConfig(dataDir, host, otlpHttpPort, lokiPort, bytes, walMaxDelay,
        queryMemoryBytes, queryTimeout, maxEntriesLimitPerQuery, shutdownGrace, compaction);
  }

  public ServerConfig withCompaction(Compaction newCompaction) {
    return new ServerConfig(dataDir, host, otlpHttpPort, lokiPort, maxRequestBytes, walMaxDelay,
        queryMemoryBytes, queryTimeout, maxEntriesLimitPerQuery, shutdownGrace, newCompaction);
  }

  /** Checks every value, naming the first bad key. */
  public ServerConfig validate() {
    port("otlp_http_port", otlpHttpPort);
    port("loki_port", lokiPort);
    if (maxRequestBytes <= 0) {
      throw new ConfigException("max_request_bytes must be positive, got " + maxRequestBytes);
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
    if (compaction.maxInputBytes() <= 0) {
      throw new ConfigException(
          "compaction_max_input_bytes must be positive, got " + compaction.maxInputBytes());
    }
    if (walMaxDelay.isNegative() || queryTimeout.isNegative() || queryTimeout.isZero()) {
      throw new ConfigException("wal_max_delay and query_timeout must be positive durations");
    }
    return this;
  }

  private static void port(String key, int value) {
    if (value < 0 || value > 65535) {
      throw new ConfigException(key + " must be a port number 0-65535, got " + value);
    }
  }

  private static Duration duration(String key, String text) {
    try {
      return GoDuration.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + ": " + e.getMessage());
    }
  }
}

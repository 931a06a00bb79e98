package io.icegate.server.prom;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.icegate.protocol.prom.PromJson;
import io.icegate.server.config.Limits;
import io.icegate.server.config.ServerConfig;
import io.icegate.server.http.Handler;
import io.icegate.storage.LakeConfig;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The Prometheus API's status and health endpoints, which Grafana's data source and alerting probe
 * (../shared/reference/grafana/REQUESTS.md §2.1, §2.4): build info (without {@code features}, so
 * Grafana sees a plain Prometheus), runtime info, the configuration that applies (as YAML, secrets
 * masked), readiness and health, and empty rule and alert lists.
 */
public final class PromStatusHandlers {
  /** The version this server reports; IceGate's own. */
  public static final String VERSION = "0.1.0";

  private final ServerConfig config;
  private final Instant started = Instant.now();

  public PromStatusHandlers(ServerConfig config) {
    this.config = config;
  }

  public Handler buildInfo() {
    return exchange -> {
      if (!PromErrors.methodAllowed(exchange, false)) {
        return;
      }
      ok(exchange, PromJson.success(json -> {
        json.writeStartObject();
        json.writeStringField("version", VERSION);
        json.writeStringField("revision", "");
        json.writeStringField("branch", "");
        json.writeStringField("buildUser", "icegate");
        json.writeStringField("buildDate", "");
        // The runtime in the place of Go's: the key is kept for clients that read it.
        json.writeStringField("goVersion", "java" + Runtime.version());
        json.writeEndObject();
      }, List.of(), List.of()));
    };
  }

  public Handler runtimeInfo() {
    return exchange -> {
      if (!PromErrors.methodAllowed(exchange, false)) {
        return;
      }
      Runtime runtime = Runtime.getRuntime();
      String start = rfc3339(started);
      ok(exchange, PromJson.success(json -> {
        json.writeStartObject();
        json.writeStringField("startTime", start);
        json.writeStringField("CWD", Path.of("").toAbsolutePath().toString());
        json.writeBooleanField("reloadConfigSuccess", true);
        json.writeStringField("lastConfigTime", start);
        json.writeNumberField("corruptionCount", 0);
        json.writeNumberField("goroutineCount", Thread.activeCount());
        json.writeNumberField("GOMAXPROCS", runtime.availableProcessors());
        json.writeNumberField("GOMEMLIMIT", runtime.maxMemory());
        json.writeStringField("GOGC", "");
        json.writeStringField("GODEBUG", "");
        json.writeStringField("storageRetention", "");
        json.writeEndObject();
      }, List.of(), List.of()));
    };
  }

  /** {@code {"yaml":"…"}}: the configuration in force, defaults filled in, secrets masked. */
  public Handler config() {
    String yaml = configYaml(config);
    return exchange -> {
      if (!PromErrors.methodAllowed(exchange, false)) {
        return;
      }
      ok(exchange, PromJson.success(json -> {
        json.writeStartObject();
        json.writeStringField("yaml", yaml);
        json.writeEndObject();
      }, List.of(), List.of()));
    };
  }

  public Handler ready() {
    return text("IceGate is Ready.\n");
  }

  public Handler healthy() {
    return text("IceGate is Healthy.\n");
  }

  /** No rules are evaluated here: an empty list, which Grafana reads as "ruler reachable". */
  public Handler rules() {
    return exchange -> {
      if (!PromErrors.methodAllowed(exchange, false)) {
        return;
      }
      ok(exchange, PromJson.success(json -> {
        json.writeStartObject();
        json.writeArrayFieldStart("groups");
        json.writeEndArray();
        json.writeEndObject();
      }, List.of(), List.of()));
    };
  }

  public Handler alerts() {
    return exchange -> {
      if (!PromErrors.methodAllowed(exchange, false)) {
        return;
      }
      ok(exchange, PromJson.success(json -> {
        json.writeStartObject();
        json.writeArrayFieldStart("alerts");
        json.writeEndArray();
        json.writeEndObject();
      }, List.of(), List.of()));
    };
  }

  private static Handler text(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return exchange -> {
      if (exchange.method() != io.netty.handler.codec.http.HttpMethod.GET
          && exchange.method() != io.netty.handler.codec.http.HttpMethod.HEAD) {
        exchange.respond(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
            "method not allowed\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      exchange.respond(HttpResponseStatus.OK, "text/plain; charset=utf-8", bytes);
    };
  }

  private static void ok(io.icegate.server.http.HttpExchange exchange, byte[] body) {
    exchange.respond(HttpResponseStatus.OK, PromJson.CONTENT_TYPE, body);
  }

  private static String rfc3339(Instant t) {
    return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t.atOffset(ZoneOffset.UTC));
  }

  /** The config file's keys with the values in force; the S3 secret key shown as {@code <secret>}. */
  static String configYaml(ServerConfig c) {
    ObjectMapper mapper =
        new ObjectMapper(
            new YAMLFactory()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
    ObjectNode root = mapper.createObjectNode();
    root.put("data_dir", c.dataDir().toString());
    root.put("host", c.host());
    root.put("otlp_http_port", c.otlpHttpPort());
    root.put("otlp_grpc_port", c.otlpGrpcPort());
    root.put("loki_port", c.lokiPort());
    root.put("prometheus_port", c.prometheusPort());
    root.put("max_request_bytes", c.maxRequestBytes());
    root.put("grpc_max_message_bytes", c.grpcMaxMessageBytes());
    root.put("wal_max_delay", goDuration(c.walMaxDelay()));
    root.put("wal_max_pending_bytes", c.walMaxPendingBytes());
    root.put("wal_max_pending_rows", c.walMaxPendingRows());
    root.put("wal_list_interval", goDuration(c.walListInterval()));
    root.put("query_memory_bytes", c.queryMemoryBytes());
    root.put("query_timeout", goDuration(c.queryTimeout()));
    root.put("max_entries_limit_per_query", c.maxEntriesLimitPerQuery());
    ObjectNode prom = root.putObject("prometheus_query");
    prom.put("lookback_delta", goDuration(c.promQuery().lookbackDelta()));
    prom.put("timeout", goDuration(c.promQuery().timeout()));
    prom.put("max_samples", c.promQuery().maxSamples());
    root.put("shutdown_grace", goDuration(c.shutdownGrace()));
    root.put("compaction_interval", goDuration(c.compaction().interval()));
    root.put("compaction_min_age", goDuration(c.compaction().minAge()));
    root.put("compaction_max_input_bytes", c.compaction().maxInputBytes());
    root.put("compaction_wal_bytes", c.compaction().walBytes());
    root.put("dedupe_window", goDuration(c.compaction().dedupeWindow()));
    root.put("compaction_lease_ttl", goDuration(c.compaction().leaseTtl()));
    root.put("maintenance_interval", goDuration(c.maintenance().interval()));
    root.put("snapshot_max_age", goDuration(c.maintenance().snapshotMaxAge()));
    root.put("min_snapshots_to_keep", c.maintenance().minSnapshotsToKeep());
    root.put("orphan_min_age", goDuration(c.maintenance().orphanMinAge()));
    root.put("ingest_requires_catalog", c.ingestRequiresCatalog());
    root.put("catalog_probe_interval", goDuration(c.catalogProbeInterval()));
    ObjectNode catalog = root.putObject("catalog");
    if (c.catalog() instanceof LakeConfig.Catalog.Nessie n) {
      catalog.put("type", "nessie");
      catalog.put("uri", String.valueOf(n.uri()));
    } else if (c.catalog() instanceof LakeConfig.Catalog.Rest r) {
      catalog.put("type", "rest");
      catalog.put("uri", String.valueOf(r.uri()));
    } else {
      catalog.put("type", "embedded");
    }
    ObjectNode storage = root.putObject("storage");
    if (c.storage() instanceof LakeConfig.Storage.S3 s3) {
      storage.put("type", "s3");
      storage.put("bucket", s3.bucket());
      if (s3.prefix() != null) {
        storage.put("prefix", s3.prefix());
      }
      if (s3.endpoint() != null) {
        storage.put("endpoint", s3.endpoint().toString());
      }
      if (s3.region() != null) {
        storage.put("region", s3.region());
      }
      storage.put("path_style_access", s3.pathStyleAccess());
      if (s3.accessKeyId() != null) {
        storage.put("access_key_id", s3.accessKeyId());
        storage.put("secret_access_key", "<secret>");
      }
    } else {
      storage.put("type", "local");
    }
    limits(root.putObject("limits"), c.limits());
    ObjectNode tenants = root.putObject("tenant_limits");
    new java.util.TreeMap<>(c.tenantLimits()).forEach((t, l) -> limits(tenants.putObject(t), l));
    try {
      return mapper.writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String goDuration(java.time.Duration d) {
    return io.icegate.promql.ast.Printer.duration(d.toMillis());
  }

  private static void limits(ObjectNode node, Limits l) {
    node.put("ingestion_rate_bytes", l.ingestionRateBytes());
    node.put("ingestion_burst_bytes", l.ingestionBurstBytes());
    node.put("max_request_bytes", l.maxRequestBytes());
    node.put("max_attributes_per_record", l.maxAttributesPerRecord());
    node.put("max_label_name_length", l.maxLabelNameLength());
    node.put("max_label_value_length", l.maxLabelValueLength());
  }
}

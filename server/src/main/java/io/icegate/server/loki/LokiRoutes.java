package io.icegate.server.loki;

import io.icegate.engine.logql.LogFieldDetector;
import io.icegate.engine.logql.LogIndexEngine;
import io.icegate.engine.logql.LogMetadataEngine;
import io.icegate.engine.logql.LogPatternMiner;
import io.icegate.engine.logql.LogQueryEngine;
import io.icegate.server.config.ServerConfig;
import io.icegate.server.http.Handler;
import io.icegate.server.http.HttpExchange;
import io.icegate.server.prom.PromStatusHandlers;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.icegate.storage.scan.TableScanner;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The Loki endpoints beyond queries and labels — index stats and volume, detected labels and
 * fields, patterns, live tail, build info — registered in one place so the server's wiring stays
 * short.
 */
public final class LokiRoutes {
  private LokiRoutes() {}

  /**
   * {@code /loki/api/v1/status/buildinfo}: Loki's version object, unwrapped — IceGate's version,
   * the Java runtime in the place of Go's.
   */
  static void buildInfo(HttpExchange exchange) throws java.io.IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (com.fasterxml.jackson.core.JsonGenerator json =
        new com.fasterxml.jackson.core.JsonFactory().createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("version", PromStatusHandlers.VERSION);
      json.writeStringField("revision", "");
      json.writeStringField("branch", "");
      json.writeStringField("buildUser", "icegate");
      json.writeStringField("buildDate", "");
      json.writeStringField("goVersion", "java" + Runtime.version());
      json.writeEndObject();
    }
    exchange.respond(HttpResponseStatus.OK, LokiErrors.CONTENT_TYPE, out.toByteArray());
  }

  /**
   * Registers the routes; returns what must be closed at shutdown, before storage closes (the
   * live-tail pollers).
   */
  public static AutoCloseable addTo(
      Map<String, Handler> routes,
      TableScanner scanner,
      BufferAllocator root,
      ServerConfig config,
      LogQueryEngine logs) {
    LokiIndexHandler index =
        new LokiIndexHandler(
            new LogIndexEngine(scanner, root, config.queryMemoryBytes(), config.queryTimeout()),
            tenant -> config.limitsFor(tenant).queryTimeout());
    routes.put("/loki/api/v1/index/stats", index);
    routes.put("/loki/api/v1/index/volume", index);
    routes.put("/loki/api/v1/index/volume_range", index);
    LokiDetectedHandler detected =
        new LokiDetectedHandler(
            new LogMetadataEngine(scanner, root, config.queryMemoryBytes(), config.queryTimeout()),
            new LogFieldDetector(scanner, root, config.queryMemoryBytes(), config.queryTimeout()),
            new LogPatternMiner(scanner, root, config.queryMemoryBytes(), config.queryTimeout()),
            config.maxEntriesLimitPerQuery(),
            tenant -> config.limitsFor(tenant).queryTimeout());
    routes.put("/loki/api/v1/detected_labels", detected);
    routes.put("/loki/api/v1/detected_fields", detected);
    routes.put("/loki/api/v1/detected_field/*", detected);
    routes.put("/loki/api/v1/patterns", detected);
    LokiTailHandler tail = new LokiTailHandler(logs, config.maxEntriesLimitPerQuery());
    routes.put("/loki/api/v1/tail", tail);
    routes.put("/loki/api/v1/status/buildinfo", LokiRoutes::buildInfo);
    return tail;
  }
}

package io.icegate.server.loki;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.icegate.engine.exec.QueryCancelledException;
import io.icegate.engine.logql.LogFieldDetector;
import io.icegate.engine.logql.LogMetadataEngine;
import io.icegate.engine.logql.LogPatternMiner;
import io.icegate.logql.LogQLParseException;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.loki.LokiParams;
import io.icegate.server.Tenants;
import io.icegate.server.http.Handler;
import io.icegate.server.http.HttpExchange;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.arrow.memory.OutOfMemoryException;

/**
 * The exploration endpoints Logs Drilldown calls:
 *
 * <ul>
 *   <li>{@code /loki/api/v1/detected_labels}: the stream labels of the selected streams with
 *       their number of values, {@code {"detectedLabels":[{"label","cardinality"}]}}. As in
 *       Loki, a label whose values are all IDs (numbers or UUIDs, except a 0/1 pair) is left
 *       out, unless it is one of {@code cluster}, {@code namespace}, {@code instance}, {@code
 *       pod}.
 *   <li>{@code /loki/api/v1/detected_fields}: see {@link LogFieldDetector};
 *       {@code {"fields":[{"label","type","cardinality","parsers"}],"limit":N}}.
 *   <li>{@code /loki/api/v1/detected_field/<name>/values}: that field's distinct values,
 *       {@code {"values":[...],"limit":N}}.
 *   <li>{@code /loki/api/v1/patterns}: the patterns of the newest lines ({@link
 *       LogPatternMiner}),
 *       {@code {"status":"success","data":[{"pattern","level","samples":[[s,n]]}]}}.
 * </ul>
 */
public final class LokiDetectedHandler implements Handler {
  private static final JsonFactory JSON = new JsonFactory();
  private static final Set<String> STATIC_LABELS =
      Set.of("cluster", "namespace", "instance", "pod");
  private static final String VALUES_PREFIX = "/loki/api/v1/detected_field/";
  private static final int DEFAULT_LINE_LIMIT = 100;
  private static final int DEFAULT_FIELD_LIMIT = 1000;
  /** The newest lines mined for patterns per request. */
  static final int PATTERN_LINES = 10_000;
  private static final Pattern UUID =
      Pattern.compile(
          "(?i)(urn:uuid:|\\{)?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?"
              + "[0-9a-f]{12}\\}?");

  private final LogMetadataEngine metadata;
  /** Each tenant's own {@code query_timeout}, zero when it has none. */
  private final Function<String, Duration> timeouts;
  private final LogFieldDetector detector;
  private final LogPatternMiner miner;
  private final int maxLineLimit;

  public LokiDetectedHandler(
      LogMetadataEngine metadata, LogFieldDetector detector, LogPatternMiner miner,
      int maxLineLimit, Function<String, Duration> timeouts) {
    this.metadata = metadata;
    this.timeouts = timeouts;
    this.detector = detector;
    this.miner = miner;
    this.maxLineLimit = maxLineLimit;
  }

  @Override
  public void handle(HttpExchange exchange) throws Exception {
    if (exchange.method() != HttpMethod.GET && exchange.method() != HttpMethod.POST) {
      LokiErrors.respond(exchange, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed");
      return;
    }
    byte[] body;
    QueryDeadline stop = null;
    try {
      String tenant = Tenants.resolve(exchange.header(Tenants.HEADER));
      stop = QueryDeadline.start(exchange, timeouts.apply(tenant));
      String path = exchange.path();
      if (path.equals("/loki/api/v1/detected_labels")) {
        body = detectedLabels(exchange, tenant, stop);
      } else if (path.equals("/loki/api/v1/detected_fields")) {
        body = detectedFields(exchange, tenant, stop, null);
      } else if (path.startsWith(VALUES_PREFIX) && path.endsWith("/values")) {
        String name =
            URLDecoder.decode(
                path.substring(VALUES_PREFIX.length(), path.length() - "/values".length()),
                StandardCharsets.UTF_8);
        body = detectedFields(exchange, tenant, stop, name);
      } else if (path.equals("/loki/api/v1/patterns")) {
        body = patterns(exchange, tenant, stop);
      } else {
        LokiErrors.respond(exchange, HttpResponseStatus.NOT_FOUND, "404 page not found");
        return;
      }
    } catch (LogQLParseException | ProtocolException | IllegalArgumentException e) {
      LokiErrors.respond(exchange, HttpResponseStatus.BAD_REQUEST, e.getMessage());
      return;
    } catch (QueryCancelledException e) {
      LokiErrors.cancelled(exchange, e, stop);
      return;
    } catch (OutOfMemoryException e) {
      LokiErrors.respond(exchange, HttpResponseStatus.BAD_REQUEST, "query exceeded its memory limit");
      return;
    }
    exchange.respond(HttpResponseStatus.OK, LokiErrors.CONTENT_TYPE, body);
  }

  private byte[] detectedLabels(HttpExchange exchange, String tenant, QueryDeadline stop)
      throws Exception {
    String query = exchange.param("query");
    LogSelectorExpr selector =
        query == null || query.isBlank() ? null : LokiParamsSupport.selector(query);
    LokiParamsSupport.Range range = LokiParamsSupport.range(exchange, LokiParamsSupport.HOUR_NANOS);
    List<SortedMap<String, String>> streams =
        metadata.series(
            tenant, range.startNanos(), range.endNanos() + 1,
            selector == null
                ? List.of()
                : List.of(new LogSelectorExpr(selector.selector(), List.of())),
            stop);
    SortedMap<String, Set<String>> values = new TreeMap<>();
    for (SortedMap<String, String> stream : streams) {
      stream.forEach((k, v) -> values.computeIfAbsent(k, x -> new HashSet<>()).add(v));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeArrayFieldStart("detectedLabels");
      for (Map.Entry<String, Set<String>> label : values.entrySet()) {
        if (!STATIC_LABELS.contains(label.getKey()) && rejected(label.getValue())) {
          continue;
        }
        json.writeStartObject();
        json.writeStringField("label", label.getKey());
        json.writeNumberField("cardinality", label.getValue().size());
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    }
    return out.toByteArray();
  }

  /** Loki leaves out labels whose values are all IDs: numbers or UUIDs (a 0/1 pair is kept). */
  static boolean rejected(Set<String> values) {
    if (values.isEmpty()) {
      return true;
    }
    if (values.size() <= 2 && Set.of("0", "1").containsAll(values)) {
      return false;
    }
    for (String v : values) {
      if (!isNumber(v) && !UUID.matcher(v).matches()) {
        return false;
      }
    }
    return true;
  }

  private static boolean isNumber(String v) {
    return LogFieldDetector.typeOf(v).equals("int") || LogFieldDetector.typeOf(v).equals("float");
  }

  private byte[] detectedFields(
      HttpExchange exchange, String tenant, QueryDeadline stop, String valuesOf)
      throws Exception {
    LogSelectorExpr selector = LokiParamsSupport.selector(LokiParamsSupport.query(exchange));
    LokiParamsSupport.Range range = LokiParamsSupport.range(exchange, LokiParamsSupport.HOUR_NANOS);
    int lineLimit = LokiParamsSupport.positiveInt(exchange, "line_limit", DEFAULT_LINE_LIMIT);
    if (lineLimit > maxLineLimit) {
      throw new ProtocolException(
          "max entries limit per query exceeded, limit > max_entries_limit_per_query ("
              + lineLimit + " > " + maxLineLimit + ")");
    }
    String limitName = exchange.param("limit") != null ? "limit" : "field_limit";
    int limit = LokiParamsSupport.positiveInt(exchange, limitName, DEFAULT_FIELD_LIMIT);
    List<LogFieldDetector.Sample> samples =
        detector.sample(
            tenant, range.startNanos(), range.endNanos(), selector, lineLimit,
            stop);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      if (valuesOf != null) {
        List<String> values = LogFieldDetector.values(samples, valuesOf, limit);
        if (!values.isEmpty()) {
          json.writeArrayFieldStart("values");
          for (String v : values) {
            json.writeString(v);
          }
          json.writeEndArray();
          json.writeNumberField("limit", limit);
        }
      } else {
        List<LogFieldDetector.Field> fields = LogFieldDetector.detect(samples, limit);
        if (!fields.isEmpty()) {
          json.writeArrayFieldStart("fields");
          for (LogFieldDetector.Field f : fields) {
            json.writeStartObject();
            json.writeStringField("label", f.label());
            json.writeStringField("type", f.type());
            json.writeNumberField("cardinality", f.cardinality());
            json.writeFieldName("parsers");
            if (f.parsers().isEmpty()) {
              json.writeNull();
            } else {
              json.writeStartArray();
              for (String p : f.parsers()) {
                json.writeString(p);
              }
              json.writeEndArray();
            }
            if (!f.jsonPath().isEmpty()) {
              json.writeArrayFieldStart("jsonPath");
              for (String key : f.jsonPath()) {
                json.writeString(key);
              }
              json.writeEndArray();
            }
            json.writeEndObject();
          }
          json.writeEndArray();
          json.writeNumberField("limit", limit);
        }
      }
      json.writeEndObject();
    }
    return out.toByteArray();
  }

  private byte[] patterns(HttpExchange exchange, String tenant, QueryDeadline stop) throws Exception {
    LogSelectorExpr selector = LokiParamsSupport.selector(LokiParamsSupport.query(exchange));
    LokiParamsSupport.Range range = LokiParamsSupport.range(exchange, LokiParamsSupport.HOUR_NANOS);
    String stepText = exchange.param("step");
    long step =
        stepText == null || stepText.isBlank()
            ? Math.max((range.endNanos() - range.startNanos()) / 1_000_000_000L / 250, 1)
                * 1_000_000_000L
            : LokiParams.parseDurationNanos("step", stepText.trim());
    if (step <= 0) {
      throw new ProtocolException(
          "zero or negative query resolution step widths are not accepted. "
              + "Try a positive integer");
    }
    List<LogPatternMiner.Pattern> patterns =
        miner.mine(
            tenant, range.startNanos(), range.endNanos() + 1, selector, step, PATTERN_LINES,
            stop);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("status", "success");
      json.writeArrayFieldStart("data");
      for (LogPatternMiner.Pattern p : patterns) {
        json.writeStartObject();
        json.writeStringField("pattern", p.pattern());
        json.writeStringField("level", p.level());
        json.writeArrayFieldStart("samples");
        for (int i = 0; i < p.timesSeconds().length; i++) {
          json.writeStartArray();
          json.writeNumber(p.timesSeconds()[i]);
          json.writeNumber(p.counts()[i]);
          json.writeEndArray();
        }
        json.writeEndArray();
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    }
    return out.toByteArray();
  }
}

package io.icegate.server.loki;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.icegate.engine.exec.QueryCancelledException;
import io.icegate.engine.logql.ConstantEvaluator;
import io.icegate.engine.logql.LogMetricResult;
import io.icegate.engine.logql.LogQueryEngine;
import io.icegate.engine.logql.MetricQueryRange;
import io.icegate.engine.promql.PromQLException;
import io.icegate.engine.promql.QueryResult;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.Series;
import io.icegate.engine.logql.LogQueryResult;
import io.icegate.logql.LogQL;
import io.icegate.logql.LogQLParseException;
import io.icegate.logql.ast.LineFilter;
import io.icegate.logql.ast.LogQLExpr;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.SampleExpr;
import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.loki.LokiJson;
import io.icegate.protocol.loki.LokiParams;
import io.icegate.protocol.loki.LokiSeries;
import io.icegate.protocol.loki.LokiStats;
import io.icegate.server.ServerMetrics;
import io.icegate.server.config.Limits;
import io.icegate.server.Tenants;
import io.icegate.server.http.DirectBody;
import io.icegate.server.http.Handler;
import io.icegate.server.http.HttpExchange;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.arrow.memory.OutOfMemoryException;

/**
 * {@code GET|POST /loki/api/v1/query_range} and {@code /loki/api/v1/query}: parse the request,
 * run the query through the engine, answer Loki's JSON — streams for log queries, a matrix
 * (range) or vector/scalar (instant) for metric queries. Errors use Loki's status codes: 400 for
 * bad queries and parameters, 504 for timeouts, 499 when the client went away.
 */
public final class LokiQueryHandler implements Handler {
  /** Loki's {@code ErrDeadlineExceeded} ({@code pkg/util/server/error.go}), word for word. */
  static final String TIMEOUT_MESSAGE =
      "request timed out, decrease the duration of the request or add more label matchers "
          + "(prefer exact match over regex match) to reduce the amount of data processed";

  private final LogQueryEngine engine;
  private final boolean instant;
  private final int maxLimit;
  private final Function<String, Limits> limits;
  private final long queryMemoryBytes;
  private final ServerMetrics metrics;

  /**
   * @param limits each tenant's limits ({@code max_query_series}, {@code max_query_length},
   *     {@code query_timeout})
   */
  public LokiQueryHandler(
      LogQueryEngine engine,
      boolean instant,
      int maxLimit,
      Function<String, Limits> limits,
      long queryMemoryBytes,
      ServerMetrics metrics) {
    this.engine = engine;
    this.instant = instant;
    this.maxLimit = maxLimit;
    this.limits = limits;
    this.queryMemoryBytes = queryMemoryBytes;
    this.metrics = metrics;
  }

  @Override
  public void handle(HttpExchange exchange) throws Exception {
    if (exchange.method() != HttpMethod.GET && exchange.method() != HttpMethod.POST) {
      LokiErrors.respond(exchange, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed");
      return;
    }
    LokiQueryRequest request;
    LogSelectorExpr selector;
    long interval = 0;
    QueryDeadline stop;
    try {
      String tenant = Tenants.resolve(exchange.header(Tenants.HEADER));
      stop = QueryDeadline.start(exchange, limits.apply(tenant).queryTimeout());
      request =
          instant
              ? LokiQueryRequest.instantQuery(exchange, tenant, maxLimit)
              : LokiQueryRequest.rangeQuery(exchange, tenant, maxLimit);
      if (!instant) {
        checkLength(request, limits.apply(tenant).maxQueryLength());
      }
      LogQLExpr expr = LogQL.parse(request.query());
      if (instant
          && expr instanceof SampleExpr sample
          && ConstantEvaluator.isConstant(sample)) {
        // Needs no data: e.g. Grafana's health check, vector(1)+vector(1).
        ConstantEvaluator.Value value = ConstantEvaluator.evaluate(sample);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LokiJson.writeInstant(
            out, value.scalar(), value.present(), request.range().endNanos() - 1, value.value());
        exchange.respond(
            HttpResponseStatus.OK, LokiErrors.CONTENT_TYPE, flagged(exchange, out.toByteArray()));
        return;
      }
      String explain = exchange.param("explain");
      if (expr instanceof SampleExpr sample) {
        if (explain != null && !explain.isBlank()) {
          MetricQueryRange range = metricRange(request);
          explain(
              exchange,
              explain.trim(),
              stop,
              analyze -> engine.explainMetric(sample, range, analyze, stop));
          return;
        }
        metric(exchange, request, sample, stop);
        return;
      }
      selector = (LogSelectorExpr) expr;
      if (explain != null && !explain.isBlank()) {
        LogSelectorExpr logQuery = selector;
        explain(
            exchange,
            explain.trim(),
            stop,
            analyze -> analyze
                ? engine.explainAnalyze(logQuery, request.range(), stop)
                : engine.explain(logQuery, request.range()));
        return;
      }
      String intervalText = exchange.param("interval");
      if (!instant && intervalText != null && !intervalText.isBlank()) {
        interval = LokiParams.parseDurationNanos("interval", intervalText.trim());
        if (interval < 0) {
          throw new ProtocolException("interval must be >= 0");
        }
      }
    } catch (LogQLParseException | ProtocolException | IllegalArgumentException e) {
      LokiErrors.respond(exchange, HttpResponseStatus.BAD_REQUEST, e.getMessage());
      return;
    }
    LogQueryResult result;
    try {
      result =
          interval > 0
              ? LokiIntervalSelect.select(
                  engine, selector, request.range(), interval, stop)
              : engine.select(selector, request.range(), stop);
    } catch (UnsupportedOperationException e) {
      LokiErrors.respond(exchange, HttpResponseStatus.NOT_IMPLEMENTED, e.getMessage());
      return;
    } catch (RuntimeException e) {
      if (answeredFailure(exchange, e, stop)) {
        return;
      }
      throw e;
    }
    metrics.queryDuration.labelValues(instant ? "loki_query" : "loki_query_range")
        .observe(result.execNanos() / 1e9);
    LokiStats stats =
        LokiStats.summarize(
            result.bytesScanned(), result.rowsScanned(), result.execNanos(), 0, result.entries());
    // Log lines can make tens of megabytes: written into recycled direct pieces (DirectBody).
    DirectBody out = exchange.directBody();
    try {
      if (LokiCategorizedStreams.requested(exchange.header(LokiCategorizedStreams.HEADER))) {
        LokiCategorizedStreams.write(out, result.byStreamLabels(), stats);
      } else {
        LokiJson.writeStreams(out, result.streams(), stats);
      }
      exchange.respond(HttpResponseStatus.OK, LokiErrors.CONTENT_TYPE, out, Map.of());
    } finally {
      out.release();
    }
  }

  /**
   * A metric query: a matrix for {@code query_range}, a vector or scalar for {@code query}. A
   * stage Loki refuses, an entry with {@code __error__}, or a vector operation Prometheus's rules
   * refuse (many-to-many matching) is the query's fault: 400 with the message.
   */
  private void metric(
      HttpExchange exchange, LokiQueryRequest request, SampleExpr sample, QueryDeadline stop)
      throws Exception {
    String tenant = request.range().tenant();
    MetricQueryRange range = metricRange(request);
    LogMetricResult result;
    try {
      result =
          engine.metric(
              sample, range, limits.apply(tenant).maxQuerySeries(), stop);
    } catch (RuntimeException e) {
      if (answeredFailure(exchange, e, stop)) {
        return;
      }
      throw e;
    }
    metrics.queryDuration.labelValues(instant ? "loki_query" : "loki_query_range")
        .observe(result.execNanos() / 1e9);
    LokiStats stats =
        LokiStats.summarize(result.bytesScanned(), result.rowsScanned(), result.execNanos(), 0, 0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    QueryResult value = result.value();
    if (value instanceof QueryResult.ScalarResult s) {
      LokiJson.writeScalar(out, s.timestamp(), s.value(), stats);
    } else {
      boolean matrix = value instanceof QueryResult.MatrixResult;
      List<LokiSeries> series = new ArrayList<>();
      if (value instanceof QueryResult.MatrixResult m) {
        for (Series s : m.series()) {
          series.add(new LokiSeries(labels(s.labels()), s.timestamps(), s.values()));
        }
      } else if (value instanceof QueryResult.VectorResult v) {
        for (QueryResult.Sample s : v.samples()) {
          series.add(
              new LokiSeries(
                  labels(s.labels()), new long[] {s.timestamp()}, new double[] {s.value()}));
        }
      }
      LokiJson.writeSamples(out, matrix, series, stats);
    }
    exchange.respond(
        HttpResponseStatus.OK, LokiErrors.CONTENT_TYPE, flagged(exchange, out.toByteArray()));
  }

  /**
   * Loki's {@code max_query_length}: a range query spanning more (in whole milliseconds, as Loki
   * measures it) is refused with its wording.
   */
  static void checkLength(LokiQueryRequest request, java.time.Duration max) {
    if (max.isZero()) {
      return;
    }
    long lengthMillis =
        Math.floorDiv(request.endNanos(), 1_000_000L)
            - Math.floorDiv(request.startNanos(), 1_000_000L);
    if (lengthMillis > max.toMillis()) {
      throw new ProtocolException(
          "the query time range exceeds the limit (query length: "
              + goDuration(lengthMillis) + ", limit: " + promDuration(max.toMillis()) + ")");
    }
  }

  /** Go's {@code time.Duration.String()} of whole milliseconds, e.g. {@code 745h0m0.5s}. */
  static String goDuration(long millis) {
    if (millis == 0) {
      return "0s";
    }
    StringBuilder s = new StringBuilder();
    if (millis < 0) {
      s.append('-');
      millis = -millis;
    }
    if (millis < 1000) {
      return s.append(millis).append("ms").toString();
    }
    long hours = millis / 3_600_000L;
    long minutes = millis / 60_000L % 60;
    long seconds = millis / 1000 % 60;
    long fraction = millis % 1000;
    if (hours > 0) {
      s.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      s.append(minutes).append('m');
    }
    s.append(seconds);
    if (fraction > 0) {
      String f = String.format("%03d", fraction);
      s.append('.').append(f.replaceAll("0+$", ""));
    }
    return s.append('s').toString();
  }

  /** Prometheus's {@code model.Duration.String()}: {@code 30d1h}, {@code 2w}, {@code 1m30s}. */
  static String promDuration(long millis) {
    if (millis == 0) {
      return "0s";
    }
    StringBuilder s = new StringBuilder();
    long day = 86_400_000L;
    long[] mult = {365 * day, 7 * day, day, 3_600_000L, 60_000L, 1000L, 1L};
    String[] unit = {"y", "w", "d", "h", "m", "s", "ms"};
    long left = millis;
    for (int i = 0; i < mult.length; i++) {
      if (i < 2 && left % mult[i] != 0) {
        continue; // years and weeks only when they divide exactly
      }
      long v = left / mult[i];
      if (v > 0) {
        s.append(v).append(unit[i]);
        left -= v * mult[i];
      }
    }
    return s.toString();
  }

  /**
   * A metric answer for a client that asked for {@code categorize-labels}: Loki names the flags
   * for every result type, so {@code "encodingFlags":["categorize-labels"]} goes right after
   * {@code resultType} (and so before {@code result}, where Grafana needs it).
   */
  static byte[] flagged(HttpExchange exchange, byte[] body) {
    if (!LokiCategorizedStreams.requested(exchange.header(LokiCategorizedStreams.HEADER))) {
      return body;
    }
    String json = new String(body, java.nio.charset.StandardCharsets.UTF_8);
    String key = "\"resultType\":\"";
    int at = json.indexOf(key);
    if (at < 0) {
      return body;
    }
    int end = json.indexOf('"', at + key.length()) + 1;
    return (json.substring(0, end)
            + ",\"encodingFlags\":[\"" + LokiCategorizedStreams.FLAG + "\"]"
            + json.substring(end))
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * Answers a query that failed in one of the ways Loki answers: the query's own fault — a stage
   * Loki refuses (bad template, malformed json path) or what the vector operations refuse — with
   * 400, a cancelled or timed-out query as Loki does, a query over its memory limit with 400.
   * False for any other failure, which the caller rethrows.
   */
  private boolean answeredFailure(HttpExchange exchange, RuntimeException e, QueryDeadline stop)
      throws IOException {
    if (e instanceof IllegalArgumentException || e instanceof PromQLException) {
      LokiErrors.respond(exchange, HttpResponseStatus.BAD_REQUEST, e.getMessage());
    } else if (e instanceof QueryCancelledException cancelled) {
      LokiErrors.cancelled(exchange, cancelled, stop);
    } else if (e instanceof OutOfMemoryException) {
      LokiErrors.respond(exchange, HttpResponseStatus.BAD_REQUEST,
          "query exceeded memory limit of " + queryMemoryBytes + " bytes");
    } else {
      return false;
    }
    return true;
  }

  /** The step grid (or instant) a metric query of {@code request} is evaluated over. */
  private MetricQueryRange metricRange(LokiQueryRequest request) {
    String tenant = request.range().tenant();
    return instant
        ? MetricQueryRange.instant(tenant, request.startNanos())
        : new MetricQueryRange(
            tenant, request.startNanos(), request.endNanos(), request.stepNanos());
  }

  /**
   * Our debug parameter {@code explain} (not Loki's) on log and metric queries: {@code plan}
   * answers the physical plan with its pushed-down scan bounds (for a metric query, each range
   * aggregation's); {@code analyze} runs the query and answers the plan with each node's
   * batches, rows and time, and what the scan read.
   */
  private void explain(
      HttpExchange exchange, String mode, QueryDeadline stop,
      java.util.function.Function<Boolean, String> explainer)
      throws IOException {
    if (!mode.equals("plan") && !mode.equals("analyze")) {
      throw new ProtocolException(
          "explain must be \"plan\" or \"analyze\", not \"" + mode + "\"");
    }
    String text;
    try {
      text = explainer.apply(mode.equals("analyze"));
    } catch (RuntimeException e) {
      if (answeredFailure(exchange, e, stop)) {
        return;
      }
      throw e;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("status", "success");
      json.writeObjectFieldStart("data");
      json.writeStringField("resultType", "explain");
      json.writeStringField("explain", text);
      json.writeEndObject();
      json.writeEndObject();
    }
    exchange.respond(HttpResponseStatus.OK, LokiErrors.CONTENT_TYPE, out.toByteArray());
  }

  private static SortedMap<String, String> labels(Labels labels) {
    SortedMap<String, String> map = new TreeMap<>();
    for (int i = 0; i < labels.size(); i++) {
      map.put(labels.name(i), labels.value(i));
    }
    return map;
  }
}

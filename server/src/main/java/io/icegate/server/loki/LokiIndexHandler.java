package io.icegate.server.loki;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.icegate.engine.exec.QueryCancelledException;
import io.icegate.engine.logql.LogIndexEngine;
import io.icegate.logql.LogQLParseException;
import io.icegate.logql.ast.LabelMatcher;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.StreamSelector;
import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.loki.LokiJson;
import io.icegate.protocol.loki.LokiParams;
import io.icegate.protocol.loki.LokiSeries;
import io.icegate.protocol.loki.LokiStats;
import io.icegate.server.Tenants;
import io.icegate.server.http.Handler;
import io.icegate.server.http.HttpExchange;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.arrow.memory.OutOfMemoryException;

/**
 * Loki's index endpoints, answered by scanning the stored rows ({@link LogIndexEngine}):
 *
 * <ul>
 *   <li>{@code /loki/api/v1/index/stats}: {@code {"streams","chunks","bytes","entries"}} of the
 *       selected streams — Grafana's query-size hint. "chunks" counts the data files and WAL
 *       segments the scan opened (0 when no stream matched).
 *   <li>{@code /loki/api/v1/index/volume}: a vector, one sample per aggregated label set (or label
 *       name, {@code aggregateBy=labels}), valued in bytes of log lines, largest first, at most
 *       {@code limit} (default 100).
 *   <li>{@code /loki/api/v1/index/volume_range}: the same per {@code step} bucket, as a matrix
 *       (a vector when every series has a single point, as Loki does).
 * </ul>
 */
public final class LokiIndexHandler implements Handler {
  private static final JsonFactory JSON = new JsonFactory();
  private static final int DEFAULT_VOLUME_LIMIT = 100;
  private static final long MILLI = 1_000_000L;

  private final LogIndexEngine engine;
  /** Each tenant's own {@code query_timeout}, zero when it has none. */
  private final Function<String, Duration> timeouts;

  public LokiIndexHandler(LogIndexEngine engine, Function<String, Duration> timeouts) {
    this.engine = engine;
    this.timeouts = timeouts;
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
      body =
          switch (exchange.path()) {
            case "/loki/api/v1/index/stats" -> stats(exchange, tenant, stop);
            case "/loki/api/v1/index/volume" -> volume(exchange, tenant, stop, false);
            case "/loki/api/v1/index/volume_range" -> volume(exchange, tenant, stop, true);
            default -> null;
          };
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
    if (body == null) {
      LokiErrors.respond(exchange, HttpResponseStatus.NOT_FOUND, "404 page not found");
      return;
    }
    exchange.respond(HttpResponseStatus.OK, LokiErrors.CONTENT_TYPE, body);
  }

  private byte[] stats(HttpExchange exchange, String tenant, QueryDeadline stop) throws Exception {
    LogSelectorExpr selector = LokiParamsSupport.selector(LokiParamsSupport.query(exchange));
    LokiParamsSupport.Range range = LokiParamsSupport.range(exchange, LokiParamsSupport.HOUR_NANOS);
    LogIndexEngine.Volumes v =
        engine.volumes(
            tenant, range.startNanos(), range.endNanos() + 1, selector, null,
            stop);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeNumberField("streams", v.streams().size());
      // The files the scan opened, but none when nothing matched (a WAL segment of other
      // streams is opened too, yet holds no chunk of these).
      json.writeNumberField("chunks", v.streams().isEmpty() ? 0 : v.files());
      json.writeNumberField("bytes", v.bytes());
      json.writeNumberField("entries", v.entries());
      json.writeEndObject();
    }
    return out.toByteArray();
  }

  private byte[] volume(
      HttpExchange exchange, String tenant, QueryDeadline stop, boolean ranged) throws Exception {
    int limit = LokiParamsSupport.positiveInt(exchange, "limit", DEFAULT_VOLUME_LIMIT);
    String query = LokiParamsSupport.query(exchange);
    LogSelectorExpr parsed = LokiParamsSupport.selector(query);
    if (!parsed.pipeline().isEmpty()) {
      throw new ProtocolException("only label matchers are allowed here: " + query);
    }
    String aggregateBy = exchange.param("aggregateBy");
    boolean bySeries;
    if (aggregateBy == null || aggregateBy.isEmpty() || aggregateBy.equals("series")) {
      bySeries = true;
    } else if (aggregateBy.equals("labels")) {
      bySeries = false;
    } else {
      throw new ProtocolException("invalid aggregation option");
    }
    List<String> targets = new ArrayList<>();
    String targetText = exchange.param("targetLabels");
    if (targetText != null && !targetText.isEmpty()) {
      targets.addAll(Arrays.asList(targetText.split(",", -1)));
    }
    LokiParamsSupport.Range range = LokiParamsSupport.range(exchange, LokiParamsSupport.HOUR_NANOS);
    long start = range.startNanos();
    long end = range.endNanos();

    // Which labels make up a series: the targets if given (each must then be present), else the
    // names the selector matches on; a selector without matchers keeps every label.
    List<LabelMatcher> matchers = new ArrayList<>(parsed.selector().matchers());
    Set<String> keep = new LinkedHashSet<>();
    boolean keepAll;
    if (!targets.isEmpty()) {
      keep.addAll(targets);
      keepAll = false;
      for (String target : targets) {
        if (matchers.stream().noneMatch(m -> m.name().equals(target))) {
          matchers.add(new LabelMatcher(target, LabelMatcher.MatchType.RE, ".+"));
        }
      }
    } else {
      matchers.forEach(m -> keep.add(m.name()));
      keepAll = matchers.isEmpty();
    }
    LogSelectorExpr selector = new LogSelectorExpr(new StreamSelector(matchers), List.of());

    // Buckets as Loki's volume splitting makes them: the first from start, the others aligned to
    // multiples of step, each closed 1ms before the next begins, the last closed at end; each
    // sample is stamped with its bucket's end.
    long[] bucketStarts;
    long[] bucketEnds;
    if (ranged) {
      long step = step(exchange, start, end);
      List<long[]> buckets = new ArrayList<>();
      long aligned = start - Math.floorMod(start, step);
      for (long s = aligned; s < end; s += step) {
        long e = s + step >= end ? end : s + step - MILLI;
        buckets.add(new long[] {buckets.isEmpty() ? start : s, e});
      }
      if (buckets.isEmpty()) {
        buckets.add(new long[] {start, end});
      }
      bucketStarts = buckets.stream().mapToLong(b -> b[0]).toArray();
      bucketEnds = buckets.stream().mapToLong(b -> b[1]).toArray();
    } else {
      bucketStarts = new long[] {start};
      bucketEnds = new long[] {end};
    }
    LogIndexEngine.Volumes volumes =
        engine.volumes(tenant, start, end + 1, selector, bucketStarts, stop);

    // Per bucket: volume per name, then Loki's cut to the top `limit` of that bucket.
    Map<String, SortedMap<String, String>> labelsByName = new HashMap<>();
    Map<String, List<long[]>> samples = new HashMap<>();
    for (int b = 0; b < bucketStarts.length; b++) {
      Map<String, Long> byName = new HashMap<>();
      for (LogIndexEngine.StreamVolume stream : volumes.streams()) {
        long bytes = stream.bucketBytes()[b];
        if (bytes == 0) {
          continue;
        }
        if (bySeries) {
          SortedMap<String, String> labels = new TreeMap<>();
          stream.labels().forEach(
              (k, v) -> {
                if (keepAll || keep.contains(k)) {
                  labels.put(k, v);
                }
              });
          String name = promString(labels);
          labelsByName.putIfAbsent(name, labels);
          byName.merge(name, bytes, Long::sum);
        } else {
          for (String label : stream.labels().keySet()) {
            if (targets.isEmpty() || keep.contains(label)) {
              labelsByName.putIfAbsent(label, new TreeMap<>(Map.of(label, "")));
              byName.merge(label, bytes, Long::sum);
            }
          }
        }
      }
      List<Map.Entry<String, Long>> ranked = new ArrayList<>(byName.entrySet());
      ranked.sort(
          (x, y) ->
              x.getValue().equals(y.getValue())
                  ? x.getKey().compareTo(y.getKey())
                  : Long.compare(y.getValue(), x.getValue()));
      for (Map.Entry<String, Long> e : ranked.subList(0, Math.min(limit, ranked.size()))) {
        samples
            .computeIfAbsent(e.getKey(), k -> new ArrayList<>())
            .add(new long[] {bucketEnds[b] / MILLI, e.getValue()});
      }
    }
    List<String> names = new ArrayList<>(samples.keySet());
    names.sort(
        (x, y) -> {
          long vx = samples.get(x).get(0)[1];
          long vy = samples.get(y).get(0)[1];
          return vx == vy ? x.compareTo(y) : Long.compare(vy, vx);
        });
    boolean matrix = false;
    List<LokiSeries> series = new ArrayList<>();
    for (String name : names) {
      List<long[]> points = samples.get(name);
      matrix |= points.size() > 1;
      series.add(
          new LokiSeries(
              labelsByName.get(name),
              points.stream().mapToLong(p -> p[0]).toArray(),
              points.stream().mapToDouble(p -> p[1]).toArray()));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LokiJson.writeSamples(out, matrix, series, LokiStats.summarize(0, 0, 0, 0, 0));
    return out.toByteArray();
  }

  /** {@code step}, or Loki's default for range queries; at most 11,000 points. */
  private static long step(HttpExchange exchange, long start, long end) {
    String text = exchange.param("step");
    long step;
    if (text == null || text.isBlank()) {
      step = Math.max((end - start) / 1_000_000_000L / 250, 1) * 1_000_000_000L;
    } else {
      step = LokiParams.parseDurationNanos("step", text.trim());
    }
    if (step <= 0) {
      throw new ProtocolException(
          "zero or negative query resolution step widths are not accepted. "
              + "Try a positive integer");
    }
    if ((end - start) / step > LokiQueryRequest.MAX_POINTS) {
      throw new ProtocolException(
          "exceeded maximum resolution of 11,000 points per timeseries. "
              + "Try decreasing the query resolution (?step=XX)");
    }
    return step;
  }

  /** A label set as Prometheus prints it, {@code {a="1", b="2"}}: Loki's tie-break key. */
  private static String promString(SortedMap<String, String> labels) {
    StringBuilder s = new StringBuilder("{");
    labels.forEach(
        (k, v) -> {
          if (s.length() > 1) {
            s.append(", ");
          }
          s.append(k).append("=\"").append(v.replace("\\", "\\\\").replace("\"", "\\\""))
              .append('"');
        });
    return s.append('}').toString();
  }
}

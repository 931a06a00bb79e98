package io.icegate.server.loki;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.icegate.engine.logql.LogQueryEngine;
import io.icegate.engine.logql.LogQueryRange;
import io.icegate.engine.logql.LogQueryResult;
import io.icegate.logql.LogQL;
import io.icegate.logql.LogQLParseException;
import io.icegate.logql.ast.LogQLExpr;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.loki.Direction;
import io.icegate.protocol.loki.LokiEntry;
import io.icegate.protocol.loki.LokiParams;
import io.icegate.protocol.loki.LokiStream;
import io.icegate.server.Tenants;
import io.icegate.server.http.Handler;
import io.icegate.server.http.HttpExchange;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /loki/api/v1/tail} over WebSocket (Grafana's Explore "Live"): first the newest
 * {@code limit} entries since {@code start} (default an hour ago), oldest first, then, polling
 * the store every {@link #POLL_MILLIS} ms, every entry that becomes visible with a timestamp up to
 * {@code delay_for} seconds before now. Each text frame is {@code {"streams":[...]}} (Loki leaves
 * {@code dropped_entries} out when nothing was dropped, and we drop nothing). With {@code
 * X-Loki-Response-Encoding-Flags: categorize-labels} on the upgrade request the frames are
 * categorized as Loki's tailer does it: streams by their stream labels alone, each entry a triple
 * with its structured metadata and parsed labels, and {@code "encodingFlags":["categorize-labels"]}
 * after the streams.
 *
 * <p>Loki streams entries from its ingesters as they are pushed; we read them back from the lake,
 * so an entry is sent when it is queryable, and one whose timestamp is more than {@link
 * #LOOKBACK_NANOS} older than the moment it becomes queryable is not sent (it is found by
 * {@code query_range}).
 */
public final class LokiTailHandler implements Handler, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LokiTailHandler.class);
  private static final JsonFactory JSON = new JsonFactory();
  static final long POLL_MILLIS = 500;
  static final long LOOKBACK_NANOS = 30_000_000_000L;
  private static final int MAX_DELAY_FOR_SECONDS = 5;
  private static final int DEFAULT_LIMIT = 100;
  private static final int MAX_FRAME_BYTES = 1 << 20;

  private final LogQueryEngine engine;
  private final int maxLimit;
  private final ScheduledExecutorService pollers =
      Executors.newScheduledThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "icegate-tail");
            t.setDaemon(true);
            return t;
          });

  public LokiTailHandler(LogQueryEngine engine, int maxLimit) {
    this.engine = engine;
    this.maxLimit = maxLimit;
  }

  @Override
  public void handle(HttpExchange exchange) throws Exception {
    Tail tail;
    try {
      String tenant = Tenants.resolve(exchange.header(Tenants.HEADER));
      LogQLExpr expr = LogQL.parse(LokiParamsSupport.query(exchange));
      if (!(expr instanceof LogSelectorExpr selector)) {
        throw new ProtocolException("tailing is only supported for log queries");
      }
      int delayFor = 0;
      String delay = exchange.param("delay_for");
      if (delay != null && !delay.isBlank()) {
        try {
          delayFor = Integer.parseInt(delay.trim());
        } catch (NumberFormatException e) {
          throw new ProtocolException(
              "invalid parameter \"delay_for\": " + delay + " is not an integer");
        }
        if (delayFor < 0) {
          throw new ProtocolException("delay_for must not be negative");
        }
        if (delayFor > MAX_DELAY_FOR_SECONDS) {
          throw new ProtocolException(
              "delay_for can't be greater than " + MAX_DELAY_FOR_SECONDS);
        }
      }
      int limit = LokiParamsSupport.positiveInt(exchange, "limit", DEFAULT_LIMIT);
      if (limit > maxLimit) {
        throw new ProtocolException(
            "max entries limit per query exceeded, limit > max_entries_limit_per_query ("
                + limit + " > " + maxLimit + ")");
      }
      long now = LokiParamsSupport.now();
      long start =
          exchange.param("start") == null
              ? now - LokiParamsSupport.HOUR_NANOS
              : LokiParams.parseTimeNanos("start", exchange.param("start"));
      boolean categorize =
          LokiCategorizedStreams.requested(exchange.header(LokiCategorizedStreams.HEADER));
      tail = new Tail(tenant, selector, limit, delayFor * 1_000_000_000L, start, categorize);
    } catch (LogQLParseException | ProtocolException | IllegalArgumentException e) {
      exchange.respond(
          HttpResponseStatus.BAD_REQUEST,
          LokiErrors.CONTENT_TYPE,
          LokiErrors.body(HttpResponseStatus.BAD_REQUEST.code(), e.getMessage()));
      return;
    }
    Channel channel = exchange.upgradeToWebSocket(new Frames(tail), MAX_FRAME_BYTES);
    if (channel == null) {
      return;
    }
    tail.channel = channel;
    tail.future =
        pollers.scheduleWithFixedDelay(tail::poll, 0, POLL_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * Stops polling for every tail (at shutdown, once the connections are closed), waiting for a
   * poll under way to end so that no query outlives the storage.
   */
  @Override
  public void close() throws InterruptedException {
    pollers.shutdownNow();
    if (!pollers.awaitTermination(10, TimeUnit.SECONDS)) {
      LOG.warn("a live-tail poll was still running 10 s after shutdown");
    }
  }

  /** One tailing connection: what it asked for and what it has been sent. */
  private final class Tail {
    final String tenant;
    final LogSelectorExpr selector;
    final int limit;
    final long delayNanos;
    final long start;
    final boolean categorize;
    volatile Channel channel;
    volatile ScheduledFuture<?> future;
    boolean historySent;
    long floor;
    final Set<Sent> seen = new HashSet<>();

    Tail(
        String tenant,
        LogSelectorExpr selector,
        int limit,
        long delayNanos,
        long start,
        boolean categorize) {
      this.tenant = tenant;
      this.selector = selector;
      this.limit = limit;
      this.delayNanos = delayNanos;
      this.start = start;
      this.categorize = categorize;
    }

    void stop() {
      ScheduledFuture<?> f = future;
      if (f != null) {
        f.cancel(false);
      }
    }

    void poll() {
      Channel ch = channel;
      if (ch == null || !ch.isActive()) {
        stop();
        return;
      }
      try {
        long upper = LokiParamsSupport.now() - delayNanos;
        if (!historySent) {
          historySent = true;
          floor = upper;
          if (start < upper) {
            LogQueryResult history =
                engine.select(
                    selector,
                    new LogQueryRange(tenant, start, upper, limit, Direction.BACKWARD),
                    () -> !ch.isActive());
            send(ch, history.rows(), categorize);
          }
          return;
        }
        long from = Math.max(floor, upper - LOOKBACK_NANOS);
        if (from >= upper) {
          return;
        }
        LogQueryResult result =
            engine.select(
                selector,
                new LogQueryRange(tenant, from, upper, maxLimit, Direction.FORWARD),
                () -> !ch.isActive());
        List<LogQueryResult.Row> fresh = new ArrayList<>();
        long newest = Long.MIN_VALUE;
        for (LogQueryResult.Row row : result.rows()) {
          LokiEntry e = row.entry();
          newest = Math.max(newest, e.timestampNanos());
          if (seen.add(new Sent(row.labels().all(), e.timestampNanos(), e.line()))) {
            fresh.add(row);
          }
        }
        seen.removeIf(s -> s.timestampNanos() < from);
        if (result.entries() >= maxLimit) {
          // Saturated: everything before the newest entry read has been sent.
          floor = newest;
        }
        send(ch, fresh, categorize);
      } catch (RuntimeException e) {
        LOG.warn("tail stopped: {}", e.toString());
        ch.writeAndFlush(new CloseWebSocketFrame(1011, truncate(e.getMessage())));
        ch.close();
        stop();
      }
    }
  }

  /** An entry already sent, to send each once. */
  private record Sent(SortedMap<String, String> labels, long timestampNanos, String line) {}

  /** Sends the entries, oldest first within each stream, unless there are none. */
  private static void send(Channel channel, List<LogQueryResult.Row> rows, boolean categorize) {
    if (rows.isEmpty()) {
      return;
    }
    List<LogQueryResult.Row> oldestFirst = new ArrayList<>(rows);
    oldestFirst.sort(Comparator.comparingLong(r -> r.entry().timestampNanos()));
    LogQueryResult entries = new LogQueryResult(oldestFirst, 0, 0, 0, 0);
    channel.writeAndFlush(
        new TextWebSocketFrame(
            categorize ? categorizedFrame(entries.byStreamLabels()) : frame(entries.streams())));
  }

  /**
   * A frame with Loki's {@code categorize-labels} encoding: each stream labelled with its stream
   * labels only, each entry {@code ["<ns>","<line>",{"structuredMetadata":{…},"parsed":{…}}]}
   * (empty maps left out), and the flag after the streams, as Loki's tail encoder writes it.
   */
  static String categorizedFrame(
      Map<SortedMap<String, String>, List<LogQueryResult.Row>> streams) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeArrayFieldStart("streams");
      LokiCategorizedStreams.writeStreams(json, streams);
      json.writeEndArray();
      json.writeArrayFieldStart("encodingFlags");
      json.writeString(LokiCategorizedStreams.FLAG);
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  static String frame(List<LokiStream> streams) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeArrayFieldStart("streams");
      for (LokiStream stream : streams) {
        json.writeStartObject();
        json.writeObjectFieldStart("stream");
        for (Map.Entry<String, String> l : stream.labels().entrySet()) {
          json.writeStringField(l.getKey(), l.getValue());
        }
        json.writeEndObject();
        json.writeArrayFieldStart("values");
        List<LokiEntry> entries = new ArrayList<>(stream.entries());
        entries.sort(Comparator.comparingLong(LokiEntry::timestampNanos));
        for (LokiEntry e : entries) {
          json.writeStartArray();
          json.writeString(Long.toString(e.timestampNanos()));
          json.writeString(e.line());
          json.writeEndArray();
        }
        json.writeEndArray();
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String truncate(String message) {
    String m = message == null ? "internal error" : message;
    return m.length() > 100 ? m.substring(0, 100) : m;
  }

  /** The client's frames: answers pings, closes on close; text from the client is ignored. */
  private static final class Frames extends SimpleChannelInboundHandler<WebSocketFrame> {
    private final Tail tail;

    Frames(Tail tail) {
      this.tail = tail;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (frame instanceof CloseWebSocketFrame close) {
        ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), close.reasonText()))
            .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        tail.stop();
      } else if (frame instanceof PingWebSocketFrame ping) {
        ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      tail.stop();
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      tail.stop();
      ctx.close();
    }
  }
}

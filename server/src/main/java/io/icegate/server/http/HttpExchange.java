package io.icegate.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One HTTP request and the means to answer it exactly once, from any thread. The request body is
 * copied out at construction, so nothing of Netty's buffers outlives the event loop.
 */
public final class HttpExchange {
  private final ChannelHandlerContext ctx;
  private final HttpMethod method;
  private final String path;
  private final String uri;
  private final Map<String, List<String>> params;
  private final io.netty.handler.codec.http.HttpHeaders headers;
  private final byte[] body;
  private final boolean keepAlive;
  private final AtomicBoolean answered = new AtomicBoolean();
  private final Runnable onAnswered;
  private final java.util.function.BooleanSupplier closeAfter;
  // Headers the answer carries unless it sets them itself; set before answering.
  private volatile Map<String, String> defaultHeaders = Map.of();
  private volatile int status;
  private final String malformed;

  HttpExchange(ChannelHandlerContext ctx, FullHttpRequest request, Runnable onAnswered) {
    this(ctx, request, onAnswered, () -> false);
  }

  HttpExchange(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      Runnable onAnswered,
      java.util.function.BooleanSupplier closeAfter) {
    this.closeAfter = closeAfter;
    this.ctx = ctx;
    this.method = request.method();
    QueryStringDecoder decoder = new QueryStringDecoder(request.uri());
    this.path = decoder.path();
    this.uri = request.uri();
    String bad = null;
    Map<String, List<String>> decoded;
    try {
      decoded = decoder.parameters();
    } catch (IllegalArgumentException e) {
      // A malformed %-escape: answered 400 by the listener, as Go's ParseForm refuses it.
      decoded = Map.of();
      bad = "invalid query string: " + e.getMessage();
    }
    this.params = new HashMap<>(decoded);
    this.headers = request.headers().copy();
    this.body = ByteBufUtil.getBytes(request.content());
    this.keepAlive = HttpUtil.isKeepAlive(request);
    this.onAnswered = onAnswered;
    String contentType = header(HttpHeaderNames.CONTENT_TYPE.toString());
    boolean formBody =
        method == HttpMethod.POST
            && contentType != null
            && contentType.toLowerCase().startsWith("application/x-www-form-urlencoded");
    if (formBody) {
      // Loki and Prometheus accept their query parameters as a POSTed form too. As Go's
      // ParseForm orders them, the body's values come before the URL's, so param() (FormValue)
      // prefers the body: Grafana puts extra parameters in the URL and the query in the body.
      Map<String, List<String>> form;
      try {
        form = new QueryStringDecoder("?" + new String(body, StandardCharsets.UTF_8)).parameters();
      } catch (IllegalArgumentException e) {
        form = Map.of();
        bad = "invalid form body: " + e.getMessage();
      }
      form.forEach(
          (k, v) -> {
            List<String> merged = new ArrayList<>(v);
            merged.addAll(params.getOrDefault(k, List.of()));
            params.put(k, merged);
          });
    }
    if (bad == null && holdsReplacementCharacter(params)) {
      // Netty decodes %-escapes as UTF-8 with U+FFFD for bytes that are none; Loki's and
      // Prometheus's parsers see the raw bytes and refuse invalid UTF-8, so we do too (a U+FFFD
      // the client really sent, as %EF%BF%BD, is valid and passes).
      int query = uri.indexOf('?');
      if (query >= 0 && !validUtf8(percentDecoded(uri.substring(query + 1)))) {
        bad = "invalid UTF-8 in the query string";
      } else if (formBody
          && !validUtf8(percentDecoded(new String(body, StandardCharsets.ISO_8859_1)))) {
        bad = "invalid UTF-8 in the form body";
      }
    }
    this.malformed = bad;
  }

  private static boolean holdsReplacementCharacter(Map<String, List<String>> params) {
    for (var entry : params.entrySet()) {
      if (entry.getKey().indexOf('\uFFFD') >= 0) {
        return true;
      }
      for (String value : entry.getValue()) {
        if (value.indexOf('\uFFFD') >= 0) {
          return true;
        }
      }
    }
    return false;
  }

  /** The bytes {@code text} (one byte per char, as it came off the wire) stands for. */
  private static byte[] percentDecoded(String text) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%' && i + 2 < text.length()
          && Character.digit(text.charAt(i + 1), 16) >= 0
          && Character.digit(text.charAt(i + 2), 16) >= 0) {
        out.write(Character.digit(text.charAt(i + 1), 16) << 4
            | Character.digit(text.charAt(i + 2), 16));
        i += 2;
      } else {
        out.write(c & 0xFF);
      }
    }
    return out.toByteArray();
  }

  private static boolean validUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes));
      return true;
    } catch (java.nio.charset.CharacterCodingException e) {
      return false;
    }
  }

  /**
   * Why the query string or form body could not be decoded (a malformed %-escape), or null; the
   * listener answers such a request 400 before any handler runs.
   */
  public String malformed() {
    return malformed;
  }

  public HttpMethod method() {
    return method;
  }

  public String path() {
    return path;
  }

  /** The first value of a query (or form) parameter, or null. */
  public String param(String name) {
    List<String> values = params.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** Every value of a repeated parameter (e.g. {@code match[]}), in order. */
  public List<String> params(String name) {
    return params.getOrDefault(name, List.of());
  }

  public String header(String name) {
    return headers.get(name);
  }

  public byte[] body() {
    return body;
  }

  /** True once the client has gone away; long work checks it to stop early. */
  public boolean clientGone() {
    return !ctx.channel().isActive();
  }

  public int status() {
    return status;
  }

  public void respond(HttpResponseStatus status, String contentType, byte[] content) {
    respond(status, contentType, content, Map.of());
  }

  /**
   * Answers with a WebSocket handshake (RFC 6455) and hands the connection over to frames: the
   * HTTP codec and aggregator leave the pipeline, {@code frames} joins its end. If the request is
   * no valid WebSocket upgrade, answers 426 and returns null.
   */
  public io.netty.channel.Channel upgradeToWebSocket(
      io.netty.channel.ChannelHandler frames, int maxFramePayloadBytes) {
    FullHttpRequest request =
        new io.netty.handler.codec.http.DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, method, uri, Unpooled.EMPTY_BUFFER, headers,
            io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
    var handshaker =
        new io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory(
                "ws://" + headers.get(HttpHeaderNames.HOST, "localhost") + path, null, true,
                maxFramePayloadBytes)
            .newHandshaker(request);
    if (handshaker == null
        || !"websocket".equalsIgnoreCase(headers.get(HttpHeaderNames.UPGRADE, ""))) {
      respond(HttpResponseStatus.UPGRADE_REQUIRED, "text/plain; charset=utf-8",
          "websocket upgrade required\n".getBytes(StandardCharsets.UTF_8));
      return null;
    }
    if (!answered.compareAndSet(false, true)) {
      return null;
    }
    this.status = HttpResponseStatus.SWITCHING_PROTOCOLS.code();
    io.netty.channel.Channel channel = ctx.channel();
    channel.pipeline().addLast(frames);
    handshaker.handshake(channel, request);
    onAnswered.run();
    return channel;
  }

  /**
   * Adds a header the answer carries unless the answer sets it itself: how the listener puts
   * {@code Retry-After} on refusals rendered by any protocol's {@link ErrorRenderer}.
   */
  void defaultHeader(String name, String value) {
    Map<String, String> with = new java.util.LinkedHashMap<>(defaultHeaders);
    with.put(name, value);
    defaultHeaders = Map.copyOf(with);
  }

  /** Sends the answer; later calls are ignored (the first answer wins). */
  public void respond(
      HttpResponseStatus status, String contentType, byte[] content, Map<String, String> extra) {
    respond(status, contentType, content, content.length, extra);
  }

  /**
   * Sends the first {@code length} bytes of {@code content} (not copied: the caller must not
   * change them); later calls are ignored.
   */
  public void respond(
      HttpResponseStatus status, String contentType, byte[] content, int length,
      Map<String, String> extra) {
    respond(status, contentType, Unpooled.wrappedBuffer(content, 0, length), extra);
  }

  /**
   * A body written straight into recycled direct buffers, for large answers: see {@link
   * DirectBody}. Hand it to {@link #respond(HttpResponseStatus, String, DirectBody, Map)}, or
   * release it.
   */
  public DirectBody directBody() {
    return new DirectBody(ctx.alloc());
  }

  /** Sends {@code body}'s bytes (which the response then owns); later calls are ignored. */
  public void respond(
      HttpResponseStatus status, String contentType, DirectBody body, Map<String, String> extra) {
    respond(status, contentType, body.take(), extra);
  }

  private void respond(
      HttpResponseStatus status, String contentType, ByteBuf content,
      Map<String, String> extra) {
    if (!answered.compareAndSet(false, true)) {
      content.release();
      return;
    }
    this.status = status.code();
    int length = content.readableBytes();
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, length);
    defaultHeaders.forEach((k, v) -> response.headers().set(k, v));
    extra.forEach((k, v) -> response.headers().set(k, v));
    if (keepAlive && !closeAfter.getAsBoolean()) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response);
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
    onAnswered.run();
  }
}

package io.icegate.server.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listening port: Netty decodes HTTP and aggregates bodies up to the size limit, then the
 * request runs on the worker pool through the handler of its path. Bodies over the limit are
 * answered 413 in the protocol's shape without being read.
 */
public final class HttpListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpListener.class);
  private static final int MAX_LINE_BYTES = 1 << 20;
  private static final int MAX_HEADER_BYTES = 1 << 20;

  private final String name;
  private final Channel channel;

  private HttpListener(String name, Channel channel) {
    this.name = name;
    this.channel = channel;
  }

  public static HttpListener start(
      String name,
      String host,
      int port,
      int maxBodyBytes,
      Map<String, Handler> routes,
      ErrorRenderer errors,
      EventLoopGroup boss,
      EventLoopGroup io,
      ExecutorService workers,
      InFlight inFlight,
      RequestObserver observer)
      throws InterruptedException {
    return start(name, host, port, maxBodyBytes,
        (long) BodyBudget.LARGEST_BODIES * maxBodyBytes, routes, errors, boss, io, workers,
        inFlight, observer);
  }

  /**
   * As above, with the request body bytes this listener holds at once ({@code
   * max_inflight_body_bytes}, {@code ServerConfig.inflightBodyBudget()}): a request that would
   * go beyond it is answered 429 on the event loop, unless nothing else is held.
   */
  public static HttpListener start(
      String name,
      String host,
      int port,
      int maxBodyBytes,
      long inflightBodyBytes,
      Map<String, Handler> routes,
      ErrorRenderer errors,
      EventLoopGroup boss,
      EventLoopGroup io,
      ExecutorService workers,
      InFlight inFlight,
      RequestObserver observer)
      throws InterruptedException {
    BodyBudget budget = new BodyBudget(inflightBodyBytes);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(boss, io)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        // Grafana sends long LogQL/PromQL in GET URLs (LogQL allows 128 KiB):
                        // allow request lines and headers up to 1 MiB, as Loki does.
                        .addLast(new HttpServerCodec(MAX_LINE_BYTES, MAX_HEADER_BYTES, 8192))
                        .addLast(new BoundedAggregator(maxBodyBytes, errors, inFlight))
                        .addLast(
                            new Dispatcher(
                                name, routes, errors, workers, inFlight, observer, budget));
                  }
                });
    Channel channel = bootstrap.bind(host, port).sync().channel();
    LOG.info("listening name={} address={}", name, channel.localAddress());
    return new HttpListener(name, channel);
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Stops accepting connections; requests in flight go on. */
  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    LOG.info("stopped listening name={}", name);
  }

  /** Answers an oversized body with 413 in the protocol's shape instead of Netty's bare text. */
  private static final class BoundedAggregator extends HttpObjectAggregator {
    private final ErrorRenderer errors;
    private final InFlight inFlight;
    private final int max;

    BoundedAggregator(int max, ErrorRenderer errors, InFlight inFlight) {
      super(max);
      this.max = max;
      this.errors = errors;
      this.inFlight = inFlight;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      if (!(oversized instanceof HttpRequest request)) {
        ctx.close();
        return;
      }
      FullHttpRequest head =
          new DefaultFullHttpRequest(request.protocolVersion(), request.method(), request.uri());
      head.headers().set(request.headers());
      // The aggregator discards the rest of this body; a keep-alive connection stays usable.
      inFlight.enter();
      try {
        HttpExchange exchange = new HttpExchange(ctx, head, inFlight::exit);
        errors.render(
            exchange,
            HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
            "request body exceeds the limit of " + max + " bytes");
      } finally {
        head.release();
      }
    }
  }

  private static final class Dispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final String name;
    private final Map<String, Handler> routes;
    private final ErrorRenderer errors;
    private final ExecutorService workers;
    private final InFlight inFlight;
    private final RequestObserver observer;
    private final BodyBudget budget;

    Dispatcher(
        String name,
        Map<String, Handler> routes,
        ErrorRenderer errors,
        ExecutorService workers,
        InFlight inFlight,
        RequestObserver observer,
        BodyBudget budget) {
      this.name = name;
      this.routes = routes;
      this.errors = errors;
      this.workers = workers;
      this.inFlight = inFlight;
      this.observer = observer;
      this.budget = budget;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      int bytes = request.content().readableBytes();
      boolean admitted = budget.tryReserve(bytes);
      inFlight.enter();
      HttpExchange exchange;
      String route = routeKey(new io.netty.handler.codec.http.QueryStringDecoder(request.uri())
          .path());
      HttpExchange[] answered = new HttpExchange[1];
      FullHttpRequest refusedHead = null;
      try {
        if (!admitted) {
          // Answered from its head alone: the body is neither copied nor decoded.
          refusedHead =
              new DefaultFullHttpRequest(request.protocolVersion(), request.method(), request.uri());
          refusedHead.headers().set(request.headers());
        }
        exchange =
            new HttpExchange(
                ctx,
                admitted ? request : refusedHead,
                () -> {
                  if (admitted) {
                    budget.release(bytes);
                  }
                  inFlight.exit();
                  observer.answered(name, route, answered[0].status());
                },
                inFlight::draining);
        answered[0] = exchange;
      } catch (RuntimeException e) {
        if (admitted) {
          budget.release(bytes);
        }
        inFlight.exit();
        throw e;
      } finally {
        if (refusedHead != null) {
          refusedHead.release();
        }
      }
      if (!admitted) {
        // Every protocol's overload answer says when to retry (Loki's renderer, for one, adds
        // Retry-After to its 503s only).
        exchange.defaultHeader("Retry-After", "1");
        errors.render(exchange, HttpResponseStatus.TOO_MANY_REQUESTS,
            "the server is overloaded, retry later: request bodies of more than "
                + budget.limit() + " bytes in flight (max_inflight_body_bytes)");
        return;
      }
      if (!request.decoderResult().isSuccess()) {
        Throwable cause = request.decoderResult().cause();
        if (cause instanceof io.netty.handler.codec.http.TooLongHttpLineException) {
          errors.render(exchange, HttpResponseStatus.REQUEST_URI_TOO_LONG,
              "request line longer than " + MAX_LINE_BYTES + " bytes");
        } else if (cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException) {
          errors.render(exchange, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
              "request headers larger than " + MAX_HEADER_BYTES + " bytes");
        } else {
          errors.render(exchange, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
        }
        return;
      }
      if (exchange.malformed() != null) {
        errors.render(exchange, HttpResponseStatus.BAD_REQUEST, exchange.malformed());
        return;
      }
      if (inFlight.draining()) {
        // Shutting down: no new work; the client retries elsewhere (or after the restart).
        errors.render(exchange, HttpResponseStatus.SERVICE_UNAVAILABLE, "server is shutting down");
        return;
      }
      Handler handler = route(exchange.path());
      if (handler == null) {
        errors.render(exchange, HttpResponseStatus.NOT_FOUND, "404 page not found");
        return;
      }
      try {
        workers.execute(() -> run(handler, exchange));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        errors.render(exchange, HttpResponseStatus.SERVICE_UNAVAILABLE, "server is shutting down");
      }
    }

    /** The handler of an exact path, or of the longest prefix route ({@code "/a/b/*"}). */
    private Handler route(String path) {
      String key = routeKey(path);
      return key == null ? null : routes.get(key);
    }

    /** The route a path belongs to (a bounded set, fit for a metric label), or null. */
    private String routeKey(String path) {
      if (routes.containsKey(path)) {
        return path;
      }
      String best = null;
      for (String key : routes.keySet()) {
        if (key.endsWith("/*")) {
          String prefix = key.substring(0, key.length() - 1);
          if (path.startsWith(prefix) && (best == null || key.length() > best.length())) {
            best = key;
          }
        }
      }
      return best;
    }

    private void run(Handler handler, HttpExchange exchange) {
      try {
        handler.handle(exchange);
      } catch (Exception | Error e) {
        LOG.error("request failed listener={} path={}", name, exchange.path(), e);
        errors.render(exchange, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error");
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("connection error listener={}", name, cause);
      ctx.close();
    }
  }
}

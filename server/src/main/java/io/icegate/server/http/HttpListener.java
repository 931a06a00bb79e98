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
      InFlight inFlight)
      throws InterruptedException {
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(boss, io)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new BoundedAggregator(maxBodyBytes, errors, inFlight))
                        .addLast(new Dispatcher(name, routes, errors, workers, inFlight));
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

    Dispatcher(
        String name,
        Map<String, Handler> routes,
        ErrorRenderer errors,
        ExecutorService workers,
        InFlight inFlight) {
      this.name = name;
      this.routes = routes;
      this.errors = errors;
      this.workers = workers;
      this.inFlight = inFlight;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      inFlight.enter();
      HttpExchange exchange;
      try {
        exchange = new HttpExchange(ctx, request, inFlight::exit);
      } catch (RuntimeException e) {
        inFlight.exit();
        throw e;
      }
      if (!request.decoderResult().isSuccess()) {
        errors.render(exchange, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
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
      Handler exact = routes.get(path);
      if (exact != null) {
        return exact;
      }
      Handler best = null;
      int bestLength = -1;
      for (var entry : routes.entrySet()) {
        String key = entry.getKey();
        if (key.endsWith("/*")) {
          String prefix = key.substring(0, key.length() - 1);
          if (path.startsWith(prefix) && prefix.length() > bestLength) {
            best = entry.getValue();
            bestLength = prefix.length();
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

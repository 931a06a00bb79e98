package io.icegate.server.push;

import io.icegate.protocol.PayloadTooLargeException;
import io.icegate.protocol.ProtocolException;
import io.icegate.server.ServerMetrics;
import io.icegate.server.Tenants;
import io.icegate.server.http.Handler;
import io.icegate.server.http.HttpExchange;
import io.icegate.server.ingest.IngestException;
import io.icegate.server.ingest.TenantLimiter;
import io.icegate.server.ingest.IngestGate;
import io.icegate.server.ingest.WalAppender;
import io.icegate.storage.ingest.BatchResult;
import io.icegate.storage.wal.WalWriter;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The push endpoints of the non-OTLP protocols — Loki's {@code POST /loki/api/v1/push} and
 * Prometheus remote-write {@code POST /api/v1/write}. Both answer 204 once the batch is durable,
 * and plain-text errors with the status their senders act on: 4xx is dropped by the sender
 * (bad data, too large), 429 and 5xx are retried (rate limit, overload, storage down). A retried
 * body (or the same {@code Idempotency-Key}) is stored once. Neither protocol has partial
 * success: the valid part of a request is stored and the rest answered 400 with the reason, as
 * Prometheus's own receiver does for samples it cannot take.
 */
public final class PushHandler implements Handler {
  /** Decodes a body and builds its batch for a tenant; throws ProtocolException on bad input. */
  @FunctionalInterface
  public interface Builder {
    BatchResult build(HttpExchange exchange, String tenant, int maxBytes, long nowNanos);
  }

  private static final String TEXT = "text/plain; charset=utf-8";

  private final String signal;
  private final WalWriter wal;
  private final Builder builder;
  private final TenantLimiter limiter;
  private final ServerMetrics metrics;
  private final int maxBodyBytes;
  private final IngestGate gate;

  public PushHandler(
      String signal, WalWriter wal, Builder builder, TenantLimiter limiter, ServerMetrics metrics,
      int maxBodyBytes) {
    this(signal, wal, builder, limiter, metrics, maxBodyBytes, IngestGate.OPEN);
  }

  /** As above; {@code gate} refuses every request while storage is known down. */
  public PushHandler(
      String signal, WalWriter wal, Builder builder, TenantLimiter limiter, ServerMetrics metrics,
      int maxBodyBytes, IngestGate gate) {
    this.gate = gate;
    this.signal = signal;
    this.wal = wal;
    this.builder = builder;
    this.limiter = limiter;
    this.metrics = metrics;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Loki's push API into the logs table. */
  public static Builder lokiPush(BufferAllocator allocator) {
    return (exchange, tenant, maxBytes, now) ->
        io.icegate.storage.ingest.LokiPushBatchBuilder.build(
            io.icegate.protocol.loki.LokiPushDecoder.DEFAULT.decode(
                exchange.body(),
                exchange.header("Content-Type"),
                exchange.header("Content-Encoding"),
                maxBytes),
            tenant, now, allocator);
  }

  /** Prometheus remote-write 1.0 into the metrics table. */
  public static Builder remoteWrite(BufferAllocator allocator) {
    return (exchange, tenant, maxBytes, now) -> {
      String type = exchange.header("Content-Type");
      if (type != null && type.contains("io.prometheus.write.v2")) {
        throw new UnsupportedMediaType(
            "remote-write 2.0 is not supported; send remote-write 1.0"
                + " (Content-Type: application/x-protobuf)");
      }
      String encoding = exchange.header("Content-Encoding");
      if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("snappy")) {
        throw new UnsupportedMediaType(
            "Content-Encoding \"" + encoding + "\" not supported; remote-write bodies are snappy");
      }
      return io.icegate.storage.ingest.MetricsBatchBuilder.build(
          io.icegate.protocol.prometheus.RemoteWriteDecoder.decode(exchange.body(), maxBytes),
          tenant, now, allocator);
    };
  }

  /** A body in a format this endpoint does not take: 415. */
  static final class UnsupportedMediaType extends ProtocolException {
    UnsupportedMediaType(String message) {
      super(message);
    }
  }

  @Override
  public void handle(HttpExchange exchange) {
    if (exchange.method() != HttpMethod.POST) {
      text(exchange, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed, use POST", null);
      return;
    }
    String tenant;
    try {
      tenant = Tenants.resolve(exchange.header(Tenants.HEADER));
    } catch (IllegalArgumentException e) {
      text(exchange, HttpResponseStatus.BAD_REQUEST, e.getMessage(), null);
      return;
    }
    int tenantMax = limiter.limits(tenant).maxRequestBytes();
    int limit = tenantMax > 0 ? Math.min(tenantMax, maxBodyBytes) : maxBodyBytes;
    BatchResult built;
    try {
      if (exchange.body().length > limit) {
        throw new PayloadTooLargeException(
            "request body of " + exchange.body().length + " bytes is larger than the limit of "
                + limit + " bytes");
      }
      gate.check();
      limiter.acquire(tenant, exchange.body().length);
      built = builder.build(exchange, tenant, limit, WalAppender.now());
    } catch (PayloadTooLargeException e) {
      text(exchange, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, e.getMessage(), null);
      return;
    } catch (UnsupportedMediaType e) {
      text(exchange, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, e.getMessage(), null);
      return;
    } catch (ProtocolException e) {
      text(exchange, HttpResponseStatus.BAD_REQUEST, e.getMessage(), null);
      return;
    } catch (IngestException e) {
      refused(exchange, e);
      return;
    }
    if (built.rejected() > 0) {
      metrics.rejectedRecords.labelValues(signal).inc(built.rejected());
    }
    String fingerprint =
        WalAppender.fingerprint(
            tenant, signal, exchange.header("Idempotency-Key"), exchange.body());
    CompletableFuture<Void> stored =
        WalAppender.append(wal, tenant, signal, built.batch(), fingerprint, metrics);
    stored.whenComplete(
        (done, error) -> {
          if (error != null) {
            Throwable cause = error instanceof CompletionException ? error.getCause() : error;
            if (cause instanceof IngestException refused) {
              refused(exchange, refused);
            } else {
              text(exchange, HttpResponseStatus.SERVICE_UNAVAILABLE,
                  "the request could not be stored; retry later", "1");
            }
          } else if (built.rejected() > 0) {
            text(exchange, HttpResponseStatus.BAD_REQUEST,
                built.rejected() + " of the request's records were rejected (the rest are stored): "
                    + built.rejectionMessage(), null);
          } else {
            exchange.respond(HttpResponseStatus.NO_CONTENT, TEXT, new byte[0]);
          }
        });
  }

  private static void refused(HttpExchange exchange, IngestException e) {
    HttpResponseStatus status =
        switch (e.kind()) {
          case BAD_DATA -> HttpResponseStatus.BAD_REQUEST;
          case TOO_LARGE -> HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
          case RATE_LIMITED, OVERLOADED -> HttpResponseStatus.TOO_MANY_REQUESTS;
          case UNAVAILABLE -> HttpResponseStatus.SERVICE_UNAVAILABLE;
        };
    String retry =
        e.retryAfter() == null
            ? null
            : Long.toString(Math.max(1, (e.retryAfter().toMillis() + 999) / 1000));
    text(exchange, status, e.getMessage(), retry);
  }

  private static void text(
      HttpExchange exchange, HttpResponseStatus status, String message, String retryAfter) {
    byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.respond(
        status, TEXT, body, retryAfter == null ? Map.of() : Map.of("Retry-After", retryAfter));
  }
}

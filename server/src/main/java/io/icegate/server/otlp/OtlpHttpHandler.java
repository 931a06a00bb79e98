package io.icegate.server.otlp;

import com.google.protobuf.Message;
import io.icegate.protocol.Compression;
import io.icegate.protocol.PayloadTooLargeException;
import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.otlp.OtlpEncoding;
import io.icegate.protocol.otlp.OtlpResponses;
import io.icegate.server.Tenants;
import io.icegate.server.http.Handler;
import io.icegate.server.http.HttpExchange;
import io.icegate.server.ingest.IngestException;
import io.icegate.server.ingest.SignalIngest;
import io.icegate.server.ingest.TenantLimiter;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/logs} (and the other signals' paths) per the OTLP/HTTP specification: protobuf
 * or JSON, optionally gzip; the 200 goes out only once the records are durable in the WAL and
 * visible to queries; invalid records are reported as partial success; errors carry a {@code
 * google.rpc.Status} in the request's encoding, with {@code Retry-After} when a retry can help.
 */
public final class OtlpHttpHandler<R extends Message> implements Handler {
  private static final Logger LOG = LoggerFactory.getLogger(OtlpHttpHandler.class);
  // gRPC codes, which OTLP/HTTP puts in Status.code.
  private static final int INVALID_ARGUMENT = 3;
  private static final int RESOURCE_EXHAUSTED = 8;
  private static final int UNIMPLEMENTED = 12;
  private static final int UNAVAILABLE = 14;

  private final OtlpSignal<R> signal;
  private final SignalIngest<R> ingest;
  private final TenantLimiter limiter;
  private final int maxBodyBytes;

  /** With a null {@code ingest} the signal is answered 501 (not stored yet). */
  public OtlpHttpHandler(
      OtlpSignal<R> signal, SignalIngest<R> ingest, TenantLimiter limiter, int maxBodyBytes) {
    this.signal = signal;
    this.ingest = ingest;
    this.limiter = limiter;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void handle(HttpExchange exchange) {
    OtlpEncoding encoding =
        OtlpEncoding.fromContentType(exchange.header("Content-Type")).orElse(null);
    OtlpEncoding answerIn = encoding == null ? OtlpEncoding.JSON : encoding;
    if (exchange.method() != HttpMethod.POST) {
      fail(exchange, answerIn, HttpResponseStatus.METHOD_NOT_ALLOWED, INVALID_ARGUMENT,
          "method " + exchange.method() + " not allowed, use POST", null);
      return;
    }
    if (encoding == null) {
      fail(exchange, answerIn, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, INVALID_ARGUMENT,
          "unsupported content type \"" + exchange.header("Content-Type")
              + "\": use application/x-protobuf or application/json", null);
      return;
    }
    if (ingest == null) {
      fail(exchange, encoding, HttpResponseStatus.NOT_IMPLEMENTED, UNIMPLEMENTED,
          "OTLP " + signal.name() + " are not stored by this server yet; only logs are", null);
      return;
    }
    String tenant;
    try {
      tenant = Tenants.resolve(exchange.header(Tenants.HEADER));
    } catch (IllegalArgumentException e) {
      fail(exchange, encoding, HttpResponseStatus.BAD_REQUEST, INVALID_ARGUMENT, e.getMessage(),
          null);
      return;
    }
    int tenantMax = limiter.limits(tenant).maxRequestBytes();
    int limit = tenantMax > 0 ? Math.min(tenantMax, maxBodyBytes) : maxBodyBytes;
    R request = null;
    byte[] protobuf = null;
    try {
      if (exchange.body().length > limit) {
        throw new PayloadTooLargeException(tooLarge(exchange.body().length, limit, tenantMax));
      }
      byte[] body = inflate(exchange, limit, tenantMax);
      if (encoding == OtlpEncoding.PROTOBUF) {
        protobuf = body; // decoded by the ingest path, which may read the bytes directly
      } else {
        request = signal.decodeJson().apply(body);
      }
    } catch (PayloadTooLargeException e) {
      fail(exchange, encoding, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, RESOURCE_EXHAUSTED,
          e.getMessage(), null);
      return;
    } catch (UnsupportedEncodingException e) {
      fail(exchange, encoding, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, INVALID_ARGUMENT,
          e.getMessage(), null);
      return;
    } catch (ProtocolException e) {
      fail(exchange, encoding, HttpResponseStatus.BAD_REQUEST, INVALID_ARGUMENT, e.getMessage(),
          null);
      return;
    }
    CompletableFuture<SignalIngest.Outcome> stored;
    try {
      String idempotencyKey = exchange.header("Idempotency-Key");
      stored =
          protobuf != null
              ? ingest.exportProtobuf(tenant, protobuf, signal.decodeProtobuf(), idempotencyKey)
              : ingest.export(tenant, request, idempotencyKey, null);
    } catch (ProtocolException e) {
      fail(exchange, encoding, HttpResponseStatus.BAD_REQUEST, INVALID_ARGUMENT, e.getMessage(),
          null);
      return;
    } catch (IngestException e) {
      stored = CompletableFuture.failedFuture(e);
    }
    stored.whenComplete(
        (outcome, error) -> {
          if (error == null) {
            exchange.respond(
                HttpResponseStatus.OK, encoding.contentType(),
                signal.httpAnswer().apply(encoding, outcome));
            return;
          }
          Throwable cause = error instanceof CompletionException ? error.getCause() : error;
          if (cause instanceof IngestException refused) {
            refuse(exchange, encoding, refused);
          } else {
            LOG.error("{} ingest failed tenant={}", signal.name(), tenant, cause);
            fail(exchange, encoding, HttpResponseStatus.SERVICE_UNAVAILABLE, UNAVAILABLE,
                "the records could not be stored; retry later", "1");
          }
        });
  }

  private static String tooLarge(long size, int limit, int tenantMax) {
    String key = tenantMax > 0 && tenantMax == limit ? "limits.max_request_bytes" : "max_request_bytes";
    return "request body of " + size + " bytes exceeds the limit of " + limit + " bytes ("
        + key + ")";
  }

  /** The answer OTLP/HTTP prescribes for each way a whole request can be refused. */
  private static void refuse(HttpExchange exchange, OtlpEncoding encoding, IngestException e) {
    switch (e.kind()) {
      case BAD_DATA -> fail(exchange, encoding, HttpResponseStatus.BAD_REQUEST, INVALID_ARGUMENT,
          e.getMessage(), null);
      case TOO_LARGE -> fail(exchange, encoding, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          RESOURCE_EXHAUSTED, e.getMessage(), null);
      case RATE_LIMITED, OVERLOADED -> fail(exchange, encoding,
          HttpResponseStatus.TOO_MANY_REQUESTS, RESOURCE_EXHAUSTED, e.getMessage(),
          e.retryAfterSeconds());
      case UNAVAILABLE -> fail(exchange, encoding, HttpResponseStatus.SERVICE_UNAVAILABLE,
          UNAVAILABLE, e.getMessage(), e.retryAfterSeconds());
    }
  }

  private byte[] inflate(HttpExchange exchange, int limit, int tenantMax) {
    String contentEncoding = exchange.header("Content-Encoding");
    if (contentEncoding == null
        || contentEncoding.isEmpty()
        || contentEncoding.equalsIgnoreCase("identity")) {
      return exchange.body();
    }
    if (contentEncoding.equalsIgnoreCase("gzip")) {
      if (limit == maxBodyBytes) {
        return Compression.gunzip(exchange.body(), limit);
      }
      byte[] inflated = Compression.gunzip(exchange.body(), maxBodyBytes);
      if (inflated.length > limit) {
        throw new PayloadTooLargeException(tooLarge(inflated.length, limit, tenantMax));
      }
      return inflated;
    }
    throw new UnsupportedEncodingException(
        "unsupported content encoding \"" + contentEncoding + "\": use gzip or none");
  }

  private static void fail(
      HttpExchange exchange,
      OtlpEncoding encoding,
      HttpResponseStatus status,
      int grpcCode,
      String message,
      String retryAfter) {
    Map<String, String> headers = retryAfter != null ? Map.of("Retry-After", retryAfter) : Map.of();
    exchange.respond(
        status, encoding.contentType(), OtlpResponses.status(encoding, grpcCode, message), headers);
  }

  /** A Content-Encoding we don't decode: 415, not 400. */
  private static final class UnsupportedEncodingException extends ProtocolException {
    UnsupportedEncodingException(String message) {
      super(message);
    }
  }
}

package io.icegate.server.otlp;

import io.icegate.protocol.Compression;
import io.icegate.protocol.PayloadTooLargeException;
import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.otlp.OtlpEncoding;
import io.icegate.protocol.otlp.OtlpLogsDecoder;
import io.icegate.protocol.otlp.OtlpResponses;
import io.icegate.server.ServerMetrics;
import io.icegate.server.Tenants;
import io.icegate.server.http.Handler;
import io.icegate.server.http.HttpExchange;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.wal.RequestFingerprint;
import io.icegate.storage.wal.WalWriter;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/logs} per the OTLP/HTTP specification: protobuf or JSON, optionally gzip; the
 * 200 goes out only once the records are durable in the WAL and visible to queries; invalid
 * records are reported as partial success; errors carry a {@code google.rpc.Status} in the
 * request's encoding.
 */
public final class OtlpLogsHandler implements Handler {
  private static final Logger LOG = LoggerFactory.getLogger(OtlpLogsHandler.class);
  // gRPC codes, which OTLP/HTTP puts in Status.code.
  private static final int INVALID_ARGUMENT = 3;
  private static final int RESOURCE_EXHAUSTED = 8;
  private static final int UNAVAILABLE = 14;

  private final WalWriter wal;
  private final BufferAllocator allocator;
  private final int maxBodyBytes;
  private final ServerMetrics metrics;

  public OtlpLogsHandler(
      WalWriter wal, BufferAllocator allocator, int maxBodyBytes, ServerMetrics metrics) {
    this.wal = wal;
    this.allocator = allocator;
    this.maxBodyBytes = maxBodyBytes;
    this.metrics = metrics;
  }

  @Override
  public void handle(HttpExchange exchange) {
    OtlpEncoding encoding =
        OtlpEncoding.fromContentType(exchange.header("Content-Type")).orElse(null);
    OtlpEncoding answerIn = encoding == null ? OtlpEncoding.JSON : encoding;
    if (exchange.method() != HttpMethod.POST) {
      fail(exchange, answerIn, HttpResponseStatus.METHOD_NOT_ALLOWED, INVALID_ARGUMENT,
          "method " + exchange.method() + " not allowed, use POST");
      return;
    }
    if (encoding == null) {
      fail(exchange, answerIn, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, INVALID_ARGUMENT,
          "unsupported content type \"" + exchange.header("Content-Type")
              + "\": use application/x-protobuf or application/json");
      return;
    }
    String tenant;
    try {
      tenant = Tenants.resolve(exchange.header(Tenants.HEADER));
    } catch (IllegalArgumentException e) {
      fail(exchange, encoding, HttpResponseStatus.BAD_REQUEST, INVALID_ARGUMENT, e.getMessage());
      return;
    }
    ExportLogsServiceRequest request;
    try {
      byte[] body = inflate(exchange);
      request =
          encoding == OtlpEncoding.PROTOBUF
              ? OtlpLogsDecoder.decodeProtobuf(body)
              : OtlpLogsDecoder.decodeJson(body);
    } catch (PayloadTooLargeException e) {
      fail(exchange, encoding, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, RESOURCE_EXHAUSTED,
          e.getMessage());
      return;
    } catch (UnsupportedEncodingException e) {
      fail(exchange, encoding, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, INVALID_ARGUMENT,
          e.getMessage());
      return;
    } catch (ProtocolException e) {
      fail(exchange, encoding, HttpResponseStatus.BAD_REQUEST, INVALID_ARGUMENT, e.getMessage());
      return;
    }
    LogsBatchBuilder.Result built =
        LogsBatchBuilder.build(request, tenant, now(), allocator);
    int rows = built.batch().getRowCount();
    if (built.rejected() > 0) {
      metrics.rejectedRecords.labelValues("logs").inc(built.rejected());
    }
    if (rows == 0) {
      built.batch().close();
      succeed(exchange, encoding, built);
      return;
    }
    // A client's retry (same payload, or same Idempotency-Key) is acknowledged and stored once.
    String key = exchange.header("Idempotency-Key");
    String fingerprint =
        key != null && !key.isBlank()
            ? RequestFingerprint.ofKey(tenant, "logs", key)
            : RequestFingerprint.ofPayload(tenant, "logs", request.toByteArray());
    wal.append(tenant, built.batch(), fingerprint)
        .whenComplete(
            (segment, error) -> {
              if (error != null) {
                LOG.warn("logs not stored tenant={} rows={}", tenant, rows, error);
                fail(exchange, encoding, HttpResponseStatus.SERVICE_UNAVAILABLE, UNAVAILABLE,
                    "the records could not be stored; retry later");
              } else {
                metrics.ingestedRecords.labelValues("logs").inc(rows);
                succeed(exchange, encoding, built);
              }
            });
  }

  private byte[] inflate(HttpExchange exchange) {
    String contentEncoding = exchange.header("Content-Encoding");
    if (contentEncoding == null
        || contentEncoding.isEmpty()
        || contentEncoding.equalsIgnoreCase("identity")) {
      return exchange.body();
    }
    if (contentEncoding.equalsIgnoreCase("gzip")) {
      return Compression.gunzip(exchange.body(), maxBodyBytes);
    }
    throw new UnsupportedEncodingException(
        "unsupported content encoding \"" + contentEncoding + "\": use gzip or none");
  }

  private static void succeed(
      HttpExchange exchange, OtlpEncoding encoding, LogsBatchBuilder.Result built) {
    byte[] body =
        built.rejected() > 0
            ? OtlpResponses.logsPartialSuccess(encoding, built.rejected(), built.rejectionMessage())
            : OtlpResponses.logsSuccess(encoding);
    exchange.respond(HttpResponseStatus.OK, encoding.contentType(), body);
  }

  private static void fail(
      HttpExchange exchange,
      OtlpEncoding encoding,
      HttpResponseStatus status,
      int grpcCode,
      String message) {
    Map<String, String> headers =
        status == HttpResponseStatus.SERVICE_UNAVAILABLE ? Map.of("Retry-After", "1") : Map.of();
    exchange.respond(
        status, encoding.contentType(), OtlpResponses.status(encoding, grpcCode, message), headers);
  }

  private static long now() {
    java.time.Instant t = java.time.Instant.now();
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  /** A Content-Encoding we don't decode: 415, not 400. */
  private static final class UnsupportedEncodingException extends ProtocolException {
    UnsupportedEncodingException(String message) {
      super(message);
    }
  }
}

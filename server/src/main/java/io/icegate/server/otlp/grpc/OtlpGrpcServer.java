package io.icegate.server.otlp.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.icegate.protocol.ProtocolException;
import io.icegate.server.Tenants;
import io.icegate.server.ingest.IngestException;
import io.icegate.server.ingest.SignalIngest;
import io.icegate.server.ingest.TenantLimiter;
import io.icegate.server.otlp.OtlpSignal;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP/gRPC: the Logs, Trace and Metrics services' {@code Export}, with grpc-java's shaded Netty
 * transport (so its Netty never meets the one our HTTP listeners use). Each signal goes through the
 * same {@link SignalIngest} as OTLP/HTTP; a signal without one answers UNIMPLEMENTED. Errors use
 * the codes the OTLP specification gives: INVALID_ARGUMENT for bad data, RESOURCE_EXHAUSTED (with
 * RetryInfo when a retry can succeed) for limits and backpressure, UNAVAILABLE (with RetryInfo)
 * when storage failed. Requests may be gzip-compressed; the tenant is the {@code x-scope-orgid}
 * metadata.
 */
public final class OtlpGrpcServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OtlpGrpcServer.class);
  static final Metadata.Key<String> TENANT =
      Metadata.Key.of("x-scope-orgid", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<String> TENANT_HEADER = Context.key("icegate-tenant");

  private final Server server;

  /** The ingest of each signal; null for one not stored yet (answered UNIMPLEMENTED). */
  public record Signals(
      SignalIngest<io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest> logs,
      SignalIngest<io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest> traces,
      SignalIngest<io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest>
          metrics) {}

  private OtlpGrpcServer(Server server) {
    this.server = server;
  }

  /** Binds {@code host:port} (0 = any free port) and starts serving. */
  public static OtlpGrpcServer start(
      String host, int port, int maxMessageBytes, Signals signals, TenantLimiter limiter,
      Executor executor) throws IOException {
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
            .maxInboundMessageSize(maxMessageBytes)
            .executor(executor)
            .intercept(new TenantInterceptor())
            .addService(service(OtlpSignal.LOGS, signals.logs(), limiter))
            .addService(service(OtlpSignal.TRACES, signals.traces(), limiter))
            .addService(service(OtlpSignal.METRICS, signals.metrics(), limiter))
            .build()
            .start();
    return new OtlpGrpcServer(server);
  }

  public int port() {
    return server.getPort();
  }

  /**
   * Stops taking calls and waits (up to {@code grace}) for the calls in flight, whose clients get
   * their answers; then cuts what is left.
   */
  public void close(Duration grace) {
    server.shutdown();
    try {
      if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
        server.awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }

  private static <R extends Message> ServerServiceDefinition service(
      OtlpSignal<R> signal, SignalIngest<R> ingest, TenantLimiter limiter) {
    MethodDescriptor<byte[], Message> export =
        MethodDescriptor.<byte[], Message>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(signal.grpcService(), "Export"))
            .setRequestMarshaller(new BytesMarshaller())
            .setResponseMarshaller(new ResponseMarshaller())
            .build();
    return ServerServiceDefinition.builder(signal.grpcService())
        .addMethod(
            export,
            ServerCalls.asyncUnaryCall(
                (request, observer) -> export(signal, ingest, limiter, request, observer)))
        .build();
  }

  private static <R extends Message> void export(
      OtlpSignal<R> signal,
      SignalIngest<R> ingest,
      TenantLimiter limiter,
      byte[] body,
      StreamObserver<Message> observer) {
    if (ingest == null) {
      observer.onError(
          Status.UNIMPLEMENTED
              .withDescription(
                  "OTLP " + signal.name() + " are not stored by this server yet; only logs are")
              .asRuntimeException());
      return;
    }
    String tenant;
    try {
      tenant = Tenants.resolve(TENANT_HEADER.get());
    } catch (IllegalArgumentException e) {
      observer.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    int tenantMax = limiter.limits(tenant).maxRequestBytes();
    if (tenantMax > 0 && body.length > tenantMax) {
      observer.onError(
          Status.RESOURCE_EXHAUSTED
              .withDescription(
                  "request of " + body.length + " bytes exceeds the limit of "
                      + tenantMax + " bytes (limits.max_request_bytes)")
              .asRuntimeException());
      return;
    }
    // Decoded here, not in a marshaller: grpc-java turns a marshaller's error into UNKNOWN, and
    // OTLP wants INVALID_ARGUMENT for a message that does not decode.
    CompletableFuture<SignalIngest.Outcome> stored;
    try {
      stored = ingest.exportProtobuf(tenant, body, signal.decodeProtobuf(), null);
    } catch (ProtocolException e) {
      observer.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    } catch (IngestException e) {
      stored = CompletableFuture.failedFuture(e);
    }
    stored.whenComplete(
        (outcome, error) -> {
          if (error == null) {
            observer.onNext(signal.grpcAnswer().apply(outcome));
            observer.onCompleted();
            return;
          }
          Throwable cause = error instanceof CompletionException ? error.getCause() : error;
          if (cause instanceof IngestException refused) {
            observer.onError(toStatus(refused));
          } else {
            LOG.error("{} ingest failed tenant={}", signal.name(), tenant, cause);
            observer.onError(
                retryable(Code.UNAVAILABLE, "the records could not be stored; retry later",
                    Duration.ofSeconds(1)));
          }
        });
  }

  /** The gRPC status OTLP prescribes for each way a whole request can be refused. */
  static StatusRuntimeException toStatus(IngestException e) {
    return switch (e.kind()) {
      case BAD_DATA -> Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
      case TOO_LARGE ->
          Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException();
      case RATE_LIMITED, OVERLOADED ->
          retryable(Code.RESOURCE_EXHAUSTED, e.getMessage(), e.retryAfter());
      case UNAVAILABLE -> retryable(Code.UNAVAILABLE, e.getMessage(), e.retryAfter());
    };
  }

  /** A status whose details carry {@code google.rpc.RetryInfo}, which OTLP clients honour. */
  private static StatusRuntimeException retryable(Code code, String message, Duration after) {
    Duration delay = after == null ? Duration.ofSeconds(1) : after;
    com.google.rpc.Status status =
        com.google.rpc.Status.newBuilder()
            .setCode(code.getNumber())
            .setMessage(message)
            .addDetails(
                Any.pack(
                    RetryInfo.newBuilder()
                        .setRetryDelay(
                            com.google.protobuf.Duration.newBuilder()
                                .setSeconds(delay.getSeconds())
                                .setNanos(delay.getNano()))
                        .build()))
            .build();
    return StatusProto.toStatusRuntimeException(status);
  }

  /** Puts the {@code x-scope-orgid} metadata into the call's context. */
  private static final class TenantInterceptor implements ServerInterceptor {
    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
      Context context = Context.current().withValue(TENANT_HEADER, headers.get(TENANT));
      return Contexts.interceptCall(context, call, headers, next);
    }
  }

  /** The request's bytes as they came (already inflated by grpc-java if gzip). */
  private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  private static final class ResponseMarshaller implements MethodDescriptor.Marshaller<Message> {
    @Override
    public InputStream stream(Message value) {
      return new ByteArrayInputStream(value.toByteArray());
    }

    @Override
    public Message parse(InputStream stream) {
      throw new UnsupportedOperationException("the server never reads responses");
    }
  }
}

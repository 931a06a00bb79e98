package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.resources.Resource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OTLP/gRPC against the shaded server jar run as a child process (so the jar's merged service
 * files are what grpc-java finds): the OpenTelemetry Java SDK's gRPC log exporter sends, gzip and
 * with a tenant in {@code x-scope-orgid}, and the lines come back through the Loki API; raw
 * grpc-java calls check the status codes the OTLP specification gives.
 */
class OtlpGrpcTest {
  private static final Path SERVER_JAR =
      Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
          .resolve("../server/target/icegate-server.jar")
          .normalize();
  private static final Pattern GRPC_PORT = Pattern.compile("OTLP/gRPC :(\\d+)");
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long SECOND = 1_000_000_000L;

  @TempDir static Path dataDir;
  @TempDir static Path logDir;
  private static ServerProcess server;
  private static int grpcPort;
  private static ManagedChannel channel;
  private static final LokiClient LOKI = new LokiClient(() -> server.lokiPort());

  @BeforeAll
  static void startServerJar() throws Exception {
    assumeTrue(
        Files.isRegularFile(SERVER_JAR),
        "the runnable server jar " + SERVER_JAR + " is not built (mvn -pl server -am package)");
    server = ServerProcess.start(SERVER_JAR, dataDir, logDir, Duration.ofSeconds(90));
    Matcher port = GRPC_PORT.matcher(server.output());
    assertThat(port.find()).as("gRPC port in the ready line:\n%s", server.output()).isTrue();
    grpcPort = Integer.parseInt(port.group(1));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void sdkGrpcExporterLogsAreServedByLoki() {
    String tenant = "grpc-sdk";
    OtlpGrpcLogRecordExporter exporter =
        OtlpGrpcLogRecordExporter.builder()
            .setEndpoint("http://127.0.0.1:" + grpcPort)
            .setCompression("gzip")
            .addHeader("x-scope-orgid", tenant)
            .setTimeout(Duration.ofSeconds(30))
            .build();
    List<CompletableResultCode> exports = new ArrayList<>();
    SdkLoggerProvider provider =
        SdkLoggerProvider.builder()
            .setResource(
                Resource.create(
                    Attributes.of(AttributeKey.stringKey("service.name"), "grpc-checkout")))
            .addLogRecordProcessor(
                SimpleLogRecordProcessor.create(
                    new RecordingExporter(exporter, exports)))
            .build();
    List<String> lines = List.of("grpc one", "grpc two ünïcödé", "grpc three " + "x".repeat(3000));
    try {
      Logger logger = provider.get("io.icegate.tck.grpc");
      for (int i = 0; i < lines.size(); i++) {
        logger
            .logRecordBuilder()
            .setTimestamp(T0 + i * SECOND, TimeUnit.NANOSECONDS)
            .setSeverity(Severity.INFO)
            .setBody(lines.get(i))
            .emit();
      }
      assertThat(provider.forceFlush().join(60, TimeUnit.SECONDS).isSuccess()).isTrue();
      for (CompletableResultCode export : exports) {
        export.join(60, TimeUnit.SECONDS);
        assertThat(export.isSuccess())
            .as("gRPC export acknowledged (%s)", export.getFailureThrowable())
            .isTrue();
      }
      assertThat(exports).hasSize(lines.size());
    } finally {
      provider.shutdown().join(30, TimeUnit.SECONDS);
    }

    LokiResponse response =
        LOKI.queryRange(
            LokiQuery.of("{service_name=\"grpc-checkout\"}")
                .between(T0 - SECOND, T0 + 10 * SECOND)
                .forward()
                .tenant(tenant));
    // Loki's OTLP mapping keeps the severity number (INFO: 9; no severity text was set) and the
    // logger's instrumentation scope name as structured metadata, which the answer's labels
    // include, with the detected_level Loki derives from that number (9–12: info).
    Map<String, String> labels =
        Map.of(
            "service_name", "grpc-checkout", "severity_number", "9",
            "scope_name", "io.icegate.tck.grpc", "detected_level", "info");
    assertThat(response.entries())
        .containsExactly(
            new LokiResponse.Entry(labels, T0, lines.get(0)),
            new LokiResponse.Entry(labels, T0 + SECOND, lines.get(1)),
            new LokiResponse.Entry(labels, T0 + 2 * SECOND, lines.get(2)));
    // Nothing under the default tenant.
    assertThat(
            LOKI.queryRange(
                    LokiQuery.of("{service_name=\"grpc-checkout\"}")
                        .between(T0 - SECOND, T0 + 10 * SECOND))
                .entries())
        .isEmpty();
  }

  @Test
  void rawProtobufExportIsAcknowledgedWithAnEmptyResponse() throws Exception {
    byte[] request = OtlpBodies.protobuf("grpc-raw", List.of(new SentLine(T0, "raw grpc line")));

    byte[] response = call("opentelemetry.proto.collector.logs.v1.LogsService", request, "raw");

    assertThat(ExportLogsServiceResponse.parseFrom(response).hasPartialSuccess()).isFalse();
    assertThat(
            LOKI.queryRange(
                    LokiQuery.of("{service_name=\"grpc-raw\"}")
                        .between(T0 - SECOND, T0 + SECOND)
                        .tenant("raw"))
                .lines())
        .containsExactly("raw grpc line");
  }

  @Test
  void undecodableMessageIsInvalidArgument() {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                call(
                    "opentelemetry.proto.collector.logs.v1.LogsService",
                    new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff},
                    null));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).isNotBlank().doesNotContain("Exception");
  }

  @Test
  void invalidTenantIsInvalidArgument() {
    byte[] request = OtlpBodies.protobuf("grpc-raw", List.of(new SentLine(T0, "never stored")));

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> call("opentelemetry.proto.collector.logs.v1.LogsService", request, ".."));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).isEqualTo("tenant ID is '.' or '..'");
  }

  @Test
  void tracesAndMetricsServicesStoreTheirSignals() {
    // An empty export is a valid request for both: OK with an empty response (no partial
    // success). What the services store is checked field by field in SignalsIngestTest.
    for (String service :
        List.of(
            "opentelemetry.proto.collector.trace.v1.TraceService",
            "opentelemetry.proto.collector.metrics.v1.MetricsService")) {
      byte[] response =
          call(service, ExportTraceServiceRequest.getDefaultInstance().toByteArray(), null);
      assertThat(response).as(service).isEmpty();
    }
  }

  @Test
  void unknownServiceIsUnimplementedByGrpcItself() {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> call("no.such.Service", new byte[0], null));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
  }

  /** A unary {@code Export} call with the raw request bytes; returns the response bytes. */
  private static byte[] call(String service, byte[] request, String tenant) {
    MethodDescriptor<byte[], byte[]> method =
        MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(service, "Export"))
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();
    Metadata headers = new Metadata();
    if (tenant != null) {
      headers.put(Metadata.Key.of("x-scope-orgid", Metadata.ASCII_STRING_MARSHALLER), tenant);
    }
    var intercepted =
        io.grpc.ClientInterceptors.intercept(
            channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    return ClientCalls.blockingUnaryCall(
        intercepted, method, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), request);
  }

  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  /** Keeps each export's result: the SDK's processors only log a failed export. */
  private static final class RecordingExporter
      implements io.opentelemetry.sdk.logs.export.LogRecordExporter {
    private final io.opentelemetry.sdk.logs.export.LogRecordExporter delegate;
    private final List<CompletableResultCode> results;

    RecordingExporter(
        io.opentelemetry.sdk.logs.export.LogRecordExporter delegate,
        List<CompletableResultCode> results) {
      this.delegate = delegate;
      this.results = results;
    }

    @Override
    public CompletableResultCode export(
        java.util.Collection<io.opentelemetry.sdk.logs.data.LogRecordData> logs) {
      CompletableResultCode result = delegate.export(logs);
      synchronized (results) {
        results.add(result);
      }
      return result;
    }

    @Override
    public CompletableResultCode flush() {
      return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
      return delegate.shutdown();
    }
  }
}

package io.icegate.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.RetryInfo;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.icegate.server.IceGateServer;
import io.icegate.server.config.Limits;
import io.icegate.server.config.ServerConfig;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-tenant limits, each breached on purpose: the exact status, headers and message (naming the
 * limit's key), nothing of a refused record stored, and after every test the server still
 * acknowledges a good request of another tenant.
 */
class TenantLimitsTest {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long SECOND = 1_000_000_000L;

  @TempDir static Path dataDir;
  private static IceGateServer server;
  private static RawOtlpHttp http;
  private static ManagedChannel channel;

  @BeforeAll
  static void startServerWithTenantOverrides() throws Exception {
    Limits defaults = Limits.DEFAULT;
    server =
        IceGateServer.start(
            ServerConfig.defaults()
                .withDataDir(dataDir)
                .withPorts("127.0.0.1", 0, 0)
                .withLimits(
                    defaults,
                    Map.of(
                        // 1 kB/s: the first request fits the 3 kB burst, an immediate second not.
                        "slow", defaults.withIngestionRate(1000, 3000),
                        "slow-grpc", defaults.withIngestionRate(1000, 3000),
                        "small", defaults.withMaxRequestBytes(1000),
                        "strict", defaults.withRecordLimits(2, 12, 30))));
    http = new RawOtlpHttp(server.otlpHttpPort());
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.otlpGrpcPort()).usePlaintext().build();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }

  @AfterEach
  void serverStillServesOtherTenants() {
    RawOtlpHttp.Answer answer =
        post("unlimited", request(resource("still-serving"), record("still fine", 0)));
    assertThat(answer.status()).isEqualTo(200);
  }

  @Test
  void ingestionRateOverTheBucketIs429WithRetryAfterNamingTheLimit() {
    ExportLogsServiceRequest first = request(resource("rate"), record("x".repeat(2000), 0));
    ExportLogsServiceRequest second = request(resource("rate"), record("y".repeat(2000), 0));
    int size = second.getSerializedSize();

    assertThat(post("slow", first).status()).isEqualTo(200);
    RawOtlpHttp.Answer refused = post("slow", second);

    assertThat(refused.status()).isEqualTo(429);
    // ~1 kB are back after 1 s; the request needs ~2 kB: the client may retry after 2 s at most.
    assertThat(Integer.parseInt(refused.retryAfter())).isBetween(1, 2);
    assertThat(refused.otlp().statusCode()).isEqualTo(8);
    assertThat(refused.otlp().statusMessage())
        .isEqualTo(
            "ingestion rate limit exceeded for tenant 'slow' (limit ingestion_rate_bytes=1000"
                + " bytes/s, ingestion_burst_bytes=3000) while attempting to ingest " + size
                + " bytes");
    assertThat(stored("slow", "rate")).containsExactly("x".repeat(2000));
  }

  @Test
  void ingestionRateOverTheBucketIsResourceExhaustedWithRetryInfoOverGrpc() {
    ExportLogsServiceRequest first = request(resource("rate"), record("x".repeat(2000), 0));
    ExportLogsServiceRequest second = request(resource("rate"), record("y".repeat(2000), 0));

    grpcExport("slow-grpc", first);
    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> grpcExport("slow-grpc", second));

    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    assertThat(status.getCode()).isEqualTo(8);
    assertThat(status.getMessage())
        .startsWith("ingestion rate limit exceeded for tenant 'slow-grpc' (limit"
            + " ingestion_rate_bytes=1000 bytes/s");
    assertThat(status.getDetailsList()).hasSize(1);
    RetryInfo retry;
    try {
      retry = status.getDetails(0).unpack(RetryInfo.class);
    } catch (InvalidProtocolBufferException ex) {
      throw new AssertionError(ex);
    }
    long delayMillis = retry.getRetryDelay().getSeconds() * 1000 + retry.getRetryDelay().getNanos() / 1_000_000;
    assertThat(delayMillis).isBetween(1L, 2100L);
    assertThat(stored("slow-grpc", "rate")).containsExactly("x".repeat(2000));
  }

  @Test
  void requestOverTheTenantsSizeLimitIs413() {
    ExportLogsServiceRequest big = request(resource("size"), record("z".repeat(1500), 0));
    int size = big.getSerializedSize();

    RawOtlpHttp.Answer refused = post("small", big);

    assertThat(refused.status()).isEqualTo(413);
    assertThat(refused.retryAfter()).isNull();
    assertThat(refused.otlp().statusCode()).isEqualTo(8);
    assertThat(refused.otlp().statusMessage())
        .isEqualTo(
            "request body of " + size
                + " bytes exceeds the limit of 1000 bytes (limits.max_request_bytes)");
    assertThat(post("small", request(resource("size"), record("small enough", 0))).status())
        .isEqualTo(200);
    assertThat(stored("small", "size")).containsExactly("small enough");
  }

  @Test
  void recordWithTooManyAttributesIsRejectedAsPartialSuccess() throws Exception {
    LogRecord ok = record("two attributes", 0).toBuilder().addAttributes(kv("a", "1"))
        .addAttributes(kv("b", "2")).build();
    LogRecord over = record("three attributes", 1).toBuilder().addAttributes(kv("a", "1"))
        .addAttributes(kv("b", "2")).addAttributes(kv("c", "3")).build();

    RawOtlpHttp.Answer answer = post("strict", request(resource("attrs"), ok, over));

    assertThat(answer.status()).isEqualTo(200);
    ExportLogsServiceResponse response = ExportLogsServiceResponse.parseFrom(answer.otlp().body());
    assertThat(response.getPartialSuccess().getRejectedLogRecords()).isEqualTo(1);
    assertThat(response.getPartialSuccess().getErrorMessage())
        .isEqualTo(
            "too many attributes on a log record (limit max_attributes_per_record=2): the record"
                + " has 3");
    assertThat(stored("strict", "attrs")).containsExactly("two attributes");
  }

  @Test
  void labelValueTooLongRejectsTheResourcesRecords() throws Exception {
    String service = "v".repeat(40);
    RawOtlpHttp.Answer answer =
        post("strict", request(resource(service), record("one", 0), record("two", 1)));

    assertThat(answer.status()).isEqualTo(200);
    ExportLogsServiceResponse response = ExportLogsServiceResponse.parseFrom(answer.otlp().body());
    assertThat(response.getPartialSuccess().getRejectedLogRecords()).isEqualTo(2);
    assertThat(response.getPartialSuccess().getErrorMessage())
        .isEqualTo(
            "label value too long (limit max_label_value_length=30): label 'service_name' has a"
                + " value of 40 characters");
    assertThat(stored("strict", service)).isEmpty();
  }

  @Test
  void labelNameTooLongRejectsOnlyThatResourcesRecords() throws Exception {
    ResourceLogs withLongName =
        ResourceLogs.newBuilder()
            .setResource(
                Resource.newBuilder()
                    .addAttributes(kv("service.name", "names"))
                    // Loki's mapping makes it the label k8s_namespace_name: 18 characters.
                    .addAttributes(kv("k8s.namespace.name", "prod")))
            .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(record("long label name", 0)))
            .build();
    ExportLogsServiceRequest request =
        ExportLogsServiceRequest.newBuilder()
            .addResourceLogs(withLongName)
            .addResourceLogs(
                request(resource("names"), record("short labels", 1)).getResourceLogs(0))
            .build();

    RawOtlpHttp.Answer answer = post("strict", request);

    ExportLogsServiceResponse response = ExportLogsServiceResponse.parseFrom(answer.otlp().body());
    assertThat(answer.status()).isEqualTo(200);
    assertThat(response.getPartialSuccess().getRejectedLogRecords()).isEqualTo(1);
    assertThat(response.getPartialSuccess().getErrorMessage())
        .isEqualTo(
            "label name too long (limit max_label_name_length=12): 'k8s_namespace_name' has 18"
                + " characters");
    assertThat(stored("strict", "names")).containsExactly("short labels");
  }

  // ---- helpers ----

  private static RawOtlpHttp.Answer post(String tenant, ExportLogsServiceRequest request) {
    return http.post(
        "/v1/logs", OtlpHttpClient.PROTOBUF, Map.of("X-Scope-OrgID", tenant),
        request.toByteArray());
  }

  private static void grpcExport(String tenant, ExportLogsServiceRequest request) {
    MethodDescriptor<ExportLogsServiceRequest, ExportLogsServiceResponse> method =
        MethodDescriptor.<ExportLogsServiceRequest, ExportLogsServiceResponse>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("opentelemetry.proto.collector.logs.v1.LogsService/Export")
            .setRequestMarshaller(ProtoUtils.marshaller(ExportLogsServiceRequest.getDefaultInstance()))
            .setResponseMarshaller(
                ProtoUtils.marshaller(ExportLogsServiceResponse.getDefaultInstance()))
            .build();
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("x-scope-orgid", Metadata.ASCII_STRING_MARSHALLER), tenant);
    ClientCalls.blockingUnaryCall(
        ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)),
        method,
        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
        request);
  }

  private static List<String> stored(String tenant, String service) {
    return new LokiClient(server::lokiPort)
        .queryRange(
            LokiQuery.of("{service_name=\"" + service + "\"}")
                .between(T0 - SECOND, T0 + 10 * SECOND)
                .forward()
                .tenant(tenant))
        .lines();
  }

  private static Resource resource(String service) {
    return Resource.newBuilder().addAttributes(kv("service.name", service)).build();
  }

  private static ExportLogsServiceRequest request(Resource resource, LogRecord... records) {
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(resource)
                .addScopeLogs(ScopeLogs.newBuilder().addAllLogRecords(List.of(records))))
        .build();
  }

  private static LogRecord record(String line, int second) {
    return LogRecord.newBuilder()
        .setTimeUnixNano(T0 + second * SECOND)
        .setBody(AnyValue.newBuilder().setStringValue(line))
        .build();
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}

package io.icegate.protocol.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.AnyProto;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OtlpResponsesTest {
  /** google/rpc/status.proto, declared here because the module does not ship it. */
  private static final Descriptor STATUS = statusDescriptor();

  @Test
  void successIsEmptyInBothEncodings() {
    assertThat(OtlpResponses.logsSuccess(OtlpEncoding.PROTOBUF)).isEmpty();
    assertThat(utf8(OtlpResponses.logsSuccess(OtlpEncoding.JSON))).isEqualTo("{}");
  }

  @Test
  void partialSuccessJsonUsesCamelCaseAndInt64AsString() {
    byte[] json =
        OtlpResponses.logsPartialSuccess(OtlpEncoding.JSON, 3, "3 records had no timestamp");

    assertThat(utf8(json))
        .isEqualTo(
            "{\"partialSuccess\":{\"rejectedLogRecords\":\"3\","
                + "\"errorMessage\":\"3 records had no timestamp\"}}");
  }

  @Test
  void partialSuccessWithoutRejectionsIsAWarning() {
    assertThat(utf8(OtlpResponses.logsPartialSuccess(OtlpEncoding.JSON, 0, "slow down")))
        .isEqualTo("{\"partialSuccess\":{\"errorMessage\":\"slow down\"}}");
  }

  @Test
  void partialSuccessProtobufDecodesAsTheResponseMessage() throws Exception {
    byte[] bytes = OtlpResponses.logsPartialSuccess(OtlpEncoding.PROTOBUF, 7, "bad records");

    ExportLogsServiceResponse response = ExportLogsServiceResponse.parseFrom(bytes);

    assertThat(response.getPartialSuccess().getRejectedLogRecords()).isEqualTo(7);
    assertThat(response.getPartialSuccess().getErrorMessage()).isEqualTo("bad records");
  }

  @Test
  void tracesAndMetricsSuccessAreEmptyInBothEncodings() {
    assertThat(OtlpResponses.tracesSuccess(OtlpEncoding.PROTOBUF)).isEmpty();
    assertThat(utf8(OtlpResponses.tracesSuccess(OtlpEncoding.JSON))).isEqualTo("{}");
    assertThat(OtlpResponses.metricsSuccess(OtlpEncoding.PROTOBUF)).isEmpty();
    assertThat(utf8(OtlpResponses.metricsSuccess(OtlpEncoding.JSON))).isEqualTo("{}");
  }

  @Test
  void tracesPartialSuccessCountsRejectedSpans() throws Exception {
    assertThat(utf8(OtlpResponses.tracesPartialSuccess(OtlpEncoding.JSON, 2, "spans too old")))
        .isEqualTo(
            "{\"partialSuccess\":{\"rejectedSpans\":\"2\",\"errorMessage\":\"spans too old\"}}");

    ExportTraceServiceResponse response =
        ExportTraceServiceResponse.parseFrom(
            OtlpResponses.tracesPartialSuccess(OtlpEncoding.PROTOBUF, 2, "spans too old"));

    assertThat(response.getPartialSuccess().getRejectedSpans()).isEqualTo(2);
    assertThat(response.getPartialSuccess().getErrorMessage()).isEqualTo("spans too old");
  }

  @Test
  void metricsPartialSuccessCountsRejectedDataPoints() throws Exception {
    assertThat(
            utf8(OtlpResponses.metricsPartialSuccess(OtlpEncoding.JSON, 5, "delta not supported")))
        .isEqualTo(
            "{\"partialSuccess\":{\"rejectedDataPoints\":\"5\","
                + "\"errorMessage\":\"delta not supported\"}}");

    ExportMetricsServiceResponse response =
        ExportMetricsServiceResponse.parseFrom(
            OtlpResponses.metricsPartialSuccess(OtlpEncoding.PROTOBUF, 5, "delta not supported"));

    assertThat(response.getPartialSuccess().getRejectedDataPoints()).isEqualTo(5);
    assertThat(response.getPartialSuccess().getErrorMessage()).isEqualTo("delta not supported");
  }

  @Test
  void statusProtobufIsAGoogleRpcStatus() throws Exception {
    byte[] bytes = OtlpResponses.status(OtlpEncoding.PROTOBUF, 3, "invalid OTLP JSON: ünïcode");

    DynamicMessage status = DynamicMessage.parseFrom(STATUS, bytes);

    assertThat(status.getField(STATUS.findFieldByName("code"))).isEqualTo(3);
    assertThat(status.getField(STATUS.findFieldByName("message")))
        .isEqualTo("invalid OTLP JSON: ünïcode");
    assertThat(status.getUnknownFields().asMap()).isEmpty();
  }

  @Test
  void statusJsonMatchesProto3JsonOfTheSameStatus() throws Exception {
    byte[] json = OtlpResponses.status(OtlpEncoding.JSON, 8, "too \"many\" requests");

    DynamicMessage.Builder parsed = DynamicMessage.newBuilder(STATUS);
    JsonFormat.parser().merge(utf8(json), parsed);

    assertThat(utf8(json)).isEqualTo("{\"code\":8,\"message\":\"too \\\"many\\\" requests\"}");
    byte[] protobuf = OtlpResponses.status(OtlpEncoding.PROTOBUF, 8, "too \"many\" requests");
    assertThat(parsed.build()).isEqualTo(DynamicMessage.parseFrom(STATUS, protobuf));
  }

  @Test
  void statusLeavesOutDefaultsLikeProto3() {
    assertThat(OtlpResponses.status(OtlpEncoding.PROTOBUF, 0, "")).isEmpty();
    assertThat(utf8(OtlpResponses.status(OtlpEncoding.JSON, 0, ""))).isEqualTo("{}");
  }

  @Test
  void contentTypeSelectsTheEncoding() {
    assertThat(OtlpEncoding.fromContentType("application/x-protobuf"))
        .contains(OtlpEncoding.PROTOBUF);
    assertThat(OtlpEncoding.fromContentType("Application/JSON; charset=utf-8"))
        .contains(OtlpEncoding.JSON);
    assertThat(OtlpEncoding.fromContentType("text/plain")).isEmpty();
    assertThat(OtlpEncoding.fromContentType(null)).isEmpty();
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static Descriptor statusDescriptor() {
    FileDescriptorProto file =
        FileDescriptorProto.newBuilder()
            .setName("google/rpc/status.proto")
            .setPackage("google.rpc")
            .setSyntax("proto3")
            .addDependency("google/protobuf/any.proto")
            .addMessageType(
                DescriptorProto.newBuilder()
                    .setName("Status")
                    .addField(field("code", 1, FieldDescriptorProto.Type.TYPE_INT32))
                    .addField(field("message", 2, FieldDescriptorProto.Type.TYPE_STRING))
                    .addField(
                        field("details", 3, FieldDescriptorProto.Type.TYPE_MESSAGE)
                            .setLabel(FieldDescriptorProto.Label.LABEL_REPEATED)
                            .setTypeName(".google.protobuf.Any")))
            .build();
    try {
      return FileDescriptor.buildFrom(file, new FileDescriptor[] {AnyProto.getDescriptor()})
          .findMessageTypeByName("Status");
    } catch (DescriptorValidationException e) {
      throw new AssertionError(e);
    }
  }

  private static FieldDescriptorProto.Builder field(
      String name, int number, FieldDescriptorProto.Type type) {
    return FieldDescriptorProto.newBuilder()
        .setName(name)
        .setNumber(number)
        .setType(type)
        .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL);
  }
}

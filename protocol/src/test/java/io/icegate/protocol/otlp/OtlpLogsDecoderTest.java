package io.icegate.protocol.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.icegate.protocol.Fuzzer;
import io.icegate.protocol.ProtocolException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class OtlpLogsDecoderTest {
  private static final String TRACE_ID = "5b8efff798038103d269b633813fc60c";
  private static final String SPAN_ID = "eee19b7ec3c1b174";

  // ---- protobuf ----

  @Test
  void protobufRoundTripKeepsEveryField() {
    ExportLogsServiceRequest request = sampleRequest();

    ExportLogsServiceRequest decoded = OtlpLogsDecoder.decodeProtobuf(request.toByteArray());

    assertThat(decoded).isEqualTo(request);
  }

  @Test
  void emptyProtobufBodyIsAnEmptyRequest() {
    assertThat(OtlpLogsDecoder.decodeProtobuf(new byte[0]).getResourceLogsCount()).isZero();
  }

  @Test
  void truncatedProtobufIsRejectedWithProtobufsExplanation() {
    byte[] full = sampleRequest().toByteArray();
    byte[] truncated = Arrays.copyOf(full, full.length - 7);

    assertThatThrownBy(() -> OtlpLogsDecoder.decodeProtobuf(truncated))
        .isInstanceOf(ProtocolException.class)
        .hasMessageStartingWith("invalid OTLP protobuf: ")
        .hasMessageContaining("truncated");
  }

  @Test
  void protobufWithInvalidWireTypeIsRejected() {
    // Field 1 with wire type 7, which does not exist.
    byte[] garbage = {0x0f, 0x01, 0x02};

    assertThatThrownBy(() -> OtlpLogsDecoder.decodeProtobuf(garbage))
        .isInstanceOf(ProtocolException.class)
        .hasMessageStartingWith("invalid OTLP protobuf: ")
        .hasMessageNotContaining("Exception");
  }

  // ---- JSON ----

  /** Written by hand after the OTLP specification's example (file-format and JSON encoding). */
  private static final String SPEC_STYLE_JSON =
      """
{
  "resourceLogs": [{
    "resource": {
      "attributes": [
        {"key": "service.name", "value": {"stringValue": "checkout"}},
        {"key": "host.cpu.count", "value": {"intValue": "8"}}
      ],
      "droppedAttributesCount": 1
    },
    "scopeLogs": [{
      "scope": {
        "name": "my.library",
        "version": "1.0.0",
        "attributes": [{"key": "my.scope.attribute", "value": {"stringValue": "x"}}]
      },
      "logRecords": [{
        "timeUnixNano": "1544712660300000000",
        "observedTimeUnixNano": 1544712660300000001,
        "severityNumber": 10,
        "severityText": "Information",
        "traceId": "5B8EFFF798038103D269B633813FC60C",
        "spanId": "eee19b7ec3c1b174",
        "flags": 1,
        "eventName": "checkout.done",
        "body": {"stringValue": "Example log record"},
        "attributes": [
          {"key": "string.attribute", "value": {"stringValue": "some string"}},
          {"key": "boolean.attribute", "value": {"boolValue": true}},
          {"key": "int.attribute", "value": {"intValue": "10"}},
          {"key": "int.number.attribute", "value": {"intValue": -3}},
          {"key": "double.attribute", "value": {"doubleValue": 637.704}},
          {"key": "nan.attribute", "value": {"doubleValue": "NaN"}},
          {"key": "bytes.attribute", "value": {"bytesValue": "AQID/w=="}},
          {"key": "array.attribute",
           "value": {"arrayValue": {"values": [{"stringValue": "many"}, {"intValue": "2"}]}}},
          {"key": "map.attribute",
           "value": {"kvlistValue": {"values": [
             {"key": "some.map.key", "value": {"stringValue": "some value"}}]}}},
          {"key": "empty.attribute", "value": {}}
        ],
        "droppedAttributesCount": 2
      }],
      "schemaUrl": "https://opentelemetry.io/schemas/1.24.0"
    }],
    "schemaUrl": "https://opentelemetry.io/schemas/1.24.0"
  }]
}
""";

  @Test
  void specStyleJsonDecodesEveryField() {
    ExportLogsServiceRequest request = decodeJson(SPEC_STYLE_JSON);

    ResourceLogs resourceLogs = request.getResourceLogs(0);
    assertThat(resourceLogs.getSchemaUrl()).isEqualTo("https://opentelemetry.io/schemas/1.24.0");
    assertThat(resourceLogs.getResource().getAttributesList())
        .containsExactly(
            keyValue("service.name", string("checkout")),
            keyValue("host.cpu.count", AnyValue.newBuilder().setIntValue(8).build()));
    assertThat(resourceLogs.getResource().getDroppedAttributesCount()).isEqualTo(1);

    ScopeLogs scopeLogs = resourceLogs.getScopeLogs(0);
    assertThat(scopeLogs.getScope().getName()).isEqualTo("my.library");
    assertThat(scopeLogs.getScope().getVersion()).isEqualTo("1.0.0");
    assertThat(scopeLogs.getScope().getAttributesList())
        .containsExactly(keyValue("my.scope.attribute", string("x")));
    assertThat(scopeLogs.getSchemaUrl()).isEqualTo("https://opentelemetry.io/schemas/1.24.0");

    LogRecord log = scopeLogs.getLogRecords(0);
    assertThat(log.getTimeUnixNano()).isEqualTo(1544712660300000000L);
    assertThat(log.getObservedTimeUnixNano()).isEqualTo(1544712660300000001L);
    assertThat(log.getSeverityNumber()).isEqualTo(SeverityNumber.SEVERITY_NUMBER_INFO2);
    assertThat(log.getSeverityText()).isEqualTo("Information");
    assertThat(log.getTraceId()).isEqualTo(hex(TRACE_ID));
    assertThat(log.getSpanId()).isEqualTo(hex(SPAN_ID));
    assertThat(log.getFlags()).isEqualTo(1);
    assertThat(log.getEventName()).isEqualTo("checkout.done");
    assertThat(log.getBody()).isEqualTo(string("Example log record"));
    assertThat(log.getDroppedAttributesCount()).isEqualTo(2);
    assertThat(log.getAttributesList())
        .containsExactly(
            keyValue("string.attribute", string("some string")),
            keyValue("boolean.attribute", AnyValue.newBuilder().setBoolValue(true).build()),
            keyValue("int.attribute", AnyValue.newBuilder().setIntValue(10).build()),
            keyValue("int.number.attribute", AnyValue.newBuilder().setIntValue(-3).build()),
            keyValue("double.attribute", AnyValue.newBuilder().setDoubleValue(637.704).build()),
            keyValue("nan.attribute", AnyValue.newBuilder().setDoubleValue(Double.NaN).build()),
            keyValue(
                "bytes.attribute",
                AnyValue.newBuilder()
                    .setBytesValue(ByteString.copyFrom(new byte[] {1, 2, 3, (byte) 0xff}))
                    .build()),
            keyValue(
                "array.attribute",
                AnyValue.newBuilder()
                    .setArrayValue(
                        ArrayValue.newBuilder()
                            .addValues(string("many"))
                            .addValues(AnyValue.newBuilder().setIntValue(2)))
                    .build()),
            keyValue(
                "map.attribute",
                AnyValue.newBuilder()
                    .setKvlistValue(
                        KeyValueList.newBuilder()
                            .addValues(keyValue("some.map.key", string("some value"))))
                    .build()),
            keyValue("empty.attribute", AnyValue.getDefaultInstance()));
  }

  @Test
  void snakeCaseFieldNamesAndEnumNamesAreAccepted() {
    String json =
        """
        {"resource_logs": [{"scope_logs": [{"log_records": [{
          "time_unix_nano": 7, "severity_number": "SEVERITY_NUMBER_ERROR",
          "trace_id": "%s", "span_id": "%s"}]}]}]}
        """
            .formatted(TRACE_ID, SPAN_ID);

    LogRecord log = firstLog(decodeJson(json));

    assertThat(log.getTimeUnixNano()).isEqualTo(7);
    assertThat(log.getSeverityNumber()).isEqualTo(SeverityNumber.SEVERITY_NUMBER_ERROR);
    assertThat(log.getTraceId()).isEqualTo(hex(TRACE_ID));
    assertThat(log.getSpanId()).isEqualTo(hex(SPAN_ID));
  }

  @Test
  void emptyTraceAndSpanIdsMeanAbsent() {
    LogRecord log = firstLog(decodeJson(oneLog("{\"traceId\":\"\",\"spanId\":\"\"}")));

    assertThat(log.getTraceId()).isEmpty();
    assertThat(log.getSpanId()).isEmpty();
  }

  @Test
  void unknownFieldsAreIgnoredAtEveryLevel() {
    String json =
        """
        {"futureTopLevel": {"a": [1, 2, {"b": null}]},
         "resourceLogs": [{"newField": true, "scopeLogs": [{"logRecords": [{
           "body": {"stringValue": "kept", "newKind": 1}, "severityNumber": 9, "x": "y"}]}]}]}
        """;

    LogRecord log = firstLog(decodeJson(json));

    assertThat(log.getBody().getStringValue()).isEqualTo("kept");
    assertThat(log.getSeverityNumber()).isEqualTo(SeverityNumber.SEVERITY_NUMBER_INFO);
  }

  @Test
  void unknownEnumNumberIsKeptLikeProtobufKeepsIt() {
    LogRecord log = firstLog(decodeJson(oneLog("{\"severityNumber\":99}")));

    assertThat(log.getSeverityNumberValue()).isEqualTo(99);
  }

  @Test
  void nullMeansTheDefaultValue() {
    LogRecord log =
        firstLog(
            decodeJson(
                "{\"resourceLogs\":[{\"resource\":null,\"scopeLogs\":[{\"logRecords\":"
                    + "[{\"body\":null,\"timeUnixNano\":null}]}]}]}"));

    assertThat(log.hasBody()).isFalse();
    assertThat(log.getTimeUnixNano()).isZero();
  }

  @Test
  void largestUnsignedTimestampIsAccepted() {
    LogRecord log = firstLog(decodeJson(oneLog("{\"timeUnixNano\":\"18446744073709551615\"}")));

    assertThat(log.getTimeUnixNano()).isEqualTo(-1L); // all 64 bits set
  }

  @Test
  void emptyObjectIsAnEmptyRequest() {
    assertThat(decodeJson("{}").getResourceLogsCount()).isZero();
  }

  @Test
  void jsonAndProtobufOfTheSameRequestDecodeEqual() {
    ExportLogsServiceRequest fromJson = decodeJson(SPEC_STYLE_JSON);

    assertThat(OtlpLogsDecoder.decodeProtobuf(fromJson.toByteArray())).isEqualTo(fromJson);
  }

  // ---- JSON errors ----

  @Test
  void shortTraceIdIsRejectedWithItsPath() {
    assertJsonRejected(
        oneLog("{\"traceId\":\"abcde\"}"),
        "invalid OTLP JSON: field \"resourceLogs[0].scopeLogs[0].logRecords[0].traceId\": "
            + "expected 32 hex characters, got 5");
  }

  @Test
  void base64SpanIdIsRejectedBecauseOtlpIdsAreHex() {
    assertJsonRejected(
        oneLog("{},{\"spanId\":\"7uGbfsPBsXQ=\"}"),
        "invalid OTLP JSON: field \"resourceLogs[0].scopeLogs[0].logRecords[1].spanId\": "
            + "expected 16 hex characters, got 12");
  }

  @Test
  void nonHexCharacterInIdIsRejected() {
    assertJsonRejected(
        oneLog("{\"spanId\":\"eee19b7ec3c1b17g\"}"),
        "invalid OTLP JSON: field \"resourceLogs[0].scopeLogs[0].logRecords[0].spanId\": "
            + "expected hex characters, got \"eee19b7ec3c1b17g\"");
  }

  @Test
  void wrongTypeIsRejectedWithPathAndValue() {
    assertJsonRejected(
        oneLog("{\"timeUnixNano\":\"yesterday\"}"),
        "invalid OTLP JSON: field \"resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano\": "
            + "expected an unsigned 64-bit integer, got \"yesterday\"");
    assertJsonRejected(
        "{\"resourceLogs\":[{\"scopeLogs\":{}}]}",
        "invalid OTLP JSON: field \"resourceLogs[0].scopeLogs\": expected an array, got an object");
    assertJsonRejected(
        "{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":1}]}}]}",
        "invalid OTLP JSON: field \"resourceLogs[0].resource.attributes[0].key\": "
            + "expected a string, got a number");
  }

  @Test
  void outOfRangeIntegersAreRejected() {
    assertJsonRejected(
        oneLog("{\"flags\":-1}"),
        "invalid OTLP JSON: field \"resourceLogs[0].scopeLogs[0].logRecords[0].flags\": "
            + "expected an unsigned 32-bit integer, got -1, out of range");
    assertJsonRejected(
        oneLog("{\"body\":{\"intValue\":\"1e999999999\"}}"),
        "invalid OTLP JSON: field \"resourceLogs[0].scopeLogs[0].logRecords[0].body.intValue\": "
            + "expected a 64-bit integer, got \"1e999999999\", out of range");
    // Exponents beyond the range of int, which BigDecimal cannot hold or would overflow.
    assertJsonRejected(
        oneLog("{\"body\":{\"intValue\":\"1e2147483647\"}}"),
        "invalid OTLP JSON: field \"resourceLogs[0].scopeLogs[0].logRecords[0].body.intValue\": "
            + "expected a 64-bit integer, got \"1e2147483647\", out of range");
    assertJsonRejected(
        oneLog("{\"body\":{\"intValue\":\"1e99999999999\"}}"),
        "invalid OTLP JSON: field \"resourceLogs[0].scopeLogs[0].logRecords[0].body.intValue\": "
            + "expected a 64-bit integer, got \"1e99999999999\", out of range");
    assertJsonRejected(
        oneLog("{\"body\":{\"intValue\":1.5}}"),
        "invalid OTLP JSON: field \"resourceLogs[0].scopeLogs[0].logRecords[0].body.intValue\": "
            + "expected a 64-bit integer, got 1.5");
  }

  @Test
  void twoValuesOfOneAnyValueAreRejected() {
    assertJsonRejected(
        "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":"
            + "{\"stringValue\":\"a\",\"intValue\":\"1\"}}]}]}]}",
        "invalid OTLP JSON: field \"resourceLogs[0].scopeLogs[0].logRecords[0].body.intValue\": "
            + "only one field of \"value\" may be set, but stringValue is set too");
  }

  @Test
  void sameFieldUnderBothNamesIsRejected() {
    assertJsonRejected(
        "{\"resourceLogs\":[{\"schemaUrl\":\"a\",\"schema_url\":\"b\"}]}",
        "invalid OTLP JSON: field \"resourceLogs[0].schema_url\": "
            + "the field is given twice (camelCase and snake_case name)");
  }

  @Test
  void malformedJsonIsRejectedWithItsPosition() {
    assertThatThrownBy(() -> decodeJson("{\"resourceLogs\": [}"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageStartingWith("invalid OTLP JSON: malformed JSON at line 1, column 19")
        .hasMessageNotContaining("Source")
        .hasMessageNotContaining("jackson");
    assertThatThrownBy(() -> decodeJson("{\"resourceLogs\": ["))
        .isInstanceOf(ProtocolException.class)
        .hasMessageStartingWith("invalid OTLP JSON: malformed JSON at line 1")
        .hasMessageNotContaining("Source")
        .hasMessageNotContaining("StreamReadFeature");
  }

  @Test
  void duplicateKeyIsRejected() {
    assertThatThrownBy(() -> decodeJson("{\"resourceLogs\": [], \"resourceLogs\": []}"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageStartingWith("invalid OTLP JSON: malformed JSON at line 1")
        .hasMessageContaining("Duplicate field 'resourceLogs'");
  }

  @Test
  void nonObjectBodiesAreRejected() {
    assertJsonRejected("", "invalid OTLP JSON: the body is empty");
    assertJsonRejected(
        "[]", "invalid OTLP JSON: expected a JSON object at the top level, got an array");
    assertJsonRejected("{} {}", "invalid OTLP JSON: unexpected data after the top-level object");
  }

  @Test
  void nestingBeyondProtobufsRecursionLimitIsRejected() {
    String open = "{\"kvlistValue\":{\"values\":[{\"key\":\"k\",\"value\":";
    String close = "}]}}";
    String body = open.repeat(40) + "{}" + close.repeat(40);
    String json = oneLog("{\"body\":" + body + "}");

    assertThatThrownBy(() -> decodeJson(json))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("messages are nested deeper than 100 levels");
  }

  @Test
  void jsonNestedBeyondTheParsersLimitIsRejectedWithoutNamingJackson() {
    String deep = "[".repeat(2_000) + "]".repeat(2_000);

    assertThatThrownBy(() -> decodeJson("{\"unknownField\": " + deep + "}"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageStartingWith("invalid OTLP JSON: malformed JSON")
        .hasMessageContaining("nesting depth")
        .hasMessageNotContaining("StreamReadConstraints")
        .hasMessageNotContaining("`");
  }

  // ---- fuzzing ----

  @Test
  void fuzzedProtobufOnlyEverFailsWithProtocolException() {
    Fuzzer.assertOnlyProtocolExceptions(
        20_251_105L,
        3_000,
        List.of(sampleRequest().toByteArray(), decodeJson(SPEC_STYLE_JSON).toByteArray()),
        OtlpLogsDecoder::decodeProtobuf);
  }

  @Test
  void fuzzedJsonOnlyEverFailsWithProtocolException() {
    Fuzzer.assertOnlyProtocolExceptions(
        20_251_106L,
        3_000,
        List.of(SPEC_STYLE_JSON.getBytes(StandardCharsets.UTF_8)),
        OtlpLogsDecoder::decodeJson);
  }

  // ---- fixtures ----

  private static ExportLogsServiceRequest sampleRequest() {
    LogRecord log =
        LogRecord.newBuilder()
            .setTimeUnixNano(1_700_000_000_123_456_789L)
            .setObservedTimeUnixNano(1_700_000_000_200_000_000L)
            .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_WARN)
            .setSeverityText("WARN")
            .setBody(string("disk almost full"))
            .addAttributes(keyValue("disk", string("/dev/sda1")))
            .addAttributes(keyValue("used", AnyValue.newBuilder().setDoubleValue(0.97).build()))
            .setTraceId(hex(TRACE_ID))
            .setSpanId(hex(SPAN_ID))
            .setFlags(1)
            .build();
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(
                    Resource.newBuilder().addAttributes(keyValue("service.name", string("api"))))
                .addScopeLogs(
                    ScopeLogs.newBuilder()
                        .setScope(InstrumentationScope.newBuilder().setName("logback"))
                        .addLogRecords(log)))
        .build();
  }

  private static ExportLogsServiceRequest decodeJson(String json) {
    return OtlpLogsDecoder.decodeJson(json.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertJsonRejected(String json, String message) {
    assertThatThrownBy(() -> decodeJson(json))
        .isInstanceOf(ProtocolException.class)
        .hasMessage(message);
  }

  /** An export request around log records written as JSON. */
  private static String oneLog(String logRecords) {
    return "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[" + logRecords + "]}]}]}";
  }

  private static LogRecord firstLog(ExportLogsServiceRequest request) {
    return request.getResourceLogs(0).getScopeLogs(0).getLogRecords(0);
  }

  private static AnyValue string(String value) {
    return AnyValue.newBuilder().setStringValue(value).build();
  }

  private static KeyValue keyValue(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static ByteString hex(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }
}

package io.icegate.protocol.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.icegate.protocol.Fuzzer;
import io.icegate.protocol.ProtocolException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class OtlpTracesDecoderTest {
  private static final String TRACE_ID = "5b8efff798038103d269b633813fc60c";
  private static final String SPAN_ID = "eee19b7ec3c1b174";
  private static final String PARENT_ID = "7a2190356c3fc94b";
  private static final String LINKED_TRACE = "0af7651916cd43dd8448eb211c80319c";
  private static final String LINKED_SPAN = "b7ad6b7169203331";

  /** Every field of a span, its event, link and status, built with the generated builders. */
  private static final ExportTraceServiceRequest EXPECTED =
      ExportTraceServiceRequest.newBuilder()
          .addResourceSpans(
              ResourceSpans.newBuilder()
                  .setResource(
                      Resource.newBuilder()
                          .addAttributes(keyValue("service.name", "checkout"))
                          .setDroppedAttributesCount(1))
                  .setSchemaUrl("https://opentelemetry.io/schemas/1.24.0")
                  .addScopeSpans(
                      ScopeSpans.newBuilder()
                          .setScope(
                              InstrumentationScope.newBuilder()
                                  .setName("io.opentelemetry.okhttp")
                                  .setVersion("1.2.3"))
                          .setSchemaUrl("https://opentelemetry.io/schemas/1.24.0")
                          .addSpans(
                              Span.newBuilder()
                                  .setTraceId(hex(TRACE_ID))
                                  .setSpanId(hex(SPAN_ID))
                                  .setTraceState("rojo=00f067aa0ba902b7")
                                  .setParentSpanId(hex(PARENT_ID))
                                  .setFlags(0x301)
                                  .setName("GET /checkout")
                                  .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                                  .setStartTimeUnixNano(1_700_000_000_000_000_000L)
                                  .setEndTimeUnixNano(1_700_000_000_250_000_001L)
                                  .addAttributes(keyValue("http.method", "GET"))
                                  .addAttributes(
                                      KeyValue.newBuilder()
                                          .setKey("http.status_code")
                                          .setValue(AnyValue.newBuilder().setIntValue(200)))
                                  .setDroppedAttributesCount(2)
                                  .addEvents(
                                      Span.Event.newBuilder()
                                          .setTimeUnixNano(1_700_000_000_100_000_000L)
                                          .setName("exception")
                                          .addAttributes(keyValue("exception.type", "Timeout"))
                                          .setDroppedAttributesCount(3))
                                  .setDroppedEventsCount(4)
                                  .addLinks(
                                      Span.Link.newBuilder()
                                          .setTraceId(hex(LINKED_TRACE))
                                          .setSpanId(hex(LINKED_SPAN))
                                          .setTraceState("congo=t61rcWkgMzE")
                                          .addAttributes(keyValue("link.kind", "batch"))
                                          .setDroppedAttributesCount(5)
                                          .setFlags(0x100))
                                  .setDroppedLinksCount(6)
                                  .setStatus(
                                      Status.newBuilder()
                                          .setMessage("deadline exceeded")
                                          .setCode(Status.StatusCode.STATUS_CODE_ERROR)))))
          .build();

  /** The same request in OTLP/JSON, written by hand after the specification's examples. */
  private static final String JSON =
      """
      {"resourceSpans": [{
        "resource": {
          "attributes": [{"key": "service.name", "value": {"stringValue": "checkout"}}],
          "droppedAttributesCount": 1
        },
        "schemaUrl": "https://opentelemetry.io/schemas/1.24.0",
        "scopeSpans": [{
          "scope": {"name": "io.opentelemetry.okhttp", "version": "1.2.3"},
          "schemaUrl": "https://opentelemetry.io/schemas/1.24.0",
          "spans": [{
            "traceId": "5B8EFFF798038103D269B633813FC60C",
            "spanId": "eee19b7ec3c1b174",
            "traceState": "rojo=00f067aa0ba902b7",
            "parentSpanId": "7a2190356c3fc94b",
            "flags": 769,
            "name": "GET /checkout",
            "kind": 2,
            "startTimeUnixNano": "1700000000000000000",
            "endTimeUnixNano": 1700000000250000001,
            "attributes": [
              {"key": "http.method", "value": {"stringValue": "GET"}},
              {"key": "http.status_code", "value": {"intValue": "200"}}
            ],
            "droppedAttributesCount": 2,
            "events": [{
              "timeUnixNano": "1700000000100000000",
              "name": "exception",
              "attributes": [{"key": "exception.type", "value": {"stringValue": "Timeout"}}],
              "droppedAttributesCount": 3
            }],
            "droppedEventsCount": 4,
            "links": [{
              "traceId": "0af7651916cd43dd8448eb211c80319c",
              "spanId": "b7ad6b7169203331",
              "traceState": "congo=t61rcWkgMzE",
              "attributes": [{"key": "link.kind", "value": {"stringValue": "batch"}}],
              "droppedAttributesCount": 5,
              "flags": 256
            }],
            "droppedLinksCount": 6,
            "status": {"message": "deadline exceeded", "code": 2}
          }]
        }]
      }]}
      """;

  @Test
  void protobufRoundTripKeepsEveryField() {
    assertThat(OtlpTracesDecoder.decodeProtobuf(EXPECTED.toByteArray())).isEqualTo(EXPECTED);
  }

  @Test
  void jsonDecodesEveryFieldOfSpansEventsLinksAndStatus() {
    assertThat(decodeJson(JSON)).isEqualTo(EXPECTED);
  }

  @Test
  void enumNamesAndSnakeCaseAreAccepted() {
    String json =
        """
        {"resource_spans": [{"scope_spans": [{"spans": [{
          "trace_id": "%s", "span_id": "%s", "parent_span_id": "",
          "kind": "SPAN_KIND_CONSUMER", "status": {"code": "STATUS_CODE_OK"}}]}]}]}
        """
            .formatted(TRACE_ID, SPAN_ID);

    Span span = firstSpan(decodeJson(json));

    assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CONSUMER);
    assertThat(span.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_OK);
    assertThat(span.getParentSpanId()).isEmpty();
  }

  @Test
  void truncatedProtobufIsRejected() {
    byte[] full = EXPECTED.toByteArray();

    assertThatThrownBy(() -> OtlpTracesDecoder.decodeProtobuf(Arrays.copyOf(full, full.length - 5)))
        .isInstanceOf(ProtocolException.class)
        .hasMessageStartingWith("invalid OTLP protobuf: ")
        .hasMessageContaining("truncated");
  }

  @Test
  void badIdsInSpansAndLinksAreRejectedWithTheirPath() {
    assertJsonRejected(
        oneSpan("{\"parentSpanId\":\"7a21\"}"),
        "invalid OTLP JSON: field \"resourceSpans[0].scopeSpans[0].spans[0].parentSpanId\": "
            + "expected 16 hex characters, got 4");
    assertJsonRejected(
        oneSpan("{\"links\":[{\"traceId\":\"" + TRACE_ID + "\",\"spanId\":\"zzzzzzzzzzzzzzzz\"}]}"),
        "invalid OTLP JSON: field \"resourceSpans[0].scopeSpans[0].spans[0].links[0].spanId\": "
            + "expected hex characters, got \"zzzzzzzzzzzzzzzz\"");
    assertJsonRejected(
        oneSpan("{\"links\":[{\"traceId\":\"W4/9+ZgDgQPSabYzgT/GDA==\"}]}"),
        "invalid OTLP JSON: field \"resourceSpans[0].scopeSpans[0].spans[0].links[0].traceId\": "
            + "expected 32 hex characters, got 24");
  }

  @Test
  void unknownEnumNameAndWrongTypesAreRejected() {
    assertJsonRejected(
        oneSpan("{\"kind\":\"SPAN_KIND_WHATEVER\"}"),
        "invalid OTLP JSON: field \"resourceSpans[0].scopeSpans[0].spans[0].kind\": "
            + "unknown value \"SPAN_KIND_WHATEVER\"");
    assertJsonRejected(
        oneSpan("{\"events\":{}}"),
        "invalid OTLP JSON: field \"resourceSpans[0].scopeSpans[0].spans[0].events\": "
            + "expected an array, got an object");
    assertJsonRejected(
        oneSpan("{\"startTimeUnixNano\":\"-1\"}"),
        "invalid OTLP JSON: field \"resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano\": "
            + "expected an unsigned 64-bit integer, got \"-1\", out of range");
  }

  @Test
  void fuzzedProtobufOnlyEverFailsWithProtocolException() {
    Fuzzer.assertOnlyProtocolExceptions(
        20_251_101L, 3_000, List.of(EXPECTED.toByteArray()), OtlpTracesDecoder::decodeProtobuf);
  }

  @Test
  void fuzzedJsonOnlyEverFailsWithProtocolException() {
    Fuzzer.assertOnlyProtocolExceptions(
        20_251_102L,
        3_000,
        List.of(JSON.getBytes(StandardCharsets.UTF_8)),
        OtlpTracesDecoder::decodeJson);
  }

  private static ExportTraceServiceRequest decodeJson(String json) {
    return OtlpTracesDecoder.decodeJson(json.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertJsonRejected(String json, String message) {
    assertThatThrownBy(() -> decodeJson(json))
        .isInstanceOf(ProtocolException.class)
        .hasMessage(message);
  }

  private static String oneSpan(String span) {
    return "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[" + span + "]}]}]}";
  }

  private static Span firstSpan(ExportTraceServiceRequest request) {
    return request.getResourceSpans(0).getScopeSpans(0).getSpans(0);
  }

  private static KeyValue keyValue(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  private static ByteString hex(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }
}

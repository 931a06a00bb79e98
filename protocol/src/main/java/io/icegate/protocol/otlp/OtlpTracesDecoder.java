package io.icegate.protocol.otlp;

import io.icegate.protocol.ProtocolException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/**
 * Decodes the body of an OTLP traces export (OTLP/HTTP {@code POST /v1/traces}) in either of its
 * two encodings, by the same rules as {@link OtlpLogsDecoder}. Bodies arrive already inflated; this
 * class checks the encoding only, not what the spans mean.
 */
public final class OtlpTracesDecoder {
  private OtlpTracesDecoder() {}

  /**
   * Decodes a binary protobuf body ({@code application/x-protobuf}); unknown fields are kept.
   *
   * @throws ProtocolException if the bytes are not a valid encoding of the request message
   */
  public static ExportTraceServiceRequest decodeProtobuf(byte[] body) {
    return OtlpProtobuf.parse(body, ExportTraceServiceRequest.parser());
  }

  /**
   * Decodes an OTLP/JSON body ({@code application/json}): {@code traceId}, {@code spanId} and
   * {@code parentSpanId} in hex (in spans and in span links), enums such as {@code kind} and {@code
   * status.code} as integers or names, 64-bit integers as strings or numbers, unknown fields
   * ignored.
   *
   * @throws ProtocolException naming the offending field, e.g. {@code invalid OTLP JSON: field
   *     "resourceSpans[0].scopeSpans[0].spans[0].links[0].spanId": expected 16 hex characters, got
   *     3}
   */
  public static ExportTraceServiceRequest decodeJson(byte[] body) {
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    OtlpJsonReader.merge(body, request);
    return request.build();
  }
}

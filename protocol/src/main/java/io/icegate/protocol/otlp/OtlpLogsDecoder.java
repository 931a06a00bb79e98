package io.icegate.protocol.otlp;

import io.icegate.protocol.ProtocolException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;

/**
 * Decodes the body of an OTLP logs export (OTLP/HTTP {@code POST /v1/logs}) in either of its two
 * encodings. Bodies arrive already inflated (see {@link io.icegate.protocol.Compression}); this
 * class checks the encoding only, not what the records mean (validation is the ingest path's job).
 */
public final class OtlpLogsDecoder {
  private OtlpLogsDecoder() {}

  /**
   * Decodes a binary protobuf body ({@code application/x-protobuf}). Unknown fields are kept, as
   * protobuf keeps them, so a newer client's data survives a pass through this decoder.
   *
   * @throws ProtocolException if the bytes are not a valid encoding of the request message
   */
  public static ExportLogsServiceRequest decodeProtobuf(byte[] body) {
    return OtlpProtobuf.parse(body, ExportLogsServiceRequest.parser());
  }

  /**
   * Decodes an OTLP/JSON body ({@code application/json}), with hex trace and span ids, integer
   * enums, 64-bit integers as strings or numbers and unknown fields ignored.
   *
   * @throws ProtocolException naming the offending field, e.g. {@code invalid OTLP JSON: field
   *     "resourceLogs[0].scopeLogs[0].logRecords[0].traceId": expected 32 hex characters, got 5}
   */
  public static ExportLogsServiceRequest decodeJson(byte[] body) {
    ExportLogsServiceRequest.Builder request = ExportLogsServiceRequest.newBuilder();
    OtlpJsonReader.merge(body, request);
    return request.build();
  }
}

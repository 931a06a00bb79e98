package io.icegate.protocol.otlp;

import io.icegate.protocol.ProtocolException;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;

/**
 * Decodes the body of an OTLP metrics export (OTLP/HTTP {@code POST /v1/metrics}) in either of its
 * two encodings, by the same rules as {@link OtlpLogsDecoder}. Bodies arrive already inflated; this
 * class checks the encoding only, not what the data points mean (naming them for PromQL is {@link
 * io.icegate.protocol.prometheus.PrometheusOtlpNames}'s job).
 */
public final class OtlpMetricsDecoder {
  private OtlpMetricsDecoder() {}

  /**
   * Decodes a binary protobuf body ({@code application/x-protobuf}); unknown fields are kept.
   *
   * @throws ProtocolException if the bytes are not a valid encoding of the request message
   */
  public static ExportMetricsServiceRequest decodeProtobuf(byte[] body) {
    return OtlpProtobuf.parse(body, ExportMetricsServiceRequest.parser());
  }

  /**
   * Decodes an OTLP/JSON body ({@code application/json}): exemplar {@code traceId} and {@code
   * spanId} in hex, {@code aggregationTemporality} as an integer or a name, 64-bit integers ({@code
   * timeUnixNano}, {@code asInt}, {@code count}, {@code bucketCounts}) as strings or numbers,
   * {@code "NaN"} and {@code "Infinity"} for doubles, unknown fields ignored.
   *
   * @throws ProtocolException naming the offending field, e.g. {@code invalid OTLP JSON: field
   *     "resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0].asInt": expected a 64-bit
   *     integer, got "x"}
   */
  public static ExportMetricsServiceRequest decodeJson(byte[] body) {
    ExportMetricsServiceRequest.Builder request = ExportMetricsServiceRequest.newBuilder();
    OtlpJsonReader.merge(body, request);
    return request.build();
  }
}

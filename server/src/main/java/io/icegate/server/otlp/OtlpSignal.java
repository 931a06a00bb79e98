package io.icegate.server.otlp;

import com.google.protobuf.Message;
import io.icegate.protocol.otlp.OtlpEncoding;
import io.icegate.protocol.otlp.OtlpLogsDecoder;
import io.icegate.protocol.otlp.OtlpMetricsDecoder;
import io.icegate.protocol.otlp.OtlpResponses;
import io.icegate.protocol.otlp.OtlpTracesDecoder;
import io.icegate.server.ingest.SignalIngest.Outcome;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What differs between the three OTLP signals for the transports: how a body decodes, the gRPC
 * service it belongs to, and how an outcome is answered. Everything else (tenancy, limits,
 * status codes) is shared.
 *
 * @param name the signal's name in metrics and messages ({@code logs}, {@code traces}, {@code
 *     metrics})
 * @param grpcService the gRPC service whose {@code Export} method takes the request
 */
public record OtlpSignal<R extends Message>(
    String name,
    String grpcService,
    R requestPrototype,
    Message responsePrototype,
    Function<byte[], R> decodeProtobuf,
    Function<byte[], R> decodeJson,
    BiFunction<OtlpEncoding, Outcome, byte[]> httpAnswer,
    Function<Outcome, Message> grpcAnswer) {

  public static final OtlpSignal<ExportLogsServiceRequest> LOGS =
      new OtlpSignal<>(
          "logs",
          "opentelemetry.proto.collector.logs.v1.LogsService",
          ExportLogsServiceRequest.getDefaultInstance(),
          ExportLogsServiceResponse.getDefaultInstance(),
          OtlpLogsDecoder::decodeProtobuf,
          OtlpLogsDecoder::decodeJson,
          (encoding, o) ->
              o.rejected() > 0 || o.message() != null
                  ? OtlpResponses.logsPartialSuccess(encoding, o.rejected(), message(o))
                  : OtlpResponses.logsSuccess(encoding),
          o ->
              o.rejected() > 0 || o.message() != null
                  ? ExportLogsServiceResponse.newBuilder()
                      .setPartialSuccess(
                          ExportLogsPartialSuccess.newBuilder()
                              .setRejectedLogRecords(o.rejected())
                              .setErrorMessage(message(o)))
                      .build()
                  : ExportLogsServiceResponse.getDefaultInstance());

  public static final OtlpSignal<ExportTraceServiceRequest> TRACES =
      new OtlpSignal<>(
          "traces",
          "opentelemetry.proto.collector.trace.v1.TraceService",
          ExportTraceServiceRequest.getDefaultInstance(),
          ExportTraceServiceResponse.getDefaultInstance(),
          OtlpTracesDecoder::decodeProtobuf,
          OtlpTracesDecoder::decodeJson,
          (encoding, o) ->
              o.rejected() > 0 || o.message() != null
                  ? OtlpResponses.tracesPartialSuccess(encoding, o.rejected(), message(o))
                  : OtlpResponses.tracesSuccess(encoding),
          o ->
              o.rejected() > 0 || o.message() != null
                  ? ExportTraceServiceResponse.newBuilder()
                      .setPartialSuccess(
                          ExportTracePartialSuccess.newBuilder()
                              .setRejectedSpans(o.rejected())
                              .setErrorMessage(message(o)))
                      .build()
                  : ExportTraceServiceResponse.getDefaultInstance());

  public static final OtlpSignal<ExportMetricsServiceRequest> METRICS =
      new OtlpSignal<>(
          "metrics",
          "opentelemetry.proto.collector.metrics.v1.MetricsService",
          ExportMetricsServiceRequest.getDefaultInstance(),
          ExportMetricsServiceResponse.getDefaultInstance(),
          OtlpMetricsDecoder::decodeProtobuf,
          OtlpMetricsDecoder::decodeJson,
          (encoding, o) ->
              o.rejected() > 0 || o.message() != null
                  ? OtlpResponses.metricsPartialSuccess(encoding, o.rejected(), message(o))
                  : OtlpResponses.metricsSuccess(encoding),
          o ->
              o.rejected() > 0 || o.message() != null
                  ? ExportMetricsServiceResponse.newBuilder()
                      .setPartialSuccess(
                          ExportMetricsPartialSuccess.newBuilder()
                              .setRejectedDataPoints(o.rejected())
                              .setErrorMessage(message(o)))
                      .build()
                  : ExportMetricsServiceResponse.getDefaultInstance());

  private static String message(Outcome o) {
    return o.message() == null ? "" : o.message();
  }
}

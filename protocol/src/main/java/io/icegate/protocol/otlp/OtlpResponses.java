package io.icegate.protocol.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsPartialSuccess;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Response bodies of OTLP/HTTP, written in the encoding of the request as the specification
 * requires (https://opentelemetry.io/docs/specs/otlp/#otlphttp-response).
 *
 * <p>Error bodies are a {@code google.rpc.Status}. That message is not on this module's classpath
 * (it lives in Google's common protos, which opentelemetry-proto does not bring), so its two fields
 * we use, {@code int32 code = 1} and {@code string message = 2}, are written by hand with {@link
 * CodedOutputStream}; the optional {@code details} are never sent.
 */
public final class OtlpResponses {
  private static final JsonFormat.Printer JSON_PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace();
  private static final JsonFactory JSON = new JsonFactory();

  private OtlpResponses() {}

  /** A full success: every record was accepted ({@code {}} in JSON, zero bytes in protobuf). */
  public static byte[] logsSuccess(OtlpEncoding encoding) {
    return encode(ExportLogsServiceResponse.getDefaultInstance(), encoding);
  }

  /**
   * A partial success: the request was valid but {@code rejectedLogRecords} records were not
   * stored. The specification also allows zero rejected records with a message, as a warning.
   */
  public static byte[] logsPartialSuccess(
      OtlpEncoding encoding, long rejectedLogRecords, String errorMessage) {
    ExportLogsServiceResponse response =
        ExportLogsServiceResponse.newBuilder()
            .setPartialSuccess(
                ExportLogsPartialSuccess.newBuilder()
                    .setRejectedLogRecords(rejectedLogRecords)
                    .setErrorMessage(errorMessage))
            .build();
    return encode(response, encoding);
  }

  /** A full success of a traces export: every span was accepted. */
  public static byte[] tracesSuccess(OtlpEncoding encoding) {
    return encode(ExportTraceServiceResponse.getDefaultInstance(), encoding);
  }

  /**
   * A partial success of a traces export: the request was valid but {@code rejectedSpans} spans
   * were not stored (zero with a message is a warning).
   */
  public static byte[] tracesPartialSuccess(
      OtlpEncoding encoding, long rejectedSpans, String errorMessage) {
    ExportTraceServiceResponse response =
        ExportTraceServiceResponse.newBuilder()
            .setPartialSuccess(
                ExportTracePartialSuccess.newBuilder()
                    .setRejectedSpans(rejectedSpans)
                    .setErrorMessage(errorMessage))
            .build();
    return encode(response, encoding);
  }

  /** A full success of a metrics export: every data point was accepted. */
  public static byte[] metricsSuccess(OtlpEncoding encoding) {
    return encode(ExportMetricsServiceResponse.getDefaultInstance(), encoding);
  }

  /**
   * A partial success of a metrics export: the request was valid but {@code rejectedDataPoints}
   * data points were not stored (zero with a message is a warning).
   */
  public static byte[] metricsPartialSuccess(
      OtlpEncoding encoding, long rejectedDataPoints, String errorMessage) {
    ExportMetricsServiceResponse response =
        ExportMetricsServiceResponse.newBuilder()
            .setPartialSuccess(
                ExportMetricsPartialSuccess.newBuilder()
                    .setRejectedDataPoints(rejectedDataPoints)
                    .setErrorMessage(errorMessage))
            .build();
    return encode(response, encoding);
  }

  /**
   * The body of an error response (HTTP 4xx/5xx): a {@code google.rpc.Status} with a gRPC status
   * code (e.g. 3, INVALID_ARGUMENT) and a message for the client. As in proto3, a zero code and an
   * empty message are left out.
   */
  public static byte[] status(OtlpEncoding encoding, int code, String message) {
    return switch (encoding) {
      case PROTOBUF -> statusProtobuf(code, message);
      case JSON -> statusJson(code, message);
    };
  }

  private static byte[] encode(Message response, OtlpEncoding encoding) {
    return switch (encoding) {
      case PROTOBUF -> response.toByteArray();
      case JSON -> {
        try {
          // JsonFormat gives proto3 JSON exactly: camelCase names, int64 as strings, defaults
          // left out.
          yield JSON_PRINTER.print(response).getBytes(StandardCharsets.UTF_8);
        } catch (InvalidProtocolBufferException e) {
          throw new IllegalStateException("a response without Any fields is always printable", e);
        }
      }
    };
  }

  private static byte[] statusProtobuf(int code, String message) {
    int size =
        (code != 0 ? CodedOutputStream.computeInt32Size(1, code) : 0)
            + (message.isEmpty() ? 0 : CodedOutputStream.computeStringSize(2, message));
    byte[] bytes = new byte[size];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      if (code != 0) {
        out.writeInt32(1, code);
      }
      if (!message.isEmpty()) {
        out.writeString(2, message);
      }
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("writing into an array of the computed size", e);
    }
    return bytes;
  }

  private static byte[] statusJson(int code, String message) {
    var bytes = new ByteArrayOutputStream();
    try (JsonGenerator json = JSON.createGenerator(bytes)) {
      json.writeStartObject();
      if (code != 0) {
        json.writeNumberField("code", code);
      }
      if (!message.isEmpty()) {
        json.writeStringField("message", message);
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing into memory", e);
    }
    return bytes.toByteArray();
  }
}

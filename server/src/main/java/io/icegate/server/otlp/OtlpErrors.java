package io.icegate.server.otlp;

import io.icegate.protocol.otlp.OtlpEncoding;
import io.icegate.protocol.otlp.OtlpResponses;
import io.icegate.server.http.ErrorRenderer;

/** Errors on the OTLP port as OTLP/HTTP wants them: a Status in the request's encoding. */
public final class OtlpErrors {
  private OtlpErrors() {}

  public static ErrorRenderer renderer() {
    return (exchange, status, message) -> {
      OtlpEncoding encoding =
          OtlpEncoding.fromContentType(exchange.header("Content-Type")).orElse(OtlpEncoding.JSON);
      int grpcCode =
          switch (status.code()) {
            case 400, 404, 405, 415 -> 3; // INVALID_ARGUMENT
            case 413, 429 -> 8; // RESOURCE_EXHAUSTED
            case 503 -> 14; // UNAVAILABLE
            default -> 13; // INTERNAL
          };
      exchange.respond(
          status,
          encoding.contentType(),
          OtlpResponses.status(encoding, grpcCode, message),
          status.code() == 503 || status.code() == 429
              ? java.util.Map.of("Retry-After", "1")
              : java.util.Map.of());
    };
  }
}

package io.icegate.protocol.otlp;

import java.util.Locale;
import java.util.Optional;

/**
 * The two body encodings of OTLP/HTTP. A response (success or error) is written in the encoding of
 * the request, so the server keeps the value it chose for decoding.
 */
public enum OtlpEncoding {
  PROTOBUF("application/x-protobuf"),
  JSON("application/json");

  private final String contentType;

  OtlpEncoding(String contentType) {
    this.contentType = contentType;
  }

  /** The media type to send in {@code Content-Type}. */
  public String contentType() {
    return contentType;
  }

  /**
   * The encoding named by a request's {@code Content-Type}, ignoring parameters such as {@code
   * charset} and case; empty for any other media type (OTLP/HTTP answers those with 415).
   */
  public static Optional<OtlpEncoding> fromContentType(String contentType) {
    if (contentType == null) {
      return Optional.empty();
    }
    int semicolon = contentType.indexOf(';');
    String mediaType =
        (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
            .trim()
            .toLowerCase(Locale.ROOT);
    for (OtlpEncoding encoding : values()) {
      if (encoding.contentType.equals(mediaType)) {
        return Optional.of(encoding);
      }
    }
    return Optional.empty();
  }
}

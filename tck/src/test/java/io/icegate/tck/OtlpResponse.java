package io.icegate.tck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An OTLP/HTTP answer. Error bodies are a {@code google.rpc.Status} in the request's encoding;
 * {@link #statusMessage()} reads its {@code message} (field 2) from either, without Google's common
 * protos on the classpath.
 */
record OtlpResponse(int status, String contentType, byte[] body) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  boolean isProtobuf() {
    return contentType.startsWith(OtlpHttpClient.PROTOBUF);
  }

  boolean isJson() {
    return contentType.startsWith(OtlpHttpClient.JSON);
  }

  /** The {@code google.rpc.Status} message of an error answer. */
  String statusMessage() {
    if (isProtobuf()) {
      try {
        List<com.google.protobuf.ByteString> messages =
            UnknownFieldSet.parseFrom(body).getField(2).getLengthDelimitedList();
        return messages.isEmpty() ? "" : messages.get(0).toStringUtf8();
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError("error body is not a protobuf Status: " + text(), e);
      }
    }
    return json().path("message").asText();
  }

  /**
   * The {@code google.rpc.Status} code (a gRPC code, e.g. 3 INVALID_ARGUMENT) of an error answer.
   */
  int statusCode() {
    if (isProtobuf()) {
      try {
        List<Long> codes = UnknownFieldSet.parseFrom(body).getField(1).getVarintList();
        return codes.isEmpty() ? 0 : codes.get(0).intValue();
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError("error body is not a protobuf Status: " + text(), e);
      }
    }
    return json().path("code").asInt();
  }

  /** The body as JSON; fails the test if it is not JSON. */
  JsonNode json() {
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      throw new AssertionError("body is not JSON: " + text(), e);
    }
  }

  String text() {
    return new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return status + " " + contentType + " " + (isProtobuf() ? statusMessage() : text());
  }
}

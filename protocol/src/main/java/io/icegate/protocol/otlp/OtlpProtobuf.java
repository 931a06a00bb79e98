package io.icegate.protocol.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.icegate.protocol.ProtocolException;

/** The binary half of the OTLP decoders: one message parser, one error wording for all signals. */
final class OtlpProtobuf {
  private OtlpProtobuf() {}

  /**
   * Parses a binary protobuf body. Unknown fields are kept, as protobuf keeps them, so a newer
   * client's data survives a pass through the decoder.
   *
   * @throws ProtocolException if the bytes are not a valid encoding of the message
   */
  static <T> T parse(byte[] body, Parser<T> parser) {
    try {
      return parser.parseFrom(body);
    } catch (InvalidProtocolBufferException e) {
      // protobuf's messages describe the defect in plain words ("the input ended unexpectedly in
      // the middle of a field", "invalid UTF-8") and name no Java types.
      throw new ProtocolException("invalid OTLP protobuf: " + e.getMessage(), e);
    }
  }
}

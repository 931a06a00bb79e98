package io.icegate.protocol;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.function.DoubleConsumer;
import java.util.function.LongConsumer;

/**
 * Reads a protobuf message by hand, field by field, for the formats whose {@code .proto} files are
 * not on this module's classpath (Loki's {@code logproto.PushRequest}, Prometheus's {@code
 * prometheus.WriteRequest}): a thin layer over {@link CodedInputStream} that checks wire types and
 * turns every defect into a {@link ProtocolException} naming where it is, e.g. {@code invalid
 * remote write request: timeseries[3].samples[0]: field value: wire type varint, expected 64-bit}.
 *
 * <p>A decoder loops over {@link #nextTag()} until it returns 0, switches on {@link #field(int)},
 * reads each known field with the method for its type and {@link #skip}s the rest, as protobuf
 * skips unknown fields. An embedded message is read between {@link #enter} and {@link #leave};
 * {@link #push} and {@link #pop} name it for error messages.
 */
public final class ProtobufReader {
  private static final int MAX_PATH = 8;

  private final CodedInputStream in;
  private final String errorPrefix;
  private final String[] pathNames = new String[MAX_PATH];
  private final int[] pathIndexes = new int[MAX_PATH];
  private int depth;

  /**
   * @param errorPrefix starts every error message, e.g. {@code "invalid remote write request: "}
   */
  public ProtobufReader(byte[] body, String errorPrefix) {
    this.in = CodedInputStream.newInstance(body);
    this.errorPrefix = errorPrefix;
  }

  /** The next tag of the current message, or 0 at its end. */
  public int nextTag() {
    try {
      return in.readTag();
    } catch (IOException e) {
      throw wireError(e);
    }
  }

  /** The field number of a tag. */
  public static int field(int tag) {
    return WireFormat.getTagFieldNumber(tag);
  }

  /**
   * Enters the embedded message of a length-delimited field: until {@link #leave}, {@link
   * #nextTag()} returns 0 at the end of that message.
   *
   * @return the enclosing limit, to pass to {@link #leave}
   */
  public int enter(int tag, String field) {
    expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, field);
    try {
      return in.pushLimit(in.readRawVarint32());
    } catch (IOException e) {
      throw wireError(e);
    }
  }

  /** Leaves the embedded message entered last. */
  public void leave(int limit) {
    in.popLimit(limit);
  }

  /** A {@code bytes} or {@code string} field as bytes, so the caller decides about UTF-8. */
  public ByteString bytes(int tag, String field) {
    expect(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED, field);
    try {
      return in.readBytes();
    } catch (IOException e) {
      throw wireError(e);
    }
  }

  /** A {@code string} field; invalid UTF-8 becomes U+FFFD, as Go code that reads it sees it. */
  public String string(int tag, String field) {
    return bytes(tag, field).toStringUtf8();
  }

  /** A varint field: {@code int32}, {@code int64}, {@code uint32}, {@code uint64}, an enum. */
  public long varint(int tag, String field) {
    expect(tag, WireFormat.WIRETYPE_VARINT, field);
    try {
      return in.readRawVarint64();
    } catch (IOException e) {
      throw wireError(e);
    }
  }

  /** A {@code sint32} field (zigzag). */
  public int sint32(int tag, String field) {
    return CodedInputStream.decodeZigZag32((int) varint(tag, field));
  }

  /** A {@code double} field. */
  public double fixedDouble(int tag, String field) {
    expect(tag, WireFormat.WIRETYPE_FIXED64, field);
    try {
      return in.readDouble();
    } catch (IOException e) {
      throw wireError(e);
    }
  }

  /** One occurrence of a repeated {@code sint64} field, packed (proto3's default) or not. */
  public void sint64s(int tag, String field, LongConsumer values) {
    if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
      values.accept(CodedInputStream.decodeZigZag64(varint(tag, field)));
      return;
    }
    int limit = enter(tag, field);
    try {
      while (!in.isAtEnd()) {
        values.accept(in.readSInt64());
      }
    } catch (IOException e) {
      throw wireError(e);
    }
    leave(limit);
  }

  /** One occurrence of a repeated {@code double} field, packed or not. */
  public void doubles(int tag, String field, DoubleConsumer values) {
    if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
      values.accept(fixedDouble(tag, field));
      return;
    }
    int limit = enter(tag, field);
    try {
      while (!in.isAtEnd()) {
        values.accept(in.readDouble());
      }
    } catch (IOException e) {
      throw wireError(e);
    }
    leave(limit);
  }

  /** Skips a field this decoder does not know. */
  public void skip(int tag) {
    try {
      if (!in.skipField(tag)) {
        throw error("unexpected end-group tag");
      }
    } catch (IOException e) {
      throw wireError(e);
    }
  }

  /** Names the element being read, e.g. {@code ("streams", 3)}, for error messages. */
  public void push(String name, int index) {
    if (depth == MAX_PATH) {
      throw new IllegalStateException("paths deeper than " + MAX_PATH + " are not supported");
    }
    pathNames[depth] = name;
    pathIndexes[depth] = index;
    depth++;
  }

  /** Ends the element named last. */
  public void pop() {
    depth--;
  }

  /** An error at the current path: prefix, path, problem. */
  public ProtocolException error(String problem) {
    return new ProtocolException(message(problem));
  }

  private ProtocolException wireError(IOException e) {
    // InvalidProtocolBufferException: protobuf's own words ("the input ended unexpectedly in the
    // middle of a field", "invalid tag (zero)"), which name no Java types.
    return new ProtocolException(message(e.getMessage()), e);
  }

  private String message(String problem) {
    StringBuilder message = new StringBuilder(errorPrefix);
    for (int i = 0; i < depth; i++) {
      if (i > 0) {
        message.append('.');
      }
      message.append(pathNames[i]).append('[').append(pathIndexes[i]).append(']');
    }
    if (depth > 0) {
      message.append(": ");
    }
    return message.append(problem).toString();
  }

  private void expect(int tag, int wireType, String field) {
    int actual = WireFormat.getTagWireType(tag);
    if (actual != wireType) {
      throw error(
          "field "
              + field
              + ": wire type "
              + wireTypeName(actual)
              + ", expected "
              + wireTypeName(wireType));
    }
  }

  private static String wireTypeName(int wireType) {
    return switch (wireType) {
      case WireFormat.WIRETYPE_VARINT -> "varint";
      case WireFormat.WIRETYPE_FIXED64 -> "64-bit";
      case WireFormat.WIRETYPE_LENGTH_DELIMITED -> "length-delimited";
      case WireFormat.WIRETYPE_START_GROUP -> "start-group";
      case WireFormat.WIRETYPE_END_GROUP -> "end-group";
      case WireFormat.WIRETYPE_FIXED32 -> "32-bit";
      default -> Integer.toString(wireType);
    };
  }
}

package io.icegate.protocol;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes protobuf messages field by field with protobuf's own {@link CodedOutputStream}, for tests
 * of the hand-written decoders of formats whose {@code .proto} classes this module does not have
 * (Loki's {@code logproto}, Prometheus's {@code prompb}). Embedded messages are built as their own
 * {@code ProtoBytes} and added with {@link #message}.
 */
public final class ProtoBytes {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

  public static ProtoBytes message() {
    return new ProtoBytes();
  }

  public ProtoBytes string(int field, String value) {
    return write(() -> out.writeString(field, value));
  }

  public ProtoBytes bytes(int field, byte[] value) {
    return write(() -> out.writeByteArray(field, value));
  }

  public ProtoBytes message(int field, ProtoBytes message) {
    return bytes(field, message.toByteArray());
  }

  public ProtoBytes varint(int field, long value) {
    return write(() -> out.writeUInt64(field, value));
  }

  public ProtoBytes sint32(int field, int value) {
    return write(() -> out.writeSInt32(field, value));
  }

  public ProtoBytes sint64(int field, long value) {
    return write(() -> out.writeSInt64(field, value));
  }

  public ProtoBytes fixedDouble(int field, double value) {
    return write(() -> out.writeDouble(field, value));
  }

  public ProtoBytes packedSint64(int field, long... values) {
    ProtoBytes packed = new ProtoBytes();
    for (long value : values) {
      packed.write(() -> packed.out.writeSInt64NoTag(value));
    }
    return bytes(field, packed.toByteArray());
  }

  public ProtoBytes packedDoubles(int field, double... values) {
    ProtoBytes packed = new ProtoBytes();
    for (double value : values) {
      packed.write(() -> packed.out.writeDoubleNoTag(value));
    }
    return bytes(field, packed.toByteArray());
  }

  /** Raw bytes, for malformed input. */
  public ProtoBytes raw(byte... raw) {
    return write(() -> out.writeRawBytes(raw));
  }

  public byte[] toByteArray() {
    write(out::flush);
    return bytes.toByteArray();
  }

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private interface Write {
    void run() throws IOException;
  }

  private ProtoBytes write(Write write) {
    try {
      write.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }
}

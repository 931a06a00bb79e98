package io.icegate.protocol.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import io.icegate.protocol.JsonErrors;
import io.icegate.protocol.ProtocolException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Base64;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Reads an OTLP/JSON document into a protobuf builder, following the OTLP rules on top of proto3's
 * JSON mapping (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding):
 *
 * <ul>
 *   <li>{@code traceId}, {@code spanId} and {@code parentSpanId} are hex strings, not base64, in
 *       every message that has them (log records, spans, span links, exemplars); an empty string
 *       means the id is absent;
 *   <li>enums are integers (names are accepted too, as proto3 JSON parsers do);
 *   <li>64-bit integers may be strings or numbers;
 *   <li>field names are lowerCamelCase, the original snake_case names are accepted too;
 *   <li>unknown fields are ignored, as the specification requires of receivers.
 * </ul>
 *
 * <p>Why not protobuf's {@code JsonFormat}: its errors do not say where in the document the problem
 * is, and it reads ids as base64, which would need a rewriting pass over a parsed tree first. This
 * reader walks the message descriptors while streaming, so every error names the field path (e.g.
 * {@code resourceLogs[0].scopeLogs[0].logRecords[2].traceId}) and no intermediate tree is built.
 */
final class OtlpJsonReader {
  /**
   * Deepest message nesting accepted: protobuf's own default recursion limit, so that whatever is
   * accepted here can also be parsed again from its protobuf encoding.
   */
  static final int MAX_DEPTH = 100;

  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private static final Map<Descriptor, Map<String, FieldDescriptor>> FIELDS_BY_NAME =
      new ConcurrentHashMap<>();

  /** A JSON number; numbers written as strings must have this form too. */
  private static final Pattern JSON_NUMBER =
      Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");

  /** Longest value quoted back in an error message. */
  private static final int MAX_QUOTED = 64;

  private static final BigInteger UINT64_MAX =
      BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private final JsonParser parser;
  private final Object[] path = new Object[2 * MAX_DEPTH + 2];
  private int pathLength;

  private OtlpJsonReader(JsonParser parser) {
    this.parser = parser;
  }

  /**
   * Merges the JSON object in {@code body} into {@code builder}.
   *
   * @throws ProtocolException if the body is not JSON, not an object, or a field has a value its
   *     type does not allow; the message starts with {@code invalid OTLP JSON:}
   */
  static void merge(byte[] body, Message.Builder builder) {
    try (JsonParser parser = JSON.createParser(body)) {
      OtlpJsonReader reader = new OtlpJsonReader(parser);
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw invalid("the body is empty");
      }
      if (first != JsonToken.START_OBJECT) {
        throw invalid("expected a JSON object at the top level, got " + describe(first));
      }
      reader.readMessage(builder, 1);
      if (parser.nextToken() != null) {
        throw invalid("unexpected data after the top-level object");
      }
    } catch (JsonProcessingException e) {
      throw invalid(JsonErrors.malformed(e), e);
    } catch (IOException e) {
      // Reading from a byte array performs no I/O; only malformed input can end up here.
      throw invalid("malformed JSON: " + e.getMessage(), e);
    }
  }

  private void readMessage(Message.Builder builder, int depth) throws IOException {
    if (depth > MAX_DEPTH) {
      throw fieldError("messages are nested deeper than " + MAX_DEPTH + " levels");
    }
    Descriptor type = builder.getDescriptorForType();
    Map<String, FieldDescriptor> fields = fieldsByName(type);
    BitSet seen = new BitSet();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      JsonToken token = parser.nextToken();
      FieldDescriptor field = fields.get(name);
      if (field == null) {
        parser.skipChildren();
        continue;
      }
      push(name);
      if (seen.get(field.getIndex())) {
        throw fieldError("the field is given twice (camelCase and snake_case name)");
      }
      seen.set(field.getIndex());
      if (token != JsonToken.VALUE_NULL) {
        if (field.isRepeated()) {
          readRepeated(builder, field, token, depth);
        } else {
          readSingular(builder, field, token, depth);
        }
      }
      pop();
    }
  }

  private void readRepeated(
      Message.Builder builder, FieldDescriptor field, JsonToken token, int depth)
      throws IOException {
    if (token != JsonToken.START_ARRAY) {
      throw fieldError("expected an array, got " + describe(token));
    }
    int index = 0;
    for (JsonToken element = parser.nextToken();
        element != JsonToken.END_ARRAY;
        element = parser.nextToken()) {
      push(index++);
      if (element == JsonToken.VALUE_NULL) {
        throw fieldError("null is not allowed in an array");
      }
      Object value = readValue(builder, field, element, depth);
      if (value != null) {
        builder.addRepeatedField(field, value);
      }
      pop();
    }
  }

  private void readSingular(
      Message.Builder builder, FieldDescriptor field, JsonToken token, int depth)
      throws IOException {
    OneofDescriptor oneof = field.getRealContainingOneof();
    if (oneof != null && builder.hasOneof(oneof)) {
      throw fieldError(
          "only one field of \""
              + oneof.getName()
              + "\" may be set, but "
              + builder.getOneofFieldDescriptor(oneof).getJsonName()
              + " is set too");
    }
    Object value = readValue(builder, field, token, depth);
    if (value != null) {
      builder.setField(field, value);
    }
  }

  /** One value of {@code field}, or null where OTLP says the value is absent (empty ids). */
  private Object readValue(
      Message.Builder builder, FieldDescriptor field, JsonToken token, int depth)
      throws IOException {
    return switch (field.getJavaType()) {
      case MESSAGE -> {
        if (token != JsonToken.START_OBJECT) {
          throw fieldError("expected an object, got " + describe(token));
        }
        Message.Builder child = builder.newBuilderForField(field);
        readMessage(child, depth + 1);
        yield child.build();
      }
      case STRING -> {
        if (token != JsonToken.VALUE_STRING) {
          throw fieldError("expected a string, got " + describe(token));
        }
        yield parser.getText();
      }
      case BOOLEAN -> readBoolean(token);
      case INT -> (int) readInteger(token, field.getType()).longValue();
      case LONG -> readInteger(token, field.getType()).longValue();
      case DOUBLE -> readDouble(token);
      case FLOAT -> {
        double value = readDouble(token);
        if (Double.isFinite(value) && Math.abs(value) > Float.MAX_VALUE) {
          throw fieldError("expected a float, got " + parser.getText() + ", out of range");
        }
        yield (float) value;
      }
      case ENUM -> readEnum(field, token);
      case BYTE_STRING -> readBytes(field, token);
    };
  }

  private boolean readBoolean(JsonToken token) throws IOException {
    if (token == JsonToken.VALUE_TRUE) {
      return true;
    }
    if (token == JsonToken.VALUE_FALSE) {
      return false;
    }
    if (token == JsonToken.VALUE_STRING) {
      switch (parser.getText()) {
        case "true":
          return true;
        case "false":
          return false;
        default:
          break;
      }
    }
    throw fieldError("expected true or false, got " + describeValue(token));
  }

  /**
   * An integer of the field's protobuf type, given as a JSON number or a string. Written forms with
   * a fraction or exponent are accepted when their value is integral ({@code 1.0}, {@code 1e3}), as
   * proto3 JSON parsers accept them.
   */
  private BigInteger readInteger(JsonToken token, FieldDescriptor.Type type) throws IOException {
    String kind;
    BigInteger min;
    BigInteger max;
    switch (type) {
      case INT32, SINT32, SFIXED32 -> {
        kind = "a 32-bit integer";
        min = BigInteger.valueOf(Integer.MIN_VALUE);
        max = BigInteger.valueOf(Integer.MAX_VALUE);
      }
      case UINT32, FIXED32 -> {
        kind = "an unsigned 32-bit integer";
        min = BigInteger.ZERO;
        max = BigInteger.valueOf(0xFFFF_FFFFL);
      }
      case UINT64, FIXED64 -> {
        kind = "an unsigned 64-bit integer";
        min = BigInteger.ZERO;
        max = UINT64_MAX;
      }
      default -> {
        kind = "a 64-bit integer";
        min = BigInteger.valueOf(Long.MIN_VALUE);
        max = BigInteger.valueOf(Long.MAX_VALUE);
      }
    }
    if (token != JsonToken.VALUE_NUMBER_INT
        && token != JsonToken.VALUE_NUMBER_FLOAT
        && token != JsonToken.VALUE_STRING) {
      throw fieldError("expected " + kind + ", got " + describe(token));
    }
    String text = parser.getText();
    if (!JSON_NUMBER.matcher(text).matches()) {
      throw fieldError("expected " + kind + ", got " + describeValue(token));
    }
    BigDecimal decimal;
    try {
      decimal = new BigDecimal(text).stripTrailingZeros();
    } catch (NumberFormatException | ArithmeticException e) {
      // An exponent beyond the range of int (1e9999999999): no 64-bit integer is that far out.
      throw fieldError("expected " + kind + ", got " + describeValue(token) + ", out of range");
    }
    if (decimal.scale() > 0) {
      throw fieldError("expected " + kind + ", got " + describeValue(token));
    }
    // Checked before toBigInteger(), which would expand an exponent such as 1e999999999; in long
    // arithmetic, as precision - scale overflows an int for 1e2147483647.
    BigInteger value =
        (long) decimal.precision() - decimal.scale() > 20 ? null : decimal.toBigInteger();
    if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw fieldError("expected " + kind + ", got " + describeValue(token) + ", out of range");
    }
    return value;
  }

  private double readDouble(JsonToken token) throws IOException {
    if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
      return parser.getDoubleValue();
    }
    if (token == JsonToken.VALUE_STRING) {
      String text = parser.getText();
      switch (text) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          if (JSON_NUMBER.matcher(text).matches()) {
            return Double.parseDouble(text);
          }
      }
    }
    throw fieldError("expected a number, got " + describeValue(token));
  }

  private EnumValueDescriptor readEnum(FieldDescriptor field, JsonToken token) throws IOException {
    if (token == JsonToken.VALUE_STRING) {
      EnumValueDescriptor value = field.getEnumType().findValueByName(parser.getText());
      if (value == null) {
        throw fieldError("unknown value " + describeValue(token));
      }
      return value;
    }
    int number = (int) readInteger(token, FieldDescriptor.Type.INT32).longValue();
    if (field.getEnumType().isClosed()) {
      EnumValueDescriptor value = field.getEnumType().findValueByNumber(number);
      if (value == null) {
        throw fieldError("unknown value " + number);
      }
      return value;
    }
    // proto3 enums are open: an unknown number is kept, as the protobuf decoder keeps it.
    return field.getEnumType().findValueByNumberCreatingIfUnknown(number);
  }

  private ByteString readBytes(FieldDescriptor field, JsonToken token) throws IOException {
    if (token != JsonToken.VALUE_STRING) {
      throw fieldError("expected a string, got " + describe(token));
    }
    String text = parser.getText();
    int idLength = idLength(field);
    if (idLength > 0) {
      return text.isEmpty() ? null : hexId(text, idLength);
    }
    try {
      boolean urlSafe = text.indexOf('-') >= 0 || text.indexOf('_') >= 0;
      return ByteString.copyFrom(
          (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text));
    } catch (IllegalArgumentException e) {
      throw fieldError("expected base64, got " + describeValue(token));
    }
  }

  /** Bytes of an id field that OTLP/JSON writes in hex; 0 for an ordinary bytes field. */
  private static int idLength(FieldDescriptor field) {
    return switch (field.getName()) {
      case "trace_id" -> 16;
      case "span_id", "parent_span_id" -> 8;
      default -> 0;
    };
  }

  private ByteString hexId(String text, int bytes) throws IOException {
    if (text.length() != 2 * bytes) {
      throw fieldError("expected " + 2 * bytes + " hex characters, got " + text.length());
    }
    byte[] id = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      int high = Character.digit(text.charAt(2 * i), 16);
      int low = Character.digit(text.charAt(2 * i + 1), 16);
      if (high < 0 || low < 0) {
        throw fieldError("expected hex characters, got " + describeValue(JsonToken.VALUE_STRING));
      }
      id[i] = (byte) (high << 4 | low);
    }
    return ByteString.copyFrom(id);
  }

  private static Map<String, FieldDescriptor> fieldsByName(Descriptor type) {
    return FIELDS_BY_NAME.computeIfAbsent(
        type,
        t -> {
          Map<String, FieldDescriptor> names = new HashMap<>();
          for (FieldDescriptor field : t.getFields()) {
            names.put(field.getName(), field);
            names.put(field.getJsonName(), field);
          }
          return Map.copyOf(names);
        });
  }

  private void push(Object segment) {
    path[pathLength++] = segment;
  }

  private void pop() {
    pathLength--;
  }

  private ProtocolException fieldError(String problem) {
    StringBuilder where = new StringBuilder();
    for (int i = 0; i < pathLength; i++) {
      if (path[i] instanceof Integer index) {
        where.append('[').append(index).append(']');
      } else {
        if (where.length() > 0) {
          where.append('.');
        }
        where.append(path[i]);
      }
    }
    return invalid("field \"" + where + "\": " + problem);
  }

  /** The current value as the client wrote it, shortened so that an error stays readable. */
  private String describeValue(JsonToken token) throws IOException {
    String text = parser.getText();
    if (text.length() > MAX_QUOTED) {
      text = text.substring(0, MAX_QUOTED) + "...";
    }
    return token == JsonToken.VALUE_STRING ? "\"" + text + "\"" : text;
  }

  private static String describe(JsonToken token) {
    return switch (token) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.asString();
    };
  }

  private static ProtocolException invalid(String problem) {
    return new ProtocolException("invalid OTLP JSON: " + problem);
  }

  private static ProtocolException invalid(String problem, Throwable cause) {
    return new ProtocolException("invalid OTLP JSON: " + problem, cause);
  }
}

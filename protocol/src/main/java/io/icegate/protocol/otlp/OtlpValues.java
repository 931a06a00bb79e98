package io.icegate.protocol.otlp;

import io.icegate.protocol.GoQuoting;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.math.BigDecimal;
import java.util.Base64;
import java.util.List;
import java.util.TreeMap;

/**
 * Attribute values as text, by the rule the Go collector's {@code pcommon.Value.AsString} follows,
 * which is what Prometheus and Loki use when an OTLP attribute becomes a label value.
 */
public final class OtlpValues {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private OtlpValues() {}

  /**
   * {@code pcommon.Value.AsString}: strings as they are, integers in decimal, booleans as {@code
   * true}/{@code false}, doubles as a JavaScript number ({@link #javaScriptNumber}), bytes in
   * base64, an absent value as the empty string, and arrays and maps as the JSON Go's {@code
   * encoding/json} writes for them (map keys sorted, {@code <>&} escaped).
   *
   * <p>Two corners follow Go's behaviour even though it is odd: a NaN or infinite double is written
   * as {@code json: unsupported value: NaN} (pdata's text for the JSON error), and an array or map
   * that contains one becomes the empty string (Go's marshalling fails and pdata ignores the
   * error).
   */
  public static String asString(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
      case INT_VALUE -> Long.toString(value.getIntValue());
      case DOUBLE_VALUE -> {
        double d = value.getDoubleValue();
        yield Double.isFinite(d) ? javaScriptNumber(d) : "json: unsupported value: " + goFloat(d);
      }
      case BYTES_VALUE -> Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray());
      case ARRAY_VALUE, KVLIST_VALUE -> {
        StringBuilder json = new StringBuilder();
        yield appendJson(value, json) ? json.toString() : "";
      }
      case VALUE_NOT_SET -> "";
    };
  }

  /**
   * A finite double as Go's JSON encoder (and pdata's {@code float64AsString}) writes it, like
   * JavaScript's Number#toString: plain notation for magnitudes in [1e-6, 1e21), exponent notation
   * ({@code 1e+21}, {@code 1.5e-7}) outside. The digits are Java's {@link Double#toString}, which
   * on Java 17 is in rare cases one digit longer than Go's shortest form (JDK-4511638, fixed in
   * Java 19).
   */
  public static String javaScriptNumber(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "Infinity" : "-Infinity";
    }
    if (value == 0) {
      return Double.doubleToRawLongBits(value) < 0 ? "-0" : "0";
    }
    BigDecimal decimal = new BigDecimal(Double.toString(value)).stripTrailingZeros();
    double magnitude = Math.abs(value);
    if (magnitude >= 1e-6 && magnitude < 1e21) {
      return decimal.toPlainString();
    }
    String digits = decimal.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - decimal.scale();
    StringBuilder text = new StringBuilder(digits.length() + 8);
    if (value < 0) {
      text.append('-');
    }
    text.append(digits.charAt(0));
    if (digits.length() > 1) {
      text.append('.').append(digits, 1, digits.length());
    }
    return text.append('e').append(exponent < 0 ? '-' : '+').append(Math.abs(exponent)).toString();
  }

  /** Go's {@code strconv.FormatFloat(f, 'g', -1, 64)} for the values JSON cannot hold. */
  private static String goFloat(double d) {
    return Double.isNaN(d) ? "NaN" : d > 0 ? "+Inf" : "-Inf";
  }

  /** Appends the JSON of a value; false if Go's encoder would fail (a NaN or infinity). */
  private static boolean appendJson(AnyValue value, StringBuilder json) {
    switch (value.getValueCase()) {
      case STRING_VALUE -> appendJsonString(value.getStringValue(), json);
      case BOOL_VALUE -> json.append(value.getBoolValue());
      case INT_VALUE -> json.append(value.getIntValue());
      case DOUBLE_VALUE -> {
        if (!Double.isFinite(value.getDoubleValue())) {
          return false;
        }
        json.append(javaScriptNumber(value.getDoubleValue()));
      }
      case BYTES_VALUE ->
          json.append('"')
              .append(Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray()))
              .append('"');
      case ARRAY_VALUE -> {
        json.append('[');
        List<AnyValue> values = value.getArrayValue().getValuesList();
        for (int i = 0; i < values.size(); i++) {
          if (i > 0) {
            json.append(',');
          }
          if (!appendJson(values.get(i), json)) {
            return false;
          }
        }
        json.append(']');
      }
      case KVLIST_VALUE -> {
        // pdata's AsRaw builds a Go map: the last of repeated keys wins, and encoding/json writes
        // the keys in byte order, which for UTF-8 is code point order.
        TreeMap<String, AnyValue> sorted = new TreeMap<>(GoQuoting.UTF8_ORDER);
        for (KeyValue entry : value.getKvlistValue().getValuesList()) {
          sorted.put(entry.getKey(), entry.getValue());
        }
        json.append('{');
        boolean first = true;
        for (var entry : sorted.entrySet()) {
          if (!first) {
            json.append(',');
          }
          first = false;
          appendJsonString(entry.getKey(), json);
          json.append(':');
          if (!appendJson(entry.getValue(), json)) {
            return false;
          }
        }
        json.append('}');
      }
      case VALUE_NOT_SET -> json.append("null");
    }
    return true;
  }

  /** A JSON string as Go's {@code encoding/json} writes it, with its HTML-safe escapes. */
  private static void appendJsonString(String s, StringBuilder json) {
    json.append('"');
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        case '\b' -> json.append("\\b");
        case '\f' -> json.append("\\f");
        default -> {
          if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
            json.append("\\u");
            for (int shift = 12; shift >= 0; shift -= 4) {
              json.append(HEX[c >> shift & 0xf]);
            }
          } else if (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE) {
            json.append("\\ufffd"); // a lone surrogate is invalid UTF-8 to Go
          } else {
            json.appendCodePoint(c);
          }
        }
      }
    }
    json.append('"');
  }
}

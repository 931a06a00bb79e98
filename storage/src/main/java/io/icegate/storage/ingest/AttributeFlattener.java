package io.icegate.storage.ingest;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.Base64;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * OTLP attributes to the tables' {@code map<string,string>} columns, as the seed system stores
 * them (NOTES.md §1): nested key-value lists become dotted keys ({@code a.b.c}), arrays and
 * bytes are rendered as JSON / base64, scalars as their text. Keys stay in OTel dotted form; the
 * query layer maps them to label names.
 */
final class AttributeFlattener {
  private AttributeFlattener() {}

  static SortedMap<String, String> flatten(List<KeyValue> attributes) {
    SortedMap<String, String> out = new TreeMap<>();
    for (KeyValue kv : attributes) {
      put(out, kv.getKey(), kv.getValue());
    }
    return out;
  }

  private static void put(SortedMap<String, String> out, String key, AnyValue value) {
    if (value.hasKvlistValue()) {
      for (KeyValue nested : value.getKvlistValue().getValuesList()) {
        put(out, key + "." + nested.getKey(), nested.getValue());
      }
    } else if (value.getValueCase() != AnyValue.ValueCase.VALUE_NOT_SET) {
      out.put(key, text(value));
    }
  }

  /** The first attribute named {@code key} as text, or null. */
  static String stringValue(List<KeyValue> attributes, String key) {
    for (KeyValue kv : attributes) {
      if (kv.getKey().equals(key)) {
        return text(kv.getValue());
      }
    }
    return null;
  }

  /** A log body as Loki shows it: a string as is, anything else as JSON. */
  static String bodyText(AnyValue body) {
    return body.getValueCase() == AnyValue.ValueCase.VALUE_NOT_SET ? "" : text(body);
  }

  static String text(AnyValue value) {
    return switch (value.getValueCase()) {
      case STRING_VALUE -> value.getStringValue();
      case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
      case INT_VALUE -> Long.toString(value.getIntValue());
      case DOUBLE_VALUE -> formatDouble(value.getDoubleValue());
      case BYTES_VALUE -> Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray());
      case ARRAY_VALUE, KVLIST_VALUE -> json(value);
      case VALUE_NOT_SET -> "";
    };
  }

  private static String formatDouble(double d) {
    if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }

  private static String json(AnyValue value) {
    StringBuilder sb = new StringBuilder();
    appendJson(sb, value);
    return sb.toString();
  }

  private static void appendJson(StringBuilder sb, AnyValue value) {
    switch (value.getValueCase()) {
      case STRING_VALUE -> appendJsonString(sb, value.getStringValue());
      case BYTES_VALUE -> appendJsonString(sb, text(value));
      case BOOL_VALUE, INT_VALUE, DOUBLE_VALUE -> {
        double d = value.getValueCase() == AnyValue.ValueCase.DOUBLE_VALUE
            ? value.getDoubleValue() : 0;
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          appendJsonString(sb, Double.toString(d));
        } else {
          sb.append(text(value));
        }
      }
      case ARRAY_VALUE -> {
        sb.append('[');
        List<AnyValue> values = value.getArrayValue().getValuesList();
        for (int i = 0; i < values.size(); i++) {
          if (i > 0) {
            sb.append(',');
          }
          appendJson(sb, values.get(i));
        }
        sb.append(']');
      }
      case KVLIST_VALUE -> {
        sb.append('{');
        List<KeyValue> values = value.getKvlistValue().getValuesList();
        for (int i = 0; i < values.size(); i++) {
          if (i > 0) {
            sb.append(',');
          }
          appendJsonString(sb, values.get(i).getKey());
          sb.append(':');
          appendJson(sb, values.get(i).getValue());
        }
        sb.append('}');
      }
      case VALUE_NOT_SET -> sb.append("null");
    }
  }

  private static void appendJsonString(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}

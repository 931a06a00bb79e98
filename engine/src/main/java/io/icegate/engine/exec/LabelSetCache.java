package io.icegate.engine.exec;

import io.icegate.engine.series.Labels;
import io.icegate.protocol.loki.LabelSetCodec;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Label sets in both forms a PromQL query holds them: {@link Labels} in the series evaluator and
 * {@link LabelSetCodec}'s canonical text in a {@link StepMatrix}'s {@code labels} column. Each
 * conversion is made once per distinct set and query, so a series passed to an operator and back
 * (or an operator's result that keeps its input's labels) costs a hash lookup, not a parse.
 */
public final class LabelSetCache {
  private final Map<String, Labels> decoded = new HashMap<>();
  private final Map<Labels, byte[]> encoded = new HashMap<>();

  /** The label set of canonical text {@code text}. */
  public Labels decode(String text) {
    Labels l = decoded.get(text);
    if (l == null) {
      l = Labels.of(LabelSetCodec.decode(text));
      decoded.put(text, l);
    }
    return l;
  }

  /** The label set of the canonical text {@code bytes} (UTF-8). */
  public Labels decode(byte[] bytes) {
    return decode(new String(bytes, StandardCharsets.UTF_8));
  }

  /** The canonical text of {@code labels}, as UTF-8 (not to be modified). */
  public byte[] encode(Labels labels) {
    byte[] b = encoded.get(labels);
    if (b == null) {
      String text = plainText(labels);
      if (text == null) {
        TreeMap<String, String> sorted = new TreeMap<>();
        for (int i = 0; i < labels.size(); i++) {
          sorted.put(labels.name(i), labels.value(i));
        }
        text = LabelSetCodec.encode(sorted);
      }
      b = text.getBytes(StandardCharsets.UTF_8);
      encoded.put(labels, b);
      decoded.putIfAbsent(text, labels);
    }
    return b;
  }

  /**
   * The canonical text of a label set whose names are legacy Prometheus names and whose values
   * are printable ASCII without quote or backslash (nearly all): written directly, as the codec
   * would (names bare, values quoted unchanged, the set's order already the canonical one); null
   * for any other, which the codec writes.
   */
  static String plainText(Labels labels) {
    StringBuilder out = new StringBuilder(32 * labels.size() + 2).append('{');
    for (int i = 0; i < labels.size(); i++) {
      String name = labels.name(i);
      String value = labels.value(i);
      if (!legacyName(name) || !plainValue(value)) {
        return null;
      }
      if (i > 0) {
        out.append(", ");
      }
      out.append(name).append("=\"").append(value).append('"');
    }
    return out.append('}').toString();
  }

  private static boolean legacyName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      if (!letter && (i == 0 || c < '0' || c > '9')) {
        return false;
      }
    }
    return true;
  }

  private static boolean plainValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }
}

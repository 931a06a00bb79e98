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
      TreeMap<String, String> sorted = new TreeMap<>();
      for (int i = 0; i < labels.size(); i++) {
        sorted.put(labels.name(i), labels.value(i));
      }
      String text = LabelSetCodec.encode(sorted);
      b = text.getBytes(StandardCharsets.UTF_8);
      encoded.put(labels, b);
      decoded.putIfAbsent(text, labels);
    }
    return b;
  }
}

package io.icegate.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.engine.series.Labels;
import io.icegate.protocol.loki.LabelSetCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LabelSetCacheTest {
  @Test
  void encodesAsTheCodecAndDecodesBackToTheSameSet() {
    List<Labels> sets = List.of(
        Labels.EMPTY,
        Labels.of("__name__", "up", "job", "api", "instance", "10.0.0.1:9090"),
        Labels.of("a", "quote \" inside", "b", "back\\slash"),
        Labels.of("a", "new\nline", "z", "ünïcode"),
        Labels.of("dotted.name", "x", "_ok9", "y"),
        Labels.of("9bad", "v"));
    LabelSetCache cache = new LabelSetCache();
    for (Labels l : sets) {
      TreeMap<String, String> map = new TreeMap<>();
      for (int i = 0; i < l.size(); i++) {
        map.put(l.name(i), l.value(i));
      }
      String codec = LabelSetCodec.encode(map);
      assertThat(new String(cache.encode(l), StandardCharsets.UTF_8)).isEqualTo(codec);
      assertThat(new LabelSetCache().decode(codec)).isEqualTo(l);
      assertThat(cache.decode(codec)).isSameAs(l);
    }
    // Escaped values and quoted names take the codec's way.
    assertThat(LabelSetCache.plainText(sets.get(1)))
        .isEqualTo("{__name__=\"up\", instance=\"10.0.0.1:9090\", job=\"api\"}");
    assertThat(LabelSetCache.plainText(sets.get(2))).isNull();
    assertThat(LabelSetCache.plainText(sets.get(4))).isNull();
  }
}

package io.icegate.engine.logql.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.protocol.loki.LabelSetCodec;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The origin rules of Loki's labels builder ({@code pkg/logql/log/labels.go}), worked out by hand
 * for small label sets.
 */
class LabelsBuilderTest {
  private static SortedMap<String, String> map(String... pairs) {
    TreeMap<String, String> m = new TreeMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  @Test
  void metadataNamedLikeAStreamLabelTakesTheSuffixAndStaysMetadata() {
    LabelsBuilder b = new LabelsBuilder();
    b.reset(map("app", "a"), Map.of("app", "meta", "trace_id", "abc"));

    CategorizedLabels c = b.categorized();
    assertThat(c.stream()).isEqualTo(map("app", "a"));
    assertThat(c.structuredMetadata()).isEqualTo(map("app_extracted", "meta", "trace_id", "abc"));
    assertThat(c.parsed()).isEmpty();
  }

  @Test
  void unsetOtlpFieldsAreNotMetadata() {
    LabelsBuilder b = new LabelsBuilder();
    b.reset(
        map("app", "a"),
        Map.of(
            "trace_id", "0".repeat(32), "span_id", "0".repeat(16), "severity_number", "0",
            "severity_text", ""));
    assertThat(b.categorized().structuredMetadata()).isEmpty();
  }

  @Test
  void parsedNameClashingWithMetadataTakesTheSuffixUnlessTheMetadataWasDropped() {
    LabelsBuilder b = new LabelsBuilder();
    b.reset(map("app", "a"), Map.of("pod", "p1"));
    b.setParsed("pod", "parsed");
    b.setParsed("app", "parsed-app");
    assertThat(b.categorized().parsed())
        .isEqualTo(map("pod_extracted", "parsed", "app_extracted", "parsed-app"));

    b.reset(map("app", "a"), Map.of("pod", "p1"));
    b.delete("pod");
    b.setParsed("pod", "parsed");
    assertThat(b.categorized().parsed()).isEqualTo(map("pod", "parsed"));
    assertThat(b.categorized().structuredMetadata()).isEmpty();
  }

  @Test
  void labelSetByAStageIsParsedEvenOverAStreamLabelOrMetadata() {
    LabelsBuilder b = new LabelsBuilder();
    b.reset(map("app", "a", "env", "prod"), Map.of("pod", "p1"));
    b.set("app", "b");
    b.set("pod", "p2");

    CategorizedLabels c = b.categorized();
    assertThat(c.stream()).isEqualTo(map("env", "prod"));
    assertThat(c.structuredMetadata()).isEmpty();
    assertThat(c.parsed()).isEqualTo(map("app", "b", "pod", "p2"));
    assertThat(c.all()).isEqualTo(map("app", "b", "env", "prod", "pod", "p2"));
  }

  @Test
  void errorLabelsCountAsParsed() {
    LabelsBuilder b = new LabelsBuilder();
    b.reset(map("app", "a"), Map.of());
    b.setError("JSONParserErr", "bad");
    assertThat(b.categorized().parsed())
        .isEqualTo(map("__error__", "JSONParserErr", "__error_details__", "bad"));
  }

  @Test
  void keepRemovesMetadataAndStreamLabelsAlike() {
    LabelsBuilder b = new LabelsBuilder();
    b.reset(map("app", "a", "env", "prod"), Map.of("pod", "p1", "trace_id", "t"));
    b.retain((name, value) -> name.equals("pod") || name.equals("env"));
    CategorizedLabels c = b.categorized();
    assertThat(c.stream()).isEqualTo(map("env", "prod"));
    assertThat(c.structuredMetadata()).isEqualTo(map("pod", "p1"));
  }

  @Test
  void originsSurviveTheLabelColumnEncoding() {
    LabelsBuilder b = new LabelsBuilder();
    b.reset(map("app", "a"), Map.of("pod", "p1"));
    b.setParsed("level", "info");

    String column = LabelSetCodec.encode(b.toStreamMap());
    CategorizedLabels back = CategorizedLabels.fromMarked(LabelSetCodec.decode(column));
    assertThat(back).isEqualTo(b.categorized());
    assertThat(back.all()).isEqualTo(map("app", "a", "pod", "p1", "level", "info"));
    // A label set written without a pipeline has no marks: all stream labels.
    assertThat(CategorizedLabels.fromMarked(LabelSetCodec.decode("{app=\"a\"}")).stream())
        .isEqualTo(map("app", "a"));
  }
}

package io.icegate.engine.logql.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.logql.LogQL;
import io.icegate.logql.ast.LogSelectorExpr;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A pipeline cut to the labels a metric query reads ({@link LogPipeline#restrictedTo}): its json
 * stage extracts only the keys that can become those labels, yet whether a line is JSON, which
 * entries pass, and the read labels' values follow Loki's full json stage. Expected values are
 * worked out by hand from the lines below.
 */
class LogPipelineRestrictedTest {
  private static LogPipeline.Restricted restricted(String stages, String... read) {
    LogSelectorExpr e = (LogSelectorExpr) LogQL.parse("{app=\"a\"} " + stages);
    return LogPipeline.compile(e.pipeline()).restrictedTo(List.of(read));
  }

  private static SortedMap<String, String> stream(String... pairs) {
    TreeMap<String, String> m = new TreeMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  /** The entry's labels after the pipeline (error pair included), null when it is dropped. */
  private static SortedMap<String, String> run(
      LogPipeline p, SortedMap<String, String> stream, Map<String, String> metadata, String line) {
    LabelsBuilder b = new LabelsBuilder();
    b.reset(stream, metadata);
    return p.process(0, line, b) == null ? null : b.toMap();
  }

  @Test
  void extractsOnlyTheReadKeysButChecksTheWholeLine() {
    LogPipeline.Restricted r = restricted("| json | __error__=\"\"", "status");
    assertThat(r.labels()).containsExactlyInAnyOrder("status", "__error__");

    String line = "{\"level\":\"info\",\"status\":500,\"user\":{\"id\":\"u1\"},\"tags\":[1,2]}";
    assertThat(run(r.pipeline(), stream("app", "a"), Map.of(), line))
        .isEqualTo(stream("app", "a", "status", "500"));
    // The whole pipeline extracts every scalar leaf, nested keys joined by _, arrays skipped.
    assertThat(run(LogPipeline.compile(stagesOf("| json | __error__=\"\"")), stream("app", "a"),
            Map.of(), line))
        .isEqualTo(stream("app", "a", "level", "info", "status", "500", "user_id", "u1"));

    // Malformed after the wanted key: still not JSON, so the error filter drops it.
    assertThat(run(r.pipeline(), stream("app", "a"), Map.of(), "{\"status\":500,\"x\":tru}"))
        .isNull();
    assertThat(run(r.pipeline(), stream("app", "a"), Map.of(), "level=info status=500"))
        .isNull();
  }

  @Test
  void keepsTheFirstOfRepeatedKeysAndReadsNestedOnes() {
    LogPipeline.Restricted r = restricted("| json", "status", "req_path");
    String line = "{\"status\":\"1\",\"req\":{\"path\":\"/a\",\"x\":{\"y\":2}},\"status\":\"2\"}";
    assertThat(run(r.pipeline(), stream("app", "a"), Map.of(), line))
        .isEqualTo(stream("app", "a", "req_path", "/a", "status", "1"));
  }

  @Test
  void keepsTheFirstOfRepeatedKeysInALineOfManyKeys() {
    // Twelve keys, then k1 and k11 again: the first of each wins. A line of many keys and one of
    // few through the same stage, in turn, so nothing of one line's keys carries to the next.
    StringBuilder many = new StringBuilder("{");
    for (int k = 0; k < 12; k++) {
      many.append("\"k").append(k).append("\":\"v").append(k).append("\",");
    }
    many.append("\"k1\":\"again\",\"k11\":\"again\"}");
    SortedMap<String, String> expected = stream("app", "a");
    for (int k = 0; k < 12; k++) {
      expected.put("k" + k, "v" + k);
    }
    LogPipeline whole = LogPipeline.compile(stagesOf("| json"));
    for (int round = 0; round < 3; round++) {
      assertThat(run(whole, stream("app", "a"), Map.of(), many.toString())).isEqualTo(expected);
      assertThat(run(whole, stream("app", "a"), Map.of(), "{\"k1\":\"x\",\"k1\":\"y\"}"))
          .isEqualTo(stream("app", "a", "k1", "x"));
    }
  }

  @Test
  void aKeyNamedLikeAStreamLabelOrMetadataTakesTheSuffix() {
    LogPipeline.Restricted r = restricted("| json", "app_extracted", "trace_extracted");
    assertThat(r.labels()).contains("app", "trace");
    String line = "{\"app\":\"from-line\",\"trace\":\"t-line\",\"other\":\"o\"}";
    assertThat(run(r.pipeline(), stream("app", "a"), Map.of("trace", "t-meta"), line))
        .isEqualTo(
            stream("app", "a", "app_extracted", "from-line", "trace", "t-meta",
                "trace_extracted", "t-line"));
  }

  @Test
  void aLabelFilterErrorIsKeptForTheRerun() {
    LogPipeline.Restricted r = restricted("| json | status >= 500", "app");
    assertThat(r.labels()).containsExactlyInAnyOrder("app", "status");
    SortedMap<String, String> out =
        run(r.pipeline(), stream("app", "a"), Map.of(), "{\"status\":\"abc\",\"user\":\"u\"}");
    assertThat(out).containsEntry(LabelsBuilder.ERROR, LogPipeline.LABEL_FILTER_ERROR);
    assertThat(out).doesNotContainKey("user");
    assertThat(run(r.pipeline(), stream("app", "a"), Map.of(), "{\"status\":404}")).isNull();
  }

  @Test
  void stagesThatMayReadAnyLabelAreNotCut() {
    assertThat(restricted("| json | line_format \"{{.a}}\"", "a")).isNull();
    assertThat(restricted("| logfmt", "a")).isNull();
    assertThat(restricted("| json | keep a", "a")).isNull();
  }

  @Test
  void theBuilderRestoresTheStreamBetweenEntriesOfOneRun() {
    SortedMap<String, String> s = stream("app", "a", "status", "s");
    LabelsBuilder b = new LabelsBuilder();
    b.reset(s, Map.of("m", "1"));
    b.set("status", "changed");
    b.set("x", "y");
    b.delete("app");
    b.reset(s, Map.of());
    assertThat(b.toMap()).isEqualTo(stream("app", "a", "status", "s"));
    assertThat(b.originOf("status")).isEqualTo(LabelOrigin.STREAM);
    assertThat(b.toStreamMap(List.of("status", "m"))).isEqualTo(stream("status", "s"));
  }

  private static List<io.icegate.logql.ast.PipelineStage> stagesOf(String stages) {
    return ((LogSelectorExpr) LogQL.parse("{app=\"a\"} " + stages)).pipeline();
  }

  @Test
  void keepsNoErrorsOnlyWhenNothingAfterTheLastErrorFilterCanSetOne() {
    assertThat(LogPipeline.compile(stagesOf("| json | __error__=\"\"")).keepsNoErrors()).isTrue();
    assertThat(LogPipeline.compile(stagesOf("|= \"a\" | json | __error__=\"\" | level=\"x\""))
            .keepsNoErrors())
        .isTrue();
    assertThat(LogPipeline.compile(stagesOf("| json")).keepsNoErrors()).isFalse();
    assertThat(LogPipeline.compile(stagesOf("| json | __error__=\"\" | status >= 500"))
            .keepsNoErrors())
        .isFalse();
    // Both sides of an `and` run, so the comparison may set an error after the test passed.
    assertThat(LogPipeline.compile(stagesOf("| json | __error__=\"\" and status >= 500"))
            .keepsNoErrors())
        .isFalse();
    assertThat(LogPipeline.compile(stagesOf("| level=\"x\"")).keepsNoErrors()).isTrue();
  }
}

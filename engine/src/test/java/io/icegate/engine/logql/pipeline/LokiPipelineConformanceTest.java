package io.icegate.engine.logql.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.icegate.logql.LogQL;
import io.icegate.logql.ast.JsonParser;
import io.icegate.logql.ast.KeepLabels;
import io.icegate.logql.ast.LabelExtraction;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.PipelineStage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Loki's own pipeline and template test cases (src/test/resources/loki, see SOURCE.md) run through
 * {@link LogPipeline}: every case must give the outputs its {@code checks} name, except the cases
 * listed in {@code known-failures.txt} — which must still fail, so the list only shrinks. Pass
 * counts per file are printed.
 */
class LokiPipelineConformanceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void pipelineCasesGiveLokisLabelsLinesAndDecisions() throws IOException {
    check("pipeline-cases.jsonl", this::runPipelineCase);
  }

  @Test
  void formatCasesRenderLokisTemplates() throws IOException {
    check("format-cases.jsonl", this::runFormatCase);
  }

  @Test
  void stageErrorsFailWhenThePipelineIsBuilt() throws IOException {
    check("stage-errors.jsonl", this::runStageErrorCase);
  }

  /** Runs one case; returns null when it passes, else what differed. */
  private interface CaseRunner {
    String run(JsonNode c);
  }

  private void check(String file, CaseRunner runner) throws IOException {
    List<JsonNode> cases = load(file);
    Map<String, String> known = knownFailures(file);
    Map<String, String> failed = new LinkedHashMap<>();
    for (int i = 0; i < cases.size(); i++) {
      String id = file + ":" + (i + 1);
      String problem;
      try {
        problem = runner.run(cases.get(i));
      } catch (RuntimeException e) {
        problem = "threw " + e;
      }
      if (problem != null) {
        failed.put(id, problem);
      }
    }
    System.out.printf(
        "Loki conformance %s: %d of %d cases pass (%d listed as known failures)%n",
        file, cases.size() - failed.size(), cases.size(), known.size());
    List<String> unexpected = new ArrayList<>();
    failed.forEach(
        (id, why) -> {
          if (!known.containsKey(id)) {
            unexpected.add(id + "\t" + why);
          }
        });
    List<String> nowPassing = new ArrayList<>();
    for (String id : known.keySet()) {
      if (!failed.containsKey(id)) {
        nowPassing.add(id);
      }
    }
    assertThat(unexpected).as("cases that fail but are not in known-failures.txt").isEmpty();
    assertThat(nowPassing).as("known failures that pass now: delete their lines").isEmpty();
  }

  private String runPipelineCase(JsonNode c) {
    LogPipeline pipeline;
    if (c.has("logql_expressible") && !c.get("logql_expressible").asBoolean()) {
      // Loki's test builds `keep` with no labels, which LogQL cannot write: build that stage as
      // the AST it would be, after the stages before it.
      String stage = c.get("stage").asText();
      if (!stage.endsWith("| keep")) {
        return "not expressible in LogQL";
      }
      String before = stage.substring(0, stage.length() - "| keep".length()).strip();
      List<PipelineStage> stages = new ArrayList<>();
      if (!before.isEmpty()) {
        stages.addAll(((LogSelectorExpr) LogQL.parse("{app=\"bar\"} " + before)).pipeline());
      }
      stages.add(new KeepLabels(List.of()));
      pipeline = LogPipeline.compile(stages);
    } else if (c.get("stage").asText().startsWith("| json bool=")) {
      // Loki's test builds this json stage with Go constructors; as LogQL text it cannot be
      // written, because `bool` is a keyword to Loki's lexer (and ours). Build the AST it stands
      // for: the same stage with the extraction's label renamed.
      JsonParser parsed =
          (JsonParser)
              ((LogSelectorExpr)
                      LogQL.parse(
                          "{app=\"bar\"} "
                              + c.get("stage").asText().replace("| json bool=", "| json b=")))
                  .pipeline()
                  .get(0);
      List<LabelExtraction> renamed = new ArrayList<>();
      for (LabelExtraction e : parsed.extractions()) {
        renamed.add(e.label().equals("b") ? new LabelExtraction("bool", e.expression()) : e);
      }
      pipeline = LogPipeline.compile(List.of(new JsonParser(renamed)));
    } else {
      pipeline = compile(c.get("stage").asText());
    }
    LabelsBuilder lbs = new LabelsBuilder();
    lbs.reset(map(c.get("labels")), map(c.get("structured_metadata")));
    if (c.hasNonNull("preset_error")) {
      lbs.setError(
          c.get("preset_error").asText(),
          c.hasNonNull("preset_error_details") ? c.get("preset_error_details").asText() : null);
    }
    long ts = c.has("timestamp_ns") ? c.get("timestamp_ns").asLong() : 0;
    String line = pipeline.process(ts, c.get("line").asText(), lbs);
    List<String> problems = new ArrayList<>();
    for (JsonNode check : c.get("checks")) {
      switch (check.asText()) {
        case "keep" -> {
          if ((line != null) != c.get("keep").asBoolean()) {
            problems.add("keep: got " + (line != null));
          }
        }
        case "line" -> {
          String want = c.get("want_line").asText();
          if (line != null && !want.equals(line)) {
            problems.add("line: got [" + line + "] want [" + want + "]");
          }
        }
        case "labels" -> {
          SortedMap<String, String> want = map(c.get("want_labels"));
          if (!want.equals(lbs.toMap())) {
            problems.add("labels: got " + lbs.toMap() + " want " + want);
          }
        }
        default -> problems.add("unknown check " + check);
      }
    }
    return problems.isEmpty() ? null : String.join("; ", problems);
  }

  private String runFormatCase(JsonNode c) {
    String kind = c.get("kind").asText();
    String stage;
    SortedMap<String, String> labels;
    if (kind.equals("function")) {
      JsonNode a = c.get("args");
      labels = new TreeMap<>(Map.of("s", a.get("s").asText()));
      String call =
          switch (c.get("function").asText()) {
            case "substr" ->
                "substr " + a.get("start").asLong() + " " + a.get("end").asLong() + " .s";
            default -> c.get("function").asText() + " " + a.get("c").asLong() + " .s";
          };
      stage = "| line_format `{{ " + call + " }}`";
    } else {
      stage = c.get("stage").asText();
      labels = map(c.get("labels"));
    }
    LogPipeline pipeline = compile(stage);
    LabelsBuilder lbs = new LabelsBuilder();
    lbs.reset(labels, Map.of());
    long ts = c.has("timestamp_ns") ? c.get("timestamp_ns").asLong() : 0;
    String input = c.hasNonNull("line") ? c.get("line").asText() : "test line";
    String line = pipeline.process(ts, input, lbs);
    List<String> problems = new ArrayList<>();
    if (kind.equals("function")) {
      if (!c.get("want").asText().equals(line)) {
        problems.add("got [" + line + "] want [" + c.get("want").asText() + "]");
      }
      return problems.isEmpty() ? null : problems.get(0);
    }
    if (kind.equals("line_format") && !c.get("want_line").asText().equals(line)) {
      problems.add("line: got [" + line + "] want [" + c.get("want_line").asText() + "]");
    }
    if (c.hasNonNull("want_labels") && !map(c.get("want_labels")).equals(lbs.toMap())) {
      problems.add("labels: got " + lbs.toMap() + " want " + map(c.get("want_labels")));
    }
    return problems.isEmpty() ? null : String.join("; ", problems);
  }

  private String runStageErrorCase(JsonNode c) {
    boolean valid = c.get("valid").asBoolean();
    String error = null;
    try {
      compile(c.get("stage").asText());
    } catch (RuntimeException e) {
      error = e.getMessage();
    }
    if (valid) {
      return error == null ? null : "failed: " + error;
    }
    return error != null ? null : "was accepted";
  }

  private static LogPipeline compile(String stage) {
    LogSelectorExpr expr = (LogSelectorExpr) LogQL.parse("{app=\"bar\"} " + stage);
    return LogPipeline.compile(expr.pipeline());
  }

  private static SortedMap<String, String> map(JsonNode node) {
    SortedMap<String, String> m = new TreeMap<>();
    if (node != null && node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      while (it.hasNext()) {
        var e = it.next();
        m.put(e.getKey(), e.getValue().asText());
      }
    }
    return m;
  }

  private static List<JsonNode> load(String file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (InputStream in = LokiPipelineConformanceTest.class.getResourceAsStream("/loki/" + file);
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String l;
      while ((l = r.readLine()) != null) {
        if (!l.isBlank()) {
          out.add(JSON.readTree(l));
        }
      }
    }
    return out;
  }

  /** Lines {@code file:line<TAB>reason} of known-failures.txt for {@code file}. */
  private static Map<String, String> knownFailures(String file) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (InputStream in =
            LokiPipelineConformanceTest.class.getResourceAsStream("/loki/known-failures.txt");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String l;
      while ((l = r.readLine()) != null) {
        if (l.startsWith(file + ":")) {
          int tab = l.indexOf('\t');
          out.put(tab < 0 ? l.strip() : l.substring(0, tab), tab < 0 ? "" : l.substring(tab + 1));
        }
      }
    }
    return out;
  }
}

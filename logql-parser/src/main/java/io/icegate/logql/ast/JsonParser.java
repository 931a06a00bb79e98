package io.icegate.logql.ast;

import java.util.List;

/**
 * {@code | json}: extracts every field of a JSON line as a label (nested keys joined by {@code _});
 * with {@code extractions} ({@code | json code="response.code", ua="headers[\"User-Agent\"]"}) only
 * those, each from its path.
 */
public record JsonParser(List<LabelExtraction> extractions) implements PipelineStage {
  public JsonParser {
    extractions = List.copyOf(extractions);
  }
}

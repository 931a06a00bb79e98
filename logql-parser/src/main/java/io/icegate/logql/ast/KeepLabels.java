package io.icegate.logql.ast;

import java.util.List;

/**
 * {@code | keep a, b="x"}: removes every label but these (those with a matcher are kept only where
 * it matches).
 */
public record KeepLabels(List<NamedLabelMatcher> labels) implements PipelineStage {
  public KeepLabels {
    labels = List.copyOf(labels);
  }
}

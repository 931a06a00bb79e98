package io.icegate.logql.ast;

import java.util.List;

/** {@code | drop a, b="x"}: removes the labels (those with a matcher only where it matches). */
public record DropLabels(List<NamedLabelMatcher> labels) implements PipelineStage {
  public DropLabels {
    labels = List.copyOf(labels);
  }
}

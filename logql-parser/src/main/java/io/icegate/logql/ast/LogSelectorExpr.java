package io.icegate.logql.ast;

import java.util.List;
import java.util.Objects;

/**
 * A log query: a stream selector followed by a pipeline of stages, e.g.
 * {@code {app="api", env!="dev"} |= "error" != "timeout"}.
 */
public record LogSelectorExpr(StreamSelector selector, List<PipelineStage> pipeline)
    implements LogQLExpr {
  public LogSelectorExpr {
    Objects.requireNonNull(selector, "selector");
    pipeline = List.copyOf(pipeline);
  }
}

package io.icegate.logql.ast;

import java.util.Objects;

/**
 * {@code | status >= 500 and path=~"/api/.*"}: keeps entries whose labels pass the filter. Labels
 * are stream labels, structured metadata and labels extracted by earlier parsers.
 */
public record LabelFilterStage(LabelFilter filter) implements PipelineStage {
  public LabelFilterStage {
    Objects.requireNonNull(filter, "filter");
  }
}

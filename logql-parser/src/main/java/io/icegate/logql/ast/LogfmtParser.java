package io.icegate.logql.ast;

import java.util.List;

/**
 * {@code | logfmt}: extracts the {@code key=value} pairs of a logfmt line as labels; with {@code
 * extractions} ({@code | logfmt code="status"}) only those. {@code --strict} stops at the first
 * malformed pair instead of skipping it; {@code --keep-empty} keeps keys without a value.
 */
public record LogfmtParser(boolean strict, boolean keepEmpty, List<LabelExtraction> extractions)
    implements PipelineStage {
  public LogfmtParser {
    extractions = List.copyOf(extractions);
  }
}

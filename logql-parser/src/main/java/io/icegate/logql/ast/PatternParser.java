package io.icegate.logql.ast;

import java.util.Objects;

/**
 * {@code | pattern "<ip> - <_> \"<method> <path>\""}: each named capture {@code <name>} becomes a
 * label; {@code <_>} matches without capturing. The parser has checked the pattern as Loki does.
 */
public record PatternParser(String pattern) implements PipelineStage {
  public PatternParser {
    Objects.requireNonNull(pattern, "pattern");
  }
}

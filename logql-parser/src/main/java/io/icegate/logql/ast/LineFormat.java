package io.icegate.logql.ast;

import java.util.Objects;

/**
 * {@code | line_format "{{.status}} {{.path}}"}: replaces the line with the rendered Go text
 * template. The template is kept as written (after unquoting); it is compiled when the query runs.
 */
public record LineFormat(String template) implements PipelineStage {
  public LineFormat {
    Objects.requireNonNull(template, "template");
  }
}

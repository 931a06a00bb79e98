package io.icegate.logql.ast;

import java.util.List;
import java.util.Objects;

/**
 * {@code | label_format dst=src, msg="{{.level}}: {{.text}}"}: renames labels and sets labels from
 * Go text templates. Each label may be the target of one operation only (Loki's rule, checked by
 * the parser); templates are kept as written and compiled when the query runs.
 */
public record LabelFormat(List<Operation> operations) implements PipelineStage {
  public LabelFormat {
    operations = List.copyOf(operations);
    if (operations.isEmpty()) {
      throw new IllegalArgumentException("label_format needs at least one operation");
    }
  }

  /** One {@code target=...} of the stage. */
  public sealed interface Operation permits Rename, Template {
    /** The label set by the operation. */
    String target();
  }

  /** {@code target=source}: the value of label {@code source} moves to {@code target}. */
  public record Rename(String target, String source) implements Operation {
    public Rename {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(source, "source");
    }
  }

  /** {@code target="{{...}}"}: {@code target} gets the rendered template. */
  public record Template(String target, String template) implements Operation {
    public Template {
      Objects.requireNonNull(target, "target");
      Objects.requireNonNull(template, "template");
    }
  }
}

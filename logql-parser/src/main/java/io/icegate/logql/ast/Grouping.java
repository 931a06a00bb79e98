package io.icegate.logql.ast;

import java.util.List;

/**
 * {@code by (a, b)} or {@code without (a, b)} of an aggregation, labels in the order written.
 * {@code by ()} aggregates everything into one series; {@code without ()} keeps every label.
 */
public record Grouping(boolean without, List<String> labels) {
  public Grouping {
    labels = List.copyOf(labels);
  }

  /** {@code by (labels...)}. */
  public static Grouping by(String... labels) {
    return new Grouping(false, List.of(labels));
  }

  /** {@code without (labels...)}. */
  public static Grouping without(String... labels) {
    return new Grouping(true, List.of(labels));
  }
}

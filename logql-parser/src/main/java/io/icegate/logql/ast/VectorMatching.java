package io.icegate.logql.ast;

import java.util.List;
import java.util.Objects;

/**
 * How a binary operation matches the series of its two sides: on all labels (the default), {@code
 * on (labels)} only those, or {@code ignoring (labels)} all but those; one-to-one, or {@code
 * group_left (include)} / {@code group_right (include)} for many-to-one and one-to-many, copying
 * the {@code include} labels from the "one" side.
 */
public record VectorMatching(
    Cardinality cardinality, boolean on, List<String> matchingLabels, List<String> include) {
  /** One-to-one on all labels: no modifier written. */
  public static final VectorMatching DEFAULT =
      new VectorMatching(Cardinality.ONE_TO_ONE, false, List.of(), List.of());

  public VectorMatching {
    Objects.requireNonNull(cardinality, "cardinality");
    matchingLabels = List.copyOf(matchingLabels);
    include = List.copyOf(include);
  }

  /** Which side may have several series per match. */
  public enum Cardinality {
    ONE_TO_ONE,
    /** {@code group_left}: several series on the left for one on the right. */
    MANY_TO_ONE,
    /** {@code group_right}: one series on the left for several on the right. */
    ONE_TO_MANY
  }
}

package io.icegate.promql.ast;

import java.util.List;

/**
 * How the series of the two sides of a binary operation between instant vectors are matched:
 * {@code on (a, b)} or {@code ignoring (c)}, and {@code group_left}/{@code group_right}.
 *
 * @param matchingLabels the labels of {@code on}/{@code ignoring}
 * @param on whether they are the labels of {@code on} (else of {@code ignoring}, or none)
 * @param include the labels of {@code group_left (...)}/{@code group_right (...)} to copy from the
 *     "one" side
 * @param fillLhs the value for series missing on the left side ({@code fill}/{@code fill_left},
 *     experimental), or null
 * @param fillRhs the value for series missing on the right side ({@code fill}/{@code fill_right},
 *     experimental), or null
 */
public record VectorMatching(
    Cardinality card,
    List<String> matchingLabels,
    boolean on,
    List<String> include,
    Double fillLhs,
    Double fillRhs) {

  /** Which side may have several series per match group. */
  public enum Cardinality {
    ONE_TO_ONE,
    /** {@code group_left}: many on the left. */
    MANY_TO_ONE,
    /** {@code group_right}: many on the right. */
    ONE_TO_MANY,
    /** The set operators {@code and}, {@code or}, {@code unless}. */
    MANY_TO_MANY
  }

  public VectorMatching {
    matchingLabels = List.copyOf(matchingLabels);
    include = List.copyOf(include);
  }

  /** No modifiers: one-to-one on all labels. */
  public static VectorMatching oneToOne() {
    return new VectorMatching(Cardinality.ONE_TO_ONE, List.of(), false, List.of(), null, null);
  }

  /** The same matching with another cardinality. */
  public VectorMatching withCard(Cardinality newCard) {
    return new VectorMatching(newCard, matchingLabels, on, include, fillLhs, fillRhs);
  }

  /** As Prometheus prints the modifiers after the operator, with a leading space; may be empty. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    boolean grouped = card == Cardinality.MANY_TO_ONE || card == Cardinality.ONE_TO_MANY;
    if (!matchingLabels.isEmpty() || on || grouped) {
      b.append(on ? " on (" : " ignoring (").append(Printer.labels(matchingLabels)).append(')');
    }
    if (grouped) {
      b.append(card == Cardinality.MANY_TO_ONE ? " group_left (" : " group_right (")
          .append(Printer.labels(include))
          .append(')');
    }
    if (fillLhs != null && fillRhs != null && fillLhs.equals(fillRhs)) {
      b.append(" fill (").append(Printer.goValue(fillLhs)).append(')');
    } else {
      if (fillLhs != null) {
        b.append(" fill_left (").append(Printer.goValue(fillLhs)).append(')');
      }
      if (fillRhs != null) {
        b.append(" fill_right (").append(Printer.goValue(fillRhs)).append(')');
      }
    }
    return b.toString();
  }
}

package io.icegate.engine.exec;

import io.icegate.promql.ast.BinaryOp;
import io.icegate.promql.ast.VectorMatching;
import io.icegate.promql.ast.VectorMatching.Cardinality;

/**
 * A PromQL binary operation between two instant vectors ({@link VectorMatchOperator}): the
 * operator, {@code bool}, how the sides' series match, and the query grid's step count.
 */
public record VectorMatchSpec(BinaryOp op, boolean returnBool, VectorMatching matching, int steps) {
  public VectorMatchSpec {
    if (op == BinaryOp.TRIM_UPPER || op == BinaryOp.TRIM_LOWER) {
      throw new IllegalArgumentException("histogram trimming has no step-matrix form: " + op);
    }
    if (matching.fillLhs() != null || matching.fillRhs() != null) {
      throw new IllegalArgumentException("fill modifiers have no step-matrix form");
    }
  }

  /** The matching as EXPLAIN shows it: {@code on(a, b)}, {@code ignoring(c)}, group modifiers. */
  public String matchingText() {
    StringBuilder b = new StringBuilder();
    b.append(matching.on() ? "on(" : "ignoring(")
        .append(String.join(", ", matching.matchingLabels())).append(')');
    Cardinality card = matching.card();
    if (card == Cardinality.MANY_TO_ONE || card == Cardinality.ONE_TO_MANY) {
      b.append(card == Cardinality.MANY_TO_ONE ? " group_left(" : " group_right(")
          .append(String.join(", ", matching.include())).append(')');
    }
    return b.toString();
  }

  /** The cardinality as EXPLAIN shows it. */
  public String cardinalityText() {
    return switch (op.isSetOperator() ? Cardinality.MANY_TO_MANY : matching.card()) {
      case ONE_TO_ONE -> "one-to-one";
      case MANY_TO_ONE -> "many-to-one";
      case ONE_TO_MANY -> "one-to-many";
      case MANY_TO_MANY -> "many-to-many";
    };
  }
}

package io.icegate.engine.plan;

import io.icegate.engine.series.LabelMatcher;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.tools.RelBuilder;

/**
 * A label matcher as a condition on a column of encoded label sets ({@code stream_labels} of the
 * logs, {@code series_labels} of the metrics): {@code LABEL_VALUE(column, name)} compared with the
 * value, or fully matched by the pattern. The filter evaluates such a condition once per
 * distinct label set of a batch, not once per row.
 */
public final class LabelPredicates {
  private LabelPredicates() {}

  /**
   * The condition of {@code name type value} on {@code column}; for the regex types {@code value}
   * is the pattern text as the filter compiles it (whole-value match).
   */
  public static RexNode of(
      RelBuilder b, String column, String name, LabelMatcher.Type type, String value) {
    RexNode actual =
        b.call(IceGateFunctions.LABEL_VALUE, b.field(column), Utf8Literals.of(b, name));
    RexNode expected = Utf8Literals.of(b, value);
    return switch (type) {
      case EQ -> b.equals(actual, expected);
      case NEQ -> b.notEquals(actual, expected);
      case RE -> b.call(IceGateFunctions.RE2_FULL_MATCH, actual, expected);
      case NRE -> b.not(b.call(IceGateFunctions.RE2_FULL_MATCH, actual, expected));
    };
  }
}

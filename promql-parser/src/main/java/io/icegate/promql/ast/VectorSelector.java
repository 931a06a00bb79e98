package io.icegate.promql.ast;

import java.util.ArrayList;
import java.util.List;

/**
 * An instant vector selector: {@code http_requests_total{job="api"} offset 5m @ 1609746000}.
 *
 * @param name the metric name written before the braces, or {@code ""} when there is none
 * @param matchers every matcher, in the order written; when {@code name} is set, the matcher
 *     {@code __name__="name"} is the last one (as in Prometheus), so the engine needs only this list
 * @param offsetMillis the offset, negative for {@code offset -5m}; 0 when there is none
 * @param offsetExpr the offset when it is an (experimental) duration expression, else null
 * @param at the {@code @} modifier, or null when there is none
 * @param rangeModifier {@code anchored}/{@code smoothed} (experimental), or {@link RangeModifier#NONE}
 */
public record VectorSelector(
    String name,
    List<LabelMatcher> matchers,
    long offsetMillis,
    DurationExpr offsetExpr,
    AtModifier at,
    RangeModifier rangeModifier,
    PositionRange positionRange)
    implements Expr {

  public VectorSelector {
    matchers = List.copyOf(matchers);
  }

  @Override
  public ValueType type() {
    return ValueType.VECTOR;
  }

  /** The same selector without offset, {@code @} and range modifier. */
  VectorSelector withoutModifiers() {
    return new VectorSelector(name, matchers, 0, null, null, RangeModifier.NONE, positionRange);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(name);
    List<String> printed = new ArrayList<>(matchers.size());
    for (LabelMatcher m : matchers) {
      boolean isTheName =
          m.name().equals(LabelMatcher.METRIC_NAME)
              && m.type() == LabelMatcher.MatchType.EQL
              && m.value().equals(name)
              && !m.value().isEmpty();
      if (!isTheName) {
        printed.add(m.toString());
      }
    }
    if (!printed.isEmpty()) {
      printed.sort(Printer::compareCodePoints);
      b.append('{').append(String.join(",", printed)).append('}');
    }
    if (at != null) {
      b.append(at);
    }
    b.append(rangeModifier);
    b.append(Printer.offset(offsetMillis, offsetExpr));
    return b.toString();
  }
}

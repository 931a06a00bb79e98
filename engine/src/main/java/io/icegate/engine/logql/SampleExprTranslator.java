package io.icegate.engine.logql;

import io.icegate.logql.ast.BinOpExpr;
import io.icegate.logql.ast.Grouping;
import io.icegate.logql.ast.LabelReplaceExpr;
import io.icegate.logql.ast.LiteralExpr;
import io.icegate.logql.ast.RangeAggregationExpr;
import io.icegate.logql.ast.SampleExpr;
import io.icegate.logql.ast.VectorAggregationExpr;
import io.icegate.logql.ast.VectorExpr;
import io.icegate.logql.ast.VectorMatching;
import java.math.BigDecimal;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Writes a LogQL metric expression as the PromQL expression with the same meaning, each range
 * aggregation replaced by a selector {@code {__logql_range__="i"}} of the series the log part
 * computed for it. Above the range aggregations LogQL and PromQL agree — vector aggregations,
 * binary operators with vector matching, {@code label_replace}, {@code vector()}, literals — so the
 * PromQL evaluator runs that part.
 */
final class SampleExprTranslator {
  /** The label of the synthetic selectors; its value is the range aggregation's index. */
  static final String RANGE_LABEL = "__logql_range__";

  /**
   * The label of the synthetic selectors that stand for a nested {@code approx_topk}'s answer,
   * computed apart; its value is the index the {@code approx} callback gave.
   */
  static final String APPROX_LABEL = "__logql_approx__";

  private final List<RangeAggregationExpr> ranges;
  private final Map<RangeAggregationExpr, Grouping> pushedGroupings;
  private final ToIntFunction<VectorAggregationExpr> approx;

  private SampleExprTranslator(
      List<RangeAggregationExpr> ranges,
      Map<RangeAggregationExpr, Grouping> pushedGroupings,
      ToIntFunction<VectorAggregationExpr> approx) {
    this.ranges = ranges;
    this.pushedGroupings = pushedGroupings;
    this.approx = approx;
  }

  /** The PromQL text of {@code expr}; {@code ranges} receives its range aggregations in order. */
  static String translate(SampleExpr expr, List<RangeAggregationExpr> ranges) {
    return translate(expr, ranges, new IdentityHashMap<>(), null);
  }

  /**
   * The PromQL text of {@code expr}.
   *
   * @param ranges receives its range aggregations in order
   * @param pushedGroupings receives, for each range aggregation without grouping of its own
   *     directly under a {@code sum} that Loki lets group its samples (counts, rates, bytes and
   *     {@code sum_over_time}), that {@code sum}'s grouping: the range aggregation may split its
   *     series by those labels alone, as Loki's extractor then does, and the sum's answer is the
   *     same
   * @param approx gives each {@code approx_topk} met a selector index for its answer, computed
   *     apart as Loki sketches every {@code approx_topk}, nested or not; null writes it as {@code
   *     topk}
   */
  static String translate(
      SampleExpr expr,
      List<RangeAggregationExpr> ranges,
      Map<RangeAggregationExpr, Grouping> pushedGroupings,
      ToIntFunction<VectorAggregationExpr> approx) {
    StringBuilder out = new StringBuilder();
    new SampleExprTranslator(ranges, pushedGroupings, approx).write(expr, out);
    return out.toString();
  }

  /** Whether {@code approx_topk} appears anywhere in {@code expr}. */
  static boolean containsApproxTopK(SampleExpr expr) {
    if (expr instanceof VectorAggregationExpr a) {
      return a.op() == VectorAggregationExpr.VectorOp.APPROX_TOPK || containsApproxTopK(a.inner());
    }
    if (expr instanceof LabelReplaceExpr l) {
      return containsApproxTopK(l.inner());
    }
    if (expr instanceof BinOpExpr b) {
      return containsApproxTopK(b.left()) || containsApproxTopK(b.right());
    }
    return false;
  }

  /**
   * Whether {@code sort} or {@code sort_desc} appears anywhere in {@code expr}: else Loki orders
   * an instant query's vector by label set.
   */
  static boolean containsSort(SampleExpr expr) {
    if (expr instanceof VectorAggregationExpr a) {
      return a.op() == VectorAggregationExpr.VectorOp.SORT
          || a.op() == VectorAggregationExpr.VectorOp.SORT_DESC
          || containsSort(a.inner());
    }
    if (expr instanceof LabelReplaceExpr l) {
      return containsSort(l.inner());
    }
    if (expr instanceof BinOpExpr b) {
      return containsSort(b.left()) || containsSort(b.right());
    }
    return false;
  }

  private void write(SampleExpr expr, StringBuilder out) {
    if (expr instanceof RangeAggregationExpr r) {
      int index = indexOf(r);
      if (index < 0) {
        index = ranges.size();
        ranges.add(r);
      }
      out.append('{').append(RANGE_LABEL).append("=\"").append(index).append("\"}");
    } else if (expr instanceof LiteralExpr l) {
      out.append('(').append(number(l.value())).append(')');
    } else if (expr instanceof VectorExpr v) {
      out.append("vector(").append(number(v.value())).append(')');
    } else if (expr instanceof LabelReplaceExpr l) {
      out.append("label_replace(");
      write(l.inner(), out);
      for (String s : List.of(l.destination(), l.replacement(), l.source(), l.regex())) {
        out.append(", ").append(quote(s));
      }
      out.append(')');
    } else if (expr instanceof VectorAggregationExpr a) {
      vectorAggregation(a, out);
    } else if (expr instanceof BinOpExpr b) {
      out.append('(');
      write(b.left(), out);
      out.append(") ").append(b.op().symbol()).append(' ');
      if (b.returnBool()) {
        out.append("bool ");
      }
      matching(b.matching(), out);
      out.append('(');
      if (b.op() == BinOpExpr.Op.DIV) {
        // Loki divides by zero to NaN where Prometheus gives ±Inf: divide by the divisor
        // divided by (divisor != 0), which is the divisor itself unless that is 0, then NaN.
        out.append('(');
        write(b.right(), out);
        out.append(") / ((");
        write(b.right(), out);
        out.append(") != bool 0)");
      } else {
        write(b.right(), out);
      }
      out.append(')');
    }
  }

  /** The index of this very node among the ranges seen, or -1: one scan per written range. */
  private int indexOf(RangeAggregationExpr r) {
    for (int i = 0; i < ranges.size(); i++) {
      if (ranges.get(i) == r) {
        return i;
      }
    }
    return -1;
  }

  private void vectorAggregation(VectorAggregationExpr a, StringBuilder out) {
    if (a.op() == VectorAggregationExpr.VectorOp.APPROX_TOPK && approx != null) {
      out.append('{').append(APPROX_LABEL).append("=\"").append(approx.applyAsInt(a))
          .append("\"}");
      return;
    }
    if (a.op() == VectorAggregationExpr.VectorOp.SUM
        && a.inner() instanceof RangeAggregationExpr r
        && r.grouping().isEmpty()
        && SUM_DISTRIBUTES.contains(r.op())) {
      pushedGroupings.put(r, a.grouping());
    }
    switch (a.op()) {
      case SORT, SORT_DESC -> {
        // Functions in PromQL; LogQL allows no grouping labels on them.
        out.append(a.op().function()).append('(');
        write(a.inner(), out);
        out.append(')');
        return;
      }
      default -> {}
    }
    String name = a.op() == VectorAggregationExpr.VectorOp.APPROX_TOPK ? "topk" : a.op().function();
    out.append(name).append(' ');
    grouping(a.grouping(), out);
    out.append('(');
    if (a.parameter().isPresent()) {
      out.append(a.parameter().getAsLong()).append(", ");
    }
    write(a.inner(), out);
    out.append(')');
  }

  /** The range aggregations whose samples a {@code sum} above may group first, as in Loki. */
  private static final Set<RangeAggregationExpr.RangeOp> SUM_DISTRIBUTES =
      EnumSet.of(
          RangeAggregationExpr.RangeOp.BYTES_OVER_TIME,
          RangeAggregationExpr.RangeOp.BYTES_RATE,
          RangeAggregationExpr.RangeOp.SUM_OVER_TIME,
          RangeAggregationExpr.RangeOp.RATE,
          RangeAggregationExpr.RangeOp.COUNT_OVER_TIME);

  private static void grouping(Grouping g, StringBuilder out) {
    out.append(g.without() ? "without (" : "by (")
        .append(String.join(", ", g.labels()))
        .append(") ");
  }

  private static void matching(VectorMatching m, StringBuilder out) {
    if (m.on() || !m.matchingLabels().isEmpty()) {
      out.append(m.on() ? "on (" : "ignoring (")
          .append(String.join(", ", m.matchingLabels()))
          .append(") ");
    }
    switch (m.cardinality()) {
      case MANY_TO_ONE -> out.append("group_left (").append(String.join(", ", m.include()))
          .append(") ");
      case ONE_TO_MANY -> out.append("group_right (").append(String.join(", ", m.include()))
          .append(") ");
      case ONE_TO_ONE -> {}
    }
  }

  private static String number(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "Inf" : "-Inf";
    }
    return new BigDecimal(v).toPlainString();
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '"' -> b.append("\\\"");
        case '\n' -> b.append("\\n");
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }
}

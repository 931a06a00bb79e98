package io.icegate.logql;

import com.google.re2j.Pattern;
import io.icegate.logql.ast.BinOpExpr;
import io.icegate.logql.ast.LabelMatcher;
import io.icegate.logql.ast.LogQLExpr;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.RangeAggregationExpr.RangeOp;
import io.icegate.logql.ast.StreamSelector;
import io.icegate.logql.ast.VectorAggregationExpr.VectorOp;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The rules Loki checks on a query once it has read its syntax, in Loki's words.
 *
 * <p>Loki attaches most of these errors to the node they concern while it parses, and reports them
 * when it validates the tree, outer nodes before inner ones and left before right; {@link
 * AstBuilder} applies the rules in that order. {@link #validate} checks what is left for the whole
 * query.
 */
final class QueryValidator {
  private QueryValidator() {}

  // Loki's wording, kept byte for byte: clients match on it.
  static final String EMPTY_COMPATIBLE_MATCHERS =
      "queries require at least one regexp or equality matcher that does not have an"
          + " empty-compatible value. For instance, app=~\".*\" does not meet this requirement,"
          + " but app=~\".+\" will";

  /** Range aggregations that may have {@code by}/{@code without}: one sample out per series. */
  private static final Set<RangeOp> GROUPING_ALLOWED =
      EnumSet.of(
          RangeOp.AVG_OVER_TIME,
          RangeOp.STDDEV_OVER_TIME,
          RangeOp.STDVAR_OVER_TIME,
          RangeOp.QUANTILE_OVER_TIME,
          RangeOp.MAX_OVER_TIME,
          RangeOp.MIN_OVER_TIME,
          RangeOp.FIRST_OVER_TIME,
          RangeOp.LAST_OVER_TIME);

  /** Range aggregations of unwrapped values. */
  private static final Set<RangeOp> UNWRAP_ALLOWED =
      EnumSet.of(
          RangeOp.AVG_OVER_TIME,
          RangeOp.SUM_OVER_TIME,
          RangeOp.MAX_OVER_TIME,
          RangeOp.MIN_OVER_TIME,
          RangeOp.STDDEV_OVER_TIME,
          RangeOp.STDVAR_OVER_TIME,
          RangeOp.QUANTILE_OVER_TIME,
          RangeOp.RATE,
          RangeOp.RATE_COUNTER,
          RangeOp.ABSENT_OVER_TIME,
          RangeOp.FIRST_OVER_TIME,
          RangeOp.LAST_OVER_TIME);

  /** Range aggregations of log lines (no unwrap). */
  private static final Set<RangeOp> UNWRAP_NOT_NEEDED =
      EnumSet.of(
          RangeOp.BYTES_OVER_TIME,
          RangeOp.BYTES_RATE,
          RangeOp.COUNT_OVER_TIME,
          RangeOp.RATE,
          RangeOp.ABSENT_OVER_TIME);

  private static final Set<VectorOp> K_REQUIRED =
      EnumSet.of(VectorOp.TOPK, VectorOp.BOTTOMK, VectorOp.APPROX_TOPK);

  /** The checks left for the whole query once it is built: a log query's stream selector. */
  static void validate(LogQLExpr expr) {
    if (expr instanceof LogSelectorExpr logQuery) {
      selectorError(logQuery.selector())
          .ifPresent(
              detail -> {
                throw LogQLParseException.withoutPosition(detail);
              });
    }
  }

  /**
   * A matcher that accepts the empty string also accepts streams without the label, so it cannot
   * pick streams from the index: Loki wants at least one matcher that cannot (and so rejects
   * {@code {}}).
   */
  static Optional<String> selectorError(StreamSelector selector) {
    return selector.matchers().stream().allMatch(QueryValidator::matchesEmpty)
        ? Optional.of(EMPTY_COMPATIBLE_MATCHERS)
        : Optional.empty();
  }

  private static boolean matchesEmpty(LabelMatcher matcher) {
    return switch (matcher.type()) {
      case EQ -> matcher.value().isEmpty();
      case NEQ -> !matcher.value().isEmpty();
      // Matcher regexes are anchored at both ends, as in Prometheus: Pattern.matches is a full
      // match.
      case RE -> Pattern.matches(matcher.value(), "");
      case NRE -> !Pattern.matches(matcher.value(), "");
    };
  }

  /**
   * Loki's rules for a range aggregation, in its order: the parameter ({@code parameterText} as
   * written, or null), then grouping, then unwrap.
   */
  static Optional<String> rangeAggregationError(
      RangeOp op, String parameterText, boolean grouped, boolean unwrapped) {
    String function = op.function();
    if (parameterText != null) {
      if (op != RangeOp.QUANTILE_OVER_TIME) {
        return Optional.of(
            "parameter " + parameterText + " not supported for operation " + function);
      }
      try {
        GoNumber.parseFloat(parameterText);
      } catch (GoNumber.InvalidNumberException e) {
        return Optional.of("invalid parameter for operation " + function + ": " + e.getMessage());
      }
    } else if (op == RangeOp.QUANTILE_OVER_TIME) {
      return Optional.of("parameter required for operation " + function);
    }
    if (grouped && !GROUPING_ALLOWED.contains(op)) {
      return Optional.of("grouping not allowed for " + function + " aggregation");
    }
    if (unwrapped) {
      return UNWRAP_ALLOWED.contains(op)
          ? Optional.empty()
          : Optional.of("invalid aggregation " + function + " with unwrap");
    }
    return UNWRAP_NOT_NEEDED.contains(op)
        ? Optional.empty()
        : Optional.of("invalid aggregation " + function + " without unwrap");
  }

  /**
   * Loki's rules for a vector aggregation, in its order: the parameter ({@code parameterText} as
   * written, or null), {@code approx_topk}'s grouping, then {@code sort}'s grouping labels.
   */
  static Optional<String> vectorAggregationError(
      VectorOp op, String parameterText, boolean grouped, List<String> groupingLabels) {
    String function = op.function();
    if (K_REQUIRED.contains(op)) {
      if (parameterText == null) {
        return Optional.of("parameter required for operation " + function);
      }
      OptionalLong k = GoNumber.atoi(parameterText);
      if (k.isEmpty()) {
        return Optional.of("invalid parameter " + function + "(" + parameterText + ",");
      }
      if (k.getAsLong() <= 0) {
        return Optional.of(
            "invalid parameter (must be greater than 0) " + function + "(" + parameterText);
      }
      if (op == VectorOp.APPROX_TOPK && grouped) {
        return Optional.of("grouping not allowed for " + function + " aggregation");
      }
    } else if (parameterText != null) {
      return Optional.of(
          "unsupported parameter for operation " + function + "(" + parameterText + ",");
    }
    // Sorting orders by value; a grouping would mean nothing (Prometheus refuses it too).
    if ((op == VectorOp.SORT || op == VectorOp.SORT_DESC) && !groupingLabels.isEmpty()) {
      return Optional.of("sort and sort_desc doesn't allow grouping by ");
    }
    return Optional.empty();
  }

  /**
   * Loki's error for a log query as an operand of a binary operation; it names Loki's Go type for
   * it: a bare selector or a selector with a pipeline.
   */
  static String logQueryOperandError(BinOpExpr.Op op, boolean left, LogSelectorExpr operand) {
    String type =
        operand.pipeline().isEmpty() ? "*syntax.MatchersExpr" : "*syntax.PipelineExpr";
    return "unexpected type for "
        + (left ? "left" : "right")
        + " leg of binary operation ("
        + op.symbol()
        + "): "
        + type;
  }

  /** Loki's error for a literal operand of {@code and}, {@code or}, {@code unless}. */
  static String setOperatorLiteralError(BinOpExpr.Op op, boolean left, double value) {
    return "unexpected literal for "
        + (left ? "left" : "right")
        + " leg of logical/set binary operation ("
        + op.symbol()
        + "): "
        + GoText.formatSixDecimals(value);
  }
}

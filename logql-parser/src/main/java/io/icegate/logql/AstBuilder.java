package io.icegate.logql;

import io.icegate.logql.ast.BinOpExpr;
import io.icegate.logql.ast.BinaryLabelFilter;
import io.icegate.logql.ast.BytesLabelFilter;
import io.icegate.logql.ast.ComparisonOp;
import io.icegate.logql.ast.Decolorize;
import io.icegate.logql.ast.DropLabels;
import io.icegate.logql.ast.DurationLabelFilter;
import io.icegate.logql.ast.Grouping;
import io.icegate.logql.ast.IpLabelFilter;
import io.icegate.logql.ast.IpLineFilter;
import io.icegate.logql.ast.JsonParser;
import io.icegate.logql.ast.KeepLabels;
import io.icegate.logql.ast.LabelExtraction;
import io.icegate.logql.ast.LabelFilter;
import io.icegate.logql.ast.LabelFilterStage;
import io.icegate.logql.ast.LabelFormat;
import io.icegate.logql.ast.LabelMatcher;
import io.icegate.logql.ast.LabelReplaceExpr;
import io.icegate.logql.ast.LineFilter;
import io.icegate.logql.ast.LineFormat;
import io.icegate.logql.ast.LiteralExpr;
import io.icegate.logql.ast.LogQLExpr;
import io.icegate.logql.ast.LogRangeExpr;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.LogfmtParser;
import io.icegate.logql.ast.NamedLabelMatcher;
import io.icegate.logql.ast.NumericLabelFilter;
import io.icegate.logql.ast.PatternLineFilter;
import io.icegate.logql.ast.PatternParser;
import io.icegate.logql.ast.PipelineStage;
import io.icegate.logql.ast.RangeAggregationExpr;
import io.icegate.logql.ast.RangeAggregationExpr.RangeOp;
import io.icegate.logql.ast.RegexpParser;
import io.icegate.logql.ast.SampleExpr;
import io.icegate.logql.ast.StreamSelector;
import io.icegate.logql.ast.StringLabelFilter;
import io.icegate.logql.ast.UnpackParser;
import io.icegate.logql.ast.Unwrap;
import io.icegate.logql.ast.VectorAggregationExpr;
import io.icegate.logql.ast.VectorAggregationExpr.VectorOp;
import io.icegate.logql.ast.VectorExpr;
import io.icegate.logql.ast.VectorMatching;
import io.icegate.logql.parser.LogQLLexer;
import io.icegate.logql.parser.LogQLParser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Turns a parse tree into the AST records, applying Loki's checks in Loki's order.
 *
 * <p>Loki's parser meets errors at two moments, and the first one met is the one reported:
 *
 * <ol>
 *   <li>while it parses: malformed literals, bad matcher regexes, {@code regexp} and {@code
 *       pattern} parsers it cannot build, numbers in label filters it cannot read. These are
 *       thrown here as soon as the builder meets them, from left to right.
 *   <li>when it validates the tree: the rules of metric queries ({@link QueryValidator}), which
 *       Loki attaches to the node they concern and reports outer nodes first, then left to right.
 *       Here a node with such an error is built as a {@link Deferred} that replaces the node;
 *       {@link #build} throws the one Loki would report.
 * </ol>
 *
 * <p>The third moment, when Loki builds the pipelines, is {@link StageChecks}.
 */
final class AstBuilder {
  private final TokenStream tokens;

  AstBuilder(TokenStream tokens) {
    this.tokens = tokens;
  }

  /** A metric query node carrying the error Loki reports when it validates the tree. */
  private record Deferred(LogQLParseException error, boolean literal) {
    static Deferred of(String detail) {
      return new Deferred(LogQLParseException.withoutPosition(detail), false);
    }
  }

  /** The query's syntax tree; throws Loki's parse-time and validation errors. */
  LogQLExpr build(LogQLParser.QueryContext ctx) {
    Object result = expr(ctx.expr());
    if (result instanceof Deferred deferred) {
      throw deferred.error();
    }
    return (LogQLExpr) result;
  }

  // --- expressions: each returns a LogSelectorExpr, a SampleExpr or a Deferred ---

  private Object expr(LogQLParser.ExprContext ctx) {
    if (ctx instanceof LogQLParser.BinOpExprContext binOp) {
      return binOp(binOp);
    }
    if (ctx instanceof LogQLParser.RangeAggregationExprContext range) {
      return rangeAggregation(range.rangeAggregation());
    }
    if (ctx instanceof LogQLParser.VectorAggregationExprContext vector) {
      return vectorAggregation(vector.vectorAggregation());
    }
    if (ctx instanceof LogQLParser.LabelReplaceExprContext replace) {
      return labelReplace(replace.labelReplace());
    }
    if (ctx instanceof LogQLParser.VectorExprContext vector) {
      return vector(vector.vector());
    }
    if (ctx instanceof LogQLParser.LiteralExprContext literal) {
      return literal(literal.literal());
    }
    if (ctx instanceof LogQLParser.LogQueryExprContext log) {
      return logExpr(log.logExpr());
    }
    return expr(((LogQLParser.ParenthesizedExprContext) ctx).expr());
  }

  private Object binOp(LogQLParser.BinOpExprContext ctx) {
    Object left = expr(ctx.left);
    Object right = expr(ctx.right);
    BinOpExpr.Op op = binOperator(ctx.op);
    LogQLParser.BinOpModifierContext modifier = ctx.binOpModifier();
    // Loki's checks when it builds the operation, in its order.
    if (left instanceof LogSelectorExpr log) {
      return Deferred.of(QueryValidator.logQueryOperandError(op, true, log));
    }
    if (right instanceof LogSelectorExpr log) {
      return Deferred.of(QueryValidator.logQueryOperandError(op, false, log));
    }
    if (left instanceof Deferred d && d.literal()) {
      return new Deferred(d.error(), false);
    }
    if (right instanceof Deferred d && d.literal()) {
      return new Deferred(d.error(), false);
    }
    if (op.isSetOperator()) {
      if (left instanceof LiteralExpr literal) {
        return Deferred.of(QueryValidator.setOperatorLiteralError(op, true, literal.value()));
      }
      if (right instanceof LiteralExpr literal) {
        return Deferred.of(QueryValidator.setOperatorLiteralError(op, false, literal.value()));
      }
    }
    if (left instanceof LiteralExpr l && right instanceof LiteralExpr r) {
      return new LiteralExpr(fold(op, l.value(), r.value()));
    }
    // The operation itself is valid; Loki reports the error of an operand, the left first.
    if (left instanceof Deferred d) {
      return d;
    }
    if (right instanceof Deferred d) {
      return d;
    }
    return new BinOpExpr(
        op,
        (SampleExpr) left,
        (SampleExpr) right,
        modifier.BOOL() != null,
        vectorMatching(modifier));
  }

  private static BinOpExpr.Op binOperator(Token op) {
    return switch (op.getType()) {
      case LogQLLexer.OR -> BinOpExpr.Op.OR;
      case LogQLLexer.AND -> BinOpExpr.Op.AND;
      case LogQLLexer.UNLESS -> BinOpExpr.Op.UNLESS;
      case LogQLLexer.CMP_EQ -> BinOpExpr.Op.CMP_EQ;
      case LogQLLexer.NEQ -> BinOpExpr.Op.NEQ;
      case LogQLLexer.GT -> BinOpExpr.Op.GT;
      case LogQLLexer.GTE -> BinOpExpr.Op.GTE;
      case LogQLLexer.LT -> BinOpExpr.Op.LT;
      case LogQLLexer.LTE -> BinOpExpr.Op.LTE;
      case LogQLLexer.ADD -> BinOpExpr.Op.ADD;
      case LogQLLexer.SUB -> BinOpExpr.Op.SUB;
      case LogQLLexer.MUL -> BinOpExpr.Op.MUL;
      case LogQLLexer.DIV -> BinOpExpr.Op.DIV;
      case LogQLLexer.MOD -> BinOpExpr.Op.MOD;
      case LogQLLexer.POW -> BinOpExpr.Op.POW;
      default -> throw unknownOperator(op);
    };
  }

  /**
   * An operation between two literals, computed now as Loki does: comparisons give 1 or 0 (with or
   * without {@code bool}), division and modulo by zero give NaN.
   */
  private static double fold(BinOpExpr.Op op, double l, double r) {
    return switch (op) {
      case ADD -> l + r;
      case SUB -> l - r;
      case MUL -> l * r;
      case DIV -> r == 0 ? Double.NaN : l / r;
      case MOD -> r == 0 ? Double.NaN : l % r;
      case POW -> goPow(l, r);
      case CMP_EQ -> l == r ? 1 : 0;
      case NEQ -> l != r ? 1 : 0;
      case GT -> l > r ? 1 : 0;
      case GTE -> l >= r ? 1 : 0;
      case LT -> l < r ? 1 : 0;
      case LTE -> l <= r ? 1 : 0;
      case OR, AND, UNLESS -> throw new IllegalStateException("set operators take no literals");
    };
  }

  // Go's math.Pow, where it differs from Java's: 1^y = 1 and (-1)^±Inf = 1.
  private static double goPow(double x, double y) {
    if (x == 1 || (x == -1 && Double.isInfinite(y))) {
      return 1;
    }
    return Math.pow(x, y);
  }

  private static VectorMatching vectorMatching(LogQLParser.BinOpModifierContext ctx) {
    if (ctx.matching == null) {
      return VectorMatching.DEFAULT;
    }
    VectorMatching.Cardinality cardinality = VectorMatching.Cardinality.ONE_TO_ONE;
    if (ctx.group != null) {
      cardinality =
          ctx.group.getType() == LogQLLexer.GROUP_LEFT
              ? VectorMatching.Cardinality.MANY_TO_ONE
              : VectorMatching.Cardinality.ONE_TO_MANY;
    }
    return new VectorMatching(
        cardinality,
        ctx.matching.getType() == LogQLLexer.ON,
        labels(ctx.on),
        labels(ctx.include));
  }

  private static List<String> labels(LogQLParser.LabelListContext ctx) {
    return ctx == null ? List.of() : ctx.IDENTIFIER().stream().map(TerminalNode::getText).toList();
  }

  private Object rangeAggregation(LogQLParser.RangeAggregationContext ctx) {
    RangeOp op = rangeOp(ctx.rangeOp().getStart());
    String parameter = ctx.parameter == null ? null : Tokens.numberText(ctx.parameter);
    LogRangeExpr range = logRange(ctx.logRangeExpr());
    Optional<Grouping> grouping = Optional.ofNullable(ctx.grouping()).map(AstBuilder::grouping);
    Optional<String> error =
        QueryValidator.rangeAggregationError(
                op, parameter, grouping.isPresent(), range.unwrap().isPresent())
            .or(() -> QueryValidator.selectorError(range.selector().selector()));
    if (error.isPresent()) {
      return Deferred.of(error.get());
    }
    OptionalDouble value = OptionalDouble.empty();
    if (parameter != null) {
      try {
        value = OptionalDouble.of(GoNumber.parseFloat(parameter));
      } catch (GoNumber.InvalidNumberException e) {
        throw new IllegalStateException("validated parameter", e);
      }
    }
    return new RangeAggregationExpr(op, range, value, grouping);
  }

  private static RangeOp rangeOp(Token token) {
    return switch (token.getType()) {
      case LogQLLexer.COUNT_OVER_TIME -> RangeOp.COUNT_OVER_TIME;
      case LogQLLexer.RATE -> RangeOp.RATE;
      case LogQLLexer.RATE_COUNTER -> RangeOp.RATE_COUNTER;
      case LogQLLexer.BYTES_OVER_TIME -> RangeOp.BYTES_OVER_TIME;
      case LogQLLexer.BYTES_RATE -> RangeOp.BYTES_RATE;
      case LogQLLexer.AVG_OVER_TIME -> RangeOp.AVG_OVER_TIME;
      case LogQLLexer.SUM_OVER_TIME -> RangeOp.SUM_OVER_TIME;
      case LogQLLexer.MIN_OVER_TIME -> RangeOp.MIN_OVER_TIME;
      case LogQLLexer.MAX_OVER_TIME -> RangeOp.MAX_OVER_TIME;
      case LogQLLexer.STDVAR_OVER_TIME -> RangeOp.STDVAR_OVER_TIME;
      case LogQLLexer.STDDEV_OVER_TIME -> RangeOp.STDDEV_OVER_TIME;
      case LogQLLexer.QUANTILE_OVER_TIME -> RangeOp.QUANTILE_OVER_TIME;
      case LogQLLexer.FIRST_OVER_TIME -> RangeOp.FIRST_OVER_TIME;
      case LogQLLexer.LAST_OVER_TIME -> RangeOp.LAST_OVER_TIME;
      case LogQLLexer.ABSENT_OVER_TIME -> RangeOp.ABSENT_OVER_TIME;
      default -> throw unknownOperator(token);
    };
  }

  private LogRangeExpr logRange(LogQLParser.LogRangeExprContext ctx) {
    if (ctx instanceof LogQLParser.ParenthesizedRangeContext parenthesized) {
      return logRange(parenthesized.logRangeExpr());
    }
    LogQLParser.LogRangeContext range = (LogQLParser.LogRangeContext) ctx;
    // The parts in the order written, so that errors come left to right.
    StreamSelector selector = selector(range.selector());
    Duration interval = null;
    Duration offset = Duration.ZERO;
    List<PipelineStage> stages = new ArrayList<>();
    Optional<Unwrap> unwrap = Optional.empty();
    for (var child : range.children) {
      if (child instanceof TerminalNode terminal
          && terminal.getSymbol().getType() == LogQLLexer.RANGE) {
        interval = Tokens.rangeValue(terminal.getSymbol());
      } else if (child instanceof LogQLParser.OffsetExprContext offsetCtx) {
        offset = Tokens.durationValue(offsetCtx.DURATION().getSymbol());
      } else if (child instanceof LogQLParser.PipelineStageContext stage) {
        stages.addAll(pipelineStages(stage));
      } else if (child instanceof LogQLParser.UnwrapExprContext unwrapCtx) {
        unwrap = Optional.of(unwrap(unwrapCtx));
      }
    }
    return new LogRangeExpr(new LogSelectorExpr(selector, stages), interval, offset, unwrap);
  }

  private Unwrap unwrap(LogQLParser.UnwrapExprContext ctx) {
    Unwrap.Conversion conversion = Unwrap.Conversion.NONE;
    if (ctx.conversion != null) {
      conversion =
          switch (ctx.conversion.getType()) {
            case LogQLLexer.BYTES_CONV -> Unwrap.Conversion.BYTES;
            case LogQLLexer.DURATION_CONV -> Unwrap.Conversion.DURATION;
            case LogQLLexer.DURATION_SECONDS_CONV -> Unwrap.Conversion.DURATION_SECONDS;
            default -> throw unknownOperator(ctx.conversion);
          };
    }
    List<LabelFilter> postFilters = ctx.labelFilter().stream().map(this::labelFilter).toList();
    return new Unwrap(ctx.IDENTIFIER().getText(), conversion, postFilters);
  }

  private static Grouping grouping(LogQLParser.GroupingContext ctx) {
    return new Grouping(ctx.WITHOUT() != null, labels(ctx.labelList()));
  }

  private Object vectorAggregation(LogQLParser.VectorAggregationContext ctx) {
    VectorOp op = vectorOp(ctx.vectorOp().getStart());
    Optional<Grouping> grouping = Optional.ofNullable(ctx.grouping()).map(AstBuilder::grouping);
    String parameter = ctx.parameter == null ? null : Tokens.numberText(ctx.parameter);
    Object inner = expr(ctx.expr());
    requireMetricQuery(inner, ctx.expr());
    List<String> groupingLabels = grouping.map(Grouping::labels).orElse(List.of());
    Optional<String> error =
        QueryValidator.vectorAggregationError(op, parameter, grouping.isPresent(), groupingLabels);
    if (error.isPresent()) {
      return Deferred.of(error.get());
    }
    if (inner instanceof Deferred d) {
      return new Deferred(d.error(), false);
    }
    OptionalLong k =
        parameter == null ? OptionalLong.empty() : GoNumber.atoi(parameter);
    return new VectorAggregationExpr(
        op, (SampleExpr) inner, grouping.orElse(Grouping.by()), k);
  }

  private static VectorOp vectorOp(Token token) {
    return switch (token.getType()) {
      case LogQLLexer.SUM -> VectorOp.SUM;
      case LogQLLexer.AVG -> VectorOp.AVG;
      case LogQLLexer.COUNT -> VectorOp.COUNT;
      case LogQLLexer.MAX -> VectorOp.MAX;
      case LogQLLexer.MIN -> VectorOp.MIN;
      case LogQLLexer.STDDEV -> VectorOp.STDDEV;
      case LogQLLexer.STDVAR -> VectorOp.STDVAR;
      case LogQLLexer.BOTTOMK -> VectorOp.BOTTOMK;
      case LogQLLexer.TOPK -> VectorOp.TOPK;
      case LogQLLexer.SORT -> VectorOp.SORT;
      case LogQLLexer.SORT_DESC -> VectorOp.SORT_DESC;
      case LogQLLexer.APPROX_TOPK -> VectorOp.APPROX_TOPK;
      default -> throw unknownOperator(token);
    };
  }

  /**
   * Loki's grammar takes only metric queries as arguments of aggregations and label_replace; a
   * log query there is a syntax error at the token after it.
   */
  private void requireMetricQuery(Object argument, ParserRuleContext ctx) {
    if (argument instanceof LogSelectorExpr) {
      Token after = tokens.get(ctx.getStop().getTokenIndex() + 1);
      throw Tokens.errorAt(after, "syntax error: unexpected " + Tokens.name(after));
    }
  }

  private Object labelReplace(LogQLParser.LabelReplaceContext ctx) {
    Object inner = expr(ctx.expr());
    requireMetricQuery(inner, ctx.expr());
    String destination = Tokens.stringValue(ctx.destination);
    String replacement = Tokens.stringValue(ctx.replacement);
    String source = Tokens.stringValue(ctx.source);
    String regex = Tokens.stringValue(ctx.regex);
    // Loki anchors the regex, as Prometheus does.
    Optional<String> regexError = Re2Syntax.error("^(?:" + regex + ")$");
    if (regexError.isPresent()) {
      return Deferred.of("invalid regex in label_replace: " + regexError.get());
    }
    if (inner instanceof Deferred d) {
      return new Deferred(d.error(), false);
    }
    return new LabelReplaceExpr((SampleExpr) inner, destination, replacement, source, regex);
  }

  private static Object vector(LogQLParser.VectorContext ctx) {
    String number = Tokens.numberText(ctx.NUMBER().getSymbol());
    try {
      return new VectorExpr(GoNumber.parseFloat(number));
    } catch (GoNumber.InvalidNumberException e) {
      return Deferred.of("unable to parse vectorExpr as a float: " + e.getMessage());
    }
  }

  private static Object literal(LogQLParser.LiteralContext ctx) {
    try {
      return new LiteralExpr(literalValue(ctx));
    } catch (GoNumber.InvalidNumberException e) {
      return new Deferred(
          LogQLParseException.withoutPosition(
              "unable to parse literal as a float: " + e.getMessage()),
          true);
    }
  }

  private static double literalValue(LogQLParser.LiteralContext ctx)
      throws GoNumber.InvalidNumberException {
    double value = GoNumber.parseFloat(Tokens.numberText(ctx.NUMBER().getSymbol()));
    return ctx.sign != null && ctx.sign.getType() == LogQLLexer.SUB ? -value : value;
  }

  // --- log queries ---

  private LogSelectorExpr logExpr(LogQLParser.LogExprContext ctx) {
    StreamSelector selector = selector(ctx.selector());
    List<PipelineStage> stages = new ArrayList<>();
    ctx.pipelineStage().forEach(stage -> stages.addAll(pipelineStages(stage)));
    return new LogSelectorExpr(selector, stages);
  }

  private StreamSelector selector(LogQLParser.SelectorContext ctx) {
    return new StreamSelector(ctx.matcher().stream().map(this::matcher).toList());
  }

  private LabelMatcher matcher(LogQLParser.MatcherContext ctx) {
    return matcher(ctx.IDENTIFIER().getText(), ctx.op, ctx.STRING().getSymbol());
  }

  // Loki checks matcher regexes as it parses.
  private static LabelMatcher matcher(String name, Token op, Token value) {
    LabelMatcher.MatchType type =
        switch (op.getType()) {
          case LogQLLexer.EQ -> LabelMatcher.MatchType.EQ;
          case LogQLLexer.NEQ -> LabelMatcher.MatchType.NEQ;
          case LogQLLexer.RE -> LabelMatcher.MatchType.RE;
          case LogQLLexer.NRE -> LabelMatcher.MatchType.NRE;
          default -> throw unknownOperator(op);
        };
    String text = Tokens.stringValue(value);
    if (type == LabelMatcher.MatchType.RE || type == LabelMatcher.MatchType.NRE) {
      Re2Syntax.compile(text);
    }
    return new LabelMatcher(name, type, text);
  }

  private List<PipelineStage> pipelineStages(LogQLParser.PipelineStageContext ctx) {
    if (ctx instanceof LogQLParser.LineFilterStageContext filter) {
      return lineFilter(filter.lineFilter());
    }
    return List.of(pipelineStage(ctx));
  }

  private PipelineStage pipelineStage(LogQLParser.PipelineStageContext ctx) {
    if (ctx instanceof LogQLParser.JsonStageContext json) {
      return new JsonParser(extractions(json.labelExtractions()));
    }
    if (ctx instanceof LogQLParser.LogfmtStageContext logfmt) {
      boolean strict = false;
      boolean keepEmpty = false;
      for (TerminalNode flag : logfmt.FUNCTION_FLAG()) {
        strict |= flag.getText().equals("--strict");
        keepEmpty |= flag.getText().equals("--keep-empty");
      }
      return new LogfmtParser(strict, keepEmpty, extractions(logfmt.labelExtractions()));
    }
    if (ctx instanceof LogQLParser.RegexpStageContext regexp) {
      return regexpParser(Tokens.stringValue(regexp.STRING().getSymbol()));
    }
    if (ctx instanceof LogQLParser.PatternStageContext pattern) {
      String text = Tokens.stringValue(pattern.STRING().getSymbol());
      PatternSyntax.parserError(text)
          .ifPresent(
              e -> {
                throw LogQLParseException.withoutPosition("invalid pattern parser: " + e);
              });
      return new PatternParser(text);
    }
    if (ctx instanceof LogQLParser.UnpackStageContext) {
      return new UnpackParser();
    }
    if (ctx instanceof LogQLParser.LabelFilterStageContext filter) {
      return new LabelFilterStage(labelFilter(filter.labelFilter()));
    }
    if (ctx instanceof LogQLParser.LineFormatStageContext format) {
      return new LineFormat(Tokens.stringValue(format.STRING().getSymbol()));
    }
    if (ctx instanceof LogQLParser.DecolorizeStageContext) {
      return new Decolorize();
    }
    if (ctx instanceof LogQLParser.LabelFormatStageContext format) {
      List<LabelFormat.Operation> operations = new ArrayList<>();
      for (LogQLParser.LabelFormatOperationContext op : format.labelFormatOperation()) {
        String target = op.target.getText();
        operations.add(
            op.source != null
                ? new LabelFormat.Rename(target, op.source.getText())
                : new LabelFormat.Template(target, Tokens.stringValue(op.template)));
      }
      return new LabelFormat(operations);
    }
    if (ctx instanceof LogQLParser.DropStageContext drop) {
      return new DropLabels(drop.namedMatcher().stream().map(AstBuilder::namedMatcher).toList());
    }
    LogQLParser.KeepStageContext keep = (LogQLParser.KeepStageContext) ctx;
    return new KeepLabels(keep.namedMatcher().stream().map(AstBuilder::namedMatcher).toList());
  }

  // Loki builds the regexp parser as it parses, and wants at least one named group.
  private static RegexpParser regexpParser(String regex) {
    String prefix = "invalid regexp parser: ";
    com.google.re2j.Pattern compiled;
    try {
      compiled = com.google.re2j.Pattern.compile(regex);
    } catch (com.google.re2j.PatternSyntaxException e) {
      // Go's regexp allows a group name twice; Loki refuses it with its own words.
      boolean duplicate = e.getDescription().contains("duplicate capture group name");
      throw LogQLParseException.withoutPosition(
          prefix
              + (duplicate
                  ? "duplicate extracted label name '" + e.getPattern() + "'"
                  : Re2Syntax.goMessage(regex, e)));
    }
    if (compiled.namedGroups().isEmpty()) {
      throw LogQLParseException.withoutPosition(
          prefix + "at least one named capture must be supplied");
    }
    return new RegexpParser(regex);
  }

  private static List<LabelExtraction> extractions(LogQLParser.LabelExtractionsContext ctx) {
    if (ctx == null) {
      return List.of();
    }
    List<LabelExtraction> extractions = new ArrayList<>();
    for (LogQLParser.LabelExtractionContext extraction : ctx.labelExtraction()) {
      String label = extraction.IDENTIFIER().getText();
      String expression =
          extraction.STRING() == null ? label : Tokens.stringValue(extraction.STRING().getSymbol());
      extractions.add(new LabelExtraction(label, expression));
    }
    return extractions;
  }

  private static NamedLabelMatcher namedMatcher(LogQLParser.NamedMatcherContext ctx) {
    String name = ctx.IDENTIFIER().getText();
    if (ctx.op == null) {
      return NamedLabelMatcher.named(name);
    }
    return NamedLabelMatcher.matching(matcher(name, ctx.op, ctx.STRING().getSymbol()));
  }

  /**
   * A line filter. A negative filter with alternatives keeps the lines that match none of them:
   * Loki reads {@code != "a" or "b"} as {@code != "a" != "b"}, and so do we, one filter each.
   */
  private static List<PipelineStage> lineFilter(LogQLParser.LineFilterContext ctx) {
    boolean negated =
        switch (ctx.op.getType()) {
          case LogQLLexer.NEQ, LogQLLexer.NRE, LogQLLexer.NPA -> true;
          default -> false;
        };
    List<LogQLParser.LineFilterValueContext> values = ctx.lineFilterValue();
    if (!negated || values.size() == 1) {
      return List.of(lineFilter(ctx.op, values));
    }
    return values.stream().map(value -> lineFilter(ctx.op, List.of(value))).toList();
  }

  private static PipelineStage lineFilter(
      Token op, List<LogQLParser.LineFilterValueContext> valueContexts) {
    List<String> values = new ArrayList<>();
    List<IpLineFilter.Alternative> alternatives = new ArrayList<>();
    boolean anyIp = false;
    for (LogQLParser.LineFilterValueContext value : valueContexts) {
      String text = Tokens.stringValue(value.STRING().getSymbol());
      values.add(text);
      anyIp |= value.IP() != null;
      alternatives.add(
          value.IP() != null ? new IpLineFilter.IpPattern(text) : new IpLineFilter.Text(text));
    }
    if (anyIp) {
      IpLineFilter.Op ipOp =
          switch (op.getType()) {
            case LogQLLexer.PIPE_EXACT -> IpLineFilter.Op.CONTAINS;
            case LogQLLexer.NEQ -> IpLineFilter.Op.NOT_CONTAINS;
            case LogQLLexer.PIPE_MATCH -> IpLineFilter.Op.MATCHES_REGEX;
            case LogQLLexer.NRE -> IpLineFilter.Op.NOT_MATCHES_REGEX;
            case LogQLLexer.PIPE_PATTERN -> IpLineFilter.Op.MATCHES_PATTERN;
            case LogQLLexer.NPA -> IpLineFilter.Op.NOT_MATCHES_PATTERN;
            default -> throw unknownOperator(op);
          };
      return new IpLineFilter(ipOp, alternatives);
    }
    return switch (op.getType()) {
      case LogQLLexer.PIPE_EXACT -> new LineFilter(LineFilter.Op.CONTAINS, values);
      case LogQLLexer.NEQ -> new LineFilter(LineFilter.Op.NOT_CONTAINS, values);
      case LogQLLexer.PIPE_MATCH -> new LineFilter(LineFilter.Op.MATCHES_REGEX, values);
      case LogQLLexer.NRE -> new LineFilter(LineFilter.Op.NOT_MATCHES_REGEX, values);
      case LogQLLexer.PIPE_PATTERN -> new PatternLineFilter(false, values);
      case LogQLLexer.NPA -> new PatternLineFilter(true, values);
      default -> throw unknownOperator(op);
    };
  }

  // --- label filters ---

  /**
   * A chain of label filters, grouped as Loki's parser groups it: {@code or} binds looser than
   * {@code and}, both to the left; a {@code ,} or two filters side by side (both {@code and}) have
   * no precedence in Loki's grammar, so its parser takes everything after them as their right
   * side: {@code a or b , c} is {@code a or (b and c)}, {@code a and b c} is {@code a and (b and
   * c)}.
   */
  private LabelFilter labelFilter(LogQLParser.LabelFilterContext ctx) {
    List<LabelFilter> operands = new ArrayList<>();
    List<Integer> operators = new ArrayList<>(); // token types; COMMA also for side by side
    operands.add(labelFilterPrimary(ctx.labelFilterPrimary()));
    for (LogQLParser.LabelFilterContinuationContext next : ctx.labelFilterContinuation()) {
      int operator = next.op == null ? LogQLLexer.COMMA : next.op.getType();
      LabelFilter operand = labelFilterPrimary(next.labelFilterPrimary());
      while (!operators.isEmpty()
          && reducesBefore(operators.get(operators.size() - 1), operator)) {
        reduce(operands, operators);
      }
      operators.add(operator);
      operands.add(operand);
    }
    while (!operators.isEmpty()) {
      reduce(operands, operators);
    }
    return operands.get(0);
  }

  // goyacc's choice between ending `left op right` and reading on: it reads on unless both
  // operators have a precedence and the one before binds at least as tightly.
  private static boolean reducesBefore(int before, int next) {
    int p = precedence(before);
    int q = precedence(next);
    return p > 0 && q > 0 && p >= q;
  }

  private static int precedence(int operator) {
    return switch (operator) {
      case LogQLLexer.OR -> 1;
      case LogQLLexer.AND -> 2;
      default -> 0;
    };
  }

  private static void reduce(List<LabelFilter> operands, List<Integer> operators) {
    LabelFilter right = operands.remove(operands.size() - 1);
    LabelFilter left = operands.remove(operands.size() - 1);
    int operator = operators.remove(operators.size() - 1);
    BinaryLabelFilter.Op op =
        operator == LogQLLexer.OR ? BinaryLabelFilter.Op.OR : BinaryLabelFilter.Op.AND;
    operands.add(new BinaryLabelFilter(left, op, right));
  }

  private LabelFilter labelFilterPrimary(LogQLParser.LabelFilterPrimaryContext ctx) {
    if (ctx instanceof LogQLParser.NestedLabelFilterContext nested) {
      return labelFilter(nested.labelFilter());
    }
    if (ctx instanceof LogQLParser.StringLabelFilterContext string) {
      return new StringLabelFilter(
          matcher(string.IDENTIFIER().getText(), string.op, string.STRING().getSymbol()));
    }
    if (ctx instanceof LogQLParser.IpLabelFilterContext ip) {
      return new IpLabelFilter(
          ip.IDENTIFIER().getText(),
          ip.op.getType() == LogQLLexer.NEQ,
          Tokens.stringValue(ip.STRING().getSymbol()));
    }
    if (ctx instanceof LogQLParser.DurationLabelFilterContext duration) {
      return new DurationLabelFilter(
          duration.IDENTIFIER().getText(),
          comparison(duration.op),
          Tokens.durationValue(duration.DURATION().getSymbol()));
    }
    if (ctx instanceof LogQLParser.BytesLabelFilterContext bytes) {
      return new BytesLabelFilter(
          bytes.IDENTIFIER().getText(),
          comparison(bytes.op),
          Tokens.bytesValue(bytes.BYTES().getSymbol()));
    }
    LogQLParser.NumberLabelFilterContext number = (LogQLParser.NumberLabelFilterContext) ctx;
    double value;
    try {
      value = literalValue(number.literal());
    } catch (GoNumber.InvalidNumberException e) {
      // Loki reads the number as it parses the filter.
      throw LogQLParseException.withoutPosition(
          "unable to parse literal as a float: " + e.getMessage());
    }
    return new NumericLabelFilter(number.IDENTIFIER().getText(), comparison(number.op), value);
  }

  private static ComparisonOp comparison(Token op) {
    return switch (op.getType()) {
      case LogQLLexer.EQ, LogQLLexer.CMP_EQ -> ComparisonOp.EQ;
      case LogQLLexer.NEQ -> ComparisonOp.NEQ;
      case LogQLLexer.GT -> ComparisonOp.GT;
      case LogQLLexer.GTE -> ComparisonOp.GTE;
      case LogQLLexer.LT -> ComparisonOp.LT;
      case LogQLLexer.LTE -> ComparisonOp.LTE;
      default -> throw unknownOperator(op);
    };
  }

  // The grammar admits only the operators handled above; reaching this is a bug in this class.
  private static IllegalStateException unknownOperator(Token op) {
    return new IllegalStateException(
        "grammar admits an operator the AST builder lacks: " + op.getText());
  }
}

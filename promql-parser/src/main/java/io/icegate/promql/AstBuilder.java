package io.icegate.promql;

import io.icegate.promql.ast.AggregateExpr;
import io.icegate.promql.ast.AggregateOp;
import io.icegate.promql.ast.AtModifier;
import io.icegate.promql.ast.BinaryExpr;
import io.icegate.promql.ast.BinaryOp;
import io.icegate.promql.ast.Call;
import io.icegate.promql.ast.DurationExpr;
import io.icegate.promql.ast.Expr;
import io.icegate.promql.ast.Function;
import io.icegate.promql.ast.Functions;
import io.icegate.promql.ast.LabelMatcher;
import io.icegate.promql.ast.LabelMatcher.MatchType;
import io.icegate.promql.ast.MatrixSelector;
import io.icegate.promql.ast.NumberLiteral;
import io.icegate.promql.ast.ParenExpr;
import io.icegate.promql.ast.PositionRange;
import io.icegate.promql.ast.Printer;
import io.icegate.promql.ast.RangeModifier;
import io.icegate.promql.ast.StringLiteral;
import io.icegate.promql.ast.SubqueryExpr;
import io.icegate.promql.ast.UnaryExpr;
import io.icegate.promql.ast.VectorMatching;
import io.icegate.promql.ast.VectorMatching.Cardinality;
import io.icegate.promql.ast.VectorSelector;
import io.icegate.promql.parser.PromQLLexer;
import io.icegate.promql.parser.PromQLParser;
import io.icegate.promql.parser.PromQLParser.AggregateExprContext;
import io.icegate.promql.parser.PromQLParser.AtValueContext;
import io.icegate.promql.parser.PromQLParser.BinModifierContext;
import io.icegate.promql.parser.PromQLParser.DurationAtomContext;
import io.icegate.promql.parser.PromQLParser.DurationExprContext;
import io.icegate.promql.parser.PromQLParser.ExprContext;
import io.icegate.promql.parser.PromQLParser.FunctionCallBodyContext;
import io.icegate.promql.parser.PromQLParser.GroupingLabelContext;
import io.icegate.promql.parser.PromQLParser.GroupingLabelsContext;
import io.icegate.promql.parser.PromQLParser.LabelMatcherContext;
import io.icegate.promql.parser.PromQLParser.OffsetValueContext;
import io.icegate.promql.parser.PromQLParser.VectorSelectorContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.antlr.v4.runtime.Token;

/**
 * Turns the parse tree into the AST, reporting what Prometheus reports while it parses (in its
 * grammar's actions): bad numbers and durations, bad regexes, unknown functions, ranges on
 * something other than a selector, offsets and {@code @} set twice, features not enabled, ...
 *
 * <p>Prometheus runs those actions bottom-up, left to right, and reports the first error; building
 * children before their parent, left to right, finds the same first error.
 */
final class AstBuilder {
  private final QueryText q;
  private final PromQLOptions options;

  AstBuilder(QueryText q, PromQLOptions options) {
    this.q = q;
    this.options = options;
  }

  /** The expression of the query; an empty query is an error. */
  Expr query(PromQLParser.QueryContext ctx) {
    if (ctx.expr() == null) {
      throw q.error(new PositionRange(0, 0), "no expression found in input");
    }
    return expr(ctx.expr());
  }

  private Expr expr(ExprContext ctx) {
    if (ctx instanceof PromQLParser.RangeExprContext c) {
      return range(c);
    }
    if (ctx instanceof PromQLParser.AtExprContext c) {
      return at(c);
    }
    if (ctx instanceof PromQLParser.OffsetExprContext c) {
      return offset(c);
    }
    if (ctx instanceof PromQLParser.RangeModifierExprContext c) {
      return rangeModifier(c);
    }
    if (ctx instanceof PromQLParser.BinaryExprContext c) {
      return binary(c);
    }
    if (ctx instanceof PromQLParser.UnaryExprContext c) {
      Expr operand = expr(c.expr());
      PositionRange pos = q.range(c.op).union(operand.positionRange());
      UnaryExpr.Op op = c.op.getType() == PromQLLexer.SUB ? UnaryExpr.Op.SUB : UnaryExpr.Op.ADD;
      if (operand instanceof NumberLiteral n) {
        // A sign before a number becomes part of the number, as in Prometheus.
        double v = op == UnaryExpr.Op.SUB ? -n.value() : n.value();
        return new NumberLiteral(v, n.duration(), pos);
      }
      return new UnaryExpr(op, operand, pos);
    }
    if (ctx instanceof PromQLParser.AggregateContext c) {
      return aggregate(c.aggregateExpr());
    }
    if (ctx instanceof PromQLParser.CallContext c) {
      return call(c.functionCall());
    }
    if (ctx instanceof PromQLParser.SelectorContext c) {
      return vectorSelector(c.vectorSelector());
    }
    if (ctx instanceof PromQLParser.ParenExprContext c) {
      Expr inner = expr(c.expr());
      return new ParenExpr(inner, q.range(c.LEFT_PAREN().getSymbol(), c.RIGHT_PAREN().getSymbol()));
    }
    if (ctx instanceof PromQLParser.NumberLiteralContext c) {
      return numberLiteral(c.literal);
    }
    if (ctx instanceof PromQLParser.StringLiteralContext c) {
      Token t = c.STRING().getSymbol();
      return new StringLiteral(StringLiterals.unquote(t.getText()), q.range(t));
    }
    throw new IllegalStateException("unknown expression alternative " + ctx.getClass().getSimpleName());
  }

  // ---- Literals. ----

  private NumberLiteral numberLiteral(Token t) {
    PositionRange pos = q.range(t);
    try {
      if (t.getType() == PromQLLexer.DURATION) {
        return new NumberLiteral(NumberLiterals.seconds(NumberLiterals.parseDurationNanos(t.getText())), true, pos);
      }
      return new NumberLiteral(NumberLiterals.parseNumber(t.getText()), false, pos);
    } catch (NumberLiterals.LiteralException e) {
      throw q.error(pos, e.getMessage());
    }
  }

  // ---- Ranges, subqueries, offsets, @. ----

  private Expr range(PromQLParser.RangeExprContext c) {
    Expr base = expr(c.expr());
    Expr rangeValue = positiveDuration(c.rangeDuration(0).durationExpr());
    PositionRange pos = base.positionRange().union(q.range(c.RIGHT_BRACKET().getSymbol()));
    if (c.COLON() == null) {
      PositionRange brackets = q.range(c.LEFT_BRACKET().getSymbol(), c.RIGHT_BRACKET().getSymbol());
      if (!(base instanceof VectorSelector vs)) {
        throw q.error(brackets, "ranges only allowed for vector selectors");
      }
      if (vs.offsetMillis() != 0 || vs.offsetExpr() != null) {
        throw q.error(brackets, "no offset modifiers allowed before range");
      }
      if (vs.at() != null) {
        throw q.error(brackets, "no @ modifiers allowed before range");
      }
      return new MatrixSelector(vs, millis(rangeValue), durationExprOrNull(rangeValue), pos);
    }
    Expr stepValue = c.rangeDuration().size() > 1 ? positiveDuration(c.rangeDuration(1).durationExpr()) : null;
    return new SubqueryExpr(
        base,
        millis(rangeValue),
        durationExprOrNull(rangeValue),
        stepValue == null ? 0 : millis(stepValue),
        stepValue == null ? null : durationExprOrNull(stepValue),
        0,
        null,
        null,
        pos);
  }

  // A range or step: must be more than 0 when it is a plain number.
  private Expr positiveDuration(DurationExprContext ctx) {
    Expr d = durationExpr(ctx);
    if (d instanceof NumberLiteral n && n.value() <= 0) {
      throw q.error(n.positionRange(), "duration must be greater than 0");
    }
    return d;
  }

  private Expr offset(PromQLParser.OffsetExprContext c) {
    Expr base = expr(c.expr());
    Expr value = offsetValue(c.offsetValue());
    PositionRange end = q.range(c.offsetValue().getStop());
    String notSelector =
        "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery";
    long ms = millis(value);
    DurationExpr de = durationExprOrNull(value);
    if (base instanceof VectorSelector vs) {
      requireNoOffset(vs.offsetMillis(), vs.offsetExpr(), base);
      return new VectorSelector(
          vs.name(), vs.matchers(), ms, de, vs.at(), vs.rangeModifier(), vs.positionRange().union(end));
    }
    if (base instanceof MatrixSelector m) {
      VectorSelector vs = m.vectorSelector();
      requireNoOffset(vs.offsetMillis(), vs.offsetExpr(), base);
      VectorSelector inner =
          new VectorSelector(vs.name(), vs.matchers(), ms, de, vs.at(), vs.rangeModifier(), vs.positionRange());
      return new MatrixSelector(inner, m.rangeMillis(), m.rangeExpr(), m.positionRange().union(end));
    }
    if (base instanceof SubqueryExpr s) {
      requireNoOffset(s.offsetMillis(), s.offsetExpr(), base);
      return new SubqueryExpr(
          s.expr(), s.rangeMillis(), s.rangeExpr(), s.stepMillis(), s.stepExpr(), ms, de, s.at(),
          s.positionRange().union(end));
    }
    throw q.error(base.positionRange(), notSelector);
  }

  private void requireNoOffset(long offsetMillis, DurationExpr offsetExpr, Expr node) {
    // Prometheus takes an offset of 0 for "no offset", so `x offset 0s offset 1m` passes.
    if (offsetMillis != 0 || offsetExpr != null) {
      throw q.error(node.positionRange(), "offset may not be set multiple times");
    }
  }

  // The value after `offset`: a number (seconds) or a duration expression.
  private Expr offsetValue(OffsetValueContext c) {
    DurationAtomContext atom = c.durationAtom();
    Token sign = c.sign;
    if (atom instanceof PromQLParser.DurationLiteralContext lit) {
      NumberLiteral n = numberLiteral(lit.literal);
      if (sign == null) {
        checkDurationRange(n.value(), n.positionRange());
        return n;
      }
      double v = sign.getType() == PromQLLexer.SUB ? -n.value() : n.value();
      checkDurationRange(v, q.range(sign));
      return new NumberLiteral(v, n.duration(), q.range(sign).union(n.positionRange()));
    }
    if (sign == null) {
      return durationAtom(atom);
    }
    PositionRange signPos = q.range(sign);
    if (atom instanceof PromQLParser.DurationParenContext paren) {
      // `offset -(expr)`: Prometheus applies the sign to the parenthesised expression without
      // asking for the duration-expression feature (unless the inside needs it).
      Expr inner = durationExpr(paren.durationExpr());
      PositionRange parenPos = q.range(paren.getStart(), paren.getStop());
      return applySign(sign, wrap(inner, parenPos), signPos);
    }
    Expr inner = durationAtom(atom);
    requireDurationExpressions(signPos.union(inner.positionRange()));
    if (sign.getType() == PromQLLexer.ADD) {
      // Prometheus keeps a unary + node here, which prints as nothing; the value is the same.
      return inner;
    }
    return new DurationExpr(DurationExpr.Op.SUB, null, inner, false, signPos.union(inner.positionRange()));
  }

  private Expr at(PromQLParser.AtExprContext c) {
    Expr base = expr(c.expr());
    AtValueContext v = c.atValue();
    AtModifier at;
    if (v.preprocessor != null) {
      at = v.preprocessor.getType() == PromQLLexer.START ? AtModifier.start() : AtModifier.end();
    } else {
      double ts = numberLiteral(v.literal).value();
      if (v.sign != null && v.sign.getType() == PromQLLexer.SUB) {
        ts = -ts;
      }
      if (Double.isNaN(ts) || Double.isInfinite(ts) || ts >= 0x1p63 || ts <= -0x1p63) {
        throw q.error(base.positionRange(), "timestamp out of bounds for @ modifier: " + goFloatF(ts));
      }
      at = AtModifier.timestamp(roundHalfAway(ts * 1000));
    }
    PositionRange end = q.range(v.getStop());
    String notSelector =
        "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery";
    String twice = "@ <timestamp> may not be set multiple times";
    if (base instanceof VectorSelector vs) {
      if (vs.at() != null) {
        throw q.error(base.positionRange(), twice);
      }
      return new VectorSelector(
          vs.name(), vs.matchers(), vs.offsetMillis(), vs.offsetExpr(), at, vs.rangeModifier(),
          vs.positionRange().union(end));
    }
    if (base instanceof MatrixSelector m) {
      VectorSelector vs = m.vectorSelector();
      if (vs.at() != null) {
        throw q.error(base.positionRange(), twice);
      }
      VectorSelector inner =
          new VectorSelector(vs.name(), vs.matchers(), vs.offsetMillis(), vs.offsetExpr(), at, vs.rangeModifier(),
              vs.positionRange());
      return new MatrixSelector(inner, m.rangeMillis(), m.rangeExpr(), m.positionRange().union(end));
    }
    if (base instanceof SubqueryExpr s) {
      if (s.at() != null) {
        throw q.error(base.positionRange(), twice);
      }
      return new SubqueryExpr(
          s.expr(), s.rangeMillis(), s.rangeExpr(), s.stepMillis(), s.stepExpr(), s.offsetMillis(),
          s.offsetExpr(), at, s.positionRange().union(end));
    }
    throw q.error(base.positionRange(), notSelector);
  }

  private Expr rangeModifier(PromQLParser.RangeModifierExprContext c) {
    Expr base = expr(c.expr());
    boolean anchored = c.modifier.getType() == PromQLLexer.ANCHORED;
    String name = anchored ? "anchored" : "smoothed";
    RangeModifier modifier = anchored ? RangeModifier.ANCHORED : RangeModifier.SMOOTHED;
    if (!options.extendedRangeSelectors()) {
      throw q.error(base.positionRange(), name + " modifier is experimental and not enabled");
    }
    String together = "anchored and smoothed modifiers cannot be used together";
    if (base instanceof VectorSelector vs) {
      if (vs.rangeModifier() != RangeModifier.NONE && vs.rangeModifier() != modifier) {
        throw q.error(base.positionRange(), together);
      }
      return new VectorSelector(
          vs.name(), vs.matchers(), vs.offsetMillis(), vs.offsetExpr(), vs.at(), modifier, vs.positionRange());
    }
    if (base instanceof MatrixSelector m) {
      VectorSelector vs = m.vectorSelector();
      if (vs.rangeModifier() != RangeModifier.NONE && vs.rangeModifier() != modifier) {
        throw q.error(base.positionRange(), together);
      }
      VectorSelector inner =
          new VectorSelector(vs.name(), vs.matchers(), vs.offsetMillis(), vs.offsetExpr(), vs.at(), modifier,
              vs.positionRange());
      return new MatrixSelector(inner, m.rangeMillis(), m.rangeExpr(), m.positionRange());
    }
    if (base instanceof SubqueryExpr) {
      throw q.error(base.positionRange(), name + " modifier is not supported for subqueries");
    }
    throw q.error(base.positionRange(), name + " modifier not implemented");
  }

  // ---- Duration expressions (ranges, steps, offsets). ----

  private Expr durationExpr(DurationExprContext ctx) {
    if (ctx instanceof PromQLParser.DurationPrimaryContext c) {
      DurationAtomContext atom = c.durationAtom();
      if (atom instanceof PromQLParser.DurationLiteralContext lit) {
        NumberLiteral n = numberLiteral(lit.literal);
        checkDurationRange(n.value(), n.positionRange());
        return n;
      }
      return durationAtom(atom);
    }
    if (ctx instanceof PromQLParser.DurationUnaryContext c) {
      Expr operand = durationExpr(c.durationExpr());
      return applySign(c.op, operand, q.range(c.op));
    }
    PromQLParser.DurationBinaryContext c = (PromQLParser.DurationBinaryContext) ctx;
    Expr lhs = durationExpr(c.durationExpr(0));
    Expr rhs = durationExpr(c.durationExpr(1));
    requireDurationExpressions(lhs.positionRange());
    DurationExpr.Op op =
        switch (c.op.getType()) {
          case PromQLLexer.ADD -> DurationExpr.Op.ADD;
          case PromQLLexer.SUB -> DurationExpr.Op.SUB;
          case PromQLLexer.MUL -> DurationExpr.Op.MUL;
          case PromQLLexer.DIV -> DurationExpr.Op.DIV;
          case PromQLLexer.MOD -> DurationExpr.Op.MOD;
          default -> DurationExpr.Op.POW;
        };
    if ((op == DurationExpr.Op.DIV || op == DurationExpr.Op.MOD)
        && rhs instanceof NumberLiteral n
        && n.value() == 0) {
      throw q.error(q.range(c.op), op == DurationExpr.Op.DIV ? "division by zero" : "modulo by zero");
    }
    return new DurationExpr(op, lhs, rhs, false, lhs.positionRange().union(rhs.positionRange()));
  }

  // step(), range(), min_of(a, b), max_of(a, b), (expr): all need the duration-expression feature.
  private Expr durationAtom(DurationAtomContext atom) {
    PositionRange pos = q.range(atom.getStart(), atom.getStop());
    if (atom instanceof PromQLParser.DurationLiteralContext lit) {
      return numberLiteral(lit.literal);
    }
    if (atom instanceof PromQLParser.DurationFunctionContext f) {
      DurationExpr.Op op = f.fn.getType() == PromQLLexer.STEP ? DurationExpr.Op.STEP : DurationExpr.Op.RANGE;
      requireDurationExpressions(pos);
      return new DurationExpr(op, null, null, false, pos);
    }
    if (atom instanceof PromQLParser.DurationMinMaxContext m) {
      Expr a = durationExpr(m.durationExpr(0));
      Expr b = durationExpr(m.durationExpr(1));
      requireDurationExpressions(pos);
      DurationExpr.Op op = m.fn.getType() == PromQLLexer.MIN_OF ? DurationExpr.Op.MIN_OF : DurationExpr.Op.MAX_OF;
      return new DurationExpr(op, a, b, false, pos);
    }
    PromQLParser.DurationParenContext paren = (PromQLParser.DurationParenContext) atom;
    Expr inner = durationExpr(paren.durationExpr());
    requireDurationExpressions(inner.positionRange());
    return wrap(inner, pos);
  }

  // Marks a parenthesised duration expression, so it prints with its parentheses.
  private static DurationExpr wrap(Expr inner, PositionRange pos) {
    if (inner instanceof DurationExpr de) {
      return new DurationExpr(de.op(), de.lhs(), de.rhs(), true, de.positionRange());
    }
    return new DurationExpr(DurationExpr.Op.ADD, null, inner, true, pos);
  }

  // A sign before a duration: folded into a number, or a unary duration expression.
  private Expr applySign(Token sign, Expr operand, PositionRange signPos) {
    boolean minus = sign.getType() == PromQLLexer.SUB;
    if (operand instanceof NumberLiteral n) {
      double v = minus ? -n.value() : n.value();
      checkDurationRange(v, signPos);
      return new NumberLiteral(v, n.duration(), signPos.union(n.positionRange()));
    }
    DurationExpr de = (DurationExpr) operand;
    if (!minus) {
      return de;
    }
    return new DurationExpr(DurationExpr.Op.SUB, null, de, false, signPos.union(de.positionRange()));
  }

  private void requireDurationExpressions(PositionRange pos) {
    if (!options.durationExpressions()) {
      throw q.error(pos, "experimental duration expression is not enabled");
    }
  }

  // Durations are nanoseconds (a Go time.Duration) in Prometheus; beyond that range they fail.
  private void checkDurationRange(double seconds, PositionRange pos) {
    if (seconds > 0x1p63 / 1e9 || seconds < -0x1p63 / 1e9) {
      throw q.error(pos, "duration out of range");
    }
  }

  private static DurationExpr durationExprOrNull(Expr value) {
    return value instanceof DurationExpr de ? de : null;
  }

  // Seconds to whole nanoseconds (rounded, as Prometheus), then to milliseconds (truncated, as
  // its engine does).
  private static long millis(Expr value) {
    if (!(value instanceof NumberLiteral n)) {
      return 0;
    }
    return roundHalfAway(n.value() * 1e9) / 1_000_000;
  }

  private static long roundHalfAway(double v) {
    return (long) (v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5));
  }

  // Go's %f: six decimals; NaN and infinities by name.
  private static String goFloatF(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    return new java.math.BigDecimal(v).setScale(6, java.math.RoundingMode.HALF_EVEN).toPlainString();
  }

  // ---- Binary operations. ----

  private Expr binary(PromQLParser.BinaryExprContext c) {
    Expr lhs = expr(c.expr(0));
    BinModifierContext m = c.binModifier();
    boolean returnBool = m.BOOL() != null;
    Cardinality card = Cardinality.ONE_TO_ONE;
    List<String> matching = List.of();
    boolean on = false;
    List<String> include = List.of();
    if (m.onOrIgnoring() != null) {
      on = m.onOrIgnoring().kind.getType() == PromQLLexer.ON;
      matching = groupingLabels(m.onOrIgnoring().groupingLabels());
      if (m.group != null) {
        card = m.group.getType() == PromQLLexer.GROUP_LEFT ? Cardinality.MANY_TO_ONE : Cardinality.ONE_TO_MANY;
        include = m.groupingLabels() == null ? List.of() : groupingLabels(m.groupingLabels());
      }
    }
    Double fillLhs = null;
    Double fillRhs = null;
    if (m.fillModifiers() != null) {
      PromQLParser.FillModifiersContext f = m.fillModifiers();
      for (int i = 0; i < f.fillValue().size(); i++) {
        int kind = ((org.antlr.v4.runtime.tree.TerminalNode) f.getChild(2 * i)).getSymbol().getType();
        double v = fillValue(f.fillValue(i));
        if (kind == PromQLLexer.FILL || kind == PromQLLexer.FILL_LEFT) {
          fillLhs = v;
        }
        if (kind == PromQLLexer.FILL || kind == PromQLLexer.FILL_RIGHT) {
          fillRhs = v;
        }
      }
    }
    Expr rhs = expr(c.expr(1));
    PositionRange pos = lhs.positionRange().union(rhs.positionRange());
    if ((fillLhs != null || fillRhs != null) && !options.binopFillModifiers()) {
      throw q.error(pos, "binop fill modifiers are experimental and not enabled");
    }
    VectorMatching vm = new VectorMatching(card, matching, on, include, fillLhs, fillRhs);
    return new BinaryExpr(binaryOp(c.op), lhs, rhs, returnBool, vm, pos);
  }

  private double fillValue(PromQLParser.FillValueContext f) {
    double v = numberLiteral(f.literal).value();
    return f.sign != null && f.sign.getType() == PromQLLexer.SUB ? -v : v;
  }

  private static BinaryOp binaryOp(Token op) {
    return switch (op.getType()) {
      case PromQLLexer.ADD -> BinaryOp.ADD;
      case PromQLLexer.SUB -> BinaryOp.SUB;
      case PromQLLexer.MUL -> BinaryOp.MUL;
      case PromQLLexer.DIV -> BinaryOp.DIV;
      case PromQLLexer.MOD -> BinaryOp.MOD;
      case PromQLLexer.POW -> BinaryOp.POW;
      case PromQLLexer.ATAN2 -> BinaryOp.ATAN2;
      case PromQLLexer.EQLC -> BinaryOp.EQLC;
      case PromQLLexer.NEQ -> BinaryOp.NEQ;
      case PromQLLexer.GTR -> BinaryOp.GTR;
      case PromQLLexer.LSS -> BinaryOp.LSS;
      case PromQLLexer.GTE -> BinaryOp.GTE;
      case PromQLLexer.LTE -> BinaryOp.LTE;
      case PromQLLexer.TRIM_UPPER -> BinaryOp.TRIM_UPPER;
      case PromQLLexer.TRIM_LOWER -> BinaryOp.TRIM_LOWER;
      case PromQLLexer.LAND -> BinaryOp.LAND;
      case PromQLLexer.LOR -> BinaryOp.LOR;
      case PromQLLexer.LUNLESS -> BinaryOp.LUNLESS;
      default -> throw new IllegalStateException("not a binary operator: " + op.getText());
    };
  }

  private List<String> groupingLabels(GroupingLabelsContext ctx) {
    List<String> names = new ArrayList<>();
    for (GroupingLabelContext label : ctx.groupingLabel()) {
      Token t = label.getStart();
      if (t.getType() != PromQLLexer.STRING) {
        names.add(t.getText());
        continue;
      }
      String name = StringLiterals.unquote(t.getText());
      if (name.isEmpty() || !StringLiterals.isValidUtf8(name)) {
        throw q.error(q.range(t), "invalid label name for grouping: " + Printer.quote(name));
      }
      names.add(name);
    }
    return names;
  }

  // ---- Aggregations and calls. ----

  private Expr aggregate(AggregateExprContext c) {
    Token opToken = c.aggregateOp().getStart();
    List<String> grouping = List.of();
    boolean without = false;
    List<Expr> args = null;
    // Children in the order written: the modifier may come before or after the body.
    for (int i = 1; i < c.getChildCount(); i++) {
      if (c.getChild(i) instanceof PromQLParser.AggregateModifierContext mod) {
        without = mod.kind.getType() == PromQLLexer.WITHOUT;
        grouping = groupingLabels(mod.groupingLabels());
      } else if (c.getChild(i) instanceof FunctionCallBodyContext body) {
        args = arguments(body);
      }
    }
    PositionRange pos = q.range(opToken, c.getStop());
    AggregateOp op = AggregateOp.valueOf(opToken.getText().toUpperCase(Locale.ROOT));
    if (args.isEmpty()) {
      throw q.error(pos, "no arguments for aggregate expression provided");
    }
    int wanted = 1;
    Expr param = null;
    if (op.hasParam()) {
      if (op.experimental() && !options.experimentalFunctions()) {
        throw q.error(
            pos, op + "() is experimental and must be enabled with --enable-feature=promql-experimental-functions");
      }
      wanted = 2;
      param = args.get(0);
    }
    if (args.size() != wanted) {
      throw q.error(
          pos,
          "wrong number of arguments for aggregate expression provided, expected " + wanted + ", got " + args.size());
    }
    return new AggregateExpr(op, param, args.get(wanted - 1), grouping, without, pos);
  }

  private Expr call(PromQLParser.FunctionCallContext c) {
    List<Expr> args = arguments(c.functionCallBody());
    String name = c.name.getText();
    PositionRange namePos = q.range(c.name);
    Function function =
        Functions.byName(name)
            .orElseThrow(() -> q.error(namePos, "unknown function with name " + Printer.quote(name)));
    if (function.experimental() && !options.experimentalFunctions()) {
      throw q.error(namePos, "function " + Printer.quote(name) + " is not enabled");
    }
    return new Call(function, args, q.range(c.name, c.getStop()));
  }

  private List<Expr> arguments(FunctionCallBodyContext body) {
    List<Expr> args = new ArrayList<>();
    for (ExprContext e : body.expr()) {
      args.add(expr(e));
    }
    if (body.trailingComma != null) {
      throw q.error(q.range(body.trailingComma), "trailing commas not allowed in function call args");
    }
    return args;
  }

  // ---- Vector selectors. ----

  private Expr vectorSelector(VectorSelectorContext c) {
    List<LabelMatcher> matchers = new ArrayList<>();
    if (c.labelMatchers() != null) {
      for (LabelMatcherContext m : c.labelMatchers().labelMatcher()) {
        matchers.add(labelMatcher(m));
      }
    }
    String name = "";
    if (c.metricIdentifier() != null) {
      name = c.metricIdentifier().getText();
      matchers.add(new LabelMatcher(LabelMatcher.METRIC_NAME, MatchType.EQL, name));
    }
    return new VectorSelector(
        name, matchers, 0, null, null, RangeModifier.NONE, q.range(c.getStart(), c.getStop()));
  }

  private LabelMatcher labelMatcher(LabelMatcherContext m) {
    if (m.op == null) {
      // A quoted name alone is the metric name: {"my.metric"}.
      return new LabelMatcher(LabelMatcher.METRIC_NAME, MatchType.EQL, StringLiterals.unquote(m.STRING(0).getText()));
    }
    String name = m.name.getType() == PromQLLexer.STRING ? StringLiterals.unquote(m.name.getText()) : m.name.getText();
    String value = StringLiterals.unquote(m.value.getText());
    MatchType type =
        switch (m.op.getType()) {
          case PromQLLexer.EQL -> MatchType.EQL;
          case PromQLLexer.NEQ -> MatchType.NEQ;
          case PromQLLexer.EQL_REGEX -> MatchType.EQL_REGEX;
          default -> MatchType.NEQ_REGEX;
        };
    if (type.isRegex()) {
      Regexes.check(value).ifPresent(error -> {
        throw q.error(q.range(m.name, m.value), error);
      });
    }
    return new LabelMatcher(name, type, value);
  }
}

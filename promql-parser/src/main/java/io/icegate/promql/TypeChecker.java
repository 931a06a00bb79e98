package io.icegate.promql;

import io.icegate.promql.ast.AggregateExpr;
import io.icegate.promql.ast.AggregateOp;
import io.icegate.promql.ast.BinaryExpr;
import io.icegate.promql.ast.Call;
import io.icegate.promql.ast.DurationExpr;
import io.icegate.promql.ast.Expr;
import io.icegate.promql.ast.Function;
import io.icegate.promql.ast.LabelMatcher;
import io.icegate.promql.ast.MatrixSelector;
import io.icegate.promql.ast.NumberLiteral;
import io.icegate.promql.ast.ParenExpr;
import io.icegate.promql.ast.PositionRange;
import io.icegate.promql.ast.Printer;
import io.icegate.promql.ast.StringLiteral;
import io.icegate.promql.ast.SubqueryExpr;
import io.icegate.promql.ast.UnaryExpr;
import io.icegate.promql.ast.ValueType;
import io.icegate.promql.ast.VectorMatching;
import io.icegate.promql.ast.VectorMatching.Cardinality;
import io.icegate.promql.ast.VectorSelector;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks Prometheus makes once a query has parsed ({@code checkAST}): argument types of
 * functions and aggregations, operand types of operators, {@code bool} only on comparisons, vector
 * matching only between instant vectors, grouping not with set operators, a metric name given
 * once, a selector that cannot match every series. The first problem found, in Prometheus's order
 * (children before their parent), is the error.
 *
 * <p>It also normalises binary operations as Prometheus does: set operators match many-to-many,
 * and an operation with a scalar side has no vector matching.
 */
final class TypeChecker {
  private final QueryText q;

  TypeChecker(QueryText q) {
    this.q = q;
  }

  Expr check(Expr e) {
    if (e instanceof AggregateExpr a) {
      Expr inner = expectType(a.expr(), ValueType.VECTOR, "aggregation expression");
      Expr param = a.param();
      if (a.op() == AggregateOp.COUNT_VALUES) {
        param = expectType(param, ValueType.STRING, "aggregation parameter");
      } else if (a.op().hasParam()) {
        param = expectType(param, ValueType.SCALAR, "aggregation parameter");
      }
      return new AggregateExpr(a.op(), param, inner, a.grouping(), a.without(), a.positionRange());
    }
    if (e instanceof BinaryExpr b) {
      return binary(b);
    }
    if (e instanceof Call c) {
      return call(c);
    }
    if (e instanceof ParenExpr p) {
      return new ParenExpr(check(p.expr()), p.positionRange());
    }
    if (e instanceof UnaryExpr u) {
      Expr inner = check(u.expr());
      ValueType t = inner.type();
      if (t != ValueType.SCALAR && t != ValueType.VECTOR) {
        throw q.error(
            u.positionRange(),
            "unary expression only allowed on expressions of type scalar or instant vector, got "
                + Printer.quote(t.documentedName()));
      }
      return new UnaryExpr(u.op(), inner, u.positionRange());
    }
    if (e instanceof SubqueryExpr s) {
      Expr inner = check(s.expr());
      if (inner.type() != ValueType.VECTOR) {
        throw q.error(
            s.positionRange(),
            "subquery is only allowed on instant vector, got " + inner.type().promName() + " instead");
      }
      return new SubqueryExpr(
          inner, s.rangeMillis(), s.rangeExpr(), s.stepMillis(), s.stepExpr(), s.offsetMillis(),
          s.offsetExpr(), s.at(), s.positionRange());
    }
    if (e instanceof MatrixSelector m) {
      checkSelector(m.vectorSelector(), false);
      return m;
    }
    if (e instanceof VectorSelector v) {
      checkSelector(v, false);
      return v;
    }
    if (e instanceof NumberLiteral || e instanceof StringLiteral || e instanceof DurationExpr) {
      return e;
    }
    throw new IllegalStateException("unknown node " + e.getClass().getSimpleName());
  }

  private Expr expectType(Expr e, ValueType want, String context) {
    Expr checked = check(e);
    if (checked.type() != want) {
      throw q.error(
          e.positionRange(),
          "expected type " + want.documentedName() + " in " + context + ", got " + checked.type().documentedName());
    }
    return checked;
  }

  private Expr binary(BinaryExpr b) {
    Expr lhs = check(b.lhs());
    Expr rhs = check(b.rhs());
    ValueType lt = lhs.type();
    ValueType rt = rhs.type();
    VectorMatching vm = b.matching();
    if (b.returnBool() && !b.op().isComparison()) {
      throw q.error(operatorRange(b), "bool modifier can only be used on comparison operators");
    }
    if (b.op().isComparison() && !b.returnBool() && lt == ValueType.SCALAR && rt == ValueType.SCALAR) {
      throw q.error(operatorRange(b), "comparisons between scalars must use BOOL modifier");
    }
    if (b.op().isSetOperator() && vm.card() == Cardinality.ONE_TO_ONE) {
      vm = vm.withCard(Cardinality.MANY_TO_MANY);
    }
    if (vm.on()) {
      for (String label : vm.matchingLabels()) {
        if (vm.include().contains(label)) {
          throw q.error(
              operatorRange(b), "label " + Printer.quote(label) + " must not occur in ON and GROUP clause at once");
        }
      }
    }
    if (lt != ValueType.SCALAR && lt != ValueType.VECTOR) {
      throw q.error(lhs.positionRange(), "binary expression must contain only scalar and instant vector types");
    }
    if (rt != ValueType.SCALAR && rt != ValueType.VECTOR) {
      throw q.error(rhs.positionRange(), "binary expression must contain only scalar and instant vector types");
    }
    boolean fill = vm.fillLhs() != null || vm.fillRhs() != null;
    if (lt != ValueType.VECTOR || rt != ValueType.VECTOR) {
      if (!vm.matchingLabels().isEmpty()) {
        throw q.error(b.positionRange(), "vector matching only allowed between instant vectors");
      }
      if (fill) {
        throw q.error(b.positionRange(), "filling in missing series only allowed between instant vectors");
      }
      vm = null;
    } else if (b.op().isSetOperator()) {
      if (vm.card() == Cardinality.ONE_TO_MANY || vm.card() == Cardinality.MANY_TO_ONE) {
        throw q.error(b.positionRange(), "no grouping allowed for " + Printer.quote(b.op().toString()) + " operation");
      }
      if (fill) {
        throw q.error(b.positionRange(), "filling in missing series not allowed for set operators");
      }
    }
    if ((lt == ValueType.SCALAR || rt == ValueType.SCALAR) && b.op().isSetOperator()) {
      throw q.error(
          b.positionRange(),
          "set operator " + Printer.quote(b.op().toString()) + " not allowed in binary scalar expression");
    }
    return new BinaryExpr(b.op(), lhs, rhs, b.returnBool(), vm, b.positionRange());
  }

  // The operator and its modifiers: from the end of the left side to the start of the right side,
  // less the white space around them (Prometheus's range ends on the last character, not after).
  private PositionRange operatorRange(BinaryExpr b) {
    int start = b.lhs().positionRange().end();
    while (q.isSpaceByte(start)) {
      start++;
    }
    int end = b.rhs().positionRange().start() - 1;
    while (q.isSpaceByte(end)) {
      end--;
    }
    return new PositionRange(start, Math.max(start, end));
  }

  private Expr call(Call c) {
    Function f = c.function();
    List<Expr> args = c.args();
    int declared = f.argTypes().size();
    String name = Printer.quote(f.name());
    if (f.variadic() == 0) {
      if (declared != args.size()) {
        throw q.error(
            c.positionRange(), "expected " + declared + " argument(s) in call to " + name + ", got " + args.size());
      }
    } else {
      int required = declared - 1;
      if (required > args.size()) {
        throw q.error(
            c.positionRange(),
            "expected at least " + required + " argument(s) in call to " + name + ", got " + args.size());
      }
      if (f.variadic() > 0 && required + f.variadic() < args.size()) {
        throw q.error(
            c.positionRange(),
            "expected at most " + (required + f.variadic()) + " argument(s) in call to " + name + ", got "
                + args.size());
      }
    }
    boolean labelSelectorsOnly = false;
    if (f.name().equals("info") && args.size() > 1) {
      // info(v, {label selectors}): the second argument selects info metrics by labels only.
      Expr selectors = args.get(1);
      if (selectors.type() != ValueType.VECTOR) {
        throw q.error(
            c.positionRange(),
            "expected type instant vector in call to function " + name + ", got " + selectors.type().documentedName());
      }
      if (selectors instanceof VectorSelector vs && !vs.name().isEmpty()) {
        throw q.error(selectors.positionRange(), "expected label selectors only, got vector selector instead");
      }
      if (!(selectors instanceof VectorSelector)) {
        throw q.error(selectors.positionRange(), "expected label selectors only");
      }
      labelSelectorsOnly = true;
    }
    List<Expr> checked = new ArrayList<>(args);
    for (int i = 0; i < args.size(); i++) {
      int typeIndex = i;
      if (i >= declared) {
        if (f.variadic() == 0) {
          break;
        }
        typeIndex = declared - 1;
      }
      Expr arg = args.get(i);
      Expr result;
      if (labelSelectorsOnly && i == 1) {
        checkSelector((VectorSelector) arg, true);
        result = arg;
      } else {
        result = check(arg);
      }
      ValueType want = f.argTypes().get(typeIndex);
      if (result.type() != want) {
        throw q.error(
            arg.positionRange(),
            "expected type " + want.documentedName() + " in call to function " + name + ", got "
                + result.type().documentedName());
      }
      checked.set(i, result);
    }
    return new Call(f, checked, c.positionRange());
  }

  private void checkSelector(VectorSelector v, boolean labelSelectorsOnly) {
    if (!v.name().isEmpty()) {
      // The last matcher is the name written before the braces; another __name__ sets it twice.
      List<LabelMatcher> ms = v.matchers();
      for (LabelMatcher m : ms.subList(0, ms.size() - 1)) {
        if (m.name().equals(LabelMatcher.METRIC_NAME)) {
          throw q.error(
              v.positionRange(),
              "metric name must not be set twice: " + Printer.quote(v.name()) + " or " + Printer.quote(m.value()));
        }
      }
      return;
    }
    if (labelSelectorsOnly) {
      return;
    }
    // A selector must not match every series (most likely a typo): one matcher must reject "".
    for (LabelMatcher m : v.matchers()) {
      if (!matchesEmpty(m)) {
        return;
      }
    }
    throw q.error(v.positionRange(), "vector selector must contain at least one non-empty matcher");
  }

  private static boolean matchesEmpty(LabelMatcher m) {
    return switch (m.type()) {
      case EQL -> m.value().isEmpty();
      case NEQ -> !m.value().isEmpty();
      case EQL_REGEX -> Regexes.matchesEmpty(m.value());
      case NEQ_REGEX -> !Regexes.matchesEmpty(m.value());
    };
  }
}

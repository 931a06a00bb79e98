package io.icegate.engine.promql;

import io.icegate.engine.exec.PromAggregateSpec;
import io.icegate.engine.exec.QueryStats;
import io.icegate.engine.exec.VectorMatchSpec;
import io.icegate.engine.rel.ArrowPromAggregate;
import io.icegate.engine.rel.ArrowVectorMatch;
import io.icegate.engine.series.StepSelection;
import io.icegate.promql.ast.AggregateExpr;
import io.icegate.promql.ast.AggregateOp;
import io.icegate.promql.ast.BinaryExpr;
import io.icegate.promql.ast.Call;
import io.icegate.promql.ast.Expr;
import io.icegate.promql.ast.NumberLiteral;
import io.icegate.promql.ast.ParenExpr;
import io.icegate.promql.ast.ValueType;
import io.icegate.promql.ast.VectorMatching;
import io.icegate.promql.ast.VectorSelector;
import java.util.List;
import org.apache.calcite.rel.RelNode;

/**
 * Aggregations and vector matching whose operands are all leaves the source evaluates in its
 * plans ({@link PlannedLeaves}) — or such operations over such leaves, to any depth — run as one
 * plan: each leaf's plan ({@link io.icegate.engine.series.SeriesSource#stepsPlan}: the selection
 * node over the scan) is the direct input of the {@link ArrowPromAggregate} or {@link
 * ArrowVectorMatch} above it, so the leaves' step matrices go from node to node without becoming
 * step series and back ({@link StepPlans}). The plan runs in the source ({@link
 * io.icegate.engine.series.SeriesSource#runSteps}); only its output becomes step series.
 *
 * <p>The answer, notes and sample counts are those of the evaluator's own way, node by node: a
 * composed node is one the evaluator would hand to the same plan node (floats only — a leaf's
 * scan meeting a histogram or summary row stops the whole plan, and the expression is then
 * evaluated the usual way), and once the plan has run, the evaluator's count of samples held
 * ({@code --query.max-samples}, {@code peakSamples}) is replayed in evaluation order from what each
 * node emitted and each leaf held ({@link QueryStats#stepOutput}, {@link QueryStats#stepHeld}).
 * Nodes that would warn or note something while evaluated (a quantile out of range), or whose
 * evaluation differs from step to step in how it is counted (step-invariant subtrees, parameters
 * other than number literals), are not composed.
 */
final class ComposedPlans {
  private ComposedPlans() {}

  /** A composed node: the plan node giving its output (null while only checking the shape). */
  private sealed interface Part permits Leaf, Paren, Aggregate, Match {
    RelNode node();
  }

  /** A leaf evaluated by the source: an instant selection, or a range function when {@code range}. */
  private record Leaf(RelNode node, boolean range) implements Part {}

  private record Paren(Part inner) implements Part {
    @Override
    public RelNode node() {
      return inner.node();
    }
  }

  /** An aggregation; {@code param}: whether it has a (number literal) parameter. */
  private record Aggregate(RelNode node, Part input, boolean param) implements Part {}

  private record Match(RelNode node, Part lhs, Part rhs) implements Part {}

  /**
   * Aggregation {@code a} (its parameter evaluated: {@code param}, or {@code label} for
   * count_values) over its operand composed into one plan with it; null when the operand is not
   * all leaves the source evaluates, or the source declined one.
   */
  static Value.Vector aggregate(
      Evaluator ev, AggregateExpr a, double[] param, String label, long[] times) {
    if (ev.stepPlans == null || !PromAggregateSpec.SUPPORTED.contains(a.op())
        || new Composer(ev, times, false).part(a.expr()) == null) {
      return null;
    }
    Part in = new Composer(ev, times, true).part(a.expr());
    if (in == null) {
      return null;
    }
    RelNode plan = ArrowPromAggregate.of(
        in.node(),
        new PromAggregateSpec(a.op(), a.without(), a.grouping(), param, times.length, label),
        ev.stepPlans.cache());
    return run(ev, plan, times.length, List.of(in));
  }

  /**
   * Vector matching {@code b} over its operands composed into one plan with it; null when an
   * operand is not all leaves the source evaluates, or the source declined one.
   */
  static Value.Vector vectorMatch(Evaluator ev, BinaryExpr b, long[] times) {
    if (ev.stepPlans == null || !matchable(b)) {
      return null;
    }
    Composer shape = new Composer(ev, times, false);
    if (shape.part(b.lhs()) == null || shape.part(b.rhs()) == null) {
      return null;
    }
    Composer composer = new Composer(ev, times, true);
    Part lhs = composer.part(b.lhs());
    Part rhs = lhs == null ? null : composer.part(b.rhs());
    if (rhs == null) {
      return null;
    }
    RelNode plan = ArrowVectorMatch.of(
        lhs.node(), rhs.node(), spec(b, times.length), ev.stepPlans.cache());
    return run(ev, plan, times.length, List.of(lhs, rhs));
  }

  /** Whether {@code b} is one the evaluator hands to {@link ArrowVectorMatch} (given floats). */
  private static boolean matchable(BinaryExpr b) {
    if (BinaryOperators.isTrim(b.op())
        || b.lhs().type() != ValueType.VECTOR || b.rhs().type() != ValueType.VECTOR) {
      return false;
    }
    VectorMatching m = matching(b);
    return m.fillLhs() == null && m.fillRhs() == null;
  }

  private static VectorMatching matching(BinaryExpr b) {
    return b.matching() != null ? b.matching() : VectorMatching.oneToOne();
  }

  private static VectorMatchSpec spec(BinaryExpr b, int steps) {
    return new VectorMatchSpec(b.op(), b.returnBool(), matching(b), steps);
  }

  /** Runs {@code plan} and replays the evaluator's counting of {@code operands}; null: declined. */
  private static Value.Vector run(Evaluator ev, RelNode plan, int steps, List<Part> operands) {
    ev.checkContinue();
    StepPlans.Composed done = ev.stepPlans.runComposed(ev.source, plan, steps);
    if (done == null) {
      return null;
    }
    for (Part p : operands) {
      account(ev, p, done.stats(), steps);
    }
    return new Value.Vector(done.series());
  }

  /**
   * Counts the samples {@code p} held as {@link Evaluator#eval} would have while evaluating it:
   * a leaf as {@link PlannedLeaves} and the evaluator count it, an inner node by what it emitted
   * once its inputs were done.
   */
  private static void account(Evaluator ev, Part p, QueryStats stats, int steps) {
    long before = ev.currentSamples();
    long out = stats.stepOutput(p.node().getId());
    if (p instanceof Leaf leaf) {
      if (leaf.range()) {
        ev.checkSamples(before + stats.stepHeld(leaf.node().getId()));
        ev.holdComposed(before, out, true);
      } else {
        ev.hold(out);
      }
    } else if (p instanceof Paren paren) {
      account(ev, paren.inner(), stats, steps);
      ev.holdComposed(before, out, false);
    } else if (p instanceof Aggregate a) {
      if (a.param()) {
        // The parameter, a number literal, is held while the operand is evaluated.
        ev.hold(steps);
      }
      account(ev, a.input(), stats, steps);
      ev.holdComposed(before, out, false);
    } else if (p instanceof Match m) {
      account(ev, m.lhs(), stats, steps);
      account(ev, m.rhs(), stats, steps);
      ev.checkSamples(ev.currentSamples() + out);
      ev.holdComposed(before, out, true);
    }
  }

  /** Builds the parts of an operand, or (not {@code planning}) only checks their shape. */
  private static final class Composer {
    private static final Leaf SHAPE = new Leaf(null, false);

    private final Evaluator ev;
    private final long[] times;
    private final boolean planning;

    Composer(Evaluator ev, long[] times, boolean planning) {
      this.ev = ev;
      this.times = times;
      this.planning = planning;
    }

    /** {@code e} as a composed part; null when it cannot be one. */
    Part part(Expr e) {
      if (times.length > 1 && StepInvariance.wrapped(e)) {
        return null;
      }
      if (e instanceof ParenExpr p) {
        Part inner = part(p.expr());
        return inner == null ? null : new Paren(inner);
      }
      if (e instanceof VectorSelector vs) {
        return leaf(PlannedLeaves.instantSelection(
            ev, vs, ev.adjustTimes(times, vs.at(), ev.offsetOf(vs))), false);
      }
      if (e instanceof Call c) {
        return leaf(PlannedLeaves.rangeSelection(ev, c, times), true);
      }
      if (e instanceof AggregateExpr a) {
        return aggregate(a);
      }
      if (e instanceof BinaryExpr b && matchable(b)) {
        Part lhs = part(b.lhs());
        Part rhs = lhs == null ? null : part(b.rhs());
        if (rhs == null) {
          return null;
        }
        return new Match(
            planning ? ArrowVectorMatch.of(
                lhs.node(), rhs.node(), spec(b, times.length), ev.stepPlans.cache()) : null,
            lhs, rhs);
      }
      return null;
    }

    private Part aggregate(AggregateExpr a) {
      if (!PromAggregateSpec.SUPPORTED.contains(a.op())) {
        return null;
      }
      double[] param = null;
      if (a.param() != null) {
        if (!(a.param() instanceof NumberLiteral literal)) {
          return null;
        }
        double q = literal.value();
        if ((a.op() == AggregateOp.QUANTILE && (Double.isNaN(q) || q < 0 || q > 1))
            || (a.op() == AggregateOp.LIMIT_RATIO && (q < -1 || q > 1))) {
          // Warned about while evaluated: left to the evaluator.
          return null;
        }
        param = Evaluator.constant(q, times.length).values();
      }
      Part in = part(a.expr());
      if (in == null) {
        return null;
      }
      return new Aggregate(
          planning ? ArrowPromAggregate.of(
              in.node(),
              new PromAggregateSpec(a.op(), a.without(), a.grouping(), param, times.length),
              ev.stepPlans.cache()) : null,
          in, param != null);
    }

    private Part leaf(StepSelection selection, boolean range) {
      if (selection == null) {
        return null;
      }
      if (!planning) {
        return SHAPE;
      }
      RelNode plan = ev.source.stepsPlan(selection);
      if (plan == null) {
        return null;
      }
      // Nodes of its own (the source may hand the same plan for the same selection twice, or
      // keep it for later queries): each leaf's counts, and each node's in EXPLAIN ANALYZE,
      // are its own.
      return new Leaf(fresh(plan), range);
    }

    /** A copy of {@code node} and everything below it, as new nodes (new ids). */
    private static RelNode fresh(RelNode node) {
      List<RelNode> inputs = new java.util.ArrayList<>();
      for (RelNode input : node.getInputs()) {
        inputs.add(fresh(input));
      }
      return node.copy(node.getTraitSet(), inputs);
    }
  }
}

package io.icegate.engine.promql;

import io.icegate.engine.exec.StepRangeSpec;
import io.icegate.engine.series.Labels;
import io.icegate.promql.ast.Call;
import io.icegate.promql.ast.Expr;
import io.icegate.promql.ast.ParenExpr;
import io.icegate.promql.ast.SubqueryExpr;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A range function over a subquery as nested step evaluation ({@link
 * io.icegate.engine.rel.ArrowPromSubquery}): the inner expression is evaluated on the subquery's
 * inner grid as always (series by series or in plans), its float result handed to the plan node
 * as a step matrix, and only the outer result comes back, without building the range vector's
 * series. It gives what the evaluator's own way gives — series, values, the info a counter
 * function notes on a name that is not a counter's, and the count of samples held (the
 * subquery's output while the function runs, its windows' peak as {@link Evaluator} counts a
 * range vector's) — for the functions of {@link FloatRangeKernels} without other arguments.
 * An inner result holding a native histogram sample goes the evaluator's way, with the range
 * vector built from the result already evaluated.
 */
final class PlannedSubqueries {
  private PlannedSubqueries() {}

  /** Functions that note a metric whose name is not a counter's (see Functions). */
  private static final Set<String> COUNTER_FUNCTIONS = Set.of("rate", "increase", "irate");

  /** The range function call {@code c} at {@code times}; null: the evaluator's way. */
  static Value.Vector range(Evaluator ev, Call c, long[] times) {
    String name = c.function().name();
    if (ev.stepPlans == null || !FloatRangeKernels.FUNCTIONS.contains(name)
        || c.args().size() != 1) {
      return null;
    }
    Expr arg = c.args().get(0);
    while (arg instanceof ParenExpr p) {
      arg = p.expr();
    }
    if (!(arg instanceof SubqueryExpr sq)) {
      return null;
    }
    // What Evaluator.eval does for the subquery node (never step-invariant on its own).
    ev.checkContinue();
    Evaluator.SubqueryGrid g = ev.subqueryGrid(sq, times);
    if (g.inner().length == 0) {
      return null;
    }
    long before = ev.currentSamples();
    Value v = ev.eval(sq.expr(), g.inner());
    Value.Vector inner = v instanceof Value.Scalar s ? scalarSeries(s) : (Value.Vector) v;
    if (!StepPlans.floatsOnly(inner)) {
      Value.Matrix m = Evaluator.subqueryMatrix(g, v);
      ev.subqueryDone(before, Evaluator.samples(m));
      ev.prepareMatrix(sq, times, m);
      return null;
    }
    // Floats only: the range vector would hold as many samples as the result has.
    ev.subqueryDone(before, Evaluator.samples(v));
    StepRangeSpec spec = new StepRangeSpec(name, g.range(), g.step(), g.inner(), g.at());
    Value.Vector out = ev.stepPlans.subquery(spec, sq.expr().toString(), inner);
    if (out == null) {
      // Past the query's memory: the evaluator's range vector, from the result evaluated.
      ev.prepareMatrix(sq, times, Evaluator.subqueryMatrix(g, v));
      return null;
    }
    if (COUNTER_FUNCTIONS.contains(name)) {
      notCounters(ev, c.args().get(0), inner);
    }
    ev.callPeak = windowPeak(spec, inner, out);
    return out;
  }

  /** A scalar's values as the one series of a range vector without labels. */
  private static Value.Vector scalarSeries(Value.Scalar s) {
    int n = s.values().length;
    StepSeries r = new StepSeries(Labels.EMPTY, n, false);
    System.arraycopy(s.values(), 0, r.values, 0, n);
    java.util.Arrays.fill(r.present, true);
    return new Value.Vector(List.of(r));
  }

  /** The info rate, increase and irate give on each metric whose name is not a counter's. */
  private static void notCounters(Evaluator ev, Expr arg, Value.Vector inner) {
    for (StepSeries s : inner.series()) {
      if (s.dropName) {
        continue; // the range vector holds the series without a name
      }
      String metric = s.labels.get(Labels.METRIC_NAME);
      if (!metric.isEmpty() && !Functions.counterName(metric)) {
        ev.info(arg.positionRange(),
            "metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \""
                + metric + "\"");
      }
    }
  }

  /**
   * The most samples the function held at once over those held before, as the evaluator counts
   * a range vector's (its {@code windowPeak}): series after series, the outputs so far plus one
   * series' widest window, or its last window and its output.
   */
  private static long windowPeak(StepRangeSpec spec, Value.Vector inner, Value.Vector out) {
    Map<Labels, Long> outputs = new HashMap<>();
    for (StepSeries r : out.series()) {
      outputs.merge(r.labels, count(r.present, r.present.length), Long::sum);
    }
    int n = spec.outerSteps();
    int[] from = new int[n];
    int[] to = new int[n];
    spec.windows(from, to);
    int[] counts = new int[spec.innerSteps() + 1];
    long peak = 0;
    long outputsSoFar = 0;
    for (StepSeries s : inner.series()) {
      int j = 0;
      for (int k = 0; k < s.present.length; k++) {
        counts[k] = j;
        if (s.present[k]) {
          j++;
        }
      }
      counts[s.present.length] = j;
      long widest = 0;
      for (int i = 0; i < n; i++) {
        widest = Math.max(widest, counts[to[i]] - counts[from[i]]);
      }
      long last = n == 0 ? 0 : counts[to[n - 1]] - counts[from[n - 1]];
      long output = outputs.getOrDefault(s.finalLabels(), 0L);
      peak = Math.max(peak, outputsSoFar + Math.max(widest, last + output));
      outputsSoFar += output;
    }
    return peak;
  }

  private static long count(boolean[] present, int n) {
    long c = 0;
    for (int i = 0; i < n; i++) {
      if (present[i]) {
        c++;
      }
    }
    return c;
  }
}

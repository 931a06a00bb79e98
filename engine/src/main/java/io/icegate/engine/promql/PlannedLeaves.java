package io.icegate.engine.promql;

import io.icegate.engine.exec.StepMatrix;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.StepSelection;
import io.icegate.promql.ast.AtModifier;
import io.icegate.promql.ast.Call;
import io.icegate.promql.ast.Expr;
import io.icegate.promql.ast.MatrixSelector;
import io.icegate.promql.ast.ParenExpr;
import io.icegate.promql.ast.RangeModifier;
import io.icegate.promql.ast.VectorSelector;
import io.icegate.protocol.loki.LabelSetCodec;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The leaves of a PromQL expression the source may evaluate itself, in a plan over its storage
 * ({@link io.icegate.engine.series.SeriesSource#selectSteps}): an instant vector selector, and a
 * range function of floats ({@link FloatRangeKernels}) over a matrix selector. Each gives the
 * same series, values, notes and sample count as the evaluator's own way; where that could
 * differ — range modifiers, selectors read for histogram statistics, functions with other
 * arguments or not ported, the info a counter function gives on a name that is not a counter's
 * — the leaf is left to the evaluator, as it is when the source declines (a source without
 * plans, a selector without a metric name, series with native histograms or summaries).
 */
final class PlannedLeaves {
  private PlannedLeaves() {}

  /** Functions that note a metric whose name is not a counter's (see Functions). */
  private static final java.util.Set<String> COUNTER_FUNCTIONS =
      java.util.Set.of("rate", "increase", "irate");

  /** The instant selection {@code vs} at the (adjusted) times {@code at}; null: not planned. */
  static Value.Vector instant(Evaluator ev, VectorSelector vs, long[] at) {
    StepSelection selection = instantSelection(ev, vs, at);
    if (selection == null) {
      return null;
    }
    List<StepSeries> out = run(ev, selection, false);
    if (out == null) {
      return null;
    }
    for (StepSeries r : out) {
      ev.hold(present(r));
    }
    return new Value.Vector(out);
  }

  /**
   * The selection of instant selector {@code vs} at the (adjusted) times {@code at} when the
   * source may evaluate it; null when it is the evaluator's.
   */
  static StepSelection instantSelection(Evaluator ev, VectorSelector vs, long[] at) {
    if (vs.rangeModifier() != RangeModifier.NONE || ev.statsOnly(vs) || !ascending(at)) {
      return null;
    }
    return new StepSelection(
        Evaluator.matchers(vs.matchers()), null, 0, ev.options.lookbackDeltaMillis(),
        ev.offsetOf(vs), atText(vs.at()), at);
  }

  /** The range function call {@code c} at {@code times}; null: not planned. */
  static Value.Vector range(Evaluator ev, Call c, long[] times) {
    StepSelection selection = rangeSelection(ev, c, times);
    if (selection == null) {
      return null;
    }
    long[] held = {-1};
    List<StepSeries> out =
        run(ev, selection, FloatRangeKernels.dropsName(selection.function()), held);
    if (out == null) {
      return null;
    }
    ev.callPeak = held[0];
    return new Value.Vector(out);
  }

  /**
   * The selection of range function call {@code c} at {@code times} when the source may
   * evaluate it; null when it is the evaluator's.
   */
  static StepSelection rangeSelection(Evaluator ev, Call c, long[] times) {
    String name = c.function().name();
    if (!FloatRangeKernels.FUNCTIONS.contains(name) || c.args().size() != 1) {
      return null;
    }
    Expr arg = c.args().get(0);
    while (arg instanceof ParenExpr p) {
      arg = p.expr();
    }
    if (!(arg instanceof MatrixSelector ms)) {
      return null;
    }
    VectorSelector vs = ms.vectorSelector();
    if (vs.rangeModifier() != RangeModifier.NONE || ev.statsOnly(vs)) {
      return null;
    }
    StepSelection selection =
        new StepSelection(
            Evaluator.matchers(vs.matchers()), name,
            ms.rangeExpr() != null ? ev.durationMillis(ms.rangeExpr()) : ms.rangeMillis(),
            ev.options.lookbackDeltaMillis(), ev.offsetOf(vs), atText(vs.at()),
            ev.adjustTimes(times, vs.at(), ev.offsetOf(vs)));
    String metric = selection.metricName();
    if (metric == null || !ascending(selection.times())
        || (COUNTER_FUNCTIONS.contains(name) && !Functions.counterName(metric))) {
      return null;
    }
    return selection;
  }

  private static List<StepSeries> run(Evaluator ev, StepSelection selection, boolean dropName) {
    return run(ev, selection, dropName, new long[1]);
  }

  /** Runs the selection in the source; its rows as step series, or null when declined. */
  private static List<StepSeries> run(
      Evaluator ev, StepSelection selection, boolean dropName, long[] held) {
    ev.checkContinue();
    int n = selection.times().length;
    List<StepSeries> out = new ArrayList<>();
    StepSelection.Held h =
        ev.source.selectSteps(selection, batch -> read(batch, n, dropName, out));
    if (h == null) {
      return null;
    }
    held[0] = h.windowPeak();
    return out;
  }

  private static void read(VectorSchemaRoot batch, int n, boolean dropName, List<StepSeries> out) {
    for (int row = 0; row < batch.getRowCount(); row++) {
      Labels labels = Labels.of(LabelSetCodec.decode(StepMatrix.labelText(batch, row)));
      StepSeries r = new StepSeries(labels, n, dropName);
      StepMatrix.readRow(batch, row, r.values, r.present);
      out.add(r);
    }
  }

  private static long present(StepSeries r) {
    long n = 0;
    for (boolean p : r.present) {
      if (p) {
        n++;
      }
    }
    return n;
  }

  private static boolean ascending(long[] times) {
    for (int i = 1; i < times.length; i++) {
      if (times[i] < times[i - 1]) {
        return false;
      }
    }
    return times.length > 0;
  }

  private static String atText(AtModifier at) {
    if (at == null) {
      return null;
    }
    return switch (at.kind()) {
      case START -> "start()";
      case END -> "end()";
      case TIMESTAMP -> java.time.Instant.ofEpochMilli(at.timestampMillis()).toString();
    };
  }
}

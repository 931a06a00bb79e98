package io.icegate.engine.series;

import io.icegate.engine.exec.QueryStats;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.calcite.rel.RelNode;

/**
 * Where query evaluation reads series from: label matchers and a time range in, columnar series
 * out. Kept this narrow so that the metrics table scan, an in-memory store for tests and later
 * LogQL metric queries can all stand behind it.
 */
public interface SeriesSource {
  /**
   * Every series all matchers accept, with its samples whose time is in {@code [minTime, maxTime]}
   * (milliseconds, inclusive), stale markers included, timestamps ascending. Series without a
   * sample in the range may be left out.
   */
  List<Series> select(List<LabelMatcher> matchers, long minTime, long maxTime);

  /**
   * Evaluates {@code selection} over its whole grid in the source's own plan, handing each
   * result batch (the layout of {@link io.icegate.engine.exec.StepMatrix}, one row per series in
   * label order; the batch is closed after {@code sink} returns) to {@code sink}. Returns null
   * when the source does not evaluate this selection itself (the caller then selects the series
   * and evaluates it); nothing has reached {@code sink} then. Otherwise returns the most samples
   * the evaluation held at once, as the caller would count them (see {@link StepSelection}).
   *
   * <p>By default no selection is evaluated by the source.
   */
  default StepSelection.Held selectSteps(
      StepSelection selection, Consumer<VectorSchemaRoot> sink) {
    return null;
  }

  /**
   * The plan {@link #selectSteps} would run for {@code selection}, not run: its root is the
   * selection's node ({@link io.icegate.engine.rel.ArrowPromSelect}), for the caller to put under
   * the PromQL plan nodes it feeds and run the whole with {@link #runSteps}. Null when the source
   * does not evaluate this selection itself (whenever {@link #selectSteps} would decline before
   * reading the selection's rows).
   *
   * <p>By default no selection is planned by the source.
   */
  default RelNode stepsPlan(StepSelection selection) {
    return null;
  }

  /**
   * Runs {@code plan} — PromQL plan nodes over leaves from {@link #stepsPlan} — handing each
   * result batch to {@code sink} (closed after {@code sink} returns), and returns what the plan
   * did. Returns null when one of its leaves turned out not to be the source's to evaluate (its
   * scan met histogram or summary rows): the plan was stopped and all it held released, and the
   * caller evaluates the expression the series way, dropping whatever reached {@code sink}.
   */
  default QueryStats runSteps(RelNode plan, Consumer<VectorSchemaRoot> sink) {
    throw new UnsupportedOperationException("this source plans no selections");
  }
}

package io.icegate.engine.series;

import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.vector.VectorSchemaRoot;

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
}

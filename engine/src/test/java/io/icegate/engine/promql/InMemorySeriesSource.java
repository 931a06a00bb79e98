package io.icegate.engine.promql;

import io.icegate.engine.series.FloatHistogram;
import io.icegate.engine.series.LabelMatcher;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.Series;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Series held in memory, for the promqltest runner. The scripts' {@code load} commands write here
 * directly; loading them through the metrics table (the same path OTLP ingest uses) comes when
 * that table exists.
 */
final class InMemorySeriesSource implements PromQLScript.Store {
  private final Map<Labels, TreeMap<Long, Object>> series = new LinkedHashMap<>();
  /** Start timestamps of samples that have one, by series and sample time. */
  private final Map<Labels, Map<Long, Long>> starts = new java.util.HashMap<>();

  @Override
  public void add(Labels labels, long time, double value) {
    series.computeIfAbsent(labels, l -> new TreeMap<>()).put(time, value);
  }

  @Override
  public void addHistogram(Labels labels, long time, FloatHistogram h) {
    series.computeIfAbsent(labels, l -> new TreeMap<>()).put(time, h);
  }

  @Override
  public void startTimestamp(Labels labels, long time, long start) {
    starts.computeIfAbsent(labels, l -> new java.util.HashMap<>()).put(time, start);
  }

  @Override
  public void clear() {
    series.clear();
    starts.clear();
  }

  /**
   * The reset hint Prometheus's TSDB gives a histogram without one when appending it after
   * another histogram of the same layout: "not a reset" unless the counts dropped.
   */
  private static FloatHistogram withStorageHint(FloatHistogram h, Map.Entry<Long, Object> previous) {
    if (h.hint != FloatHistogram.CounterResetHint.UNKNOWN
        || previous == null
        || !(previous.getValue() instanceof FloatHistogram prev)
        || prev.schema != h.schema
        || !java.util.Arrays.equals(prev.customValues, h.customValues)) {
      return h; // a new bucket layout starts a new chunk, whose first sample has no hint
    }
    // A reset also cuts a new chunk, whose first sample has no hint.
    return h.detectReset(prev) ? h : h.withHint(FloatHistogram.CounterResetHint.NOT_COUNTER_RESET);
  }

  @Override
  public List<Series> select(List<LabelMatcher> matchers, long minTime, long maxTime) {
    List<Series> out = new ArrayList<>();
    for (Map.Entry<Labels, TreeMap<Long, Object>> e : series.entrySet()) {
      boolean ok = true;
      for (LabelMatcher m : matchers) {
        if (!m.matches(e.getKey())) {
          ok = false;
          break;
        }
      }
      if (!ok || minTime > maxTime) {
        continue;
      }
      NavigableMap<Long, Object> window = e.getValue().subMap(minTime, true, maxTime, true);
      if (window.isEmpty()) {
        continue;
      }
      long[] ts = new long[window.size()];
      double[] vs = new double[window.size()];
      FloatHistogram[] hs = null;
      int i = 0;
      for (Map.Entry<Long, Object> s : window.entrySet()) {
        ts[i] = s.getKey();
        if (s.getValue() instanceof FloatHistogram h) {
          if (hs == null) {
            hs = new FloatHistogram[window.size()];
          }
          hs[i] = withStorageHint(h, e.getValue().lowerEntry(s.getKey()));
          vs[i++] = Double.NaN;
        } else {
          vs[i++] = (Double) s.getValue();
        }
      }
      Map<Long, Long> st = starts.get(e.getKey());
      long[] sts = null;
      if (st != null) {
        sts = new long[ts.length];
        for (int k = 0; k < ts.length; k++) {
          sts[k] = st.getOrDefault(ts[k], 0L);
        }
      }
      out.add(new Series(e.getKey(), ts, vs, hs, sts));
    }
    return out;
  }
}

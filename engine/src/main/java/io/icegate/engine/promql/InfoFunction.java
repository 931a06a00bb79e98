package io.icegate.engine.promql;

import io.icegate.engine.series.InstantSelection;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.Series;
import io.icegate.promql.ast.AggregateExpr;
import io.icegate.promql.ast.BinaryExpr;
import io.icegate.promql.ast.Call;
import io.icegate.promql.ast.Expr;
import io.icegate.promql.ast.LabelMatcher;
import io.icegate.promql.ast.MatrixSelector;
import io.icegate.promql.ast.ParenExpr;
import io.icegate.promql.ast.SubqueryExpr;
import io.icegate.promql.ast.UnaryExpr;
import io.icegate.promql.ast.ValueType;
import io.icegate.promql.ast.VectorSelector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Prometheus's experimental {@code info(v, {selector})}: adds the data labels of "info" series
 * (by default {@code target_info}) that share the identifying labels {@code instance} and
 * {@code job} with a series of {@code v}, as of the time that series was read at.
 */
final class InfoFunction {
  private InfoFunction() {}

  private static final List<String> IDENTIFYING = List.of("instance", "job");

  static Value eval(Evaluator ev, Call c, long[] times) {
    int n = times.length;
    Value.Vector base = (Value.Vector) ev.eval(c.args().get(0), times);
    List<LabelMatcher> nameMatchers = new ArrayList<>();
    List<LabelMatcher> dataMatchers = new ArrayList<>();
    if (c.args().size() > 1) {
      for (LabelMatcher m : ((VectorSelector) unwrap(c.args().get(1))).matchers()) {
        (m.name().equals(Labels.METRIC_NAME) ? nameMatchers : dataMatchers).add(m);
      }
    }
    if (nameMatchers.isEmpty()) {
      nameMatchers.add(new LabelMatcher(Labels.METRIC_NAME, LabelMatcher.MatchType.EQL, "target_info"));
    } else if (nameMatchers.stream().noneMatch(m -> !m.type().equals(LabelMatcher.MatchType.NEQ)
        && !m.type().equals(LabelMatcher.MatchType.NEQ_REGEX))) {
      // Only exclusions: the candidates are still info metrics, those named *_info.
      nameMatchers.add(new LabelMatcher(Labels.METRIC_NAME, LabelMatcher.MatchType.EQL_REGEX, ".+_info"));
    }
    List<io.icegate.engine.series.LabelMatcher> names = convert(nameMatchers);
    List<io.icegate.engine.series.LabelMatcher> data = convert(dataMatchers);
    boolean dataAcceptsEmpty = true;
    for (io.icegate.engine.series.LabelMatcher m : data) {
      dataAcceptsEmpty &= m.matches("");
    }

    // The info series, read at the times the base series were read at.
    long[] ref = referenceTimes(ev, c.args().get(0), times);
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (long t : ref) {
      min = Math.min(min, t);
      max = Math.max(max, t);
    }
    long lookback = ev.options.lookbackDeltaMillis();
    List<io.icegate.promql.ast.LabelMatcher> all = new ArrayList<>(nameMatchers);
    all.addAll(dataMatchers);
    List<Series> infoSeries = ev.select(all, min - lookback + 1, max);
    int k = infoSeries.size();
    double[][] unused = new double[k][n];
    long[][] sampleTimes = new long[k][n];
    boolean[][] present = new boolean[k][n];
    for (int j = 0; j < k; j++) {
      Series s = infoSeries.get(j);
      if (s.histograms() != null) {
        throw new PromQLException("this info metric contains histograms: " + s.labels());
      }
      InstantSelection.select(s, ref, lookback, unused[j], sampleTimes[j], present[j]);
    }

    Map<Labels, StepSeries> out = new LinkedHashMap<>();
    for (StepSeries b : base.series()) {
      boolean isInfo = true;
      for (io.icegate.engine.series.LabelMatcher m : names) {
        isInfo &= m.matches(b.labels);
      }
      boolean hasIdentity = false;
      for (String id : IDENTIFYING) {
        hasIdentity |= b.labels.has(id);
      }
      for (int i = 0; i < n; i++) {
        if (!b.present[i]) {
          continue;
        }
        Labels result = b.labels;
        if (!isInfo && hasIdentity) {
          result = enrich(b.labels, infoSeries, sampleTimes, present, i, dataMatchers, dataAcceptsEmpty);
          if (result == null) {
            continue;
          }
        }
        StepSeries r = out.computeIfAbsent(result, l -> new StepSeries(l, n, b.dropName));
        if (r.present[i]) {
          throw new PromQLException("vector cannot contain metrics with the same labelset");
        }
        if (b.histogram(i) != null) {
          r.setHistogram(i, b.histogram(i));
        } else {
          r.set(i, b.values[i]);
        }
      }
    }
    return new Value.Vector(new ArrayList<>(out.values()));
  }

  /** The base labels with the data labels of the matching info series; null to drop the sample. */
  private static Labels enrich(
      Labels base,
      List<Series> info,
      long[][] sampleTimes,
      boolean[][] present,
      int i,
      List<LabelMatcher> dataMatchers,
      boolean dataAcceptsEmpty) {
    // Per info metric name, the matching series with the newest sample wins.
    Map<String, Integer> newest = new TreeMap<>();
    for (int j = 0; j < info.size(); j++) {
      if (!present[j][i]) {
        continue;
      }
      Labels l = info.get(j).labels();
      boolean same = true;
      for (String id : IDENTIFYING) {
        if (base.has(id)) {
          same &= l.get(id).equals(base.get(id));
        }
      }
      if (!same) {
        continue;
      }
      String name = l.get(Labels.METRIC_NAME);
      Integer prev = newest.get(name);
      if (prev == null || sampleTimes[j][i] > sampleTimes[prev][i]) {
        newest.put(name, j);
      }
    }
    if (newest.isEmpty()) {
      return dataAcceptsEmpty ? base : null;
    }
    Set<String> wanted = null;
    if (!dataMatchers.isEmpty()) {
      wanted = new java.util.HashSet<>();
      for (LabelMatcher m : dataMatchers) {
        wanted.add(m.name());
      }
    }
    Map<String, String> added = new LinkedHashMap<>();
    for (int j : newest.values()) {
      Labels l = info.get(j).labels();
      for (int x = 0; x < l.size(); x++) {
        String name = l.name(x);
        if (name.equals(Labels.METRIC_NAME) || IDENTIFYING.contains(name)
            || (wanted != null && !wanted.contains(name)) || base.has(name)) {
          continue;
        }
        String prev = added.put(name, l.value(x));
        if (prev != null && !prev.equals(l.value(x))) {
          throw new PromQLException("conflicting label: " + name + " has values \"" + prev
              + "\" and \"" + l.value(x) + "\" in different info metrics");
        }
      }
    }
    Map<String, String> m = base.toMap();
    m.putAll(added);
    return Labels.of(m);
  }

  /**
   * The times the series of {@code e} were read at: the evaluation times moved by the
   * {@code @} and offset of the selector (or subquery) the expression reads from.
   */
  static long[] referenceTimes(Evaluator ev, Expr e, long[] times) {
    if (e instanceof VectorSelector vs) {
      return ev.adjustTimes(times, vs.at(), ev.offsetOf(vs));
    } else if (e instanceof MatrixSelector ms) {
      return ev.adjustTimes(times, ms.vectorSelector().at(), ev.offsetOf(ms.vectorSelector()));
    } else if (e instanceof SubqueryExpr sq) {
      long[] t = ev.adjustTimes(times, sq.at(), sq.offsetMillis());
      return referenceTimes(ev, sq.expr(), t);
    } else if (e instanceof ParenExpr p) {
      return referenceTimes(ev, p.expr(), times);
    } else if (e instanceof UnaryExpr u) {
      return referenceTimes(ev, u.expr(), times);
    } else if (e instanceof BinaryExpr b) {
      return referenceTimes(ev, b.lhs(), times);
    } else if (e instanceof AggregateExpr a) {
      return referenceTimes(ev, a.expr(), times);
    } else if (e instanceof Call call) {
      for (Expr arg : call.args()) {
        if (arg.type() == ValueType.VECTOR || arg.type() == ValueType.MATRIX) {
          return referenceTimes(ev, arg, times);
        }
      }
    }
    return times;
  }

  private static Expr unwrap(Expr e) {
    while (e instanceof ParenExpr p) {
      e = p.expr();
    }
    return e;
  }

  private static List<io.icegate.engine.series.LabelMatcher> convert(List<LabelMatcher> ms) {
    List<io.icegate.engine.series.LabelMatcher> out = new ArrayList<>();
    for (LabelMatcher m : ms) {
      io.icegate.engine.series.LabelMatcher.Type t =
          switch (m.type()) {
            case EQL -> io.icegate.engine.series.LabelMatcher.Type.EQ;
            case NEQ -> io.icegate.engine.series.LabelMatcher.Type.NEQ;
            case EQL_REGEX -> io.icegate.engine.series.LabelMatcher.Type.RE;
            case NEQ_REGEX -> io.icegate.engine.series.LabelMatcher.Type.NRE;
          };
      out.add(io.icegate.engine.series.LabelMatcher.of(m.name(), t, m.value()));
    }
    return out;
  }
}

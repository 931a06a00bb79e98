package io.icegate.engine.promql;

import io.icegate.engine.exec.KahanSum;
import io.icegate.engine.exec.LabelHash;
import io.icegate.engine.exec.PromAggregateOperator;
import io.icegate.engine.exec.PromAggregateSpec;
import io.icegate.engine.exec.Quantiles;
import io.icegate.engine.exec.TopK;
import io.icegate.engine.series.FloatHistogram;
import io.icegate.engine.series.Labels;
import io.icegate.promql.ast.AggregateExpr;
import io.icegate.promql.ast.AggregateOp;
import io.icegate.promql.ast.Printer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The aggregation operators, grouped {@code by}/{@code without}, evaluated step by step. */
final class Aggregations {
  private Aggregations() {}

  static Value eval(Evaluator ev, AggregateExpr a, long[] times) {
    int n = times.length;
    double[] param = null;
    String labelParam = null;
    if (a.param() != null) {
      Value p = ev.eval(a.param(), times);
      if (p instanceof Value.Str s) {
        labelParam = s.value();
      } else {
        param = ((Value.Scalar) p).values();
      }
    }
    if (a.op() == AggregateOp.QUANTILE && param != null) {
      for (double q : param) {
        if (Double.isNaN(q) || q < 0 || q > 1) {
          ev.warn(a.param().positionRange(),
              "quantile value should be between 0 and 1, got " + Printer.goValue(q));
          break;
        }
      }
    }
    if (a.op() == AggregateOp.LIMIT_RATIO && param != null) {
      for (double r : param) {
        if (r < -1 || r > 1) {
          ev.warn(a.param().positionRange(), "ratio value should be between -1 and 1, got "
              + Printer.goValue(r) + ", capping to " + (r < 0 ? "-1" : "1"));
          break;
        }
      }
    }
    Value.Vector composed = ComposedPlans.aggregate(ev, a, param, labelParam, times);
    if (composed != null) {
      return composed;
    }
    Value.Vector input = (Value.Vector) ev.eval(a.expr(), times);
    if (ev.stepPlans != null && PromAggregateSpec.SUPPORTED.contains(a.op())
        && StepPlans.floatsOnly(input)) {
      Value.Vector planned = ev.stepPlans.aggregate(
          new PromAggregateSpec(a.op(), a.without(), a.grouping(), param, n, labelParam),
          a.expr().toString(), input);
      if (planned != null) {
        return planned;
      }
    }
    List<StepSeries> in = input.series();
    // Group the input series once: labels do not change from step to step.
    Map<Labels, List<Integer>> groups = new LinkedHashMap<>();
    Labels[] groupOf = new Labels[in.size()];
    for (int j = 0; j < in.size(); j++) {
      Labels key = groupLabels(in.get(j).labels, a);
      groupOf[j] = key;
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(j);
    }
    return switch (a.op()) {
      case TOPK, BOTTOMK, LIMITK, LIMIT_RATIO -> selectK(ev, a, param, in, groups, n);
      case COUNT_VALUES -> countValues(labelParam, in, groups, n);
      // As in Prometheus, the annotations of these point at the aggregated expression.
      default -> simple(ev, a.expr().positionRange(), a.op(), param, in, groups, n);
    };
  }

  private static Labels groupLabels(Labels l, AggregateExpr a) {
    if (a.without()) {
      List<String> drop = new ArrayList<>(a.grouping());
      drop.add(Labels.METRIC_NAME);
      return l.without(drop);
    }
    return l.keep(a.grouping());
  }

  private static Value.Vector simple(
      Evaluator ev,
      io.icegate.promql.ast.PositionRange pos,
      AggregateOp op,
      double[] param,
      List<StepSeries> in,
      Map<Labels, List<Integer>> groups,
      int n) {
    List<StepSeries> out = new ArrayList<>();
    double[] buf = new double[in.size()];
    for (Map.Entry<Labels, List<Integer>> g : groups.entrySet()) {
      ev.checkContinue();
      boolean dropName = false;
      for (int j : g.getValue()) {
        dropName |= in.get(j).dropName;
      }
      StepSeries r = new StepSeries(g.getKey(), n, dropName);
      for (int i = 0; i < n; i++) {
        int count = 0;
        int hists = 0;
        HistogramSum hsum = null; // only when the group has histograms at this step
        String metric = "";
        for (int j : g.getValue()) {
          StepSeries s = in.get(j);
          FloatHistogram h = s.histogram(i);
          if (h != null) {
            hists++;
            if (hsum == null) {
              hsum = new HistogramSum(op == AggregateOp.AVG);
            }
            hsum.add(h);
            metric = s.labels.get(Labels.METRIC_NAME);
          } else if (s.present[i]) {
            buf[count++] = s.values[i];
          }
        }
        if (op == AggregateOp.COUNT || op == AggregateOp.GROUP) {
          if (count + hists > 0) {
            r.set(i, op == AggregateOp.COUNT ? count + hists : 1);
          }
          continue;
        }
        if (hists > 0 && (op == AggregateOp.SUM || op == AggregateOp.AVG)) {
          if (count > 0) {
            ev.warn(pos, "encountered a mix of histograms and floats for aggregation");
          } else {
            hsum.annotate(ev, pos, metric, "aggregation");
            FloatHistogram total = op == AggregateOp.AVG ? hsum.mean() : hsum.result();
            if (total != null) {
              r.setHistogram(i, total);
            }
          }
          continue;
        }
        if (hists > 0) {
          ev.info(pos, "ignored histogram in " + op + " aggregation");
        }
        if (count == 0) {
          continue;
        }
        r.set(i, aggregate(op, param == null ? 0 : param[i], buf, count));
      }
      if (!r.isEmpty()) {
        out.add(r);
      }
    }
    return new Value.Vector(out);
  }

  static double aggregate(AggregateOp op, double param, double[] v, int count) {
    switch (op) {
      case SUM -> {
        return KahanSum.sum(v, 0, count);
      }
      case AVG -> {
        return KahanSum.mean(v, 0, count);
      }
      case COUNT -> {
        return count;
      }
      case GROUP -> {
        return 1;
      }
      case MIN -> {
        double m = v[0];
        for (int k = 1; k < count; k++) {
          if (v[k] < m || Double.isNaN(m)) {
            m = v[k];
          }
        }
        return m;
      }
      case MAX -> {
        double m = v[0];
        for (int k = 1; k < count; k++) {
          if (v[k] > m || Double.isNaN(m)) {
            m = v[k];
          }
        }
        return m;
      }
      case STDDEV -> {
        return Math.sqrt(KahanSum.variance(v, 0, count));
      }
      case STDVAR -> {
        return KahanSum.variance(v, 0, count);
      }
      case QUANTILE -> {
        return quantile(param, Arrays.copyOf(v, count));
      }
      default -> throw new IllegalStateException(op.toString());
    }
  }

  /** Prometheus's quantile (see {@link Quantiles#prometheus}). Reorders {@code v}. */
  static double quantile(double q, double[] v) {
    return Quantiles.prometheus(q, v, 0, v.length);
  }

  private static Value.Vector selectK(
      Evaluator ev,
      AggregateExpr a,
      double[] param,
      List<StepSeries> in,
      Map<Labels, List<Integer>> groups,
      int n) {
    List<StepSeries> out = new ArrayList<>();
    for (StepSeries s : in) {
      out.add(new StepSeries(s.labels, n, s.dropName));
    }
    AggregateOp op = a.op();
    List<Integer> order = new ArrayList<>();
    // Per-step output order for a single instant step (topk sorts its result).
    List<Integer> instantOrder = new ArrayList<>();
    // limit_ratio's place of each input series in [0, 1), from its label hash (-1: not yet).
    double[] offsets = new double[in.size()];
    java.util.Arrays.fill(offsets, -1);
    for (int i = 0; i < n; i++) {
      ev.checkContinue();
      double p = param[i];
      if (op == AggregateOp.LIMIT_RATIO) {
        if (Double.isNaN(p)) {
          throw new PromQLException("Ratio value is NaN");
        }
        if (p < -1 || p > 1) {
          p = Math.max(-1, Math.min(1, p));
        }
      } else {
        if (Double.isNaN(p)) {
          throw new PromQLException("Parameter value is NaN");
        }
        if (p > Long.MAX_VALUE || p < Long.MIN_VALUE) {
          throw new PromQLException(
              "Scalar value " + Printer.goValue(p) + " overflows int64");
        }
      }
      long k = (long) p;
      for (List<Integer> members : groups.values()) {
        order.clear();
        boolean floatsOnly = op == AggregateOp.TOPK || op == AggregateOp.BOTTOMK;
        for (int j : members) {
          if (floatsOnly ? in.get(j).isFloat(i) : in.get(j).present[i]) {
            order.add(j);
          } else if (in.get(j).present[i]) {
            ev.info(a.positionRange(), "ignored histogram in " + op + " aggregation");
          }
        }
        final int step = i;
        switch (op) {
          case TOPK, BOTTOMK -> {
            if (k < order.size() && k <= PARTIAL_SELECT_MAX) {
              // Only the first k of the stable order are taken: kept in a small sorted array
              // while the members pass once, rather than sorting them all at every step.
              firstK(order, (int) Math.max(0, k), in, step, op == AggregateOp.TOPK);
            } else if (op == AggregateOp.TOPK) {
              order.sort((x, y) -> compareForTop(in.get(y).values[step], in.get(x).values[step]));
            } else {
              order.sort((x, y) -> compareForBottom(in.get(x).values[step], in.get(y).values[step]));
            }
          }
          default -> order.sort((x, y) -> in.get(x).labels.compareTo(in.get(y).labels));
        }
        int take;
        if (op == AggregateOp.LIMIT_RATIO) {
          for (int j : order) {
            if (offsets[j] < 0) {
              offsets[j] = LabelHash.offset(in.get(j).labels);
            }
            double offset = offsets[j];
            boolean keep = (p >= 0 && offset < p) || (p < 0 && offset >= 1 + p);
            if (keep) {
              copySample(in.get(j), out.get(j), i);
              instantOrder.add(j);
            }
          }
          continue;
        }
        take = (int) Math.max(0, Math.min(k, order.size()));
        for (int t = 0; t < take; t++) {
          int j = order.get(t);
          copySample(in.get(j), out.get(j), i);
          instantOrder.add(j);
        }
      }
    }
    List<StepSeries> result = new ArrayList<>();
    if (n == 1) {
      for (int j : instantOrder) {
        result.add(out.get(j));
      }
      return new Value.Vector(result);
    }
    for (StepSeries s : out) {
      if (!s.isEmpty()) {
        result.add(s);
      }
    }
    return new Value.Vector(result);
  }

  private static void copySample(StepSeries from, StepSeries to, int i) {
    if (from.histogram(i) != null) {
      to.setHistogram(i, from.histogram(i));
    } else {
      to.set(i, from.values[i]);
    }
  }

  /** The largest k for which topk/bottomk select by insertion instead of sorting every member. */
  private static final int PARTIAL_SELECT_MAX = TopK.PARTIAL_SELECT_MAX;

  /**
   * Leaves in {@code order} its first {@code k} members in the order a stable sort by value
   * would give ({@link TopK#firstK}).
   */
  private static void firstK(
      List<Integer> order, int k, List<StepSeries> in, int step, boolean top) {
    int[] members = new int[order.size()];
    for (int m = 0; m < members.length; m++) {
      members[m] = order.get(m);
    }
    int[] kept = new int[k];
    int size = TopK.firstK(
        members, members.length, k, j -> in.get(j).values[step], top, kept, new double[k]);
    order.clear();
    for (int t = 0; t < size; t++) {
      order.add(kept[t]);
    }
  }

  private static int compareForTop(double x, double y) {
    return TopK.compareForTop(x, y);
  }

  private static int compareForBottom(double x, double y) {
    return TopK.compareForBottom(x, y);
  }

  private static Value.Vector countValues(
      String label, List<StepSeries> in, Map<Labels, List<Integer>> groups, int n) {
    if (!PromAggregateOperator.validLabelName(label)) {
      throw new PromQLException("invalid label name " + Printer.quote(label));
    }
    Map<Labels, StepSeries> out = new LinkedHashMap<>();
    for (Map.Entry<Labels, List<Integer>> g : groups.entrySet()) {
      for (int i = 0; i < n; i++) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (int j : g.getValue()) {
          StepSeries s = in.get(j);
          if (s.histogram(i) != null) {
            counts.merge(histogramText(s.histogram(i)), 1, Integer::sum);
          } else if (s.present[i]) {
            counts.merge(Printer.number(s.values[i]), 1, Integer::sum);
          }
        }
        for (Map.Entry<String, Integer> c : counts.entrySet()) {
          Labels l = g.getKey().with(label, c.getKey());
          // Groups that differ only in the label being written end up as one series: add up.
          StepSeries r = out.computeIfAbsent(l, x -> new StepSeries(x, n, false));
          r.set(i, r.present[i] ? r.values[i] + c.getValue() : c.getValue());
        }
      }
    }
    return new Value.Vector(new ArrayList<>(out.values()));
  }

  /**
   * A histogram as Prometheus's {@code String()} writes it, which count_values uses as the label
   * value: {@code {count:20, sum:10, [-2,-1):2, [-0.001,0.001]:2, (0.5,1]:1}}.
   */
  static String histogramText(FloatHistogram h) {
    StringBuilder b = new StringBuilder("{count:").append(Printer.goValue(h.count))
        .append(", sum:").append(Printer.goValue(h.sum));
    h.forEachBucket(
        (lower, upper, count, zero) -> {
          if (count == 0) {
            return;
          }
          boolean negative = !zero && upper <= 0 && !h.usesCustomBuckets();
          b.append(", ").append(negative || zero ? '[' : '(')
              .append(Printer.goValue(lower)).append(',').append(Printer.goValue(upper))
              .append(negative ? ')' : ']').append(':').append(Printer.goValue(count));
        });
    return b.append('}').toString();
  }
}

package io.icegate.engine.promql;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.icegate.engine.exec.KahanSum;
import io.icegate.engine.exec.PromAggregateOperator;
import io.icegate.engine.series.FloatHistogram;
import io.icegate.engine.series.Labels;
import io.icegate.promql.ast.Call;
import io.icegate.promql.ast.Expr;
import io.icegate.promql.ast.LabelMatcher;
import io.icegate.promql.ast.MatrixSelector;
import io.icegate.promql.ast.ParenExpr;
import io.icegate.promql.ast.PositionRange;
import io.icegate.promql.ast.Printer;
import io.icegate.promql.ast.SubqueryExpr;
import io.icegate.promql.ast.VectorSelector;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/** Every PromQL function, looked up by name. */
final class Functions {
  private Functions() {}

  static Value call(Evaluator ev, Call c, long[] times) {
    String name = c.function().name();
    List<Expr> args = c.args();
    int n = times.length;
    return switch (name) {
      case "time" -> {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
          v[i] = times[i] / 1000.0;
        }
        yield new Value.Scalar(v);
      }
      case "pi" -> Evaluator.constant(Math.PI, n);
      case "start" -> Evaluator.constant(ev.queryStart / 1000.0, n);
      case "end" -> Evaluator.constant(ev.queryEnd / 1000.0, n);
      case "step" -> Evaluator.constant(ev.queryStep / 1000.0, n);
      case "range" -> Evaluator.constant((ev.queryEnd - ev.queryStart) / 1000.0, n);
      case "min_of", "max_of" -> {
        double[] a = scalar(ev, args.get(0), times);
        double[] b = scalar(ev, args.get(1), times);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
          v[i] = name.equals("min_of") ? Math.min(a[i], b[i]) : Math.max(a[i], b[i]);
        }
        yield new Value.Scalar(v);
      }
      case "vector" -> {
        double[] s = scalar(ev, args.get(0), times);
        StepSeries r = new StepSeries(Labels.EMPTY, n, false);
        for (int i = 0; i < n; i++) {
          r.set(i, s[i]);
        }
        yield new Value.Vector(List.of(r));
      }
      case "scalar" -> {
        Value.Vector v = vector(ev, args.get(0), times);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
          int count = 0;
          double val = Double.NaN;
          for (StepSeries s : v.series()) {
            if (s.isFloat(i)) {
              count++;
              val = s.values[i];
            }
          }
          out[i] = count == 1 ? val : Double.NaN;
        }
        yield new Value.Scalar(out);
      }
      case "abs" -> math(ev, args, times, Math::abs);
      case "ceil" -> math(ev, args, times, Math::ceil);
      case "floor" -> math(ev, args, times, Math::floor);
      case "exp" -> math(ev, args, times, Math::exp);
      case "sqrt" -> math(ev, args, times, Math::sqrt);
      case "ln" -> math(ev, args, times, Math::log);
      case "log2" -> math(ev, args, times, x -> Math.log(x) / Math.log(2));
      case "log10" -> math(ev, args, times, Math::log10);
      case "sin" -> math(ev, args, times, Math::sin);
      case "cos" -> math(ev, args, times, Math::cos);
      case "tan" -> math(ev, args, times, Math::tan);
      case "asin" -> math(ev, args, times, Math::asin);
      case "acos" -> math(ev, args, times, Math::acos);
      case "atan" -> math(ev, args, times, Math::atan);
      case "sinh" -> math(ev, args, times, Math::sinh);
      case "cosh" -> math(ev, args, times, Math::cosh);
      case "tanh" -> math(ev, args, times, Math::tanh);
      case "asinh" -> math(ev, args, times, Functions::asinh);
      case "acosh" -> math(ev, args, times, Functions::acosh);
      case "atanh" -> math(ev, args, times, Functions::atanh);
      case "deg" -> math(ev, args, times, x -> x * 180 / Math.PI);
      case "rad" -> math(ev, args, times, x -> x * Math.PI / 180);
      case "sgn" -> math(ev, args, times, x -> x > 0 ? 1 : x < 0 ? -1 : x);
      case "round" -> round(ev, args, times);
      case "clamp", "clamp_min", "clamp_max" -> clamp(ev, name, args, times);
      case "timestamp" -> timestamp(ev, args.get(0), times);
      case "start_timestamp" -> startTimestamp(ev, args.get(0), times);
      case "year", "month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute",
          "days_in_month" -> date(ev, name, args, times);
      case "label_replace" -> labelReplace(ev, args, times);
      case "label_join" -> labelJoin(ev, args, times);
      case "sort", "sort_desc" -> {
        warnIfRange(ev, c);
        yield sort(ev, name.equals("sort_desc"), args.get(0), times);
      }
      case "sort_by_label", "sort_by_label_desc" -> {
        warnIfRange(ev, c);
        yield sortByLabel(ev, name.endsWith("_desc"), args, times);
      }
      case "absent" -> absent(ev, args.get(0), times);
      case "absent_over_time" -> absentOverTime(ev, args.get(0), times);
      case "histogram_quantile" -> HistogramQuantile.eval(ev, c, times);
      case "info" -> InfoFunction.eval(ev, c, times);
      case "histogram_count" -> histogramProperty(ev, args.get(0), times, h -> h.count);
      case "histogram_sum" -> histogramProperty(ev, args.get(0), times, h -> h.sum);
      case "histogram_avg" -> histogramProperty(ev, args.get(0), times, h -> h.sum / h.count);
      case "histogram_stdvar" -> histogramProperty(ev, args.get(0), times, NativeHistograms::variance);
      case "histogram_stddev" ->
          histogramProperty(ev, args.get(0), times, h -> Math.sqrt(NativeHistograms.variance(h)));
      case "histogram_fraction" -> HistogramQuantile.fraction(ev, c, times);
      case "histogram_quantiles" -> HistogramQuantile.quantiles(ev, c, times);
      default -> rangeFunction(ev, c, times);
    };
  }

  private static final List<String> SMOOTHED_FUNCTIONS = List.of("delta", "increase", "rate");
  private static final List<String> ANCHORED_FUNCTIONS =
      List.of("changes", "delta", "increase", "rate", "resets");

  /** The experimental anchored/smoothed range modifiers work with a few functions only. */
  private static void checkRangeModifier(Call c) {
    for (Expr arg : c.args()) {
      Expr e = arg;
      while (e instanceof ParenExpr p) {
        e = p.expr();
      }
      if (!(e instanceof MatrixSelector ms)) {
        continue;
      }
      io.icegate.promql.ast.RangeModifier mod = ms.vectorSelector().rangeModifier();
      String name = c.function().name();
      if (mod == io.icegate.promql.ast.RangeModifier.SMOOTHED && !SMOOTHED_FUNCTIONS.contains(name)) {
        throw new PromQLException("smoothed modifier can only be used with: "
            + String.join(", ", SMOOTHED_FUNCTIONS) + " - not with " + name);
      }
      if (mod == io.icegate.promql.ast.RangeModifier.ANCHORED && !ANCHORED_FUNCTIONS.contains(name)) {
        throw new PromQLException("anchored modifier can only be used with: "
            + String.join(", ", ANCHORED_FUNCTIONS) + " - not with " + name);
      }
    }
  }

  private static Value rangeFunction(Evaluator ev, Call c, long[] times) {
    String name = c.function().name();
    List<Expr> args = c.args();
    int n = times.length;
    checkRangeModifier(c);
    Value.Vector planned = PlannedLeaves.range(ev, c, times);
    if (planned == null) {
      planned = PlannedSubqueries.range(ev, c, times);
    }
    if (planned != null) {
      return planned;
    }
    long lookback = ev.options.lookbackDeltaMillis();
    return switch (name) {
      case "rate", "increase", "delta" -> {
        Value.Matrix m = matrix(ev, args.get(0), times);
        boolean counter = !name.equals("delta");
        boolean rate = name.equals("rate");
        if (m.modifier() != io.icegate.promql.ast.RangeModifier.NONE) {
          boolean anchored = m.modifier() == io.icegate.promql.ast.RangeModifier.ANCHORED;
          yield RangeFunctions.apply(
              m, n, true,
              (ts, vs, hs, from, to, t, range, i) ->
                  anchored
                      ? RangeFunctions.anchoredRate(ts, vs, from, to, t, range, lookback, counter, rate)
                      : RangeFunctions.smoothedRate(ts, vs, from, to, t, range, lookback, counter, rate),
              (labels, ts, hs, from, to, t, range, i) ->
                  RangeFunctions.extendedHistogramRate(ev, args.get(0).positionRange(),
                      labels.get(Labels.METRIC_NAME), ts, hs, from, to, t, range, lookback,
                      !anchored, counter, rate),
              RangeFunctions.Mode.EITHER, ev, args.get(0).positionRange());
        }
        if (counter) {
          warnIfNotCounter(ev, args.get(0), m);
        }
        PositionRange where = args.get(0).positionRange();
        RangeFunctions.Sts sts = new RangeFunctions.Sts();
        Runnable overlap = () -> ev.warn(where,
            RangeFunctions.overlapWarning(sts.labels.get(Labels.METRIC_NAME)));
        yield RangeFunctions.apply(
            m, n, true,
            (ts, vs, hs, from, to, t, range, i) ->
                RangeFunctions.extrapolatedRate(ts, vs, from, to, t, range, counter, rate, sts,
                    overlap),
            (labels, ts, hs, from, to, t, range, i) ->
                RangeFunctions.histogramRate(ev, where, labels.get(Labels.METRIC_NAME), ts, hs,
                    from, to, t, range, counter, rate, sts),
            RangeFunctions.Mode.EITHER, ev, where, sts);
      }
      case "irate", "idelta" -> {
        Value.Matrix m = matrix(ev, args.get(0), times);
        boolean rate = name.equals("irate");
        if (rate) {
          warnIfNotCounter(ev, args.get(0), m);
        }
        RangeFunctions.Sts sts = new RangeFunctions.Sts();
        yield RangeFunctions.apply(
            m, n, true,
            (ts, vs, hs, from, to, t, range, i) ->
                RangeFunctions.instantDelta(vs, hs, ts, from, to, rate, sts),
            (labels, ts, hs, from, to, t, range, i) ->
                RangeFunctions.histogramInstantDelta(ev, args.get(0).positionRange(), labels, ts,
                    hs, from, to, rate, sts),
            RangeFunctions.Mode.ALL, ev, args.get(0).positionRange(), sts);
      }
      case "deriv" -> RangeFunctions.apply(
          matrix(ev, args.get(0), times), n, true,
          (ts, vs, hs, from, to, t, range, i) -> RangeFunctions.slope(ts, vs, from, to),
          null, RangeFunctions.Mode.FLOATS, ev, c.positionRange());
      case "predict_linear" -> {
        Value.Matrix m = matrix(ev, args.get(0), times);
        double[] d = scalar(ev, args.get(1), times);
        yield RangeFunctions.apply(
            m, n, true,
            (ts, vs, hs, from, to, t, range, i) -> {
              if (to - from < 2) {
                return RangeFunctions.NONE;
              }
              // The prediction starts from the step's time, even when @ pins the window.
              double[] si = RangeFunctions.linearRegression(ts, vs, from, to, times[i]);
              return si[0] * d[i] + si[1];
            },
            null, RangeFunctions.Mode.FLOATS, ev, c.positionRange());
      }
      case "double_exponential_smoothing", "holt_winters" -> {
        Value.Matrix m = matrix(ev, args.get(0), times);
        double[] sf = scalar(ev, args.get(1), times);
        double[] tf = scalar(ev, args.get(2), times);
        for (int i = 0; i < n; i++) {
          if (!(sf[i] > 0 && sf[i] < 1)) {
            throw new PromQLException(
                "invalid smoothing factor. Expected: 0 < sf < 1, got: " + goF(sf[i]));
          }
          if (!(tf[i] > 0 && tf[i] < 1)) {
            throw new PromQLException(
                "invalid trend factor. Expected: 0 < tf < 1, got: " + goF(tf[i]));
          }
        }
        yield RangeFunctions.apply(
            m, n, true,
            (ts, vs, hs, from, to, t, range, i) ->
                RangeFunctions.doubleExponentialSmoothing(vs, from, to, sf[i], tf[i]),
            null, RangeFunctions.Mode.FLOATS, ev, c.positionRange());
      }
      case "resets" -> {
        RangeFunctions.Sts sts = new RangeFunctions.Sts();
        yield RangeFunctions.apply(
            matrix(ev, args.get(0), times), n, true,
            (ts, vs, hs, from, to, t, range, i) -> RangeFunctions.resets(vs, hs, ts,
                anchoredFrom(args.get(0), ts, from, t, range, lookback), to, sts),
            null, RangeFunctions.Mode.ALL, ev, c.positionRange(), sts);
      }
      case "changes" -> RangeFunctions.apply(
          matrix(ev, args.get(0), times), n, true,
          (ts, vs, hs, from, to, t, range, i) -> RangeFunctions.changes(vs, hs,
              anchoredFrom(args.get(0), ts, from, t, range, lookback), to),
          null, RangeFunctions.Mode.ALL, ev, c.positionRange());
      case "sum_over_time" -> RangeFunctions.apply(matrix(ev, args.get(0), times), n, true,
          (ts, vs, hs, from, to, t, range, i) -> KahanSum.sum(vs, from, to),
          (labels, ts, hs, from, to, t, range, i) ->
              RangeFunctions.histogramSum(ev, args.get(0).positionRange(), labels, hs, from, to,
                  false),
          RangeFunctions.Mode.EITHER, ev, c.positionRange());
      case "avg_over_time" -> RangeFunctions.apply(matrix(ev, args.get(0), times), n, true,
          (ts, vs, hs, from, to, t, range, i) -> KahanSum.mean(vs, from, to),
          (labels, ts, hs, from, to, t, range, i) ->
              RangeFunctions.histogramSum(ev, args.get(0).positionRange(), labels, hs, from, to,
                  true),
          RangeFunctions.Mode.EITHER, ev, c.positionRange());
      case "count_over_time" -> RangeFunctions.apply(matrix(ev, args.get(0), times), n, true,
          (ts, vs, hs, from, to, t, range, i) -> to - from, null, RangeFunctions.Mode.ALL, ev,
          c.positionRange());
      case "min_over_time" -> overTime(ev, args, times, true,
          (ts, vs, hs, from, to, t, range, i) -> RangeFunctions.min(vs, from, to));
      case "max_over_time" -> overTime(ev, args, times, true,
          (ts, vs, hs, from, to, t, range, i) -> RangeFunctions.max(vs, from, to));
      case "stddev_over_time" -> overTime(ev, args, times, true,
          (ts, vs, hs, from, to, t, range, i) -> Math.sqrt(KahanSum.variance(vs, from, to)));
      case "stdvar_over_time" -> overTime(ev, args, times, true,
          (ts, vs, hs, from, to, t, range, i) -> KahanSum.variance(vs, from, to));
      case "last_over_time" -> RangeFunctions.edge(matrix(ev, args.get(0), times), n, true);
      case "first_over_time" -> RangeFunctions.edge(matrix(ev, args.get(0), times), n, false);
      case "present_over_time" -> RangeFunctions.apply(matrix(ev, args.get(0), times), n, true,
          (ts, vs, hs, from, to, t, range, i) -> 1, null, RangeFunctions.Mode.ALL, ev,
          c.positionRange());
      case "mad_over_time" -> overTime(ev, args, times, true,
          (ts, vs, hs, from, to, t, range, i) -> RangeFunctions.mad(vs, from, to));
      case "ts_of_last_over_time" -> RangeFunctions.apply(matrix(ev, args.get(0), times), n, true,
          (ts, vs, hs, from, to, t, range, i) -> ts[to - 1] / 1000.0, null,
          RangeFunctions.Mode.ALL, ev, c.positionRange());
      case "ts_of_first_over_time" -> RangeFunctions.apply(matrix(ev, args.get(0), times), n, true,
          (ts, vs, hs, from, to, t, range, i) -> ts[from] / 1000.0, null,
          RangeFunctions.Mode.ALL, ev, c.positionRange());
      case "ts_of_max_over_time", "ts_of_min_over_time" -> {
        boolean max = name.equals("ts_of_max_over_time");
        yield overTime(ev, args, times, true,
            (ts, vs, hs, from, to, t, range, i) ->
                RangeFunctions.timeOfExtreme(ts, vs, from, to, max));
      }
      case "quantile_over_time" -> {
        double[] q = scalar(ev, args.get(0), times);
        Value.Matrix m = matrix(ev, args.get(1), times);
        for (double x : q) {
          if (x < 0 || x > 1 || Double.isNaN(x)) {
            ev.warn(args.get(0).positionRange(),
                "quantile value should be between 0 and 1, got " + Printer.goValue(x));
            break;
          }
        }
        yield RangeFunctions.apply(
            m, n, true, (ts, vs, hs, from, to, t, range, i) -> RangeFunctions.quantile(q[i], vs, from, to),
            null, RangeFunctions.Mode.FLOATS, ev, c.positionRange());
      }
      default -> throw new PromQLException("function \"" + name + "\" is not supported yet");
    };
  }

  private static void warnIfRange(Evaluator ev, Call c) {
    if (ev.queryStep != 0) {
      ev.warn(c.positionRange(),
          "sort is ineffective for range queries since results are always ordered by labels");
    }
  }

  /** Where a window starts: one sample earlier for an anchored range. */
  private static int anchoredFrom(Expr arg, long[] ts, int from, long t, long range, long lookback) {
    Expr e = arg;
    while (e instanceof ParenExpr p) {
      e = p.expr();
    }
    if (e instanceof MatrixSelector ms
        && ms.vectorSelector().rangeModifier() == io.icegate.promql.ast.RangeModifier.ANCHORED) {
      return RangeFunctions.anchor(ts, from, t, range, lookback);
    }
    return from;
  }

  private static Value.Vector overTime(
      Evaluator ev, List<Expr> args, long[] times, boolean dropName, RangeFunctions.Kernel k) {
    return RangeFunctions.apply(matrix(ev, args.get(0), times), times.length, dropName, k, null,
        RangeFunctions.Mode.FLOATS, ev, args.get(0).positionRange());
  }

  /** A float from each native histogram sample; float samples are left out. */
  private static Value.Vector histogramProperty(
      Evaluator ev, Expr arg, long[] times, java.util.function.ToDoubleFunction<FloatHistogram> f) {
    Value.Vector v = vector(ev, arg, times);
    List<StepSeries> out = new ArrayList<>();
    for (StepSeries s : v.series()) {
      StepSeries r = new StepSeries(s.labels, times.length, true);
      for (int i = 0; i < times.length; i++) {
        FloatHistogram h = s.histogram(i);
        if (h != null) {
          r.set(i, f.applyAsDouble(h));
        }
      }
      if (!r.isEmpty()) {
        out.add(r);
      }
    }
    return new Value.Vector(out);
  }

  private static void warnIfNotCounter(Evaluator ev, Expr arg, Value.Matrix m) {
    for (var s : m.series()) {
      if (s.histograms() != null) {
        continue; // native histograms say themselves whether they are counters
      }
      String metric = s.labels().get(Labels.METRIC_NAME);
      if (!metric.isEmpty() && !counterName(metric)) {
        ev.info(arg.positionRange(),
            "metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \""
                + metric + "\"");
      }
    }
  }

  /** Whether a metric's name says it is a counter (or a histogram's or summary's part). */
  static boolean counterName(String metric) {
    return metric.endsWith("_total") || metric.endsWith("_sum") || metric.endsWith("_count")
        || metric.endsWith("_bucket");
  }

  /** Go's {@code %f}: six decimals. */
  private static String goF(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    return String.format(java.util.Locale.ROOT, "%.6f", v);
  }

  static double[] scalar(Evaluator ev, Expr e, long[] times) {
    return ((Value.Scalar) ev.eval(e, times)).values();
  }

  static Value.Vector vector(Evaluator ev, Expr e, long[] times) {
    return (Value.Vector) ev.eval(e, times);
  }

  static Value.Matrix matrix(Evaluator ev, Expr e, long[] times) {
    return ev.matrixArgument(e, times);
  }

  private static Value.Vector math(Evaluator ev, List<Expr> args, long[] times, DoubleUnaryOperator f) {
    Value.Vector v = vector(ev, args.get(0), times);
    List<StepSeries> out = new ArrayList<>();
    for (StepSeries s : v.series()) {
      StepSeries r = new StepSeries(s.labels, times.length, true);
      for (int i = 0; i < times.length; i++) {
        if (s.isFloat(i)) {
          r.set(i, f.applyAsDouble(s.values[i]));
        }
      }
      out.add(r);
    }
    return new Value.Vector(out);
  }

  private static double asinh(double x) {
    if (Double.isInfinite(x) || x == 0) {
      return x;
    }
    double a = Math.abs(x);
    double r = Math.log(a + Math.sqrt(a * a + 1));
    return x < 0 ? -r : r;
  }

  private static double acosh(double x) {
    return Math.log(x + Math.sqrt(x * x - 1));
  }

  private static double atanh(double x) {
    return 0.5 * Math.log((1 + x) / (1 - x));
  }

  private static Value.Vector round(Evaluator ev, List<Expr> args, long[] times) {
    double[] to = args.size() > 1 ? scalar(ev, args.get(1), times) : null;
    Value.Vector v = vector(ev, args.get(0), times);
    List<StepSeries> out = new ArrayList<>();
    for (StepSeries s : v.series()) {
      StepSeries r = new StepSeries(s.labels, times.length, true);
      for (int i = 0; i < times.length; i++) {
        if (s.isFloat(i)) {
          double inverse = 1 / (to == null ? 1 : to[i]);
          r.set(i, Math.floor(s.values[i] * inverse + 0.5) / inverse);
        }
      }
      out.add(r);
    }
    return new Value.Vector(out);
  }

  private static Value.Vector clamp(Evaluator ev, String name, List<Expr> args, long[] times) {
    Value.Vector v = vector(ev, args.get(0), times);
    double[] a = scalar(ev, args.get(1), times);
    double[] b = args.size() > 2 ? scalar(ev, args.get(2), times) : null;
    List<StepSeries> out = new ArrayList<>();
    for (StepSeries s : v.series()) {
      StepSeries r = new StepSeries(s.labels, times.length, true);
      for (int i = 0; i < times.length; i++) {
        if (!s.isFloat(i)) {
          continue;
        }
        double x = s.values[i];
        switch (name) {
          case "clamp" -> {
            if (b[i] < a[i]) {
              continue;
            }
            r.set(i, Math.max(a[i], Math.min(b[i], x)));
          }
          case "clamp_min" -> r.set(i, Math.max(a[i], x));
          default -> r.set(i, Math.min(a[i], x));
        }
      }
      if (!r.isEmpty()) {
        out.add(r);
      }
    }
    return new Value.Vector(out);
  }

  /**
   * start_timestamp(selector): the start timestamps of the samples a selector picks. As in
   * Prometheus, only a selector has them: over any other expression (or with start timestamps
   * not used) the result is empty.
   */
  private static Value.Vector startTimestamp(Evaluator ev, Expr arg, long[] times) {
    Expr inner = arg;
    while (inner instanceof ParenExpr p) {
      inner = p.expr();
    }
    if (!(inner instanceof VectorSelector vs) || !ev.options.useStartTimestamps()) {
      vector(ev, arg, times);
      return new Value.Vector(List.of());
    }
    Value.Vector v = ev.selectVector(vs, times, false, true);
    for (StepSeries s : v.series()) {
      s.dropName = true;
    }
    return v;
  }

  private static Value.Vector timestamp(Evaluator ev, Expr arg, long[] times) {
    Expr inner = arg;
    while (inner instanceof ParenExpr p) {
      inner = p.expr();
    }
    if (inner instanceof VectorSelector vs) {
      Value.Vector v = ev.selectVector(vs, times, true);
      for (StepSeries s : v.series()) {
        s.dropName = true;
      }
      return v;
    }
    Value.Vector v = vector(ev, arg, times);
    List<StepSeries> out = new ArrayList<>();
    for (StepSeries s : v.series()) {
      StepSeries r = new StepSeries(s.labels, times.length, true);
      for (int i = 0; i < times.length; i++) {
        if (s.present[i]) {
          r.set(i, times[i] / 1000.0);
        }
      }
      out.add(r);
    }
    return new Value.Vector(out);
  }

  private static Value.Vector date(Evaluator ev, String name, List<Expr> args, long[] times) {
    Value.Vector v;
    if (args.isEmpty()) {
      StepSeries r = new StepSeries(Labels.EMPTY, times.length, false);
      for (int i = 0; i < times.length; i++) {
        r.set(i, times[i] / 1000.0);
      }
      v = new Value.Vector(List.of(r));
    } else {
      v = vector(ev, args.get(0), times);
    }
    List<StepSeries> out = new ArrayList<>();
    for (StepSeries s : v.series()) {
      StepSeries r = new StepSeries(s.labels, times.length, true);
      for (int i = 0; i < times.length; i++) {
        if (!s.isFloat(i)) {
          continue;
        }
        double x = s.values[i];
        if (Double.isNaN(x) || Double.isInfinite(x)) {
          r.set(i, Double.NaN);
          continue;
        }
        ZonedDateTime d = Instant.ofEpochSecond((long) x).atZone(ZoneOffset.UTC);
        double value =
            switch (name) {
              case "year" -> d.getYear();
              case "month" -> d.getMonthValue();
              case "day_of_month" -> d.getDayOfMonth();
              case "day_of_week" -> d.getDayOfWeek().getValue() % 7;
              case "day_of_year" -> d.getDayOfYear();
              case "hour" -> d.getHour();
              case "minute" -> d.getMinute();
              default -> d.toLocalDate().lengthOfMonth();
            };
        r.set(i, value);
      }
      out.add(r);
    }
    return new Value.Vector(out);
  }

  private static String string(Evaluator ev, Expr e, long[] times) {
    return ((Value.Str) ev.eval(e, times)).value();
  }

  private static Value.Vector labelReplace(Evaluator ev, List<Expr> args, long[] times) {
    String dst = string(ev, args.get(1), times);
    String replacement = string(ev, args.get(2), times);
    String src = string(ev, args.get(3), times);
    String regex = string(ev, args.get(4), times);
    Pattern p;
    try {
      p = Pattern.compile("^(?s:" + regex + ")$");
    } catch (PatternSyntaxException e) {
      throw new PromQLException("invalid regular expression in label_replace(): " + regex);
    }
    if (!PromAggregateOperator.validLabelName(dst)) {
      throw new PromQLException("invalid destination label name in label_replace(): " + dst);
    }
    Value.Vector v = vector(ev, args.get(0), times);
    List<StepSeries> out = new ArrayList<>();
    for (StepSeries s : v.series()) {
      Matcher m = p.matcher(s.labels.get(src));
      if (m.matches()) {
        String value = expand(m, replacement);
        StepSeries r = copy(s, s.labels.with(dst, value), times.length);
        if (dst.equals(Labels.METRIC_NAME)) {
          r.dropName = false;
        }
        out.add(r);
      } else {
        out.add(s);
      }
    }
    return new Value.Vector(out);
  }

  /** Go's Regexp.Expand: {@code $1}, {@code ${1}}, {@code $name}, {@code ${name}}, {@code $$}. */
  static String expand(Matcher m, String template) {
    StringBuilder b = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c != '$' || i + 1 >= template.length()) {
        b.append(c);
        i++;
        continue;
      }
      char next = template.charAt(i + 1);
      if (next == '$') {
        b.append('$');
        i += 2;
        continue;
      }
      String name;
      int end;
      if (next == '{') {
        int close = template.indexOf('}', i + 2);
        if (close < 0) {
          b.append(c);
          i++;
          continue;
        }
        name = template.substring(i + 2, close);
        end = close + 1;
      } else {
        int j = i + 1;
        while (j < template.length()
            && (Character.isLetterOrDigit(template.charAt(j)) || template.charAt(j) == '_')) {
          j++;
        }
        name = template.substring(i + 1, j);
        end = j;
      }
      if (name.isEmpty()) {
        b.append(c);
        i++;
        continue;
      }
      String group = null;
      if (name.chars().allMatch(Character::isDigit)) {
        int g = Integer.parseInt(name);
        if (g <= m.groupCount()) {
          group = m.group(g);
        }
      } else {
        try {
          group = m.group(name);
        } catch (IllegalArgumentException e) {
          group = null;
        }
      }
      if (group != null) {
        b.append(group);
      }
      i = end;
    }
    return b.toString();
  }

  private static StepSeries copy(StepSeries s, Labels labels, int n) {
    StepSeries r = new StepSeries(labels, n, s.dropName);
    System.arraycopy(s.values, 0, r.values, 0, n);
    System.arraycopy(s.present, 0, r.present, 0, n);
    if (s.histograms != null) {
      r.histograms = s.histograms.clone();
    }
    return r;
  }

  private static Value.Vector labelJoin(Evaluator ev, List<Expr> args, long[] times) {
    String dst = string(ev, args.get(1), times);
    String sep = string(ev, args.get(2), times);
    List<String> srcs = new ArrayList<>();
    for (int k = 3; k < args.size(); k++) {
      String src = string(ev, args.get(k), times);
      if (!PromAggregateOperator.validLabelName(src)) {
        throw new PromQLException("invalid source label name in label_join(): " + src);
      }
      srcs.add(src);
    }
    if (!PromAggregateOperator.validLabelName(dst)) {
      throw new PromQLException("invalid destination label name in label_join(): " + dst);
    }
    Value.Vector v = vector(ev, args.get(0), times);
    List<StepSeries> out = new ArrayList<>();
    for (StepSeries s : v.series()) {
      List<String> parts = new ArrayList<>();
      for (String src : srcs) {
        parts.add(s.labels.get(src));
      }
      StepSeries r = copy(s, s.labels.with(dst, String.join(sep, parts)), times.length);
      if (dst.equals(Labels.METRIC_NAME)) {
        r.dropName = false;
      }
      out.add(r);
    }
    return new Value.Vector(out);
  }

  private static Value.Vector sort(Evaluator ev, boolean desc, Expr arg, long[] times) {
    Value.Vector v = vector(ev, arg, times);
    if (times.length != 1) {
      // Order means nothing in a range query, but histograms are still left out.
      List<StepSeries> out = new ArrayList<>();
      for (StepSeries s : v.series()) {
        if (s.histograms == null) {
          out.add(s);
          continue;
        }
        StepSeries r = new StepSeries(s.labels, times.length, s.dropName);
        for (int i = 0; i < times.length; i++) {
          if (s.isFloat(i)) {
            r.set(i, s.values[i]);
          }
        }
        if (!r.isEmpty()) {
          out.add(r);
        }
      }
      return new Value.Vector(out);
    }
    List<StepSeries> out = new ArrayList<>(v.series());
    out.removeIf(s -> !s.isFloat(0));
    Comparator<StepSeries> byValue =
        (a, b) -> {
          double x = a.values[0];
          double y = b.values[0];
          if (Double.isNaN(x)) {
            return Double.isNaN(y) ? 0 : 1;
          }
          if (Double.isNaN(y)) {
            return -1;
          }
          return desc ? Double.compare(y, x) : Double.compare(x, y);
        };
    out.sort(byValue);
    return new Value.Vector(out);
  }

  private static Value.Vector sortByLabel(Evaluator ev, boolean desc, List<Expr> args, long[] times) {
    Value.Vector v = vector(ev, args.get(0), times);
    List<String> names = new ArrayList<>();
    for (int k = 1; k < args.size(); k++) {
      names.add(string(ev, args.get(k), times));
    }
    List<StepSeries> out = new ArrayList<>(v.series());
    Comparator<StepSeries> cmp =
        (a, b) -> {
          for (String name : names) {
            int c = NaturalOrder.compare(a.labels.get(name), b.labels.get(name));
            if (c != 0) {
              return c;
            }
          }
          return a.labels.compareTo(b.labels);
        };
    out.sort(desc ? cmp.reversed() : cmp);
    return new Value.Vector(out);
  }

  private static Value.Vector absent(Evaluator ev, Expr arg, long[] times) {
    Value.Vector v = vector(ev, arg, times);
    StepSeries r = new StepSeries(absentLabels(arg), times.length, false);
    for (int i = 0; i < times.length; i++) {
      boolean any = false;
      for (StepSeries s : v.series()) {
        any |= s.present[i];
      }
      if (!any) {
        r.set(i, 1);
      }
    }
    return new Value.Vector(r.isEmpty() ? List.of() : List.of(r));
  }

  private static Value.Vector absentOverTime(Evaluator ev, Expr arg, long[] times) {
    Value.Vector v =
        RangeFunctions.apply(matrix(ev, arg, times), times.length, false,
            (ts, vs, hs, from, to, t, range, i) -> 1, null, RangeFunctions.Mode.ALL, ev,
            arg.positionRange());
    return absentFrom(v, absentLabels(arg), times.length);
  }

  private static Value.Vector absentFrom(Value.Vector v, Labels labels, int n) {
    StepSeries r = new StepSeries(labels, n, false);
    for (int i = 0; i < n; i++) {
      boolean any = false;
      for (StepSeries s : v.series()) {
        any |= s.present[i];
      }
      if (!any) {
        r.set(i, 1);
      }
    }
    return new Value.Vector(r.isEmpty() ? List.of() : List.of(r));
  }

  /** The labels absent() reports: those of equality matchers, unless a label is matched twice. */
  private static Labels absentLabels(Expr arg) {
    Expr e = arg;
    while (e instanceof ParenExpr p) {
      e = p.expr();
    }
    VectorSelector vs = null;
    if (e instanceof VectorSelector s) {
      vs = s;
    } else if (e instanceof MatrixSelector m) {
      vs = m.vectorSelector();
    } else if (e instanceof SubqueryExpr) {
      return Labels.EMPTY;
    }
    if (vs == null) {
      return Labels.EMPTY;
    }
    Map<String, String> m = new LinkedHashMap<>();
    Map<String, Integer> seen = new HashMap<>();
    for (LabelMatcher lm : vs.matchers()) {
      seen.merge(lm.name(), 1, Integer::sum);
      if (lm.type() == LabelMatcher.MatchType.EQL && !lm.name().equals(Labels.METRIC_NAME)) {
        m.put(lm.name(), lm.value());
      }
    }
    seen.forEach(
        (k, c) -> {
          if (c > 1) {
            m.remove(k);
          }
        });
    return Labels.of(m);
  }
}

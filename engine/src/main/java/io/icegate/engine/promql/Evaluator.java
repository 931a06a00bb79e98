package io.icegate.engine.promql;

import io.icegate.engine.exec.QueryCancelledException;
import io.icegate.engine.series.FloatHistogram;
import io.icegate.engine.series.InstantSelection;
import io.icegate.engine.series.LabelMatcher;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.RangeWindows;
import io.icegate.engine.series.Series;
import io.icegate.engine.series.SeriesSource;
import io.icegate.promql.ast.AggregateExpr;
import io.icegate.promql.ast.AtModifier;
import io.icegate.promql.ast.BinaryExpr;
import io.icegate.promql.ast.Call;
import io.icegate.promql.ast.DurationExpr;
import io.icegate.promql.ast.Expr;
import io.icegate.promql.ast.MatrixSelector;
import io.icegate.promql.ast.NumberLiteral;
import io.icegate.promql.ast.ParenExpr;
import io.icegate.promql.ast.PositionRange;
import io.icegate.promql.ast.RangeModifier;
import io.icegate.promql.ast.StringLiteral;
import io.icegate.promql.ast.SubqueryExpr;
import io.icegate.promql.ast.UnaryExpr;
import io.icegate.promql.ast.VectorSelector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Evaluates a PromQL AST over an array of evaluation times, one node at a time, each node giving
 * whole step columns ({@link Value}). The times are those of the query's step grid, shifted by
 * offsets, pinned by {@code @}, or the inner grid of a subquery.
 */
final class Evaluator {
  final SeriesSource source;
  final PromQLEngine.Options options;
  final long queryStart;
  final long queryEnd;
  final long queryStep;
  private final String query;
  final Set<String> warnings = new LinkedHashSet<>();
  final Set<String> infos = new LinkedHashSet<>();
  private final BooleanSupplier cancelled;
  private long samplesLoaded;

  Evaluator(
      SeriesSource source,
      PromQLEngine.Options options,
      String query,
      long queryStart,
      long queryEnd,
      long queryStep) {
    this(source, options, query, queryStart, queryEnd, queryStep, () -> false);
  }

  Evaluator(
      SeriesSource source,
      PromQLEngine.Options options,
      String query,
      long queryStart,
      long queryEnd,
      long queryStep,
      BooleanSupplier cancelled) {
    this.cancelled = cancelled;
    this.source = source;
    this.options = options;
    this.query = query;
    this.queryStart = queryStart;
    this.queryEnd = queryEnd;
    this.queryStep = queryStep;
  }

  Value eval(Expr expr, long[] times) {
    checkContinue();
    if (expr instanceof NumberLiteral n) {
      return constant(n.value(), times.length);
    } else if (expr instanceof StringLiteral s) {
      return new Value.Str(s.value());
    } else if (expr instanceof ParenExpr p) {
      return eval(p.expr(), times);
    } else if (expr instanceof UnaryExpr u) {
      return unary(u, times);
    } else if (expr instanceof VectorSelector vs) {
      return selectVector(vs, times, false);
    } else if (expr instanceof MatrixSelector ms) {
      return selectMatrix(ms, times);
    } else if (expr instanceof SubqueryExpr sq) {
      return subquery(sq, times);
    } else if (expr instanceof Call c) {
      return Functions.call(this, c, times);
    } else if (expr instanceof AggregateExpr a) {
      return Aggregations.eval(this, a, times);
    } else if (expr instanceof BinaryExpr b) {
      return BinaryOperators.eval(this, b, times);
    } else if (expr instanceof DurationExpr d) {
      return constant(durationSeconds(d), times.length);
    }
    throw new PromQLException("unexpected expression " + expr);
  }

  static Value.Scalar constant(double v, int n) {
    double[] values = new double[n];
    Arrays.fill(values, v);
    return new Value.Scalar(values);
  }

  private Value unary(UnaryExpr u, long[] times) {
    Value v = eval(u.expr(), times);
    if (u.op() == UnaryExpr.Op.ADD) {
      return v;
    }
    if (v instanceof Value.Scalar s) {
      double[] out = new double[s.values().length];
      for (int i = 0; i < out.length; i++) {
        out[i] = -s.values()[i];
      }
      return new Value.Scalar(out);
    }
    List<StepSeries> out = new ArrayList<>();
    for (StepSeries s : ((Value.Vector) v).series()) {
      StepSeries r = new StepSeries(s.labels, times.length, true);
      for (int i = 0; i < times.length; i++) {
        if (s.histogram(i) != null) {
          r.setHistogram(i, s.histogram(i).scale(-1));
        } else if (s.present[i]) {
          r.set(i, -s.values[i]);
        }
      }
      out.add(r);
    }
    return new Value.Vector(out);
  }

  /** The times a selector or subquery reads at: pinned by {@code @}, shifted by the offset. */
  long[] adjustTimes(long[] times, AtModifier at, long offset) {
    long[] out = new long[times.length];
    for (int i = 0; i < times.length; i++) {
      long base = times[i];
      if (at != null) {
        base =
            switch (at.kind()) {
              case TIMESTAMP -> at.timestampMillis();
              case START -> queryStart;
              case END -> queryEnd;
            };
      }
      out[i] = base - offset;
    }
    return out;
  }

  long offsetOf(VectorSelector vs) {
    return vs.offsetExpr() != null ? durationMillis(vs.offsetExpr()) : vs.offsetMillis();
  }

  List<Series> select(List<io.icegate.promql.ast.LabelMatcher> matchers, long min, long max) {
    List<LabelMatcher> ms = new ArrayList<>(matchers.size());
    for (io.icegate.promql.ast.LabelMatcher m : matchers) {
      LabelMatcher.Type t =
          switch (m.type()) {
            case EQL -> LabelMatcher.Type.EQ;
            case NEQ -> LabelMatcher.Type.NEQ;
            case EQL_REGEX -> LabelMatcher.Type.RE;
            case NEQ_REGEX -> LabelMatcher.Type.NRE;
          };
      ms.add(LabelMatcher.of(m.name(), t, m.value()));
    }
    return source.select(ms, min, max);
  }

  /**
   * An instant vector selector. With {@code sampleTimes} the values are the times (in seconds) of
   * the samples picked, which is what {@code timestamp(selector)} returns.
   */
  Value.Vector selectVector(VectorSelector vs, long[] times, boolean sampleTimes) {
    long[] at = adjustTimes(times, vs.at(), offsetOf(vs));
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (long t : at) {
      min = Math.min(min, t);
      max = Math.max(max, t);
    }
    long lookback = options.lookbackDeltaMillis();
    boolean smoothed = vs.rangeModifier() == RangeModifier.SMOOTHED;
    List<Series> found = select(vs.matchers(), min - lookback + 1, max + (smoothed ? lookback : 0));
    List<StepSeries> out = new ArrayList<>(found.size());
    long[] sampleTs = new long[at.length];
    for (Series s : found) {
      checkContinue();
      StepSeries r = new StepSeries(s.labels(), at.length, false);
      if (s.histograms() != null) {
        r.histograms = new FloatHistogram[at.length];
      }
      InstantSelection.select(s, at, lookback, r.values, r.histograms, sampleTs, r.present);
      if (smoothed) {
        smooth(s, at, lookback, r, sampleTs);
      }
      if (sampleTimes) {
        for (int i = 0; i < at.length; i++) {
          r.values[i] = sampleTs[i] / 1000.0;
        }
        r.histograms = null;
      }
      if (!r.isEmpty()) {
        countSamples(at.length);
        out.add(r);
      }
    }
    return new Value.Vector(out);
  }

  /**
   * The {@code smoothed} modifier on an instant selector: the value at t interpolated between
   * the samples around it (each within the lookback), instead of the last one before it.
   */
  private static void smooth(Series s, long[] at, long lookback, StepSeries r, long[] sampleTs) {
    long[] ts = s.timestamps();
    for (int i = 0; i < at.length; i++) {
      if (!r.present[i] || sampleTs[i] == at[i]) {
        continue;
      }
      int prev = InstantSelection.lastAtOrBefore(ts, at[i]);
      int next = prev + 1;
      FloatHistogram h = r.histogram(i);
      if (h != null) {
        if (next < ts.length && ts[next] - at[i] <= lookback && s.histogram(next) != null) {
          FloatHistogram n = s.histogram(next);
          double f = (double) (at[i] - ts[prev]) / (ts[next] - ts[prev]);
          // A counter that reset in between is taken to restart from zero.
          boolean reset = h.hint != FloatHistogram.CounterResetHint.GAUGE && n.detectReset(h);
          FloatHistogram d = n.add(h, -1);
          FloatHistogram v = reset ? n.scale(f) : d == null ? null : h.add(d.scale(f), 1);
          if (v != null) {
            r.setHistogram(i, v);
          }
        }
        continue;
      }
      if (next < ts.length && ts[next] - at[i] <= lookback && !s.isStale(next)
          && s.histogram(next) == null) {
        double f = (double) (at[i] - ts[prev]) / (ts[next] - ts[prev]);
        r.values[i] = s.values()[prev] + (s.values()[next] - s.values()[prev]) * f;
      }
    }
  }

  private Value.Matrix selectMatrix(MatrixSelector ms, long[] times) {
    VectorSelector vs = ms.vectorSelector();
    long range = ms.rangeExpr() != null ? durationMillis(ms.rangeExpr()) : ms.rangeMillis();
    long[] at = adjustTimes(times, vs.at(), offsetOf(vs));
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (long t : at) {
      min = Math.min(min, t);
      max = Math.max(max, t);
    }
    List<Series> out = new ArrayList<>();
    // anchored and smoothed also read the sample before the window (and smoothed the one after).
    long lookback = options.lookbackDeltaMillis();
    long before = vs.rangeModifier() == RangeModifier.NONE ? 0 : lookback;
    long after = vs.rangeModifier() == RangeModifier.SMOOTHED ? lookback : 0;
    for (Series s : select(vs.matchers(), min - range - before + 1, max + after)) {
      checkContinue();
      Series clean = s.withoutStaleMarkers();
      countSamples(clean.size());
      out.add(clean);
    }
    return new Value.Matrix(out, at, range, vs.rangeModifier());
  }

  private Value.Matrix subquery(SubqueryExpr sq, long[] times) {
    long range = sq.rangeExpr() != null ? durationMillis(sq.rangeExpr()) : sq.rangeMillis();
    long step =
        sq.stepExpr() != null
            ? durationMillis(sq.stepExpr())
            : sq.stepMillis() != 0 ? sq.stepMillis() : options.subqueryStepMillis();
    long offset = sq.offsetExpr() != null ? durationMillis(sq.offsetExpr()) : sq.offsetMillis();
    long[] at = adjustTimes(times, sq.at(), offset);
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (long t : at) {
      min = Math.min(min, t);
      max = Math.max(max, t);
    }
    // The inner grid is aligned to absolute multiples of the step, starting with the first one
    // after (earliest time - range): the windows are left-open.
    long start = Math.floorDiv(min - range, step) * step;
    if (start <= min - range) {
      start += step;
    }
    long steps = start > max ? 0 : (max - start) / step + 1;
    // Any series the inner expression yields holds a value per inner step: a grid larger than
    // the sample budget fails here, before its columns are allocated.
    if (steps > options.maxSamples()) {
      countSamples(steps);
    }
    int n = (int) steps;
    long[] inner = new long[n];
    for (int i = 0; i < n; i++) {
      inner[i] = start + i * step;
    }
    List<Series> out = new ArrayList<>();
    if (n > 0) {
      Value v = eval(sq.expr(), inner);
      if (v instanceof Value.Scalar s) {
        out.add(new Series(Labels.EMPTY, inner.clone(), s.values().clone()));
      } else {
        for (StepSeries s : ((Value.Vector) v).series()) {
          clearResetHints(s);
          out.add(toSeries(s.finalLabels(), s, inner));
        }
      }
    }
    return new Value.Matrix(out, at, range);
  }

  /**
   * A subquery's histograms follow each other at its own steps, not as stored: whether one is a
   * counter reset against the previous stored sample says nothing here, so only gauge stays.
   */
  private static void clearResetHints(StepSeries s) {
    if (s.histograms == null) {
      return;
    }
    for (int i = 0; i < s.histograms.length; i++) {
      FloatHistogram h = s.histograms[i];
      if (h != null && h.hint != FloatHistogram.CounterResetHint.GAUGE) {
        s.histograms[i] = h.withHint(FloatHistogram.CounterResetHint.UNKNOWN);
      }
    }
  }

  static Series toSeries(Labels labels, StepSeries s, long[] times) {
    int count = 0;
    for (boolean p : s.present) {
      if (p) {
        count++;
      }
    }
    long[] ts = new long[count];
    double[] vs = new double[count];
    FloatHistogram[] hs = s.histograms == null ? null : new FloatHistogram[count];
    int j = 0;
    for (int i = 0; i < times.length; i++) {
      if (s.present[i]) {
        ts[j] = times[i];
        if (hs != null) {
          hs[j] = s.histograms[i];
        }
        vs[j++] = s.values[i];
      }
    }
    return new Series(labels, ts, vs, hs);
  }

  /** Samples of a range vector at evaluation time index {@code i}, for a top-level range vector. */
  static Series window(Series s, long t, long range) {
    int[] from = new int[1];
    int[] to = new int[1];
    RangeWindows.bounds(s, new long[] {t}, range, from, to);
    return new Series(
        s.labels(),
        Arrays.copyOfRange(s.timestamps(), from[0], to[0]),
        Arrays.copyOfRange(s.values(), from[0], to[0]),
        s.histograms() == null ? null : Arrays.copyOfRange(s.histograms(), from[0], to[0]));
  }

  /**
   * Stops the query when its deadline passed or its client left. Asked between nodes and between
   * series; the handler tells a timeout from a cancellation by its own deadline.
   */
  void checkContinue() {
    if (cancelled.getAsBoolean()) {
      throw new QueryCancelledException("query was canceled in expression evaluation", false);
    }
  }

  void countSamples(long n) {
    samplesLoaded += n;
    if (samplesLoaded > options.maxSamples()) {
      throw new PromQLException(
          "query processing would load too many samples into memory in query execution");
    }
  }

  long durationMillis(DurationExpr d) {
    double seconds = durationSeconds(d);
    return (long) Math.round(seconds * 1000);
  }

  double durationSeconds(Expr e) {
    if (e instanceof NumberLiteral n) {
      return n.value();
    } else if (e instanceof ParenExpr p) {
      return durationSeconds(p.expr());
    } else if (e instanceof UnaryExpr u) {
      return u.op() == UnaryExpr.Op.SUB ? -durationSeconds(u.expr()) : durationSeconds(u.expr());
    } else if (e instanceof Call c && c.function().name().equals("step")) {
      return queryStep / 1000.0;
    } else if (e instanceof Call c && c.function().name().equals("range")) {
      return (queryEnd - queryStart) / 1000.0;
    } else if (e instanceof DurationExpr d) {
      double l = d.lhs() == null ? 0 : durationSeconds(d.lhs());
      double r = d.rhs() == null ? 0 : durationSeconds(d.rhs());
      return switch (d.op()) {
        case ADD -> d.lhs() == null ? r : l + r;
        case SUB -> d.lhs() == null ? -r : l - r;
        case MUL -> l * r;
        case DIV -> {
          if (r == 0) {
            throw new PromQLException("division by zero");
          }
          yield l / r;
        }
        case MOD -> {
          if (r == 0) {
            throw new PromQLException("modulo by zero");
          }
          yield l % r;
        }
        case POW -> Math.pow(l, r);
        case STEP -> queryStep / 1000.0;
        case RANGE -> (queryEnd - queryStart) / 1000.0;
        case MIN_OF -> Math.min(l, r);
        case MAX_OF -> Math.max(l, r);
      };
    }
    throw new PromQLException("unsupported duration expression: " + e);
  }

  /** Records a warning, rendered as the API shows it, with the position of {@code where}. */
  void warn(PositionRange where, String message) {
    warnings.add("PromQL warning: " + message + position(where));
  }

  void info(PositionRange where, String message) {
    infos.add("PromQL info: " + message + position(where));
  }

  private String position(PositionRange where) {
    byte[] bytes = query.getBytes(StandardCharsets.UTF_8);
    int line = 1;
    int col = 1;
    for (int i = 0; i < where.start() && i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return " (" + line + ":" + col + ")";
  }
}

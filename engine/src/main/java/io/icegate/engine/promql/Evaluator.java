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
  /** Selectors read for their histograms' count and sum only (see {@link HistogramStats}). */
  private Set<VectorSelector> statsSelectors = Set.of();

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

  /** The plan nodes over step matrices this evaluation hands float operands to, or null. */
  StepPlans stepPlans;

  /** This evaluator, running vector matching and aggregation of floats through {@code plans}. */
  Evaluator withStepPlans(StepPlans plans) {
    this.stepPlans = plans;
    return this;
  }

  /** Prepares the evaluation of the query {@code root}: which selectors need no buckets. */
  Evaluator plan(Expr root) {
    statsSelectors = HistogramStats.selectors(root);
    return this;
  }

  /** The series of {@code vs} as the evaluation reads them. */
  private List<Series> read(VectorSelector vs, long min, long max) {
    List<Series> found = select(vs.matchers(), min, max);
    boolean stats = statsOnly(vs);
    if (!stats && (options.useStartTimestamps() || !anyStartTimestamps(found))) {
      return found;
    }
    List<Series> out = new ArrayList<>(found.size());
    for (Series s : found) {
      Series r = options.useStartTimestamps() ? s : s.withoutStartTimestamps();
      out.add(stats ? HistogramStats.statsOnly(r) : r);
    }
    return out;
  }

  /** Whether {@code vs} is read for its histograms' count and sum only. */
  boolean statsOnly(VectorSelector vs) {
    return !statsSelectors.isEmpty() && statsSelectors.contains(vs);
  }

  private static boolean anyStartTimestamps(List<Series> series) {
    for (Series s : series) {
      if (s.startTimestamps() != null) {
        return true;
      }
    }
    return false;
  }

  /**
   * Evaluates {@code expr} at {@code times}, keeping Prometheus's count of the samples held in
   * memory: when a node is done, what its inputs held is let go and its own output is held.
   */
  Value eval(Expr expr, long[] times) {
    checkContinue();
    long before = currentSamples;
    if (times.length > 1 && StepInvariance.wrapped(expr)) {
      // As Prometheus does with a step-invariant subtree (every selector pinned by @): evaluated
      // at one step, then the result is repeated at the others.
      Value v = repeat(evalCounted(expr, new long[] {times[0]}), times.length);
      holdOutput(before, samples(v), true);
      return v;
    }
    return evalCounted(expr, times);
  }

  private Value evalCounted(Expr expr, long[] times) {
    long before = currentSamples;
    Value.Matrix outerWindows = callWindows;
    long outerPeak = callPeak;
    callWindows = null;
    callPeak = -1;
    Value v = evalNode(expr, times);
    Value.Matrix windows = callWindows;
    long planPeak = callPeak;
    callWindows = outerWindows;
    callPeak = outerPeak;
    long out = samples(v);
    if (expr instanceof VectorSelector || expr instanceof MatrixSelector) {
      // Counted while loading.
      currentSamples = before + out;
    } else if (expr instanceof NumberLiteral) {
      holdOutput(before, out, true);
    } else if (windows != null) {
      windowPeak(windows, (Value.Vector) v);
      holdOutput(before, out, true);
    } else if (planPeak >= 0) {
      // A range function evaluated in the source's plan, which counted the same peak.
      check(currentSamples + planPeak);
      holdOutput(before, out, true);
    } else if (expr instanceof AggregateExpr || expr instanceof UnaryExpr
        || expr instanceof ParenExpr || expr instanceof SubqueryExpr
        || (expr instanceof Call c && RELABELLING.contains(c.function().name()))) {
      // Prometheus checks no sum of its own for these: the output replaces the input.
      holdOutput(before, out, false);
    } else {
      // Computed step by step while the inputs are held.
      check(currentSamples + out);
      holdOutput(before, out, true);
    }
    return v;
  }

  /** Prometheus's most points per series of a range query. */
  private static final long MAX_UNCHECKED_GRID = 11_000;

  private static final Set<String> RELABELLING = Set.of("label_replace", "label_join");

  private Value evalNode(Expr expr, long[] times) {
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
    return source.select(matchers(matchers), min, max);
  }

  /** A selector's matchers as the sources take them. */
  static List<LabelMatcher> matchers(List<io.icegate.promql.ast.LabelMatcher> matchers) {
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
    return ms;
  }

  /**
   * An instant vector selector. With {@code sampleTimes} the values are the times (in seconds) of
   * the samples picked, which is what {@code timestamp(selector)} returns.
   */
  Value.Vector selectVector(VectorSelector vs, long[] times, boolean sampleTimes) {
    return selectVector(vs, times, sampleTimes, false);
  }

  /**
   * An instant vector selector; with {@code startTimes} the values are the start timestamps (in
   * seconds, 0 where unknown) of the samples picked, which is what {@code start_timestamp}
   * returns.
   */
  Value.Vector selectVector(
      VectorSelector vs, long[] times, boolean sampleTimes, boolean startTimes) {
    long[] at = adjustTimes(times, vs.at(), offsetOf(vs));
    if (!sampleTimes && !startTimes) {
      Value.Vector planned = PlannedLeaves.instant(this, vs, at);
      if (planned != null) {
        return planned;
      }
    }
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (long t : at) {
      min = Math.min(min, t);
      max = Math.max(max, t);
    }
    long lookback = options.lookbackDeltaMillis();
    boolean smoothed = vs.rangeModifier() == RangeModifier.SMOOTHED;
    List<Series> found = read(vs, min - lookback + 1, max + (smoothed ? lookback : 0));
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
        smooth(s, at, lookback, r, sampleTs, vs.positionRange());
      }
      if (sampleTimes) {
        for (int i = 0; i < at.length; i++) {
          r.values[i] = sampleTs[i] / 1000.0;
        }
        r.histograms = null;
      } else if (startTimes) {
        long[] st = s.startTimestamps();
        for (int i = 0; i < at.length; i++) {
          if (r.present[i]) {
            int k = Arrays.binarySearch(s.timestamps(), sampleTs[i]);
            r.values[i] = st == null || k < 0 ? 0 : st[k] / 1000.0;
          }
        }
        r.histograms = null;
      }
      if (!r.isEmpty()) {
        hold(presentSamples(r));
        out.add(r);
      }
    }
    return new Value.Vector(out);
  }

  /**
   * The {@code smoothed} modifier on an instant selector: the value at t interpolated between
   * the samples around it (each within the lookback), instead of the last one before it.
   */
  private void smooth(
      Series s, long[] at, long lookback, StepSeries r, long[] sampleTs, PositionRange where) {
    long[] ts = s.timestamps();
    String metric = s.labels().get(Labels.METRIC_NAME);
    for (int i = 0; i < at.length; i++) {
      if (!r.present[i]) {
        continue;
      }
      if (s.histograms() != null && mixesKinds(s, at[i] - lookback, at[i] + lookback)) {
        // As Prometheus: floats and histograms within a lookback either side give no value.
        warn(where, "encountered a mix of histograms and floats for metric name \"" + metric + "\"");
        r.present[i] = false;
        r.histograms[i] = null;
        continue;
      }
      if (sampleTs[i] == at[i]) {
        continue;
      }
      int prev = InstantSelection.lastAtOrBefore(ts, at[i]);
      int next = prev + 1;
      FloatHistogram h = r.histogram(i);
      if (h != null) {
        if (next < ts.length && ts[next] - at[i] <= lookback && s.histogram(next) != null) {
          FloatHistogram n = s.histogram(next);
          if (n.usesCustomBuckets() != h.usesCustomBuckets()) {
            warn(where, RangeFunctions.mixedSchemas(metric));
            r.present[i] = false;
            r.histograms[i] = null;
            continue;
          }
          // Counted as a counter unless both are gauges: one that reset in between restarts
          // from zero.
          boolean counter = h.hint != FloatHistogram.CounterResetHint.GAUGE
              || n.hint != FloatHistogram.CounterResetHint.GAUGE;
          RangeFunctions.Notes notes = new RangeFunctions.Notes(where);
          FloatHistogram v = RangeFunctions.interpolate(ts[prev], h, ts[next], n, at[i], counter, notes);
          notes.flush(this);
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

  /** Whether the series has both floats (not stale markers) and histograms in (lo, hi]. */
  private static boolean mixesKinds(Series s, long lo, long hi) {
    long[] ts = s.timestamps();
    int i = Arrays.binarySearch(ts, lo);
    i = i < 0 ? -i - 1 : i + 1;
    boolean floats = false;
    boolean hists = false;
    for (; i < ts.length && ts[i] <= hi; i++) {
      if (s.histogram(i) != null) {
        hists = true;
      } else if (!s.isStale(i)) {
        floats = true;
      }
      if (floats && hists) {
        return true;
      }
    }
    return false;
  }

  /**
   * A range vector argument of a function. As in Prometheus, a selector's samples are not held
   * all at once (the function reads one series' window at a time; see {@link #windowPeak}); a
   * subquery's result is held until the function is done.
   */
  Value.Matrix matrixArgument(Expr e, long[] times) {
    Expr inner = e;
    while (inner instanceof ParenExpr p) {
      inner = p.expr();
    }
    Value.Matrix m;
    if (inner == preparedFor && times == preparedTimes) {
      m = prepared;
      preparedFor = null;
      preparedTimes = null;
      prepared = null;
    } else {
      m = inner instanceof MatrixSelector ms
          ? selectMatrix(ms, times, false)
          : (Value.Matrix) eval(inner, times);
    }
    callWindows = m;
    return m;
  }

  private Value.Matrix selectMatrix(MatrixSelector ms, long[] times) {
    return selectMatrix(ms, times, true);
  }

  private Value.Matrix selectMatrix(MatrixSelector ms, long[] times, boolean held) {
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
    for (Series s : read(vs, min - range - before + 1, max + after)) {
      checkContinue();
      Series clean = s.withoutStaleMarkers();
      if (held) {
        hold(seriesSamples(clean, 0, clean.size()));
      }
      out.add(clean);
    }
    return new Value.Matrix(out, at, range, vs.rangeModifier());
  }

  /**
   * A subquery's grid: the times its windows end at (the steps after its offset and {@code @}),
   * its range, step, and the inner steps its expression is evaluated at.
   */
  record SubqueryGrid(long[] at, long range, long step, long[] inner) {}

  SubqueryGrid subqueryGrid(SubqueryExpr sq, long[] times) {
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
    // Each series the inner expression yields gets a column of one slot per inner step: a grid
    // larger than the whole sample budget (and than any range query's) fails here, before such
    // columns are allocated. Smaller grids count only the samples they hold, as in Prometheus.
    if (steps > Math.max(options.maxSamples(), MAX_UNCHECKED_GRID)) {
      throw tooManySamples();
    }
    int n = (int) steps;
    long[] inner = new long[n];
    for (int i = 0; i < n; i++) {
      inner[i] = start + i * step;
    }
    return new SubqueryGrid(at, range, step, inner);
  }

  private Value.Matrix subquery(SubqueryExpr sq, long[] times) {
    SubqueryGrid g = subqueryGrid(sq, times);
    return subqueryMatrix(g, g.inner().length == 0 ? null : eval(sq.expr(), g.inner()));
  }

  /** The range vector of a subquery whose expression gave {@code v} (null: not evaluated). */
  static Value.Matrix subqueryMatrix(SubqueryGrid g, Value v) {
    long[] inner = g.inner();
    List<Series> out = new ArrayList<>();
    if (v instanceof Value.Scalar s) {
      out.add(new Series(Labels.EMPTY, inner.clone(), s.values().clone()));
    } else if (v != null) {
      for (StepSeries s : ((Value.Vector) v).series()) {
        clearResetHints(s);
        out.add(toSeries(s.finalLabels(), s, inner));
      }
    }
    return new Value.Matrix(out, g.at(), g.range());
  }

  /**
   * For a subquery evaluated outside {@link #subquery} ({@link PlannedSubqueries}): its node is
   * done, its expression's output held ({@code samples}, counted from {@code before}).
   */
  void subqueryDone(long before, long samples) {
    holdOutput(before, samples, false);
  }

  /**
   * A subquery's range vector already evaluated at {@code preparedTimes}, for the next {@link
   * #matrixArgument} of it at those times.
   */
  private SubqueryExpr preparedFor;
  private long[] preparedTimes;
  private Value.Matrix prepared;

  void prepareMatrix(SubqueryExpr sq, long[] times, Value.Matrix m) {
    preparedFor = sq;
    preparedTimes = times;
    prepared = m;
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
    return toSeries(labels, s, times, false);
  }

  /**
   * The samples of {@code s} at its steps {@code times} as a series. With {@code share} (a
   * query's result, which nothing changes any more) a float series present at every step takes
   * both arrays as they are.
   */
  static Series toSeries(Labels labels, StepSeries s, long[] times, boolean share) {
    int count = 0;
    for (boolean p : s.present) {
      if (p) {
        count++;
      }
    }
    if (share && count == times.length && s.histograms == null) {
      return new Series(labels, times, s.values);
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

  // ---- samples held in memory (Prometheus's --query.max-samples) ----

  /** Samples the evaluation holds now; the most it held at once. */
  private long currentSamples;
  private long peakSamples;
  /** The range vector argument of the function call being evaluated, if any. */
  private Value.Matrix callWindows;
  /**
   * For a range function the source evaluated ({@link PlannedLeaves}): the samples its windows
   * held at their peak over those held before (see {@link #windowPeak}); -1 otherwise.
   */
  long callPeak = -1;

  /** The most samples the query held in memory at once (Prometheus's {@code peakSamples}). */
  long peakSamples() {
    return peakSamples;
  }

  /** Holds {@code n} more samples (a selector loading), failing past the limit. */
  void hold(long n) {
    currentSamples += n;
    check(currentSamples);
  }

  /** Samples the evaluation holds now (a composed plan replays its nodes' counts from here). */
  long currentSamples() {
    return currentSamples;
  }

  /** Fails if holding {@code held} samples is past the limit; counts it toward the peak. */
  void checkSamples(long held) {
    check(held);
  }

  /** {@link #holdOutput} for a node evaluated inside a composed plan ({@link ComposedPlans}). */
  void holdComposed(long before, long out, boolean checked) {
    holdOutput(before, out, checked);
  }

  /** A node is done: its inputs are let go and its output ({@code out} samples) is held. */
  private void holdOutput(long before, long out, boolean checked) {
    currentSamples = before + out;
    if (checked) {
      check(currentSamples);
    } else {
      peakSamples = Math.max(peakSamples, currentSamples);
    }
  }

  private void check(long held) {
    peakSamples = Math.max(peakSamples, held);
    if (held > options.maxSamples()) {
      throw tooManySamples();
    }
  }

  private static PromQLException tooManySamples() {
    return new PromQLException(
        "query processing would load too many samples into memory in query execution");
  }

  /**
   * The peak of a function over a range vector, as Prometheus reaches it: series after series,
   * it holds the outputs so far plus one series' window (the samples in {@code (t - range, t]}
   * at a step), and the last step's window is still held when that series' output is added.
   */
  private void windowPeak(Value.Matrix m, Value.Vector result) {
    java.util.Map<Labels, Long> outputs = new java.util.HashMap<>();
    for (StepSeries r : result.series()) {
      outputs.merge(r.labels, presentSamples(r), Long::sum);
    }
    long[] at = m.times();
    int n = at.length;
    int[] from = new int[n];
    int[] to = new int[n];
    long base = currentSamples;
    long outputsSoFar = 0;
    for (Series s : m.series()) {
      RangeWindows.bounds(s, at, m.range(), from, to);
      long widest = 0;
      for (int i = 0; i < n; i++) {
        widest = Math.max(widest, seriesSamples(s, from[i], to[i]));
      }
      long last = n == 0 ? 0 : seriesSamples(s, from[n - 1], to[n - 1]);
      long out = outputs.getOrDefault(s.labels(), 0L);
      check(base + outputsSoFar + widest);
      check(base + outputsSoFar + last + out);
      outputsSoFar += out;
    }
  }

  /** Samples of a value as Prometheus counts them (a histogram by its size). */
  static long samples(Value v) {
    if (v instanceof Value.Scalar s) {
      return s.values().length;
    } else if (v instanceof Value.Vector vec) {
      long n = 0;
      for (StepSeries s : vec.series()) {
        n += presentSamples(s);
      }
      return n;
    } else if (v instanceof Value.Matrix m) {
      long n = 0;
      for (Series s : m.series()) {
        n += seriesSamples(s, 0, s.size());
      }
      return n;
    }
    return 0;
  }

  private static long presentSamples(StepSeries s) {
    long n = 0;
    for (int i = 0; i < s.present.length; i++) {
      if (s.present[i]) {
        FloatHistogram h = s.histogram(i);
        n += h == null ? 1 : histogramSize(h);
      }
    }
    return n;
  }

  private static long seriesSamples(Series s, int from, int to) {
    if (s.histograms() == null) {
      return Math.max(0, to - from);
    }
    long n = 0;
    for (int i = from; i < to; i++) {
      FloatHistogram h = s.histogram(i);
      n += h == null ? 1 : histogramSize(h);
    }
    return n;
  }

  /**
   * A native histogram counts as its size in Prometheus's memory layout over 16 bytes (a float
   * sample's size): a 168-byte struct, 8 bytes per span and per bucket, rounded.
   */
  static long histogramSize(FloatHistogram h) {
    long bytes = 168
        + 8L * (spans(h.positiveIndexes) + spans(h.negativeIndexes))
        + 8L * (h.positiveCounts.length + h.negativeCounts.length)
        + 8L * (h.customValues == null ? 0 : h.customValues.length);
    return (bytes + 8) / 16;
  }

  private static int spans(int[] indexes) {
    int spans = 0;
    for (int k = 0; k < indexes.length; k++) {
      if (k == 0 || indexes[k] != indexes[k - 1] + 1) {
        spans++;
      }
    }
    return spans;
  }

  /** A one-step value repeated at {@code n} steps. */
  private static Value repeat(Value once, int n) {
    if (once instanceof Value.Scalar s) {
      return constant(s.values()[0], n);
    }
    if (!(once instanceof Value.Vector v)) {
      return once;
    }
    List<StepSeries> out = new ArrayList<>(v.series().size());
    for (StepSeries s : v.series()) {
      StepSeries r = new StepSeries(s.labels, n, s.dropName);
      FloatHistogram h = s.histogram(0);
      for (int i = 0; i < n; i++) {
        if (h != null) {
          r.setHistogram(i, h);
        } else if (s.present[0]) {
          r.set(i, s.values[0]);
        }
      }
      out.add(r);
    }
    return new Value.Vector(out);
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

package io.icegate.engine.promql;

import io.icegate.engine.exec.QueryCancelledException;
import io.icegate.engine.exec.QueryStats;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.Series;
import io.icegate.engine.series.SeriesSource;
import io.icegate.engine.series.StepGrid;
import io.icegate.promql.PromQL;
import io.icegate.promql.PromQLOptions;
import io.icegate.promql.ast.Expr;
import io.icegate.promql.ast.ValueType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.calcite.rel.RelNode;

/**
 * Runs PromQL instant and range queries against a {@link SeriesSource} with Prometheus 3
 * semantics: the AST is evaluated node by node over the query's step grid, then the result is
 * cleaned up as Prometheus does (delayed {@code __name__} removal, one series per label set).
 */
public final class PromQLEngine {
  /**
   * Engine settings.
   *
   * @param lookbackDeltaMillis how far back instant selection looks for a sample (5 minutes)
   * @param maxSamples the most samples a query may hold (Prometheus's {@code --query.max-samples})
   * @param subqueryStepMillis the step of a subquery written without one ({@code [1h:]})
   * @param parserOptions the experimental PromQL features accepted
   * @param useStartTimestamps whether samples' start timestamps count in rate, increase, irate
   *     and resets, and {@code start_timestamp()} returns them (Prometheus's experimental
   *     {@code UseStartTimestamps}; off by default, as there)
   */
  public record Options(
      long lookbackDeltaMillis,
      long maxSamples,
      long subqueryStepMillis,
      PromQLOptions parserOptions,
      boolean useStartTimestamps) {
    public static final Options DEFAULT =
        new Options(5 * 60_000, 50_000_000, 60_000, PromQLOptions.DEFAULT, false);

    public Options(
        long lookbackDeltaMillis, long maxSamples, long subqueryStepMillis, PromQLOptions parserOptions) {
      this(lookbackDeltaMillis, maxSamples, subqueryStepMillis, parserOptions, false);
    }

    /**
     * These options with another lookback, as a query's {@code lookback_delta} asks; zero or
     * negative keeps the configured one, as in Prometheus.
     */
    public Options withLookbackDelta(long millis) {
      return millis <= 0
          ? this
          : new Options(millis, maxSamples, subqueryStepMillis, parserOptions, useStartTimestamps);
    }

    public Options withMaxSamples(long samples) {
      return new Options(
          lookbackDeltaMillis, samples, subqueryStepMillis, parserOptions, useStartTimestamps);
    }

    /** These options accepting the experimental PromQL features {@code parser} enables. */
    public Options withParserOptions(PromQLOptions parser) {
      return new Options(lookbackDeltaMillis, maxSamples, subqueryStepMillis, parser, useStartTimestamps);
    }

    /** These options with start timestamps used (or not). */
    public Options withStartTimestamps(boolean use) {
      return new Options(lookbackDeltaMillis, maxSamples, subqueryStepMillis, parserOptions, use);
    }
  }

  private final SeriesSource source;
  private final Options options;
  private final BooleanSupplier cancelled;
  private final Supplier<BufferAllocator> allocators;
  private final BiConsumer<RelNode, QueryStats> planListener;

  public PromQLEngine(SeriesSource source, Options options) {
    this(source, options, () -> false);
  }

  /**
   * An engine whose evaluation stops, with {@link QueryCancelledException}, once {@code
   * cancelled} says so: it is asked between nodes and between series, so a query past its
   * deadline or whose client left stops within one series' work.
   */
  public PromQLEngine(SeriesSource source, Options options, BooleanSupplier cancelled) {
    this(source, options, cancelled, RootAllocator::new, (plan, stats) -> {});
  }

  /**
   * An engine whose queries each take an allocator from {@code allocators} (closed when the
   * query ends, so a leak fails it) for the plan nodes that run vector matching and
   * aggregations over step matrices, and tell {@code planListener} each such plan that ran
   * (EXPLAIN shows them).
   */
  public PromQLEngine(
      SeriesSource source, Options options, BooleanSupplier cancelled,
      Supplier<BufferAllocator> allocators, BiConsumer<RelNode, QueryStats> planListener) {
    this.source = source;
    this.options = options;
    this.cancelled = cancelled;
    this.allocators = allocators;
    this.planListener = planListener;
  }

  /** This engine telling {@code listener} each plan over step matrices a query ran, with its stats. */
  public PromQLEngine withPlanListener(BiConsumer<RelNode, QueryStats> listener) {
    return new PromQLEngine(source, options, cancelled, allocators, listener);
  }

  /** Parses {@code query} (throwing the parser's exception on bad syntax) and runs it at {@code time}. */
  public QueryResult instantQuery(String query, long time) {
    Expr expr = PromQL.parse(query, options.parserOptions());
    try (BufferAllocator allocator = allocators.get()) {
      Evaluator ev = new Evaluator(source, options, query, time, time, 0, cancelled).plan(expr)
          .withStepPlans(new StepPlans(allocator, cancelled, planListener));
      return instantResult(ev, ev.eval(expr, new long[] {time}), time);
    }
  }

  private static QueryResult instantResult(Evaluator ev, Value v, long time) {
    long[] times = {time};
    List<String> warnings = List.copyOf(ev.warnings);
    List<String> infos = List.copyOf(ev.infos);
    if (v instanceof Value.Scalar s) {
      return new QueryResult.ScalarResult(time, s.values()[0], warnings, infos);
    }
    if (v instanceof Value.Str s) {
      return new QueryResult.StringResult(time, s.value(), warnings, infos);
    }
    if (v instanceof Value.Matrix m) {
      List<Series> out = new ArrayList<>();
      for (Series s : m.series()) {
        Series w = Evaluator.window(s, m.times()[0], m.range());
        if (w.size() > 0) {
          out.add(w);
        }
      }
      return new QueryResult.MatrixResult(out, warnings, infos);
    }
    List<QueryResult.Sample> out = new ArrayList<>();
    for (Series s : cleanup((Value.Vector) v, times)) {
      out.add(new QueryResult.Sample(s.labels(), time, s.values()[0], s.histogram(0)));
    }
    return new QueryResult.VectorResult(out, warnings, infos);
  }

  /** Runs {@code query} at every step of {@code grid}; the result is always a matrix. */
  public QueryResult rangeQuery(String query, StepGrid grid) {
    Expr expr = PromQL.parse(query, options.parserOptions());
    if (expr.type() != ValueType.SCALAR && expr.type() != ValueType.VECTOR) {
      throw new PromQLException(
          "invalid expression type \""
              + expr.type().documentedName()
              + "\" for range query, must be Scalar or instant Vector");
    }
    long[] times = grid.times();
    Evaluator ev;
    Value v;
    try (BufferAllocator allocator = allocators.get()) {
      ev = new Evaluator(source, options, query, grid.start(), grid.end(), grid.step(), cancelled)
          .plan(expr).withStepPlans(new StepPlans(allocator, cancelled, planListener));
      v = ev.eval(expr, times);
    }
    List<Series> out;
    if (v instanceof Value.Scalar s) {
      out = List.of(new Series(Labels.EMPTY, times, s.values()));
    } else {
      out = new ArrayList<>(cleanup((Value.Vector) v, times));
      out.sort((a, b) -> a.labels().compareTo(b.labels()));
    }
    return new QueryResult.MatrixResult(
        out, List.copyOf(ev.warnings), List.copyOf(ev.infos));
  }

  /**
   * Drops the names marked for dropping and merges series that end up with the same labels; two
   * of them with a sample at the same step is Prometheus's duplicate-labelset error.
   */
  private static List<Series> cleanup(Value.Vector v, long[] times) {
    // The evaluation is over, so a series is taken as it is; it is copied only when another
    // with the same labels is merged into it.
    Map<Labels, StepSeries> merged = new LinkedHashMap<>();
    java.util.Set<StepSeries> copies = java.util.Collections.newSetFromMap(
        new java.util.IdentityHashMap<>());
    for (StepSeries s : v.series()) {
      Labels l = s.finalLabels();
      StepSeries m = merged.get(l);
      if (m == null) {
        merged.put(l, s);
        continue;
      }
      if (!copies.contains(m)) {
        StepSeries copy = new StepSeries(l, times.length, false);
        System.arraycopy(m.values, 0, copy.values, 0, times.length);
        System.arraycopy(m.present, 0, copy.present, 0, times.length);
        if (m.histograms != null) {
          copy.histograms = m.histograms.clone();
        }
        copies.add(copy);
        merged.put(l, copy);
        m = copy;
      }
      for (int i = 0; i < times.length; i++) {
        if (s.present[i]) {
          if (m.present[i]) {
            throw new PromQLException("vector cannot contain metrics with the same labelset");
          }
          if (s.histogram(i) != null) {
            m.setHistogram(i, s.histogram(i));
          } else {
            m.set(i, s.values[i]);
          }
        }
      }
    }
    List<Series> out = new ArrayList<>();
    for (Map.Entry<Labels, StepSeries> e : merged.entrySet()) {
      if (!e.getValue().isEmpty()) {
        out.add(Evaluator.toSeries(e.getKey(), e.getValue(), times, true));
      }
    }
    return out;
  }
}

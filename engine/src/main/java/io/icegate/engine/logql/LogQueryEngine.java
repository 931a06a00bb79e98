package io.icegate.engine.logql;

import io.icegate.engine.exec.PlanRunner;
import io.icegate.engine.exec.QueryStats;
import io.icegate.engine.plan.IceGateCatalog;
import io.icegate.engine.plan.QueryOptimizer;
import io.icegate.engine.logql.range.RangeAggregateSpec;
import io.icegate.engine.rel.ArrowGather;
import io.icegate.engine.rel.ArrowRangeAggregate;
import io.icegate.engine.rel.ArrowRel;
import io.icegate.engine.rel.LogicalRangeAggregate;
import io.icegate.engine.promql.PromQLEngine;
import io.icegate.engine.promql.QueryResult;
import io.icegate.engine.series.LabelMatcher;
import io.icegate.engine.series.Series;
import io.icegate.engine.series.StepGrid;
import io.icegate.logql.ast.Grouping;
import io.icegate.logql.ast.LogRangeExpr;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.RangeAggregationExpr;
import io.icegate.logql.ast.SampleExpr;
import io.icegate.logql.ast.VectorAggregationExpr;
import io.icegate.storage.scan.TableScanner;
import io.icegate.storage.table.LogsTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.tools.RelBuilder;

/**
 * Runs LogQL log queries: plan (LogQL → Calcite), optimize (→ ARROW plan), execute (operators
 * over batches), assemble streams. Each query gets its own child allocator, limited to
 * {@code queryMemoryBytes}, which is closed — and so checked empty — when the query ends,
 * whether it succeeded, failed or was cancelled.
 */
public final class LogQueryEngine {
  private final IceGateCatalog catalog;
  private final PlanRunner runner;
  private final BufferAllocator root;
  private final long queryMemoryBytes;

  public LogQueryEngine(
      TableScanner scanner, BufferAllocator root, long queryMemoryBytes, Duration timeout) {
    this.catalog = new IceGateCatalog(scanner, List.of(LogsTable.NAME));
    this.runner = new PlanRunner(scanner, root, queryMemoryBytes, timeout);
    this.root = root;
    this.queryMemoryBytes = queryMemoryBytes;
  }

  /** The optimized physical plan, as EXPLAIN shows it. */
  public String explain(LogSelectorExpr query, LogQueryRange range) {
    return QueryOptimizer.explain(physicalPlan(query, range));
  }

  /**
   * Runs the log query and returns its plan annotated with what each node did (EXPLAIN
   * ANALYZE), instead of its result.
   */
  public String explainAnalyze(
      LogSelectorExpr query, LogQueryRange range, BooleanSupplier cancelled) {
    ArrowRel plan = physicalPlan(query, range);
    StreamsAssembler assembler = new StreamsAssembler();
    QueryStats stats = runner.run("explain", plan, cancelled, assembler::add);
    return QueryOptimizer.explainAnalyze(plan, stats);
  }

  public ArrowRel physicalPlan(LogSelectorExpr query, LogQueryRange range) {
    RelBuilder builder = catalog.relBuilder();
    return QueryOptimizer.optimize(LogQueryPlanner.plan(query, range, builder), builder);
  }

  public LogQueryResult select(
      LogSelectorExpr query, LogQueryRange range, BooleanSupplier cancelled) {
    long started = System.nanoTime();
    ArrowRel plan = physicalPlan(query, range);
    StreamsAssembler assembler = new StreamsAssembler();
    QueryStats stats = runner.run("query", plan, cancelled, assembler::add);
    return new LogQueryResult(
        assembler.rows(),
        stats.rowsScanned(),
        stats.bytesScanned(),
        stats.filesScanned(),
        System.nanoTime() - started);
  }

  /**
   * Runs a LogQL metric query. Each range aggregation's log query goes through the same plan as a
   * log query (scan, line filters, pipeline node), without sort or limit, over the span its windows
   * cover; its entries become samples and then one value per step (the plan's {@link
   * ArrowRangeAggregate} node).
   * What lies above the range aggregations runs in the PromQL evaluator, over a series source that
   * answers each range aggregation's synthetic selector with those per-step series.
   *
   * @throws IllegalArgumentException for a stage Loki refuses or an entry with {@code __error__}
   * @throws io.icegate.engine.promql.PromQLException for what the vector operations refuse
   */
  public LogMetricResult metric(
      SampleExpr expr, MetricQueryRange range, BooleanSupplier cancelled) {
    return metric(expr, range, 0, cancelled);
  }

  /**
   * Runs a LogQL metric query under Loki's {@code max_query_series}: the query fails with {@link
   * SeriesLimitException} when its answer — or any of its range aggregations, before the vector
   * operations above reduce it — has more than {@code maxSeries} series over all its steps. That
   * is where Loki's engines count: its query engine counts the series of every query it runs,
   * and its query frontend runs a range aggregation under an operation it can't split by shard
   * ({@code topk}, {@code sort}, {@code stddev}, {@code max}/{@code min}/{@code count} of fewer
   * labels, binary operations…) as a query of its own, whose series are counted; its newer engine
   * counts each range and vector aggregation's series. The inner vector of an {@code approx_topk}
   * is not counted: Loki keeps it in a sketch, never as series.
   *
   * @param maxSeries the limit, 0 for none
   */
  public LogMetricResult metric(
      SampleExpr expr, MetricQueryRange range, int maxSeries, BooleanSupplier cancelled) {
    long started = System.nanoTime();
    if (!range.isInstant() && SampleExprTranslator.containsApproxTopK(expr)) {
      throw new IllegalArgumentException(ApproxTopK.INSTANT_ONLY);
    }
    long[] scanned = new long[3];
    QueryResult value =
        expr instanceof VectorAggregationExpr a
                && a.op() == VectorAggregationExpr.VectorOp.APPROX_TOPK
            ? approxTopK(a, range, cancelled, scanned)
            : evaluate(expr, range, cancelled, scanned, null, maxSeries);
    checkSeries(value, maxSeries);
    if (value instanceof QueryResult.VectorResult vector
        && !SampleExprTranslator.containsSort(expr)) {
      // Loki orders an instant vector by label set unless the query sorts it.
      List<QueryResult.Sample> samples = new ArrayList<>(vector.samples());
      samples.sort(Comparator.comparing(QueryResult.Sample::labels));
      value = new QueryResult.VectorResult(samples, vector.warnings(), vector.infos());
    }
    return new LogMetricResult(
        value, scanned[0], scanned[1], scanned[2], System.nanoTime() - started);
  }

  /**
   * {@code approx_topk(k, inner)}: as Loki rewrites every {@code approx_topk}, nested or not, into
   * {@code topk} over a count-min sketch of {@code inner}, the inner vector is evaluated on its own
   * and sketched ({@link ApproxTopK}); the answer is the {@code k} largest estimates.
   */
  private QueryResult.VectorResult approxTopK(
      VectorAggregationExpr a, MetricQueryRange range, BooleanSupplier cancelled, long[] scanned) {
    QueryResult inner = evaluate(a.inner(), range, cancelled, scanned);
    if (!(inner instanceof QueryResult.VectorResult vector)) {
      throw new IllegalArgumentException(
          "expected type instant vector in aggregation expression, got scalar");
    }
    return ApproxTopK.select(vector, a.parameter().getAsLong());
  }

  /**
   * Evaluates {@code expr}, adding what its scans read to {@code scanned} (rows, bytes, files).
   * A nested {@code approx_topk} is evaluated first and its answer stands in the PromQL text as a
   * selector of its own.
   */
  private QueryResult evaluate(
      SampleExpr expr, MetricQueryRange range, BooleanSupplier cancelled, long[] scanned) {
    return evaluate(expr, range, cancelled, scanned, null, 0);
  }

  /** Fails when the answer has more than {@code maxSeries} (0: no limit) series. */
  private static void checkSeries(QueryResult value, int maxSeries) {
    if (maxSeries <= 0) {
      return;
    }
    int series = 0;
    if (value instanceof QueryResult.MatrixResult m) {
      series = m.series().size();
    } else if (value instanceof QueryResult.VectorResult v) {
      series = v.samples().size();
    }
    if (series > maxSeries) {
      throw new SeriesLimitException(maxSeries);
    }
  }

  /**
   * The plan of a metric query, as EXPLAIN shows it: the PromQL the vector operations run as,
   * then each range aggregation's log query plan, which feeds it samples. With {@code analyze},
   * the query runs and each plan comes with what each of its nodes did.
   */
  public String explainMetric(
      SampleExpr expr, MetricQueryRange range, boolean analyze, BooleanSupplier cancelled) {
    List<String> parts = new ArrayList<>();
    if (analyze) {
      List<RangeAggregationExpr> ranges = new ArrayList<>();
      String promql = SampleExprTranslator.translate(expr, ranges, new IdentityHashMap<>(), a -> 0);
      parts.add("PromQL over the range aggregations: " + promql);
      evaluate(expr, range, cancelled, new long[3], parts, 0);
    } else {
      List<RangeAggregationExpr> ranges = new ArrayList<>();
      Map<RangeAggregationExpr, Grouping> pushed = new IdentityHashMap<>();
      String promql = SampleExprTranslator.translate(expr, ranges, pushed, a -> 0);
      parts.add("PromQL over the range aggregations: " + promql);
      for (int i = 0; i < ranges.size(); i++) {
        RangeAggregateSpec spec = spec(ranges.get(i), pushed.get(ranges.get(i)), range);
        parts.add(
            heading(i) + "\n" + QueryOptimizer.explain(rangePlan(spec, range)));
      }
    }
    return String.join("\n", parts);
  }

  /**
   * A range aggregation's heading in EXPLAIN: which of the PromQL text's selectors its plan
   * answers. The plan's top node, the {@link ArrowRangeAggregate}, says what it computes.
   */
  private static String heading(int index) {
    return "{" + SampleExprTranslator.RANGE_LABEL + "=\"" + index + "\"} is:";
  }

  /** What range aggregation {@code r} computes over the query's steps. */
  private static RangeAggregateSpec spec(
      RangeAggregationExpr r, Grouping pushed, MetricQueryRange range) {
    return new RangeAggregateSpec(
        r, pushed, range.startNanos(), range.stepNanos(), range.times().length);
  }

  /**
   * The physical plan of a range aggregation: its node over its log query's plan (without sort
   * or limit) over the span its windows cover, the query's scan gathered in any order when the
   * answer allows it.
   */
  ArrowRel rangePlan(RangeAggregateSpec spec, MetricQueryRange range) {
    RangeAggregationExpr r = spec.expr();
    LogRangeExpr logRange = r.range();
    long offset = logRange.offset().toNanos();
    long from = range.startNanos() - offset - logRange.range().toNanos() + 1;
    long to = range.endNanos() - offset + 1;
    RelBuilder builder = catalog.relBuilder();
    RelNode entries =
        LogQueryPlanner.entries(
            logRange.selector(),
            range.tenant(),
            from,
            to,
            needsMetadata(r, spec.pushed()),
            readLabels(r, spec.pushed()),
            readsLine(r),
            builder);
    ArrowRel plan =
        QueryOptimizer.optimize(LogicalRangeAggregate.create(entries, spec), builder);
    if (!spec.dependsOnArrivalOrder() && plan instanceof ArrowRangeAggregate aggregate) {
      // The kernel orders each series' samples by time itself: split order would only leave a
      // thread idle whenever the split being drained is slower than those read ahead.
      plan = (ArrowRel) aggregate.copy(
          aggregate.getTraitSet(),
          List.of(ArrowGather.inAnyOrder((ArrowRel) aggregate.getInput())));
    }
    return plan;
  }

  /**
   * @param analyzed where each range aggregation's analyzed plan is added, or null
   * @param maxSeries the most series a range aggregation may have over all steps (0: no limit)
   */
  private QueryResult evaluate(
      SampleExpr expr, MetricQueryRange range, BooleanSupplier cancelled, long[] scanned,
      List<String> analyzed, int maxSeries) {
    long nanosPerMilli = 1_000_000L;
    List<RangeAggregationExpr> ranges = new ArrayList<>();
    Map<RangeAggregationExpr, Grouping> pushed = new IdentityHashMap<>();
    List<List<Series>> approximated = new ArrayList<>();
    String promql =
        SampleExprTranslator.translate(
            expr,
            ranges,
            pushed,
            a -> {
              List<Series> top = new ArrayList<>();
              for (QueryResult.Sample s : approxTopK(a, range, cancelled, scanned).samples()) {
                top.add(
                    new Series(s.labels(), new long[] {s.timestamp()}, new double[] {s.value()}));
              }
              approximated.add(top);
              return approximated.size() - 1;
            });
    int steps = range.times().length;
    List<List<Series>> computed = new ArrayList<>();
    for (RangeAggregationExpr r : ranges) {
      RangeAggregateSpec spec = spec(r, pushed.get(r), range);
      ArrowRel plan = rangePlan(spec, range);
      RangeSeriesAssembler assembler = new RangeSeriesAssembler(spec, maxSeries);
      QueryStats stats = runner.run("metric", plan, cancelled, assembler::add);
      scanned[0] += stats.rowsScanned();
      scanned[1] += stats.bytesScanned();
      scanned[2] += stats.filesScanned();
      if (analyzed != null) {
        analyzed.add(heading(computed.size()) + "\n"
            + QueryOptimizer.explainAnalyze(plan, stats));
      }
      computed.add(assembler.series());
    }
    PromQLEngine promEngine =
        new PromQLEngine(
            (matchers, minTime, maxTime) -> select(computed, approximated, matchers),
            PromQLEngine.Options.DEFAULT, () -> false,
            () -> root.newChildAllocator("logql-promql", 0, queryMemoryBytes),
            (plan, stats) -> {});
    return range.isInstant()
        ? promEngine.instantQuery(promql, Math.floorDiv(range.startNanos(), nanosPerMilli))
        : promEngine.rangeQuery(
            promql,
            new StepGrid(
                Math.floorDiv(range.startNanos(), nanosPerMilli),
                Math.floorDiv(range.startNanos(), nanosPerMilli)
                    + (steps - 1) * (range.stepNanos() / nanosPerMilli),
                range.stepNanos() / nanosPerMilli));
  }

  /** Whether the range aggregation reads the line itself: only its length, for the bytes ones. */
  private static boolean readsLine(RangeAggregationExpr r) {
    return r.op() == RangeAggregationExpr.RangeOp.BYTES_OVER_TIME
        || r.op() == RangeAggregationExpr.RangeOp.BYTES_RATE;
  }

  /**
   * Whether the range aggregation's series can depend on structured metadata, which costs reading
   * every metadata column: not when it keeps no label at all ({@code by ()}, its own or a {@code
   * sum}'s above, and no {@code unwrap} that might read metadata) or is {@code absent_over_time}.
   */
  private static boolean needsMetadata(RangeAggregationExpr r, Grouping pushed) {
    if (r.op() == RangeAggregationExpr.RangeOp.ABSENT_OVER_TIME) {
      return false;
    }
    if (r.range().unwrap().isPresent()) {
      return true;
    }
    Grouping g = r.grouping().orElse(pushed);
    return g == null || g.without() || !g.labels().isEmpty();
  }

  /**
   * The only labels a range aggregation reads of its entries, or null for all: its {@code by}
   * grouping (its own or a {@code sum}'s above). An unwrap reads its label too (and may set
   * errors), so it reads all.
   */
  private static List<String> readLabels(RangeAggregationExpr r, Grouping pushed) {
    Grouping g = r.grouping().orElse(pushed);
    if (g == null || g.without() || r.range().unwrap().isPresent()) {
      return null;
    }
    return g.labels();
  }

  private static List<Series> select(
      List<List<Series>> computed, List<List<Series>> approximated, List<LabelMatcher> matchers) {
    for (LabelMatcher m : matchers) {
      if (m.name().equals(SampleExprTranslator.RANGE_LABEL)) {
        return computed.get(Integer.parseInt(m.value()));
      }
      if (m.name().equals(SampleExprTranslator.APPROX_LABEL)) {
        return approximated.get(Integer.parseInt(m.value()));
      }
    }
    return List.of();
  }
}

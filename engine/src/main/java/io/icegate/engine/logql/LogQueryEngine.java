package io.icegate.engine.logql;

import io.icegate.engine.exec.PlanRunner;
import io.icegate.engine.exec.QueryStats;
import io.icegate.engine.plan.IceGateCatalog;
import io.icegate.engine.plan.QueryOptimizer;
import io.icegate.engine.rel.ArrowRel;
import io.icegate.engine.promql.PromQLEngine;
import io.icegate.engine.promql.QueryResult;
import io.icegate.engine.series.LabelMatcher;
import io.icegate.engine.series.Series;
import io.icegate.engine.series.StepGrid;
import io.icegate.logql.ast.LogRangeExpr;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.logql.ast.RangeAggregationExpr;
import io.icegate.logql.ast.SampleExpr;
import io.icegate.logql.ast.VectorAggregationExpr;
import io.icegate.storage.scan.TableScanner;
import io.icegate.storage.table.LogsTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.BufferAllocator;
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

  public LogQueryEngine(
      TableScanner scanner, BufferAllocator root, long queryMemoryBytes, Duration timeout) {
    this.catalog = new IceGateCatalog(scanner, List.of(LogsTable.NAME));
    this.runner = new PlanRunner(scanner, root, queryMemoryBytes, timeout);
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
   * cover; its entries become samples and then one value per step ({@link LogRangeAggregation}).
   * What lies above the range aggregations runs in the PromQL evaluator, over a series source that
   * answers each range aggregation's synthetic selector with those per-step series.
   *
   * @throws IllegalArgumentException for a stage Loki refuses or an entry with {@code __error__}
   * @throws io.icegate.engine.promql.PromQLException for what the vector operations refuse
   */
  public LogMetricResult metric(
      SampleExpr expr, MetricQueryRange range, BooleanSupplier cancelled) {
    long started = System.nanoTime();
    if (!range.isInstant() && SampleExprTranslator.containsApproxTopK(expr)) {
      throw new IllegalArgumentException(ApproxTopK.INSTANT_ONLY);
    }
    // The outermost approx_topk runs on its own sketch over the inner vector; one nested deeper
    // is evaluated as topk, which is what the sketch gives for the few series such a query has.
    VectorAggregationExpr approx =
        expr instanceof VectorAggregationExpr a
                && a.op() == VectorAggregationExpr.VectorOp.APPROX_TOPK
            ? a
            : null;
    List<RangeAggregationExpr> ranges = new ArrayList<>();
    String promql = SampleExprTranslator.translate(approx == null ? expr : approx.inner(), ranges);
    long[] steps = range.times();
    List<List<Series>> computed = new ArrayList<>();
    long rows = 0;
    long bytes = 0;
    long files = 0;
    for (RangeAggregationExpr r : ranges) {
      LogRangeExpr logRange = r.range();
      long offset = logRange.offset().toNanos();
      long from = range.startNanos() - offset - logRange.range().toNanos() + 1;
      long to = range.endNanos() - offset + 1;
      RelBuilder builder = catalog.relBuilder();
      ArrowRel plan =
          QueryOptimizer.optimize(
              LogQueryPlanner.entries(logRange.selector(), range.tenant(), from, to, builder),
              builder);
      LogSampleCollector collector = new LogSampleCollector(r);
      QueryStats stats = runner.run("metric", plan, cancelled, collector::add);
      rows += stats.rowsScanned();
      bytes += stats.bytesScanned();
      files += stats.filesScanned();
      computed.add(LogRangeAggregation.evaluate(r, collector.series(), steps));
    }
    PromQLEngine promEngine =
        new PromQLEngine(
            (matchers, minTime, maxTime) -> select(computed, matchers),
            PromQLEngine.Options.DEFAULT);
    long nanosPerMilli = 1_000_000L;
    QueryResult value =
        range.isInstant()
            ? promEngine.instantQuery(promql, Math.floorDiv(range.startNanos(), nanosPerMilli))
            : promEngine.rangeQuery(
                promql,
                new StepGrid(
                    Math.floorDiv(range.startNanos(), nanosPerMilli),
                    Math.floorDiv(range.startNanos(), nanosPerMilli)
                        + (steps.length - 1) * (range.stepNanos() / nanosPerMilli),
                    range.stepNanos() / nanosPerMilli));
    if (approx != null) {
      if (!(value instanceof QueryResult.VectorResult vector)) {
        throw new IllegalArgumentException(
            "expected type instant vector in aggregation expression, got scalar");
      }
      value = ApproxTopK.select(vector, approx.parameter().getAsLong());
    }
    return new LogMetricResult(value, rows, bytes, files, System.nanoTime() - started);
  }

  private static List<Series> select(List<List<Series>> computed, List<LabelMatcher> matchers) {
    for (LabelMatcher m : matchers) {
      if (m.name().equals(SampleExprTranslator.RANGE_LABEL)) {
        return computed.get(Integer.parseInt(m.value()));
      }
    }
    return List.of();
  }
}

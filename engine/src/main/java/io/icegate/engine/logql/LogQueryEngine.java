package io.icegate.engine.logql;

import io.icegate.engine.exec.PlanRunner;
import io.icegate.engine.exec.QueryStats;
import io.icegate.engine.plan.IceGateCatalog;
import io.icegate.engine.plan.QueryOptimizer;
import io.icegate.engine.rel.ArrowRel;
import io.icegate.logql.ast.LogSelectorExpr;
import io.icegate.storage.scan.TableScanner;
import io.icegate.storage.table.LogsTable;
import java.time.Duration;
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
        assembler.streams(),
        assembler.entries(),
        stats.rowsScanned(),
        stats.bytesScanned(),
        stats.filesScanned(),
        System.nanoTime() - started);
  }
}

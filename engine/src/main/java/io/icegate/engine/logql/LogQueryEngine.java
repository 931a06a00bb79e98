package io.icegate.engine.logql;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.Operator;
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
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.calcite.tools.RelBuilder;

/**
 * Runs LogQL log queries: plan (LogQL → Calcite), optimize (→ ARROW plan), execute (operators
 * over batches), assemble streams. Each query gets its own child allocator, limited to
 * {@code queryMemoryBytes}, which is closed — and so checked empty — when the query ends,
 * whether it succeeded, failed or was cancelled.
 */
public final class LogQueryEngine {
  private final TableScanner scanner;
  private final IceGateCatalog catalog;
  private final BufferAllocator root;
  private final long queryMemoryBytes;
  private final Duration timeout;

  public LogQueryEngine(
      TableScanner scanner, BufferAllocator root, long queryMemoryBytes, Duration timeout) {
    this.scanner = scanner;
    this.catalog = new IceGateCatalog(scanner, List.of(LogsTable.NAME));
    this.root = root;
    this.queryMemoryBytes = queryMemoryBytes;
    this.timeout = timeout;
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
    try (BufferAllocator allocator =
        root.newChildAllocator("query", 0, queryMemoryBytes)) {
      ExecContext context =
          new ExecContext(allocator, scanner, started + timeout.toNanos(), cancelled);
      try (Operator operator = plan.implement(context)) {
        for (VectorSchemaRoot batch = operator.next(); batch != null; batch = operator.next()) {
          try (VectorSchemaRoot owned = batch) {
            assembler.add(owned);
          }
        }
      }
      return new LogQueryResult(
          assembler.streams(),
          assembler.entries(),
          context.stats().rowsScanned(),
          context.stats().bytesScanned(),
          context.stats().filesScanned(),
          System.nanoTime() - started);
    }
  }
}

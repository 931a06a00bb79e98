package io.icegate.engine.exec;

import io.icegate.engine.rel.ArrowRel;
import io.icegate.storage.scan.TableScanner;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Runs physical plans, one query at a time each: a child allocator limited to
 * {@code queryMemoryBytes}, a deadline, and every result batch handed to a sink and then closed.
 * Closing the allocator at the end — on success, error, timeout or cancellation — checks that
 * the query released everything.
 */
public final class PlanRunner {
  private final TableScanner scanner;
  private final BufferAllocator root;
  private final long queryMemoryBytes;
  private final Duration timeout;
  private final int parallelism;

  /** A runner whose scans use every core. */
  public PlanRunner(
      TableScanner scanner, BufferAllocator root, long queryMemoryBytes, Duration timeout) {
    this(scanner, root, queryMemoryBytes, timeout, Runtime.getRuntime().availableProcessors());
  }

  /** A runner whose scans read with up to {@code parallelism} threads per query. */
  public PlanRunner(
      TableScanner scanner, BufferAllocator root, long queryMemoryBytes, Duration timeout,
      int parallelism) {
    this.scanner = scanner;
    this.root = root;
    this.queryMemoryBytes = queryMemoryBytes;
    this.timeout = timeout;
    this.parallelism = parallelism;
  }

  /**
   * Starts {@code plan} for a consumer that pulls its batches when it wants them; the caller
   * closes the cursor (the query's memory is held until then or until its last batch).
   */
  public PlanCursor open(String name, ArrowRel plan, BooleanSupplier cancelled) {
    return new PlanCursor(
        name, plan, scanner, root, queryMemoryBytes, timeout, parallelism, cancelled);
  }

  /**
   * Runs {@code plan}, giving each batch to {@code sink} (which must not keep it), and returns
   * what the query scanned.
   */
  public QueryStats run(
      String name, ArrowRel plan, BooleanSupplier cancelled, Consumer<VectorSchemaRoot> sink) {
    try (BufferAllocator allocator = root.newChildAllocator(name, 0, queryMemoryBytes)) {
      ExecContext context =
          new ExecContext(
              allocator, scanner, System.nanoTime() + timeout.toNanos(), cancelled, parallelism);
      try (Operator operator = plan.implement(context)) {
        for (VectorSchemaRoot batch = operator.next(); batch != null; batch = operator.next()) {
          try (VectorSchemaRoot owned = batch) {
            sink.accept(owned);
          }
        }
      } finally {
        ScanTotals.add(context.stats());
      }
      return context.stats();
    }
  }
}

package io.icegate.engine.exec;

import io.icegate.storage.scan.TableScanner;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.BufferAllocator;

/**
 * What operators of one query share: its allocator (a child with its own limit), the storage
 * scanner, its stats, and how to tell whether it should stop.
 */
public final class ExecContext {
  private final BufferAllocator allocator;
  private final TableScanner scanner;
  private final QueryStats stats = new QueryStats();
  private final long deadlineNanos;
  private final BooleanSupplier cancelled;

  public ExecContext(
      BufferAllocator allocator, TableScanner scanner, long deadlineNanos,
      BooleanSupplier cancelled) {
    this.allocator = allocator;
    this.scanner = scanner;
    this.deadlineNanos = deadlineNanos;
    this.cancelled = cancelled;
  }

  public BufferAllocator allocator() {
    return allocator;
  }

  public TableScanner scanner() {
    return scanner;
  }

  public QueryStats stats() {
    return stats;
  }

  /** Called by operators between batches: stops a query past its deadline or abandoned. */
  public void checkContinue() {
    if (cancelled.getAsBoolean()) {
      throw new QueryCancelledException("query cancelled", false);
    }
    if (System.nanoTime() - deadlineNanos > 0) {
      throw new QueryCancelledException("query timed out", true);
    }
  }
}

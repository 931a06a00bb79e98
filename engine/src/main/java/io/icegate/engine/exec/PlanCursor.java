package io.icegate.engine.exec;

import io.icegate.engine.rel.ArrowRel;
import io.icegate.storage.scan.TableScanner;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A running plan whose consumer pulls its batches one at a time, for answers a client fetches a
 * piece at a time (JDBC frames): the query keeps its allocator and operators between pulls, so
 * its first rows can leave before the last are computed, and memory stays what the operators
 * hold (a gather's lanes fill and then wait) instead of the whole answer.
 *
 * <p>The query's timeout counts the time spent inside {@link #advance}, not the time the client
 * takes between fetches: a person scrolling through an answer in a JDBC tool is not a runaway
 * query. What ends an idle cursor is its consumer closing it.
 *
 * <p>{@link #close} may come from any thread. If a pull is running, the close only flags the
 * query as cancelled; the pulling thread sees that at its next check, stops, and releases
 * everything itself. Either way, once the cursor is done, failed or closed its allocator is
 * closed, which checks that the query released all its memory.
 */
public final class PlanCursor implements AutoCloseable {
  private final ReentrantLock lock = new ReentrantLock();
  private final BufferAllocator allocator;
  private final ExecContext context;
  private final long timeoutNanos;
  private Operator operator;
  private boolean released;
  private volatile boolean closeRequested;
  /** Engine time spent in finished pulls, and when the running pull started (-1: none). */
  private volatile long busyNanos;
  private volatile long busySince = -1;
  private volatile boolean timedOut;

  PlanCursor(
      String name, ArrowRel plan, TableScanner scanner, BufferAllocator root,
      long queryMemoryBytes, Duration timeout, int parallelism, BooleanSupplier cancelled) {
    this.timeoutNanos = timeout.toNanos();
    this.allocator = root.newChildAllocator(name, 0, queryMemoryBytes);
    // The deadline lives in the cancellation check (engine time only), not in the context.
    long never = System.nanoTime() + (Long.MAX_VALUE >> 1);
    this.context =
        new ExecContext(
            allocator, scanner, never,
            () -> closeRequested || cancelled.getAsBoolean() || overTime(), parallelism);
    lock.lock();
    busySince = System.nanoTime();
    try {
      this.operator = plan.implement(context);
    } catch (RuntimeException | Error e) {
      release();
      throw e;
    } finally {
      busyNanos += System.nanoTime() - busySince;
      busySince = -1;
      lock.unlock();
    }
  }

  private boolean overTime() {
    long since = busySince;
    long busy = busyNanos + (since < 0 ? 0 : System.nanoTime() - since);
    if (busy > timeoutNanos) {
      timedOut = true;
    }
    return timedOut;
  }

  /**
   * Pulls the next batch and gives it to {@code sink}, which must not keep it (it is closed when
   * the sink returns). Returns false at the end, when everything is already released. An error
   * — the sink's, the query's, a timeout or a cancellation — releases everything and is thrown.
   *
   * @throws QueryCancelledException when the query was closed, cancelled or ran out of time
   */
  public boolean advance(Consumer<VectorSchemaRoot> sink) {
    lock.lock();
    try {
      if (released) {
        if (closeRequested) {
          throw new QueryCancelledException("query cancelled", false);
        }
        return false;
      }
      busySince = System.nanoTime();
      try {
        VectorSchemaRoot batch = operator.next();
        if (batch == null) {
          release();
          return false;
        }
        try (batch) {
          sink.accept(batch);
        }
        if (closeRequested) {
          throw new QueryCancelledException("query cancelled", false);
        }
        return true;
      } catch (QueryCancelledException e) {
        release();
        throw timedOut && !closeRequested ? new QueryCancelledException("query timed out", true)
            : e;
      } catch (RuntimeException | Error e) {
        release();
        throw e;
      } finally {
        busyNanos += System.nanoTime() - busySince;
        busySince = -1;
      }
    } finally {
      lock.unlock();
    }
  }

  /** What the query scanned so far (all of it once {@link #advance} returned false). */
  public QueryStats stats() {
    return context.stats();
  }

  /**
   * Stops the query and releases its memory: now if no pull is running, else by the pulling
   * thread as soon as it notices. Safe to call more than once and from any thread.
   */
  @Override
  public void close() {
    closeRequested = true;
    if (lock.tryLock()) {
      try {
        release();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Closes the operators and the allocator, once; called holding the lock. */
  private void release() {
    if (released) {
      return;
    }
    released = true;
    Operator open = operator;
    operator = null;
    try {
      if (open != null) {
        open.close();
      }
    } finally {
      ScanTotals.add(context.stats());
      allocator.close();
    }
  }
}

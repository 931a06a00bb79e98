package io.icegate.engine.exec;

import org.apache.arrow.memory.AllocationReservation;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;

/**
 * Java heap an operator holds for a query (samples kept per series, quantile values), counted
 * against the query's allocator limit as if it were Arrow memory: an operator reports what it
 * grows by, and the budget reserves that much of the allocator (in whole chunks, without
 * allocating any buffer). Past the limit the query fails as with any allocation over it; other
 * queries are unaffected. What is reserved is held until {@link #close}, which the operator calls
 * when it closes, so the allocator is empty after the query whatever way it ended.
 *
 * <p>Not thread-safe: one operator's state, grown by one thread at a time.
 */
public final class HeapBudget implements AutoCloseable {
  /** Reservations are taken in steps this large, so reporting a few bytes costs an add. */
  static final long CHUNK = 1L << 20;

  private final BufferAllocator allocator;
  private final String holder;
  private AllocationReservation reservation;
  private long used;
  private long reserved;

  /**
   * @param holder what holds the memory, for the error (e.g. "range aggregation samples")
   */
  public HeapBudget(BufferAllocator allocator, String holder) {
    this.allocator = allocator;
    this.holder = holder;
  }

  /** A budget that counts nothing: for kernels run outside a query (tests, tools). */
  public static HeapBudget unlimited() {
    return new HeapBudget(null, "");
  }

  /**
   * Counts {@code bytes} more heap held.
   *
   * @throws OutOfMemoryException when the query's allocator has no room left for them
   */
  public void grow(long bytes) {
    used += bytes;
    if (allocator == null || used <= reserved) {
      return;
    }
    long more = Math.max(CHUNK, used - reserved);
    more = (more + CHUNK - 1) / CHUNK * CHUNK;
    if (reservation == null) {
      reservation = allocator.newReservation();
    }
    if (!reservation.add(more)) {
      throw new OutOfMemoryException(
          String.format(
              "%s held %,d bytes of heap and could not grow past the query's memory limit"
                  + " (%,d bytes; %,d allocated)",
              holder, used, allocator.getLimit(), allocator.getAllocatedMemory()));
    }
    reserved += more;
  }

  /** The heap counted so far. */
  public long used() {
    return used;
  }

  /** Gives back everything reserved. */
  @Override
  public void close() {
    if (reservation != null) {
      reservation.close();
      reservation = null;
    }
    reserved = 0;
  }
}

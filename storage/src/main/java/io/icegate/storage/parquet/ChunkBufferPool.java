package io.icegate.storage.parquet;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Set;
import org.apache.parquet.bytes.ByteBufferAllocator;

/**
 * Heap buffers for the column chunks parquet-java reads a row group into, handed back when the
 * row group is done and lent again to the next one.
 *
 * <p>A row group's chunks arrive in buffers of up to 8 MiB each. Fresh arrays of that size are
 * humongous objects to G1 (anything over half a region), and allocating one starts a concurrent
 * marking cycle: a profile of a top-N log query over three files spent as much CPU in the
 * collector as in the scan. Reusing the arrays keeps a scan's garbage to the small per-page
 * objects.
 *
 * <p>Shared by every reader: it holds at most {@link #retainedLimit} bytes of free buffers, and
 * lends a free buffer only when it is at most twice the size asked for (or 64 KiB over it), so a
 * small chunk doesn't pin a large array. A buffer handed back twice is kept once.
 */
final class ChunkBufferPool implements ByteBufferAllocator {
  /** The pool every {@link ColumnarArrowReader} reads through. */
  static final ChunkBufferPool SHARED = new ChunkBufferPool(64L << 20);

  private static final int ROUNDING = 64 << 10;

  private final long retainedLimit;
  private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
  private final Set<ByteBuffer> freeSet = Collections.newSetFromMap(new IdentityHashMap<>());
  private long retained;
  private long lent;
  private long made;

  ChunkBufferPool(long retainedLimit) {
    this.retainedLimit = retainedLimit;
  }

  @Override
  public ByteBuffer allocate(int size) {
    synchronized (this) {
      Iterator<ByteBuffer> it = free.iterator();
      while (it.hasNext()) {
        ByteBuffer buffer = it.next();
        int capacity = buffer.capacity();
        if (capacity >= size && capacity - size <= Math.max(size, ROUNDING)) {
          it.remove();
          freeSet.remove(buffer);
          retained -= capacity;
          lent++;
          buffer.clear().limit(size);
          return buffer;
        }
      }
      made++;
    }
    // Rounded up to a ROUNDING multiple so that chunks of slightly different sizes share arrays.
    int capacity =
        (int) Math.min(Integer.MAX_VALUE - 8, ((long) size + ROUNDING - 1) & -(long) ROUNDING);
    return ByteBuffer.allocate(Math.max(capacity, size)).limit(size);
  }

  @Override
  public void release(ByteBuffer buffer) {
    if (buffer == null || buffer.isDirect() || buffer.isReadOnly()) {
      return;
    }
    synchronized (this) {
      if (freeSet.contains(buffer) || retained + buffer.capacity() > retainedLimit) {
        return;
      }
      free.addFirst(buffer);
      freeSet.add(buffer);
      retained += buffer.capacity();
    }
  }

  @Override
  public boolean isDirect() {
    return false;
  }

  /** Buffers lent again from the pool so far (for tests). */
  synchronized long reused() {
    return lent;
  }

  /** Buffers made because none free fitted (for tests). */
  synchronized long made() {
    return made;
  }

  /** Bytes of free buffers held now (for tests). */
  synchronized long retainedBytes() {
    return retained;
  }
}

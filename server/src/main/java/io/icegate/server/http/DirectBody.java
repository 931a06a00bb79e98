package io.icegate.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.util.internal.PlatformDependent;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A response body written into direct buffers of {@link #PIECE_BYTES} each, handed to the socket
 * as one composite buffer (a gathering write, no copy), whose pieces are kept for the next body
 * when the socket is done with them.
 *
 * <p>Why: a large query answer is tens of megabytes. A {@code byte[]} that size is copied by the
 * channel into a new direct buffer of its full size, and Netty's pool hands out (and frees again)
 * fresh zeroed chunks for sizes past its own: each answer allocated, zeroed, page-faulted and
 * freed its full size again, about half the event loop's CPU for a 45 MB matrix. The pieces here
 * are zeroed once, when first made; up to {@link #KEPT_PIECES} of them are kept, and the others
 * freed as soon as the socket is done with them.
 *
 * <p>Not thread-safe: one writer, then {@link #take} or {@link #release} once.
 */
public final class DirectBody extends OutputStream {
  /** Large enough to be few (a 45 MB answer is 180 pieces). */
  static final int PIECE_BYTES = 256 * 1024;

  /**
   * The most pieces kept between answers: a sixteenth of the heap's limit, from 16 MiB to 256 MiB
   * (an 8 GiB heap keeps enough for a 256 MiB answer, which 5,000 series of a day at 1 m make).
   */
  static final int KEPT_PIECES =
      (int) Math.max(64, Math.min(1024, Runtime.getRuntime().maxMemory() / 16 / PIECE_BYTES));

  private static final ConcurrentLinkedQueue<ByteBuffer> FREE = new ConcurrentLinkedQueue<>();
  private static final AtomicInteger FREE_COUNT = new AtomicInteger();

  private final ByteBufAllocator allocator;
  private CompositeByteBuf pieces;
  private ByteBuf current;

  DirectBody(ByteBufAllocator allocator) {
    this.allocator = allocator;
    this.pieces = allocator.compositeDirectBuffer(Integer.MAX_VALUE);
  }

  @Override
  public void write(int b) {
    room().writeByte(b);
  }

  @Override
  public void write(byte[] bytes, int offset, int length) {
    while (length > 0) {
      ByteBuf into = room();
      int n = Math.min(length, into.writableBytes());
      into.writeBytes(bytes, offset, n);
      offset += n;
      length -= n;
    }
  }

  /** The bytes written so far. */
  public int size() {
    checkOpen();
    return pieces.readableBytes() + (current == null ? 0 : current.readableBytes());
  }

  /**
   * The body as one buffer; the caller owns it (and releases it, or hands it to a response that
   * does). This body is empty and unusable afterwards.
   */
  public ByteBuf take() {
    checkOpen();
    flushPiece();
    CompositeByteBuf all = pieces;
    pieces = null;
    return all;
  }

  /** Frees the buffers unless taken; safe to call more than once. */
  public void release() {
    if (current != null) {
      current.release();
      current = null;
    }
    if (pieces != null) {
      pieces.release();
      pieces = null;
    }
  }

  @Override
  public void close() {
    // The buffers live until taken or released; closing a writer over this stream must not drop
    // them.
  }

  private ByteBuf room() {
    checkOpen();
    if (current != null && current.isWritable()) {
      return current;
    }
    flushPiece();
    current = piece(allocator);
    return current;
  }

  /** A kept piece if there is one, else a new one. */
  static ByteBuf piece(ByteBufAllocator allocator) {
    ByteBuffer memory = FREE.poll();
    if (memory != null) {
      FREE_COUNT.decrementAndGet();
      memory.clear();
    } else {
      memory = ByteBuffer.allocateDirect(PIECE_BYTES);
    }
    return new Piece(allocator, memory);
  }

  /** How many pieces are kept now (for tests). */
  static int keptPieces() {
    return FREE_COUNT.get();
  }

  /**
   * A piece over memory it does not free: when released, the memory goes back to the free list
   * (or, past {@link #KEPT_PIECES}, to the garbage collector, whose cleaner frees it).
   */
  private static final class Piece extends UnpooledDirectByteBuf {
    private final ByteBuffer memory;

    Piece(ByteBufAllocator allocator, ByteBuffer memory) {
      // This constructor leaves the buffer's memory alone on release.
      super(allocator, memory, memory.capacity());
      this.memory = memory;
      // Made over existing memory, the buffer starts out full: empty it.
      clear();
    }

    @Override
    protected void deallocate() {
      super.deallocate();
      if (FREE_COUNT.incrementAndGet() <= KEPT_PIECES) {
        FREE.offer(memory);
      } else {
        FREE_COUNT.decrementAndGet();
        // Freed now rather than by the collector, which may not run for a long time: direct
        // memory waiting for it counts against the JVM's limit, and reaching that limit forces
        // full collections.
        PlatformDependent.freeDirectBuffer(memory);
      }
    }
  }

  private void flushPiece() {
    if (current == null) {
      return;
    }
    if (current.isReadable()) {
      pieces.addComponent(true, current);
    } else {
      current.release();
    }
    current = null;
  }

  private void checkOpen() {
    if (pieces == null) {
      throw new IllegalStateException("the body was taken or released");
    }
  }
}

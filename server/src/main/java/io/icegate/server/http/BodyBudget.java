package io.icegate.server.http;

/**
 * Bounds the request body bytes one listener holds at once: received and waiting for a worker,
 * or being handled, until answered. Without it a flood of clients fills the workers' queue with
 * bodies (and the heap with their copies and decoded forms) faster than ingest can refuse them;
 * with it, a request beyond the bound is answered 429 on the event loop, before it is copied,
 * queued or decoded, so what overload costs the heap is bounded by configuration.
 */
final class BodyBudget {
  /**
   * The default budget in bodies of the largest size a listener accepts ({@code
   * max_request_bytes}); {@code max_inflight_body_bytes} sets it in bytes.
   */
  static final int LARGEST_BODIES = 4;

  private final long limit;
  private long held; // guarded by this

  BodyBudget(long limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("body budget must be positive");
    }
    this.limit = limit;
  }

  long limit() {
    return limit;
  }

  /**
   * Takes {@code bytes} from the budget if they fit. A body that fits alone is always admitted
   * when nothing is held, so a single request up to the size limit never starves.
   */
  synchronized boolean tryReserve(long bytes) {
    if (bytes == 0) {
      return true;
    }
    if (held > 0 && held + bytes > limit) {
      return false;
    }
    held += bytes;
    return true;
  }

  synchronized void release(long bytes) {
    held -= bytes;
  }

  synchronized long held() {
    return held;
  }
}

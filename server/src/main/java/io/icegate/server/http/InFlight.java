package io.icegate.server.http;

import java.time.Duration;

/**
 * Counts requests not yet answered, so shutdown can wait for them; once {@link #drain()} is
 * called, new requests are refused and answers close their connections.
 */
public final class InFlight {
  private int count;
  private volatile boolean draining;

  /** Starts draining: requests from now on get 503, keep-alive connections are closed. */
  public void drain() {
    draining = true;
  }

  public boolean draining() {
    return draining;
  }

  public synchronized void enter() {
    count++;
  }

  public synchronized void exit() {
    count--;
    if (count == 0) {
      notifyAll();
    }
  }

  /** Waits until no request is in flight or {@code grace} passes; true if drained. */
  public synchronized boolean awaitDrained(Duration grace) throws InterruptedException {
    long deadline = System.nanoTime() + grace.toNanos();
    while (count > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }
}

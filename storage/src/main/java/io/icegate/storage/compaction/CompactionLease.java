package io.icegate.storage.compaction;

import java.io.IOException;

/**
 * The right to run compaction, held by one process at a time (DESIGN.md §6: one maintenance
 * leader, through the catalog or a conditional object write). A process that cannot take it
 * skips that run; nothing waits.
 */
public interface CompactionLease {

  /** A lease taken; closing it gives it back. */
  interface Held extends AutoCloseable {
    /** True while the lease is certainly still ours (with a safety margin for clock skew). */
    boolean stillHeld();

    @Override
    void close();
  }

  /** Takes the lease if it is free or expired; null if another process holds it. */
  Held tryAcquire() throws IOException;

  /** For a WAL only this process writes (local disk): always granted. */
  static CompactionLease exclusiveProcess() {
    Held held =
        new Held() {
          @Override
          public boolean stillHeld() {
            return true;
          }

          @Override
          public void close() {}
        };
    return () -> held;
  }
}

package io.icegate.storage.wal;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The requests written (or being written) within the dedupe window, by fingerprint. Recovered on
 * start from the fingerprints stored in the WAL segments' footers, so a request whose segment was
 * durable before a crash — but whose ack was lost — is still recognised when the client retries.
 * Entries leave the index when older than the window; compaction never takes a segment younger
 * than the window, so the footers always cover it.
 */
final class DedupeIndex {
  private record Entry(CompletableFuture<WalSegment> done, long atNanos) {}

  private final long windowNanos;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

  DedupeIndex(Duration window, Map<String, Long> recovered) {
    this.windowNanos = window.toNanos();
    long now = System.nanoTime();
    long wallNow = System.currentTimeMillis();
    recovered.forEach(
        (fingerprint, writtenMillis) -> {
          long age = Math.max(0, wallNow - writtenMillis) * 1_000_000L;
          if (age < windowNanos) {
            entries.put(
                fingerprint,
                new Entry(CompletableFuture.completedFuture(null), now - age));
          }
        });
  }

  /**
   * Claims {@code fingerprint} for {@code done}; returns null if it was free (the caller writes),
   * or the earlier request's future if it is taken.
   */
  synchronized CompletableFuture<WalSegment> claim(
      String fingerprint, CompletableFuture<WalSegment> done) {
    expire();
    Entry earlier = entries.get(fingerprint);
    if (earlier != null) {
      return earlier.done();
    }
    entries.put(fingerprint, new Entry(done, System.nanoTime()));
    return null;
  }

  /**
   * Adds fingerprints another replica wrote (with their write times, ms), so this replica
   * answers their retries without writing; a fingerprint already here keeps its entry.
   */
  synchronized void learn(Map<String, Long> written) {
    long now = System.nanoTime();
    long wallNow = System.currentTimeMillis();
    written.forEach(
        (fingerprint, writtenMillis) -> {
          long age = Math.max(0, wallNow - writtenMillis) * 1_000_000L;
          if (age < windowNanos) {
            entries.putIfAbsent(
                fingerprint, new Entry(CompletableFuture.completedFuture(null), now - age));
          }
        });
  }

  /** Frees a fingerprint whose write failed, so the client's retry is written. */
  synchronized void release(String fingerprint, CompletableFuture<WalSegment> done) {
    Entry entry = entries.get(fingerprint);
    if (entry != null && entry.done() == done) {
      entries.remove(fingerprint);
    }
  }

  private void expire() {
    long now = System.nanoTime();
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      Entry entry = it.next();
      // Insertion order is time order, except for recovered entries, which are older anyway.
      if (now - entry.atNanos() < windowNanos) {
        break;
      }
      if (entry.done().isDone()) {
        it.remove();
      }
    }
  }
}

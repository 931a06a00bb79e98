package io.icegate.storage.wal;

import io.icegate.storage.parquet.ArrowParquetWriter;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.iceberg.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit into the WAL of one table: appends arriving within {@link #maxDelay} (or until
 * {@link #maxRows} rows are waiting) are written together, one segment per tenant, and every
 * append's future completes only once its segment is durable and visible to scans.
 *
 * <p>One thread per process gathers, and writes through the table's {@link WalStore}: on local
 * disk up to {@link WalStore#concurrentWrites} segments at once, numbered as they complete; on S3
 * one at a time, claiming numbers against other replicas' writers with conditional PUTs. A failed write fails the futures of exactly the appends in that segment;
 * nothing of them is visible, so the clients' retries cannot duplicate rows.
 */
public final class WalWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WalWriter.class);

  private record Append(
      String tenant, VectorSchemaRoot batch, String fingerprint,
      CompletableFuture<WalSegment> done, long bytes) {}

  private static final Append STOP = new Append(null, null, null, null, 0);

  private final WalStore store;
  private final DedupeIndex dedupe;
  private final Schema schema;
  private final String timestampColumn;
  private final Duration maxDelay;
  private final int maxRows;
  private final BlockingQueue<Append> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private boolean closing; // guarded by queue: no append can follow STOP
  // Backpressure: what the queue and the group being written hold, and how much they may hold.
  private long pendingBytes; // guarded by queue
  private long pendingRows; // guarded by queue
  private volatile long maxPendingBytes = Long.MAX_VALUE;
  private volatile long maxPendingRows = Long.MAX_VALUE;

  public WalWriter(
      WalStore store, Schema schema, String timestampColumn, Duration maxDelay,
      int maxRows) {
    this(store, schema, timestampColumn, maxDelay, maxRows, Duration.ofMinutes(5));
  }

  /** With a dedupe window: how long after its ack a request's retry is still recognised. */
  public WalWriter(
      WalStore store, Schema schema, String timestampColumn, Duration maxDelay,
      int maxRows, Duration dedupeWindow) {
    this.store = store;
    this.dedupe = new DedupeIndex(dedupeWindow, store.recoveredFingerprints());
    this.schema = schema;
    this.timestampColumn = timestampColumn;
    this.maxDelay = maxDelay;
    this.maxRows = maxRows;
    this.thread = new Thread(this::run, "wal-writer " + store.location());
    this.thread.setDaemon(false);
    this.thread.start();
  }

  /**
   * Bounds what the writer holds in memory waiting for a commit (queued and being written). An
   * append that would go beyond either bound fails at once with {@link WalOverloadedException},
   * unless nothing at all is pending (so a single batch larger than the bound still gets through).
   */
  public void limitPending(long maxBytes, long maxRows) {
    if (maxBytes <= 0 || maxRows <= 0) {
      throw new IllegalArgumentException("pending limits must be positive");
    }
    this.maxPendingBytes = maxBytes;
    this.maxPendingRows = maxRows;
  }

  /** The bytes of Arrow data queued or being written now. */
  public long pendingBytes() {
    synchronized (queue) {
      return pendingBytes;
    }
  }

  /** The rows queued or being written now. */
  public long pendingRows() {
    synchronized (queue) {
      return pendingRows;
    }
  }

  /** As {@link #append(String, VectorSchemaRoot, String)} for a request that is never retried. */
  public CompletableFuture<WalSegment> append(String tenant, VectorSchemaRoot batch) {
    return append(tenant, batch, null);
  }

  /**
   * Queues {@code batch} (ownership passes to the writer, which closes it) for {@code tenant}.
   * The future completes when the rows are durable and scannable, or fails if they are not.
   *
   * <p>Exactly once: if a request with the same {@code fingerprint} (see {@link
   * RequestFingerprint}) was written within the dedupe window, or is being written now, the batch
   * is dropped and the future is that request's — a retry of an acknowledged request is
   * acknowledged again and stored once. A request whose write failed may be retried in full.
   *
   * <p>Beyond the bounds of {@link #limitPending} the future fails at once with {@link
   * WalOverloadedException} and the batch is closed.
   */
  public CompletableFuture<WalSegment> append(
      String tenant, VectorSchemaRoot batch, String fingerprint) {
    CompletableFuture<WalSegment> done = new CompletableFuture<>();
    WalOverloadedException overloaded;
    synchronized (queue) {
      if (!closing) {
        if (fingerprint != null) {
          CompletableFuture<WalSegment> earlier = dedupe.claim(fingerprint, done);
          if (earlier != null) {
            batch.close();
            return earlier;
          }
        }
        long bytes = sizeOf(batch);
        int rows = batch.getRowCount();
        if ((pendingBytes > 0 || pendingRows > 0)
            && (pendingBytes + bytes > maxPendingBytes || pendingRows + rows > maxPendingRows)) {
          overloaded =
              new WalOverloadedException(
                  "the write-ahead log is behind: " + pendingRows + " rows (" + pendingBytes
                      + " bytes) wait for a commit, limits " + maxPendingRows + " rows, "
                      + maxPendingBytes + " bytes",
                  pendingBytes, pendingRows);
          if (fingerprint != null) {
            dedupe.release(fingerprint, done);
          }
        } else {
          pendingBytes += bytes;
          pendingRows += rows;
          queue.add(new Append(tenant, batch, fingerprint, done, bytes));
          return done;
        }
      } else {
        overloaded = null;
      }
    }
    batch.close();
    if (overloaded != null) {
      done.completeExceptionally(overloaded);
      return done;
    }
    done.completeExceptionally(new IllegalStateException("the WAL is shutting down"));
    return done;
  }

  /**
   * Gathers groups and commits them. With a store that takes several writes at once, up to that
   * many groups are written concurrently on their own threads; a new group starts gathering only
   * when one of them is free, so appends arriving meanwhile join the next group (group commit).
   */
  private void run() {
    int concurrency = store.concurrentWrites();
    Semaphore free = new Semaphore(concurrency);
    ExecutorService committers =
        concurrency == 1
            ? null
            : Executors.newFixedThreadPool(concurrency, r -> {
              Thread t = new Thread(r, "wal-commit " + store.location());
              t.setDaemon(true);
              return t;
            });
    boolean stop = false;
    try {
      while (!stop) {
        List<Append> group = new ArrayList<>();
        try {
          free.acquire();
          boolean submitted = false;
          try {
            Append first = queue.take();
            if (first == STOP) {
              stop = true;
            } else {
              group.add(first);
              stop = gather(group, first.batch().getRowCount());
            }
            if (!group.isEmpty()) {
              if (committers == null) {
                commit(group);
              } else {
                committers.execute(() -> {
                  try {
                    commit(group);
                  } finally {
                    free.release();
                  }
                });
                submitted = true;
              }
            }
          } finally {
            if (!submitted) {
              free.release();
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          stop = true;
        }
      }
    } finally {
      if (committers != null) {
        // Every accepted append is written before close() returns.
        free.acquireUninterruptibly(concurrency);
        committers.shutdown();
      }
    }
  }

  /** Collects more appends until the delay passes or enough rows wait; true if STOP was seen. */
  private boolean gather(List<Append> group, int rows) throws InterruptedException {
    long deadline = System.nanoTime() + maxDelay.toNanos();
    while (rows < maxRows) {
      long wait = deadline - System.nanoTime();
      if (wait <= 0) {
        return false;
      }
      Append next = queue.poll(wait, TimeUnit.NANOSECONDS);
      if (next == null) {
        return false;
      }
      if (next == STOP) {
        return true;
      }
      group.add(next);
      rows += next.batch().getRowCount();
    }
    return false;
  }

  private void commit(List<Append> group) {
    Map<String, List<Append>> byTenant = new LinkedHashMap<>();
    for (Append append : group) {
      byTenant.computeIfAbsent(append.tenant(), t -> new ArrayList<>()).add(append);
    }
    Set<String> elsewhere = learnFromOtherReplicas(group);
    for (var entry : byTenant.entrySet()) {
      List<Append> appends = new ArrayList<>();
      for (Append a : entry.getValue()) {
        if (a.fingerprint() != null && elsewhere.contains(a.fingerprint())) {
          // Another replica stored this very request (a client's retry sent to both): acked
          // without a second copy.
          a.done().complete(null);
          release(a);
        } else {
          appends.add(a);
        }
      }
      if (appends.isEmpty()) {
        continue;
      }
      try {
        WalSegment segment = writeSegment(entry.getKey(), appends);
        appends.forEach(a -> a.done().complete(segment));
      } catch (IOException | RuntimeException e) {
        LOG.error("wal write failed tenant={} appends={}", entry.getKey(), appends.size(), e);
        for (Append a : appends) {
          if (a.fingerprint() != null) {
            dedupe.release(a.fingerprint(), a.done());
          }
          a.done().completeExceptionally(e);
        }
      } finally {
        long bytes = 0;
        long rows = 0;
        for (Append a : appends) {
          bytes += a.bytes();
          rows += a.batch().getRowCount();
          a.batch().close();
        }
        synchronized (queue) {
          pendingBytes -= bytes;
          pendingRows -= rows;
        }
      }
    }
  }

  /**
   * With a shared store: the fingerprints other replicas' segments carry (listed at most once a
   * second), added to the dedupe index so later retries are answered at once; returns those
   * among {@code group}'s. A listing that fails only costs the check: the rows are written, and
   * a copy is still recognised when read and compacted.
   */
  private Set<String> learnFromOtherReplicas(List<Append> group) {
    if (!store.shared() || group.stream().allMatch(a -> a.fingerprint() == null)) {
      return Set.of();
    }
    Map<String, Long> learned;
    try {
      learned = store.learnFingerprints();
    } catch (IOException | RuntimeException e) {
      LOG.debug("listing other replicas' segments failed", e);
      return Set.of();
    }
    if (learned.isEmpty()) {
      return Set.of();
    }
    dedupe.learn(learned);
    Set<String> hits = new HashSet<>();
    for (Append a : group) {
      if (a.fingerprint() != null && learned.containsKey(a.fingerprint())) {
        hits.add(a.fingerprint());
      }
    }
    return hits;
  }

  /** Returns an append's rows to the pending budget and closes its batch. */
  private void release(Append a) {
    long bytes = a.bytes();
    long rows = a.batch().getRowCount();
    a.batch().close();
    synchronized (queue) {
      pendingBytes -= bytes;
      pendingRows -= rows;
    }
  }

  private static long sizeOf(VectorSchemaRoot batch) {
    long bytes = 0;
    for (var vector : batch.getFieldVectors()) {
      bytes += vector.getBufferSize();
    }
    return bytes;
  }

  private WalSegment writeSegment(String tenant, List<Append> appends) throws IOException {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    long rows = 0;
    List<VectorSchemaRoot> batches = new ArrayList<>(appends.size());
    for (Append append : appends) {
      VectorSchemaRoot batch = append.batch();
      TimeStampVector ts = (TimeStampVector) batch.getVector(timestampColumn);
      for (int i = 0; i < batch.getRowCount(); i++) {
        long t = ts.get(i);
        min = Math.min(min, t);
        max = Math.max(max, t);
      }
      rows += batch.getRowCount();
      batches.add(batch);
    }
    // Rows are written in append order: each fingerprinted request's rows are one range.
    StringBuilder fingerprints = new StringBuilder();
    List<WalStore.RequestRows> requests = new ArrayList<>();
    boolean allKeyed = true;
    long firstRow = 0;
    for (Append append : appends) {
      int count = append.batch().getRowCount();
      if (append.fingerprint() != null) {
        fingerprints.append(fingerprints.length() == 0 ? "" : ",").append(append.fingerprint());
        requests.add(new WalStore.RequestRows(append.fingerprint(), firstRow, count));
      } else {
        allKeyed = false;
      }
      firstRow += count;
    }
    Map<String, String> footer =
        Map.of(
            WalDirectory.MIN_TS_KEY, Long.toString(min),
            WalDirectory.MAX_TS_KEY, Long.toString(max),
            WalDirectory.TENANT_KEY, tenant,
            WalDirectory.FINGERPRINTS_KEY, fingerprints.toString(),
            WalDirectory.ALL_KEYED_KEY, Boolean.toString(allKeyed),
            CopiedRequests.REQUEST_ROWS_KEY, CopiedRequests.format(requests));
    WalSegment segment =
        store.write(
            new WalStore.PendingSegment(tenant, min, max, rows, requests),
            out -> ArrowParquetWriter.write(schema, batches, out, footer, ArrowParquetWriter.Options.WAL));
    LOG.debug(
        "wal commit tenant={} sequence={} rows={}", tenant, segment.sequence(), rows);
    return segment;
  }

  /** Stops accepting appends, writes everything already accepted, and waits for the thread. */
  @Override
  public void close() {
    synchronized (queue) {
      if (closing) {
        return;
      }
      closing = true;
      queue.add(STOP);
    }
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package io.icegate.engine.exec;

import io.icegate.storage.scan.ScanSplit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Runs a fragment of a plan — a scan and the filters, projections and pipelines above it — once
 * per split on up to {@code parallelism} threads, and hands its batches on in split order, so
 * the operators above see exactly what a serial scan would give them — or, for consumers that
 * don't depend on order, as they come.
 *
 * <p>Each split has a lane: a small bounded queue its thread fills and the caller drains (in any
 * order, all lanes fill one shared queue). Only {@code parallelism} lanes are open at once (the
 * one being drained and those read ahead), so memory stays bounded by {@code parallelism ×
 * LANE_BATCHES} batches however large the scan.
 *
 * <p>Under a parallel top-N ({@link ExecContext#topNBound}), a split whose file's recorded time
 * range the cut-off already rules out is not read, and one whose file lies wholly beyond a file
 * an earlier lane is still reading waits for that lane first.
 *
 * <p>Closing the operator — at the end, on an error, or early when a limit is reached — stops
 * every thread, waits for it, and frees the batches still queued, so the query's allocator ends
 * empty. An error in a split's thread fails the query with that error.
 */
public final class GatherOperator implements Operator {
  private static final int LANE_BATCHES = 8;
  private static final long POLL_MILLIS = 20;
  private static final Object END = new Object();
  private static final AtomicInteger THREADS = new AtomicInteger();

  /**
   * Threads for split fragments. Unbounded on purpose: a lane's thread may wait for its consumer,
   * so a fixed pool shared by queries could fill with waiting threads. Concurrency is bounded per
   * query by its parallelism instead; idle threads end after a minute.
   */
  private static final ExecutorService POOL =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "icegate-scan-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });

  private final ExecContext context;
  private final List<ScanSplit> splits;
  private final Function<ExecContext, Operator> fragment;
  private final int parallelism;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final List<Lane> lanes = new ArrayList<>();
  /** In any order: the one queue every lane fills; else null (each lane has its own). */
  private final BlockingQueue<Object> shared;
  /** Lanes finished: in split order, the one being drained; in any order, how many ended. */
  private int draining;
  private boolean closed;

  private static final class Lane {
    final BlockingQueue<Object> queue;
    final ScanSplit split;
    Future<?> task;
    /** Set when the split's fragment has ended (rows, error or skip). */
    volatile boolean finished;

    Lane(BlockingQueue<Object> queue, ScanSplit split) {
      this.queue = queue;
      this.split = split;
    }
  }

  /**
   * @param fragment builds one copy of the fragment for a context whose scan reads one split
   */
  public GatherOperator(
      ExecContext context, List<ScanSplit> splits, Function<ExecContext, Operator> fragment) {
    this(context, splits, fragment, true);
  }

  /**
   * @param inSplitOrder whether batches must come in split order; when not (the consumer
   *     doesn't care, e.g. it aggregates), batches are handed on as any split's thread makes
   *     them, so a slow split never holds up the others and every thread stays busy
   */
  public GatherOperator(
      ExecContext context, List<ScanSplit> splits, Function<ExecContext, Operator> fragment,
      boolean inSplitOrder) {
    this.context = context;
    this.splits = List.copyOf(splits);
    this.fragment = fragment;
    this.parallelism = context.parallelism();
    this.shared =
        inSplitOrder ? null : new ArrayBlockingQueue<>(LANE_BATCHES * Math.max(1, parallelism));
  }

  @Override
  public VectorSchemaRoot next() {
    while (draining < splits.size()) {
      openLanesUpTo(draining + parallelism);
      Object item;
      try {
        BlockingQueue<Object> queue = shared != null ? shared : lanes.get(draining).queue;
        item = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new QueryCancelledException("query interrupted", false);
      }
      if (item == null) {
        context.checkContinue();
      } else if (item == END) {
        draining++;
      } else if (item instanceof Throwable t) {
        throw rethrow(t);
      } else {
        return (VectorSchemaRoot) item;
      }
    }
    return null;
  }

  private void openLanesUpTo(int limit) {
    while (lanes.size() < Math.min(limit, splits.size())) {
      ScanSplit split = splits.get(lanes.size());
      Lane lane =
          new Lane(shared != null ? shared : new ArrayBlockingQueue<>(LANE_BATCHES), split);
      List<Lane> earlier = List.copyOf(lanes);
      lanes.add(lane);
      lane.task = POOL.submit(() -> {
        try {
          fill(lane, split, earlier);
        } finally {
          lane.finished = true;
        }
      });
    }
  }

  /** One split's thread: runs the fragment and queues its batches, then END or the error. */
  private void fill(Lane lane, ScanSplit split, List<Lane> earlier) {
    Object last = END;
    TopNBound bound = context.topNBound();
    if (bound != null && !waitForNewer(bound, split, earlier)) {
      put(lane, last); // the top-N's cut-off already rules out every row of this file
      return;
    }
    try (Operator operator = fragment.apply(context.forSplit(split, stopped::get))) {
      for (VectorSchemaRoot batch = operator.next(); batch != null; batch = operator.next()) {
        if (!put(lane, batch)) {
          batch.close();
          return;
        }
      }
    } catch (Throwable t) {
      last = t;
    }
    put(lane, last);
  }

  /**
   * Under a top-N, a split whose file lies wholly beyond the time range of a file still being
   * read by an earlier split (older than all of it, newest first) waits for that split to end:
   * if the newer file holds N rows, its cut-off rules this one out unread. Returns whether the
   * split may still hold rows of the answer.
   */
  private boolean waitForNewer(TopNBound bound, ScanSplit split, List<Lane> earlier) {
    long min = split.file().minTimestampNanos();
    long max = split.file().maxTimestampNanos();
    while (bound.mayKeep(min, max)) {
      boolean waiting = false;
      for (Lane lane : earlier) {
        if (!lane.finished && beyond(bound, lane.split, min, max)) {
          waiting = true;
          break;
        }
      }
      if (!waiting || stopped.get()) {
        return true;
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return true;
      }
    }
    return false;
  }

  /** Whether {@code [min, max]} lies wholly beyond {@code newer}'s file in the top-N's order. */
  private static boolean beyond(TopNBound bound, ScanSplit newer, long min, long max) {
    return bound.descending()
        ? max < newer.file().minTimestampNanos()
        : min > newer.file().maxTimestampNanos();
  }

  /** Queues {@code item}, waiting for room; false when the gather stopped meanwhile. */
  private boolean put(Lane lane, Object item) {
    try {
      while (!stopped.get()) {
        if (lane.queue.offer(item, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
          return true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(t);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopped.set(true);
    boolean interrupted = false;
    for (Lane lane : lanes) {
      while (true) {
        try {
          lane.task.get();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // keep waiting: the thread may still hold this query's memory
        } catch (ExecutionException e) {
          break; // fill() catches everything; nothing to report here
        }
      }
      for (Object item : lane.queue) {
        if (item instanceof VectorSchemaRoot batch) {
          batch.close();
        }
      }
      lane.queue.clear();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}

package io.icegate.engine.exec;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Counters one query accumulates while it runs; read for the API's stats and /metrics. */
public final class QueryStats {
  private final AtomicLong filesScanned = new AtomicLong();
  private final AtomicLong filesPruned = new AtomicLong();
  private final AtomicLong rowsScanned = new AtomicLong();
  private final AtomicLong bytesScanned = new AtomicLong();
  private final AtomicLong heldSamples = new AtomicLong();
  private final Map<Integer, OperatorStats> operators = new ConcurrentHashMap<>();
  private final Map<Integer, AtomicLong> stepOutputs = new ConcurrentHashMap<>();
  private final Map<Integer, AtomicLong> stepHeld = new ConcurrentHashMap<>();

  /** The stats of plan node {@code id} (a Calcite rel id), created on first use. */
  OperatorStats operator(int id, String node) {
    return operators.computeIfAbsent(id, k -> new OperatorStats(node));
  }

  /** Per plan node, by Calcite rel id: what its operators did (see EXPLAIN ANALYZE). */
  public Map<Integer, OperatorStats> operators() {
    return Map.copyOf(operators);
  }

  public void addFiles(long scanned, long pruned) {
    filesScanned.addAndGet(scanned);
    filesPruned.addAndGet(pruned);
  }

  void addBatch(long rows, long bytes) {
    rowsScanned.addAndGet(rows);
    bytesScanned.addAndGet(bytes);
  }

  public long filesScanned() {
    return filesScanned.get();
  }

  public long filesPruned() {
    return filesPruned.get();
  }

  public long rowsScanned() {
    return rowsScanned.get();
  }

  public long bytesScanned() {
    return bytesScanned.get();
  }

  /**
   * Adds the samples a PromQL plan node held, as the evaluator counts them (see {@link
   * io.icegate.engine.series.StepSelection.Held}).
   */
  void addHeldSamples(long samples) {
    heldSamples.addAndGet(samples);
  }

  /** The samples the query's PromQL plan nodes held, as the evaluator counts them. */
  public long heldSamples() {
    return heldSamples.get();
  }

  /** Adds {@code samples} present step values to what PromQL plan node {@code id} emitted. */
  void addStepOutput(int id, long samples) {
    stepOutputs.computeIfAbsent(id, k -> new AtomicLong()).addAndGet(samples);
  }

  /**
   * The step values (samples, as the PromQL evaluator counts floats) PromQL plan node {@code
   * id} (a Calcite rel id) emitted: what its output held once it was done.
   */
  public long stepOutput(int id) {
    AtomicLong n = stepOutputs.get(id);
    return n == null ? 0 : n.get();
  }

  /** Adds the samples PromQL leaf {@code id} held at its peak (see {@link #addHeldSamples}). */
  void addStepHeld(int id, long samples) {
    stepHeld.computeIfAbsent(id, k -> new AtomicLong()).addAndGet(samples);
    addHeldSamples(samples);
  }

  /** The samples PromQL leaf node {@code id} held at its peak, as the evaluator counts them. */
  public long stepHeld(int id) {
    AtomicLong n = stepHeld.get(id);
    return n == null ? 0 : n.get();
  }
}

package io.icegate.engine.exec;

import io.icegate.storage.scan.ScanSplit;
import io.icegate.storage.scan.TableScanner;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.BufferAllocator;

/**
 * What operators of one query share: its allocator (a child with its own limit), the storage
 * scanner, its stats, how many threads its scans may use, and how to tell whether it should stop.
 *
 * <p>A parallel scan ({@link GatherOperator}) runs one copy of the operators above a scan per
 * split, each with a context {@link #forSplit made for that split}: same allocator, stats and
 * deadline, its scan reading only that split, stopped also when the gather stops.
 */
public final class ExecContext {
  private final BufferAllocator allocator;
  private final TableScanner scanner;
  private final QueryStats stats;
  private final long deadlineNanos;
  private final BooleanSupplier cancelled;
  private final int parallelism;
  private final List<ScanSplit> assignedSplits;
  private final TopNBound topNBound;
  private final OptionalLate optionalLate;
  private final java.util.function.Predicate<String> mapKeys;
  /** What a query's operators hand each other past a gather ({@link #shared}). */
  private final java.util.concurrent.ConcurrentMap<Integer, Object> shared;

  /**
   * Columns a scan's consumer needs only for rows whose stream lacks some labels: a LogQL metric
   * query without stages reads only {@code labels} of each entry, and an entry whose stream
   * holds them all keeps its stream's labels as they are, so its structured metadata ({@code
   * columns}) goes unread. The scan tells its reader so per batch ({@code
   * RowFilter.unneededLate}), and the reader steps over those columns unread.
   *
   * @param streamColumn the scan column of the stream's labels (Loki's label-set text)
   */
  public record OptionalLate(List<String> columns, String streamColumn, List<String> labels) {
    public OptionalLate {
      columns = List.copyOf(columns);
      labels = List.copyOf(labels);
    }
  }

  public ExecContext(
      BufferAllocator allocator, TableScanner scanner, long deadlineNanos,
      BooleanSupplier cancelled) {
    this(allocator, scanner, deadlineNanos, cancelled, 1);
  }

  public ExecContext(
      BufferAllocator allocator, TableScanner scanner, long deadlineNanos,
      BooleanSupplier cancelled, int parallelism) {
    this(
        allocator, scanner, new QueryStats(), deadlineNanos, cancelled, parallelism, null, null,
        null, null, new java.util.concurrent.ConcurrentHashMap<>());
  }

  private ExecContext(
      BufferAllocator allocator, TableScanner scanner, QueryStats stats, long deadlineNanos,
      BooleanSupplier cancelled, int parallelism, List<ScanSplit> assignedSplits,
      TopNBound topNBound, OptionalLate optionalLate,
      java.util.function.Predicate<String> mapKeys,
      java.util.concurrent.ConcurrentMap<Integer, Object> shared) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1: " + parallelism);
    }
    this.allocator = allocator;
    this.scanner = scanner;
    this.stats = stats;
    this.deadlineNanos = deadlineNanos;
    this.cancelled = cancelled;
    this.parallelism = parallelism;
    this.assignedSplits = assignedSplits;
    this.topNBound = topNBound;
    this.optionalLate = optionalLate;
    this.mapKeys = mapKeys;
    this.shared = shared;
  }

  /**
   * The context of one split's copy of a fragment: its scan reads only {@code split} (already
   * planned and counted by the gather), and it also stops when {@code stopped} says so.
   */
  public ExecContext forSplit(ScanSplit split, BooleanSupplier stopped) {
    BooleanSupplier parent = cancelled;
    return new ExecContext(
        allocator, scanner, stats, deadlineNanos,
        () -> stopped.getAsBoolean() || parent.getAsBoolean(), 1, List.of(split), topNBound,
        optionalLate, mapKeys, shared);
  }

  /**
   * This context for the fragment under a parallel top-N: its per-split sort offers its cut-off
   * to {@code bound}, and its scan drops (and its reader skips) what the cut-off rules out.
   */
  public ExecContext withTopNBound(TopNBound bound) {
    return new ExecContext(
        allocator, scanner, stats, deadlineNanos, cancelled, parallelism, assignedSplits, bound,
        optionalLate, mapKeys, shared);
  }

  /** This context for the operators below a consumer that declares {@code late} optional. */
  public ExecContext withOptionalLate(OptionalLate late) {
    return new ExecContext(
        allocator, scanner, stats, deadlineNanos, cancelled, parallelism, assignedSplits,
        topNBound, late, mapKeys, shared);
  }

  /**
   * This context for the operators below a consumer that reads, of the attribute maps its scan
   * reads after the filter, only the entries whose key {@code keys} accepts: the scan tells its
   * reader so ({@code RowFilter.mapKeys}), which leaves the other entries out of the maps.
   */
  public ExecContext withMapKeys(java.util.function.Predicate<String> keys) {
    return new ExecContext(
        allocator, scanner, stats, deadlineNanos, cancelled, parallelism, assignedSplits,
        topNBound, optionalLate, keys, shared);
  }

  /** The only map keys the consumer above this context's scan reads, or null for all. */
  public java.util.function.Predicate<String> mapKeys() {
    return mapKeys;
  }

  /** What the consumer above this context's scan may go without, or null. */
  public OptionalLate optionalLate() {
    return optionalLate;
  }

  /** The shared cut-off of the top-N this context's fragment feeds, or null. */
  public TopNBound topNBound() {
    return topNBound;
  }

  /** {@code operator}, counting its batches, rows and time as plan node {@code node}'s. */
  public Operator measure(org.apache.calcite.rel.RelNode node, Operator operator) {
    return new MeasuredOperator(operator, stats.operator(node.getId(), node.getRelTypeName()));
  }

  /**
   * {@code operator}, a PromQL plan node's over step matrices ({@link StepMatrix}), counting the
   * present step values it emits as node {@code node}'s ({@link QueryStats#stepOutput}): the
   * evaluator accounts a composed plan's inner results from them.
   */
  public Operator countSteps(org.apache.calcite.rel.RelNode node, Operator operator) {
    int id = node.getId();
    return new Operator() {
      @Override
      public org.apache.arrow.vector.VectorSchemaRoot next() {
        org.apache.arrow.vector.VectorSchemaRoot batch = operator.next();
        if (batch != null) {
          stats.addStepOutput(id, StepMatrix.presentCount(batch));
        }
        return batch;
      }

      @Override
      public void close() {
        operator.close();
      }
    };
  }

  /**
   * The object plan node {@code node} (a Calcite rel id) of this query shares between its
   * operators — those each split's thread runs and the one above the gather — made by {@code
   * make} on first use.
   */
  @SuppressWarnings("unchecked")
  public <T> T shared(int node, java.util.function.Supplier<T> make) {
    return (T) shared.computeIfAbsent(node, k -> make.get());
  }

  /** How many threads a scan of this query may read with. */
  public int parallelism() {
    return parallelism;
  }

  /** The splits this context's scan must read, or null when the scan plans its own. */
  public List<ScanSplit> assignedSplits() {
    return assignedSplits;
  }

  public BufferAllocator allocator() {
    return allocator;
  }

  public TableScanner scanner() {
    return scanner;
  }

  public QueryStats stats() {
    return stats;
  }

  /** Called by operators between batches: stops a query past its deadline or abandoned. */
  public void checkContinue() {
    if (cancelled.getAsBoolean()) {
      throw new QueryCancelledException("query cancelled", false);
    }
    if (System.nanoTime() - deadlineNanos > 0) {
      throw new QueryCancelledException("query timed out", true);
    }
  }
}

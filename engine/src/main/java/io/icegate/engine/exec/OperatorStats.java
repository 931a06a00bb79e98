package io.icegate.engine.exec;

import java.util.concurrent.atomic.LongAdder;

/**
 * What one plan node's operators did in one query: batches and rows they produced and the time
 * spent inside their {@code next()} — inclusive of their inputs, and summed over the threads of a
 * parallel scan, so a node under a gather can show more time than the query took.
 */
public final class OperatorStats {
  private final String node;
  private final LongAdder nanos = new LongAdder();
  private final LongAdder batches = new LongAdder();
  private final LongAdder rows = new LongAdder();

  OperatorStats(String node) {
    this.node = node;
  }

  /** The plan node's type name, e.g. {@code ArrowFilter}. */
  public String node() {
    return node;
  }

  public long nanos() {
    return nanos.sum();
  }

  public long batches() {
    return batches.sum();
  }

  public long rows() {
    return rows.sum();
  }

  void add(long elapsedNanos, int batchRows) {
    nanos.add(elapsedNanos);
    if (batchRows >= 0) {
      batches.increment();
      rows.add(batchRows);
    }
  }
}

package io.icegate.engine.exec;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every query of this process has read so far, for the server's own /metrics: counters
 * that only grow. Each {@link PlanRunner} run adds its {@link QueryStats} when it ends, whether
 * it succeeded or not.
 */
public final class ScanTotals {
  private static final LongAdder PLANS = new LongAdder();
  private static final LongAdder FILES_SCANNED = new LongAdder();
  private static final LongAdder FILES_PRUNED = new LongAdder();
  private static final LongAdder ROWS_SCANNED = new LongAdder();
  private static final LongAdder BYTES_SCANNED = new LongAdder();
  /** Per plan node type (e.g. {@code ArrowFilter}): time inside its operators, rows out. */
  private static final Map<String, LongAdder> OPERATOR_NANOS = new ConcurrentHashMap<>();
  private static final Map<String, LongAdder> OPERATOR_ROWS = new ConcurrentHashMap<>();

  private ScanTotals() {}

  static void add(QueryStats stats) {
    PLANS.increment();
    FILES_SCANNED.add(stats.filesScanned());
    FILES_PRUNED.add(stats.filesPruned());
    ROWS_SCANNED.add(stats.rowsScanned());
    BYTES_SCANNED.add(stats.bytesScanned());
    for (OperatorStats operator : stats.operators().values()) {
      OPERATOR_NANOS.computeIfAbsent(operator.node(), k -> new LongAdder()).add(operator.nanos());
      OPERATOR_ROWS.computeIfAbsent(operator.node(), k -> new LongAdder()).add(operator.rows());
    }
  }

  /**
   * Seconds spent inside each plan node type's operators, by type name: inclusive of their
   * inputs (a filter's time holds the scan's below it) and summed over a parallel scan's threads.
   */
  public static Map<String, Double> operatorSeconds() {
    Map<String, Double> out = new TreeMap<>();
    OPERATOR_NANOS.forEach((node, nanos) -> out.put(node, nanos.sum() / 1e9));
    return out;
  }

  /** Rows each plan node type's operators produced, by type name. */
  public static Map<String, Long> operatorRows() {
    Map<String, Long> out = new TreeMap<>();
    OPERATOR_ROWS.forEach((node, rows) -> out.put(node, rows.sum()));
    return out;
  }

  /** Physical plans run (a query may run several, e.g. one per range aggregation). */
  public static long plans() {
    return PLANS.sum();
  }

  public static long filesScanned() {
    return FILES_SCANNED.sum();
  }

  public static long filesPruned() {
    return FILES_PRUNED.sum();
  }

  public static long rowsScanned() {
    return ROWS_SCANNED.sum();
  }

  public static long bytesScanned() {
    return BYTES_SCANNED.sum();
  }
}

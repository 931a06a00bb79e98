package io.icegate.engine.exec;

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

  private ScanTotals() {}

  static void add(QueryStats stats) {
    PLANS.increment();
    FILES_SCANNED.add(stats.filesScanned());
    FILES_PRUNED.add(stats.filesPruned());
    ROWS_SCANNED.add(stats.rowsScanned());
    BYTES_SCANNED.add(stats.bytesScanned());
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

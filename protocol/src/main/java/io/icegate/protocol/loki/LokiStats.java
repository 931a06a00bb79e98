package io.icegate.protocol.loki;

/**
 * The {@code summary} block of the statistics Loki attaches to every query result ({@code
 * data.stats.summary}), which Grafana shows in its query inspector. Field names follow Loki's
 * {@code pkg/logqlmodel/stats} JSON; times are seconds as floating point, as there.
 */
public record LokiStats(
    long bytesProcessedPerSecond,
    long linesProcessedPerSecond,
    long totalBytesProcessed,
    long totalLinesProcessed,
    double execTimeSeconds,
    double queueTimeSeconds,
    long totalEntriesReturned) {

  /**
   * A summary computed as Loki's {@code Result.ComputeSummary} does: the per-second rates are the
   * totals divided by the execution time, truncated, and zero when the execution time is zero.
   */
  public static LokiStats summarize(
      long totalBytesProcessed,
      long totalLinesProcessed,
      long execTimeNanos,
      long queueTimeNanos,
      long totalEntriesReturned) {
    double execSeconds = execTimeNanos / 1e9;
    return new LokiStats(
        execTimeNanos == 0 ? 0 : (long) (totalBytesProcessed / execSeconds),
        execTimeNanos == 0 ? 0 : (long) (totalLinesProcessed / execSeconds),
        totalBytesProcessed,
        totalLinesProcessed,
        execSeconds,
        queueTimeNanos / 1e9,
        totalEntriesReturned);
  }
}

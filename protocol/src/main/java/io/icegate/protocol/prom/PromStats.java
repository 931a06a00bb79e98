package io.icegate.protocol.prom;

import java.util.List;

/**
 * The {@code stats} object of a query answer ({@code stats=true|all}): timings in seconds, and the
 * sample counts when the engine keeps them (null leaves {@code samples} out).
 */
public record PromStats(Timings timings, Samples samples) {
  /** The phases of one query, in seconds. */
  public record Timings(
      double evalTotalTime,
      double resultSortTime,
      double queryPreparationTime,
      double innerEvalTime,
      double execQueueTime,
      double execTotalTime) {}

  /**
   * Sample counts; the per-step lists (null to leave them out) hold one entry per evaluation
   * step, only with {@code stats=all}.
   */
  public record Samples(
      List<StepCount> totalQueryableSamplesPerStep,
      long totalQueryableSamples,
      List<StepCount> samplesReadPerStep,
      long samplesRead,
      long peakSamples) {}

  /** A count at an evaluation step. */
  public record StepCount(long timestampMillis, long count) {}
}

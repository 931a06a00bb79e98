package io.icegate.engine.logql.pipeline;

/** One compiled pipeline stage, applied to one entry at a time. */
interface Stage {
  /**
   * Applies the stage to the entry's line and labels; returns the (possibly new) line, or {@code
   * null} when the stage drops the entry.
   */
  String process(long timestampNanos, String line, LabelsBuilder labels);
}

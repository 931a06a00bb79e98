package io.icegate.engine.logql.pipeline;

/**
 * Where an output label of a log query comes from, as Loki's {@code categorize-labels} encoding
 * reports it: the stored stream, the entry's structured metadata, or a pipeline stage.
 */
public enum LabelOrigin {
  STREAM,
  STRUCTURED_METADATA,
  PARSED
}

package io.icegate.logql.ast;

/**
 * One stage after the stream selector. Line filters exist now; parsers, formatters and label
 * filters join this hierarchy in the LogQL issue.
 */
public sealed interface PipelineStage permits LineFilter {}

package io.icegate.logql.ast;

/** {@code | decolorize}: removes ANSI color escape sequences from the line. */
public record Decolorize() implements PipelineStage {}

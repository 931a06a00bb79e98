package io.icegate.logql.ast;

/**
 * {@code | unpack}: reads a line packed by Promtail's pack stage (a JSON object), turns its fields
 * into labels and replaces the line with its {@code _entry} field.
 */
public record UnpackParser() implements PipelineStage {}

package io.icegate.logql.ast;

/**
 * Root of the LogQL syntax tree: a log query ({@link LogSelectorExpr}) or a metric query ({@link
 * SampleExpr}). Every node is an immutable record; consumers switch over the sealed hierarchies
 * rather than visiting.
 */
public sealed interface LogQLExpr permits LogSelectorExpr, SampleExpr {}

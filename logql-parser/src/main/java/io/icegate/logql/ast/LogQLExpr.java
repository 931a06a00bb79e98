package io.icegate.logql.ast;

/**
 * Root of the LogQL syntax tree. Every node is an immutable record; consumers switch over the
 * sealed hierarchy with pattern matching rather than visiting.
 *
 * <p>Only log queries exist so far; metric queries (range aggregations, vector aggregations,
 * binary operations) join this hierarchy in the LogQL issue.
 */
public sealed interface LogQLExpr permits LogSelectorExpr {}

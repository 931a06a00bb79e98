package io.icegate.promql.ast;

/**
 * A PromQL expression. Nodes are immutable records; {@code toString()} prints the expression in
 * Prometheus's canonical form (what its {@code String()} and {@code /api/v1/format_query} give),
 * which parses back to the same tree.
 *
 * <p>Durations (ranges, steps, offsets) are in milliseconds, the unit the Prometheus engine works
 * in; {@code @} timestamps are milliseconds since the epoch.
 */
public sealed interface Expr
    permits AggregateExpr,
        BinaryExpr,
        Call,
        DurationExpr,
        MatrixSelector,
        NumberLiteral,
        ParenExpr,
        StringLiteral,
        SubqueryExpr,
        UnaryExpr,
        VectorSelector {

  /** The type of value the expression evaluates to. */
  ValueType type();

  /** Where the expression is in the query text. */
  PositionRange positionRange();
}

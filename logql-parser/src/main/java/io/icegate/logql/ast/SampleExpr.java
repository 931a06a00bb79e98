package io.icegate.logql.ast;

/**
 * A metric query: an expression whose value is a vector of samples (Loki's {@code SampleExpr}).
 */
public sealed interface SampleExpr extends LogQLExpr
    permits RangeAggregationExpr,
        VectorAggregationExpr,
        BinOpExpr,
        LiteralExpr,
        LabelReplaceExpr,
        VectorExpr {}

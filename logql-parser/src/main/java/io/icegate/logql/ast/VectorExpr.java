package io.icegate.logql.ast;

/** {@code vector(1)}: one series without labels whose value is {@code value} at every step. */
public record VectorExpr(double value) implements SampleExpr {}

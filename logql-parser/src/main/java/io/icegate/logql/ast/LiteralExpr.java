package io.icegate.logql.ast;

/** A number: {@code 5}, {@code -1.5}, {@code 1e3}; a scalar in binary operations. */
public record LiteralExpr(double value) implements SampleExpr {}

package io.icegate.promql.ast;

/**
 * A subquery: {@code rate(x[5m])[1h:1m]}, evaluated at each step over the range.
 *
 * @param rangeMillis the range; 0 when {@code rangeExpr} gives it
 * @param rangeExpr the range as an (experimental) duration expression, else null
 * @param stepMillis the step; 0 when not written ({@code [1h:]}: the engine's default) or when
 *     {@code stepExpr} gives it
 * @param stepExpr the step as an (experimental) duration expression, else null
 * @param offsetMillis the offset, negative for {@code offset -5m}; 0 when there is none
 * @param offsetExpr the offset as an (experimental) duration expression, else null
 * @param at the {@code @} modifier, or null
 */
public record SubqueryExpr(
    Expr expr,
    long rangeMillis,
    DurationExpr rangeExpr,
    long stepMillis,
    DurationExpr stepExpr,
    long offsetMillis,
    DurationExpr offsetExpr,
    AtModifier at,
    PositionRange positionRange)
    implements Expr {

  @Override
  public ValueType type() {
    return ValueType.MATRIX;
  }

  @Override
  public String toString() {
    String range = rangeExpr != null ? rangeExpr.toString() : Printer.duration(rangeMillis);
    String step = stepMillis != 0 ? Printer.duration(stepMillis) : stepExpr != null ? stepExpr.toString() : "";
    return expr
        + "["
        + range
        + ":"
        + step
        + "]"
        + (at == null ? "" : at.toString())
        + Printer.offset(offsetMillis, offsetExpr);
  }
}

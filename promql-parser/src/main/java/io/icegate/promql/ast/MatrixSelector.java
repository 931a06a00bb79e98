package io.icegate.promql.ast;

/**
 * A range vector selector: {@code http_requests_total{job="api"}[5m]}. Its offset, {@code @} and
 * range modifier are those of {@code vectorSelector}, as in Prometheus.
 *
 * @param rangeMillis the range; 0 when {@code rangeExpr} gives it
 * @param rangeExpr the range when it is an (experimental) duration expression, else null
 */
public record MatrixSelector(
    VectorSelector vectorSelector, long rangeMillis, DurationExpr rangeExpr, PositionRange positionRange)
    implements Expr {

  @Override
  public ValueType type() {
    return ValueType.MATRIX;
  }

  @Override
  public String toString() {
    VectorSelector vs = vectorSelector;
    String range = rangeExpr != null ? rangeExpr.toString() : Printer.duration(rangeMillis);
    return vs.withoutModifiers()
        + "["
        + range
        + "]"
        + vs.rangeModifier()
        + (vs.at() == null ? "" : vs.at().toString())
        + Printer.offset(vs.offsetMillis(), vs.offsetExpr());
  }
}

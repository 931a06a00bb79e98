package io.icegate.promql.ast;

/**
 * A number: {@code 1}, {@code -2.5e3}, {@code 0x1F}, {@code Inf}, {@code NaN}. A duration written
 * where a number is expected ({@code time() - 5m}) is its number of seconds, and {@code duration}
 * remembers it was written as a duration so that it prints as one.
 */
public record NumberLiteral(double value, boolean duration, PositionRange positionRange)
    implements Expr {

  @Override
  public ValueType type() {
    return ValueType.SCALAR;
  }

  @Override
  public String toString() {
    if (duration) {
      // Prometheus converts the seconds to whole nanoseconds first (truncating), then prints.
      long nanos = (long) (value * 1e9);
      return Printer.duration(nanos / 1_000_000);
    }
    return Printer.number(value);
  }
}

package io.icegate.promql.ast;

/**
 * A string: {@code "abc"}, {@code 'abc'} or {@code `abc`}, with escapes resolved. Bytes from
 * {@code \x} or octal escapes that do not form UTF-8 are kept as the code points U+DC80 to U+DCFF
 * (one per byte, as in Python's "surrogateescape"), so that they print back as {@code \xNN} and a
 * later check can tell the value is not valid UTF-8, as Prometheus does.
 */
public record StringLiteral(String value, PositionRange positionRange) implements Expr {

  @Override
  public ValueType type() {
    return ValueType.STRING;
  }

  @Override
  public String toString() {
    return Printer.quote(value);
  }
}

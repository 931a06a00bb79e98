package io.icegate.promql;

import io.icegate.promql.ast.PositionRange;

/**
 * A query that is not valid PromQL. The message is worded as Prometheus words it
 * ({@code ParseErr.Error()}), so clients that show Prometheus's errors show ours the same way:
 * {@code 1:5: parse error: unexpected <op:*>}, where {@code 1:5} is the line and column of the
 * start of the offending part, both from 1, the column counted in UTF-8 bytes as Prometheus does.
 * For an empty query Prometheus has no position: {@code unknown position: parse error: no
 * expression found in input}.
 *
 * <p>The message never names a Java class and never carries a stack trace.
 */
public final class PromQLParseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int line;
  private final int column;
  private final PositionRange positionRange;
  private final String detail;

  PromQLParseException(QueryText query, PositionRange positionRange, String detail) {
    super(format(query, positionRange, detail), null, false, false);
    int[] lineColumn = query.lineColumn(positionRange.start());
    this.line = lineColumn[0];
    this.column = lineColumn[1];
    this.positionRange = positionRange;
    this.detail = detail;
  }

  /** The line of the error, from 1; 0 for an empty query. */
  public int line() {
    return line;
  }

  /** The column of the error in UTF-8 bytes, from 1; 0 for an empty query. */
  public int column() {
    return column;
  }

  /** The part of the query the error is about, in UTF-8 bytes, as Prometheus reports it. */
  public PositionRange positionRange() {
    return positionRange;
  }

  /** What is wrong, without the position and {@code parse error:} prefix. */
  public String detail() {
    return detail;
  }

  private static String format(QueryText query, PositionRange range, String detail) {
    if (query.text().isEmpty()) {
      return "unknown position: parse error: " + detail;
    }
    int[] lineColumn = query.lineColumn(range.start());
    return lineColumn[0] + ":" + lineColumn[1] + ": parse error: " + detail;
  }
}

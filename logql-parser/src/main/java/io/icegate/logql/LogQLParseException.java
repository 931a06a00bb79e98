package io.icegate.logql;

/**
 * A query that is not valid LogQL. The message is worded as Loki words it, so clients that show
 * Loki's errors show ours the same way:
 *
 * <ul>
 *   <li>{@code parse error at line 1, col 11: syntax error: unexpected $end, expecting } or ,} for
 *       an error at a place in the query (line and column count from 1, columns in characters);
 *   <li>{@code parse error : queries require at least one regexp or equality matcher ...} for an
 *       error about the query as a whole, which Loki reports at line 0, column 0.
 * </ul>
 *
 * <p>The message never names a Java class and never carries a stack trace.
 */
public final class LogQLParseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int line;
  private final int column;
  private final String detail;

  private LogQLParseException(int line, int column, String detail) {
    super(format(line, column, detail));
    this.line = line;
    this.column = column;
    this.detail = detail;
  }

  /** An error at a place in the query: {@code line} and {@code column} count from 1. */
  static LogQLParseException at(int line, int column, String detail) {
    return new LogQLParseException(line, column, detail);
  }

  /** An error about the query as a whole, without a position (line and column are 0). */
  static LogQLParseException withoutPosition(String detail) {
    return new LogQLParseException(0, 0, detail);
  }

  /** The line of the error, from 1; 0 when the error has no position. */
  public int line() {
    return line;
  }

  /** The column of the error in characters, from 1; 0 when the error has no position. */
  public int column() {
    return column;
  }

  /** What is wrong, without the {@code parse error} prefix and position. */
  public String detail() {
    return detail;
  }

  // Loki's ParseError prints the position unless both parts are 0 (then "parse error : msg").
  private static String format(int line, int column, String detail) {
    if (line == 0 && column == 0) {
      return "parse error : " + detail;
    }
    return "parse error at line " + line + ", col " + column + ": " + detail;
  }
}

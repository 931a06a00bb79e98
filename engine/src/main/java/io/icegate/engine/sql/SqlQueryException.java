package io.icegate.engine.sql;

/**
 * Why a SQL statement was refused or failed, in words for its author. {@link Kind#isClientError}
 * tells the statement's own faults (the API answers them 400) from what went wrong running it.
 */
public final class SqlQueryException extends RuntimeException {
  /** What kind of failure this is. */
  public enum Kind {
    /** Not SQL our parser reads. */
    PARSE,
    /** SQL that names unknown tables or columns, or mixes types. */
    VALIDATION,
    /** Valid SQL this engine does not run (joins, window functions, set operations, …). */
    UNSUPPORTED,
    /** The answer has more rows than the configured maximum. */
    TOO_MANY_ROWS,
    /** The data made an expression fail (a bad cast, division by zero). */
    EXECUTION;

    public boolean isClientError() {
      return this == PARSE || this == VALIDATION || this == UNSUPPORTED;
    }
  }

  private final Kind kind;

  public SqlQueryException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public SqlQueryException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}

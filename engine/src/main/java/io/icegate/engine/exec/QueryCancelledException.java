package io.icegate.engine.exec;

/** The query passed its deadline or its client went away. */
public final class QueryCancelledException extends RuntimeException {
  private final boolean timeout;

  public QueryCancelledException(String message, boolean timeout) {
    super(message);
    this.timeout = timeout;
  }

  public boolean timeout() {
    return timeout;
  }
}

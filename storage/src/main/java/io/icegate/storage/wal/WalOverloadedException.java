package io.icegate.storage.wal;

/**
 * An append refused because the WAL writer already holds as much uncommitted data as it may: the
 * writer is falling behind, and the caller should tell its client to retry later rather than let
 * the backlog (and the heap) grow.
 */
public final class WalOverloadedException extends RuntimeException {
  private final long pendingBytes;
  private final long pendingRows;

  public WalOverloadedException(String message, long pendingBytes, long pendingRows) {
    super(message, null, false, false);
    this.pendingBytes = pendingBytes;
    this.pendingRows = pendingRows;
  }

  /** The bytes waiting for a commit when the append was refused. */
  public long pendingBytes() {
    return pendingBytes;
  }

  /** The rows waiting for a commit when the append was refused. */
  public long pendingRows() {
    return pendingRows;
  }
}

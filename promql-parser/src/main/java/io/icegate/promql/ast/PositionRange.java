package io.icegate.promql.ast;

/**
 * Where a node is in the query text: {@code [start, end)} in UTF-8 bytes from the start of the
 * query, as Prometheus counts positions (its warnings and errors print them as line:column, the
 * column in bytes too).
 */
public record PositionRange(int start, int end) {
  public PositionRange {
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("bad position range [" + start + ", " + end + ")");
    }
  }

  /** The smallest range holding both. */
  public PositionRange union(PositionRange other) {
    return new PositionRange(Math.min(start, other.start), Math.max(end, other.end));
  }
}

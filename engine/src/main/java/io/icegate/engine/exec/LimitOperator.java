package io.icegate.engine.exec;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * {@code OFFSET m} / {@code LIMIT n} without an order: passes its input's batches on, skipping
 * the first {@code offset} rows and ending after {@code fetch}, slicing the batches at the
 * edges. Nothing is held, and once the last row has passed the input is closed at once, so a
 * scan under it stops reading (and a streamed answer releases its query) without waiting for
 * the end of the data.
 */
public final class LimitOperator implements Operator {
  private Operator input;
  private long toSkip;
  private long left;

  /**
   * @param fetch the most rows passed on; {@code Long.MAX_VALUE} for no limit
   */
  public LimitOperator(Operator input, long offset, long fetch) {
    this.input = input;
    this.toSkip = offset;
    this.left = fetch;
  }

  @Override
  public VectorSchemaRoot next() {
    while (input != null && left > 0) {
      VectorSchemaRoot batch = input.next();
      if (batch == null) {
        break;
      }
      int rows = batch.getRowCount();
      if (toSkip >= rows) {
        toSkip -= rows;
        batch.close();
        continue;
      }
      int from = (int) toSkip;
      int count = (int) Math.min(rows - from, left);
      toSkip = 0;
      left -= count;
      if (from == 0 && count == rows) {
        return batch;
      }
      try (batch) {
        return batch.slice(from, count);
      }
    }
    close();
    return null;
  }

  @Override
  public void close() {
    if (input != null) {
      Operator open = input;
      input = null;
      open.close();
    }
  }
}

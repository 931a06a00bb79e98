package io.icegate.engine.exec;

import io.icegate.storage.scan.RowFilter;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cut-off of a parallel top-N by one timestamp column, shared by the splits' threads: once
 * any split holds {@code N} rows (that passed every filter and pipeline stage), its {@code N}-th
 * best timestamp is a value every row of the answer reaches, so a row strictly beyond it can't be
 * in the answer and need not be read at all. Rows equal to it are kept: ties are settled by the
 * sort. Splits {@linkplain #offer offer} their cut-offs, scans {@linkplain #keeps ask} per row,
 * readers per row group ({@link #mayKeep}), the gather per file.
 */
public final class TopNBound implements RowFilter.ColumnBound {
  private final String column;
  private final boolean descending;
  private final AtomicLong cutoff;

  /**
   * @param descending newest first (the answer keeps the greatest values), else oldest first
   */
  public TopNBound(String column, boolean descending) {
    this.column = column;
    this.descending = descending;
    this.cutoff = new AtomicLong(unbounded());
  }

  @Override
  public String column() {
    return column;
  }

  public boolean descending() {
    return descending;
  }

  /** Tightens the cut-off to {@code nthBest}, a split's N-th best value, if that is tighter. */
  public void offer(long nthBest) {
    if (descending) {
      cutoff.accumulateAndGet(nthBest, Math::max);
    } else {
      cutoff.accumulateAndGet(nthBest, Math::min);
    }
  }

  /** The current cut-off; {@link #unbounded()} until a split offers one. */
  public long cutoff() {
    return cutoff.get();
  }

  /** The cut-off that rules nothing out: the least value newest first, else the greatest. */
  public long unbounded() {
    return descending ? Long.MIN_VALUE : Long.MAX_VALUE;
  }

  /** Whether a row with {@code value} may still be in the answer. */
  public boolean keeps(long value) {
    long c = cutoff.get();
    return descending ? value >= c : value <= c;
  }

  @Override
  public boolean mayKeep(long min, long max) {
    return descending ? keeps(max) : keeps(min);
  }

  /**
   * Sets {@code within[i]}, for each of the first {@code rows} of {@code values}, to whether the
   * value reaches {@code cutoff} in the top-N's order (is at least as good; nulls always do), and
   * returns how many do; -1 (and nothing set) when {@code values} is not a column of 8-byte
   * values.
   */
  static int markReaching(
      FieldVector values, int rows, long cutoff, boolean descending, boolean[] within) {
    if (!(values instanceof BaseFixedWidthVector fixed) || fixed.getTypeWidth() != Long.BYTES) {
      return -1;
    }
    ArrowBuf data = fixed.getDataBuffer();
    int count = 0;
    for (int i = 0; i < rows; i++) {
      long v = data.getLong((long) i * Long.BYTES);
      boolean reaches = (descending ? v >= cutoff : v <= cutoff) || fixed.isNull(i);
      within[i] = reaches;
      count += reaches ? 1 : 0;
    }
    return count;
  }

  @Override
  public String toString() {
    return column + (descending ? " >= " : " <= ") + cutoff.get();
  }
}

package io.icegate.storage.wal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Row positions of one Parquet file (0 = its first row, in file order), as sorted, disjoint,
 * half-open ranges {@code [start, end)}. A WAL segment carries the ranges that hold copies of
 * requests stored in lower-numbered segments: scans and compaction skip exactly those rows.
 */
public final class RowRanges {
  /** No rows. */
  public static final RowRanges NONE = new RowRanges(new long[0], new long[0]);

  private final long[] starts;
  private final long[] ends;

  private RowRanges(long[] starts, long[] ends) {
    this.starts = starts;
    this.ends = ends;
  }

  /**
   * The union of {@code ranges}, each {@code {firstRow, rowCount}}; empty ranges are dropped,
   * overlapping and touching ones merged.
   */
  public static RowRanges of(List<long[]> ranges) {
    List<long[]> sorted = new ArrayList<>();
    for (long[] range : ranges) {
      if (range[0] < 0 || range[1] < 0) {
        throw new IllegalArgumentException("negative row range " + Arrays.toString(range));
      }
      if (range[1] > 0) {
        sorted.add(new long[] {range[0], range[0] + range[1]});
      }
    }
    if (sorted.isEmpty()) {
      return NONE;
    }
    sorted.sort(Comparator.comparingLong(r -> r[0]));
    long[] starts = new long[sorted.size()];
    long[] ends = new long[sorted.size()];
    int n = 0;
    for (long[] r : sorted) {
      if (n > 0 && r[0] <= ends[n - 1]) {
        ends[n - 1] = Math.max(ends[n - 1], r[1]);
      } else {
        starts[n] = r[0];
        ends[n] = r[1];
        n++;
      }
    }
    return new RowRanges(Arrays.copyOf(starts, n), Arrays.copyOf(ends, n));
  }

  /** The single range {@code [firstRow, firstRow + rowCount)}. */
  public static RowRanges of(long firstRow, long rowCount) {
    return of(List.<long[]>of(new long[] {firstRow, rowCount}));
  }

  public boolean isEmpty() {
    return starts.length == 0;
  }

  /** How many rows the ranges hold. */
  public long rows() {
    long total = 0;
    for (int i = 0; i < starts.length; i++) {
      total += ends[i] - starts[i];
    }
    return total;
  }

  /** Whether every position in {@code [0, rows)} is in a range. */
  public boolean coversFirst(long rows) {
    return rows == 0 || (starts.length > 0 && starts[0] == 0 && ends[0] >= rows);
  }

  public boolean contains(long position) {
    int i = Arrays.binarySearch(starts, position);
    if (i >= 0) {
      return true;
    }
    int before = -i - 2; // the last range starting before position
    return before >= 0 && position < ends[before];
  }

  /**
   * For the {@code rows} rows at positions {@code first, first + 1, …}: sets {@code keep[i]} to
   * whether row {@code first + i} is outside every range; returns how many are.
   */
  public int keep(long first, int rows, boolean[] keep) {
    Arrays.fill(keep, 0, rows, true);
    int kept = rows;
    long last = first + rows; // exclusive
    int i = Arrays.binarySearch(starts, first);
    i = i >= 0 ? i : Math.max(0, -i - 2);
    for (; i < starts.length && starts[i] < last; i++) {
      long from = Math.max(starts[i], first);
      long to = Math.min(ends[i], last);
      for (long p = from; p < to; p++) {
        keep[(int) (p - first)] = false;
        kept--;
      }
    }
    return kept;
  }

  /** The ranges as {@code {firstRow, rowCount}} pairs, in order. */
  public List<long[]> ranges() {
    List<long[]> out = new ArrayList<>(starts.length);
    for (int i = 0; i < starts.length; i++) {
      out.add(new long[] {starts[i], ends[i] - starts[i]});
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RowRanges other
        && Arrays.equals(starts, other.starts)
        && Arrays.equals(ends, other.ends);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(starts) + Arrays.hashCode(ends);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < starts.length; i++) {
      s.append(i == 0 ? "[" : " [").append(starts[i]).append(", ").append(ends[i]).append(')');
    }
    return s.length() == 0 ? "none" : s.toString();
  }
}

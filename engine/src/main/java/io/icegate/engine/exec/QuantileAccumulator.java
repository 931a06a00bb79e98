package io.icegate.engine.exec;

import io.icegate.engine.exec.AggregateFunction.Kind;
import java.util.Arrays;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * {@code PERCENTILE_CONT}, {@code PERCENTILE_DISC} and PromQL's {@code quantile} per group. A
 * quantile needs all of its group's values, so each non-null value is appended with its group
 * id to two flat arrays (no object per group or row); when the result is first asked for, one
 * counting sort by group lays every group's values out contiguously, and the shared kernel
 * ({@link Quantiles}) selects the ranks it needs from each group's range. φ is read from its own column (a
 * constant the planner projected); each group takes the φ of its first row.
 *
 * <p>Integer values are kept as longs, so {@code PERCENTILE_DISC} of a BIGINT is exact.
 */
final class QuantileAccumulator extends Accumulator {
  private final Kind kind;
  private final int phiArg;
  private final int valueArg;
  private final boolean integers;
  private final Numbers phiIn = new Numbers();
  private final Numbers in = new Numbers();
  private double[] phi = new double[16];
  private boolean[] phiSeen = new boolean[16];
  private int groupCount;
  private int size;
  private int[] groupOf = new int[1024];
  private double[] doubles;
  private long[] longs;
  /** After {@link #layOut}: group g's values are at [start[g], start[g + 1]), sorted. */
  private int[] start;
  /** The values kept, counted against the query's memory limit. */
  private final HeapBudget budget;

  QuantileAccumulator(
      Kind kind, int phiArg, int valueArg, boolean integers, HeapBudget budget) {
    this.budget = budget;
    budget.grow(1024L * (Integer.BYTES + Long.BYTES));
    this.kind = kind;
    this.phiArg = phiArg;
    this.valueArg = valueArg;
    this.integers = integers;
    if (integers) {
      longs = new long[1024];
    } else {
      doubles = new double[1024];
    }
  }

  @Override
  void grow(int groups) {
    if (groups > phi.length) {
      int length = Math.max(groups, phi.length * 2);
      phi = Arrays.copyOf(phi, length);
      phiSeen = Arrays.copyOf(phiSeen, length);
    }
    groupCount = Math.max(groupCount, groups);
  }

  @Override
  void add(VectorSchemaRoot batch, int[] groups, int rows) {
    boolean phiWanted = false;
    for (int r = 0; r < rows && !phiWanted; r++) {
      phiWanted = !phiSeen[groups[r]];
    }
    in.decode(batch.getVector(valueArg), rows, excluded);
    boolean[] nulls = in.nulls;
    boolean hasNulls = in.hasNulls;
    if (size + rows > groupOf.length) {
      int length = Math.max(size + rows, groupOf.length * 2);
      budget.grow((long) (length - groupOf.length) * (Integer.BYTES + Long.BYTES));
      groupOf = Arrays.copyOf(groupOf, length);
      if (integers) {
        longs = Arrays.copyOf(longs, length);
      } else {
        doubles = Arrays.copyOf(doubles, length);
      }
    }
    int n = size;
    if (integers) {
      long[] v = in.longs;
      for (int r = 0; r < rows; r++) {
        if (!hasNulls || !nulls[r]) {
          groupOf[n] = groups[r];
          longs[n++] = v[r];
        }
      }
    } else {
      double[] v = in.asDoubles(rows);
      for (int r = 0; r < rows; r++) {
        if (!hasNulls || !nulls[r]) {
          groupOf[n] = groups[r];
          doubles[n++] = v[r];
        }
      }
    }
    if (phiWanted) {
      // Only while some group of the batch has no φ yet: φ is a constant column.
      double[] q = phiIn.decodeDoubles(batch.getVector(phiArg), rows);
      for (int r = 0; r < rows; r++) {
        int g = groups[r];
        if (!phiSeen[g] && (!phiIn.hasNulls || !phiIn.nulls[r])) {
          phi[g] = q[r];
          phiSeen[g] = true;
        }
      }
    }
    size = n;
  }

  @Override
  void write(FieldVector out, int from, int count) {
    if (start == null) {
      layOut();
    }
    for (int i = 0; i < count; i++) {
      int g = from + i;
      int lo = start[g];
      int hi = start[g + 1];
      if (lo == hi || !phiSeen[g]) {
        out.setNull(i);
        continue;
      }
      double q = phi[g];
      if (kind != Kind.QUANTILE && !(q >= 0 && q <= 1)) {
        throw new IllegalArgumentException(
            kind + " fraction must be between 0 and 1, got " + q);
      }
      switch (kind) {
        case QUANTILE -> putDouble(out, i, Quantiles.prometheus(q, asDoubles(lo, hi), lo, hi));
        case PERCENTILE_CONT -> putDouble(out, i, Quantiles.continuous(q, asDoubles(lo, hi), lo, hi));
        default -> {
          if (integers) {
            putLong(out, i, Quantiles.discrete(q, longs, lo, hi));
          } else {
            putDouble(out, i, Quantiles.discrete(q, doubles, lo, hi));
          }
        }
      }
    }
  }

  /** The values as doubles, integers converted in place of the doubles array. */
  private double[] asDoubles(int lo, int hi) {
    if (!integers) {
      return doubles;
    }
    if (doubles == null) {
      doubles = new double[size];
    }
    for (int j = lo; j < hi; j++) {
      doubles[j] = longs[j];
    }
    return doubles;
  }

  @Override
  public void close() {
    budget.close();
  }

  /** Counting sort of the appended values by group: each group's values become contiguous. */
  private void layOut() {
    // The values are copied once more, into group order (and integers once more, as doubles).
    budget.grow((long) size * Long.BYTES * (integers ? 2 : 1) + 4L * groupCount);
    start = new int[groupCount + 2];
    for (int j = 0; j < size; j++) {
      start[groupOf[j] + 1]++;
    }
    for (int g = 0; g <= groupCount; g++) {
      start[g + 1] += start[g];
    }
    int[] next = Arrays.copyOf(start, groupCount + 1);
    if (integers) {
      long[] grouped = new long[size];
      for (int j = 0; j < size; j++) {
        grouped[next[groupOf[j]]++] = longs[j];
      }
      longs = grouped;
      doubles = null;
    } else {
      double[] grouped = new double[size];
      for (int j = 0; j < size; j++) {
        grouped[next[groupOf[j]]++] = doubles[j];
      }
      doubles = grouped;
    }
    groupOf = null;
  }
}

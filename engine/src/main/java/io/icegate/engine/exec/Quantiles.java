package io.icegate.engine.exec;

import java.util.Arrays;

/**
 * The quantile kernels, shared by PromQL's {@code quantile} and {@code quantile_over_time} and
 * by the hash aggregate's {@code PERCENTILE_CONT}, {@code PERCENTILE_DISC} and {@code QUANTILE}:
 * each works on a range of a {@code double[]} that it sorts in place.
 */
public final class Quantiles {
  private Quantiles() {}

  /**
   * Prometheus's {@code quantile(φ, …)}: values sorted ascending with NaNs first (Go's {@code
   * sort.Float64s}), then linear interpolation at rank {@code φ·(n−1)} between the two closest
   * values. No value or a NaN φ gives NaN; φ below 0 gives −Inf, above 1 +Inf. Sorts {@code
   * v[from, to)}.
   */
  public static double prometheus(double q, double[] v, int from, int to) {
    if (to == from || Double.isNaN(q)) {
      return Double.NaN;
    }
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    sortNaNFirst(v, from, to);
    return interpolate(q, v, from, to);
  }

  /**
   * SQL's {@code PERCENTILE_CONT(φ)}: interpolation at rank φ·(n−1) over values sorted as SQL
   * sorts them, NaN after every number (PostgreSQL's and DuckDB's order). φ must lie in [0, 1] (the
   * caller checks). Sorts {@code v[from, to)}; NaN over no value (the caller makes that NULL).
   */
  public static double continuous(double q, double[] v, int from, int to) {
    if (to == from) {
      return Double.NaN;
    }
    Arrays.sort(v, from, to);
    // As PostgreSQL and DuckDB: a whole rank is that value (no 0 · NaN term), else lo + d·(hi −
    // lo) — so between -Inf and a number it is NaN, where Prometheus's weighted sum gives -Inf.
    double rank = q * (to - from - 1);
    int lower = (int) Math.floor(rank);
    double lo = v[from + lower];
    if (rank == lower) {
      return lo;
    }
    return lo + (rank - lower) * (v[from + lower + 1] - lo);
  }

  /**
   * SQL's {@code PERCENTILE_DISC(φ)}: the position, counted from 0 in ascending order, of the
   * first of {@code n} values whose cumulative share reaches φ — {@code ⌈φ·n⌉ − 1}, at least 0.
   */
  public static int discreteIndex(double q, int n) {
    return (int) Math.max(0, Math.min(n - 1, Math.ceil(q * n) - 1));
  }

  private static double interpolate(double q, double[] v, int from, int to) {
    int n = to - from;
    double rank = q * (n - 1);
    int lower = (int) Math.max(0, Math.floor(rank));
    int upper = Math.min(n - 1, lower + 1);
    double weight = rank - Math.floor(rank);
    return v[from + lower] * (1 - weight) + v[from + upper] * weight;
  }

  /** Sorts {@code v[from, to)} ascending with NaNs first, the order Go's sort.Float64s gives. */
  public static void sortNaNFirst(double[] v, int from, int to) {
    Arrays.sort(v, from, to);
    int nans = 0;
    for (int i = to - 1; i >= from && Double.isNaN(v[i]); i--) {
      nans++;
    }
    if (nans > 0) {
      System.arraycopy(v, from, v, from + nans, to - from - nans);
      Arrays.fill(v, from, from + nans, Double.NaN);
    }
  }
}

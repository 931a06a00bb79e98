package io.icegate.engine.exec;

/**
 * The quantile kernels, shared by PromQL's {@code quantile} and {@code quantile_over_time} and
 * by the hash aggregate's {@code PERCENTILE_CONT}, {@code PERCENTILE_DISC} and {@code QUANTILE}.
 * Each works on a range of an array that it reorders in place: it doesn't sort the range but
 * selects the one or two ranks it needs (quickselect, linear on average), NaNs set apart first.
 */
public final class Quantiles {
  private Quantiles() {}

  /**
   * Prometheus's {@code quantile(φ, …)}: the values in the order of Go's {@code sort.Float64s}
   * (ascending, NaNs first), then {@code v[lo]·(1−d) + v[hi]·d} at rank {@code φ·(n−1)} between
   * the two closest values. No value or a NaN φ gives NaN; φ below 0 gives −Inf, above 1 +Inf.
   * Reorders {@code v[from, to)}.
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
    int numbers = nansFirst(v, from, to);
    double rank = q * (to - from - 1);
    int lower = (int) Math.max(0, Math.floor(rank));
    int upper = Math.min(to - from - 1, lower + 1);
    double weight = rank - Math.floor(rank);
    double lo = rankAmongNumbersAfter(v, from + lower, numbers, to);
    double hi = upper == lower ? lo : nextAfter(v, from + lower, numbers, to);
    return lo * (1 - weight) + hi * weight;
  }

  /**
   * SQL's {@code PERCENTILE_CONT(φ)}: interpolation at rank φ·(n−1) over values sorted as SQL
   * sorts them, NaN after every number (PostgreSQL's and DuckDB's order). φ must lie in [0, 1]
   * (the caller checks). Reorders {@code v[from, to)}; NaN over no value (the caller makes that
   * NULL).
   */
  public static double continuous(double q, double[] v, int from, int to) {
    if (to == from) {
      return Double.NaN;
    }
    int end = nansLast(v, from, to);
    // As PostgreSQL and DuckDB: a whole rank is that value (no 0 · NaN term), else lo + d·(hi −
    // lo) — so between -Inf and a number it is NaN, where Prometheus's weighted sum gives -Inf.
    double rank = q * (to - from - 1);
    int lower = (int) Math.floor(rank);
    double lo = rankAmongNumbersBefore(v, from, end, from + lower);
    if (rank == lower) {
      return lo;
    }
    double hi = from + lower + 1 >= end ? Double.NaN : min(v, from + lower + 1, end);
    return lo + (rank - lower) * (hi - lo);
  }

  /** SQL's {@code PERCENTILE_DISC(φ)} of doubles: the value at {@link #discreteIndex}. */
  public static double discrete(double q, double[] v, int from, int to) {
    int end = nansLast(v, from, to);
    return rankAmongNumbersBefore(v, from, end, from + discreteIndex(q, to - from));
  }

  /** SQL's {@code PERCENTILE_DISC(φ)} of integers, exactly. Reorders {@code v[from, to)}. */
  public static long discrete(double q, long[] v, int from, int to) {
    return select(v, from, to, from + discreteIndex(q, to - from));
  }

  /**
   * SQL's {@code PERCENTILE_DISC(φ)}: the position, counted from 0 in ascending order, of the
   * first of {@code n} values whose cumulative share reaches φ — {@code ⌈φ·n⌉ − 1}, at least 0.
   */
  public static int discreteIndex(double q, int n) {
    return (int) Math.max(0, Math.min(n - 1, Math.ceil(q * n) - 1));
  }

  /** The value at {@code at} with NaNs in [from, numbers) and numbers in [numbers, to). */
  private static double rankAmongNumbersAfter(double[] v, int at, int numbers, int to) {
    return at < numbers ? Double.NaN : select(v, numbers, to, at);
  }

  /** The value after {@code at} once {@code at} was selected (NaNs first). */
  private static double nextAfter(double[] v, int at, int numbers, int to) {
    if (at + 1 < numbers) {
      return Double.NaN;
    }
    return at < numbers ? min(v, numbers, to) : min(v, at + 1, to);
  }

  /** The value at {@code at} with numbers in [from, end) and NaNs from end on. */
  private static double rankAmongNumbersBefore(double[] v, int from, int end, int at) {
    return at >= end ? Double.NaN : select(v, from, end, at);
  }

  /** Moves the NaNs of {@code v[from, to)} to its front; returns where the numbers start. */
  private static int nansFirst(double[] v, int from, int to) {
    int numbers = from;
    for (int i = from; i < to; i++) {
      if (v[i] != v[i]) {
        v[i] = v[numbers];
        v[numbers++] = Double.NaN;
      }
    }
    return numbers;
  }

  /** Moves the NaNs of {@code v[from, to)} to its back; returns where they start. */
  private static int nansLast(double[] v, int from, int to) {
    int end = to;
    for (int i = to - 1; i >= from; i--) {
      if (v[i] != v[i]) {
        v[i] = v[--end];
        v[end] = Double.NaN;
      }
    }
    return end;
  }

  private static double min(double[] v, int from, int to) {
    double m = v[from];
    for (int i = from + 1; i < to; i++) {
      m = Math.min(m, v[i]);
    }
    return m;
  }

  /**
   * Hoare's quickselect: reorders {@code v[from, to)} (no NaN in it) so that {@code v[k]} is
   * the value a sort would put there, smaller ones before it and greater ones after.
   */
  static double select(double[] v, int from, int to, int k) {
    int lo = from;
    int hi = to - 1;
    while (hi > lo) {
      int mid = (lo + hi) >>> 1;
      if (v[mid] < v[lo]) {
        swap(v, lo, mid);
      }
      if (v[hi] < v[lo]) {
        swap(v, lo, hi);
      }
      if (v[hi] < v[mid]) {
        swap(v, mid, hi);
      }
      double pivot = v[mid];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (v[i] < pivot) {
          i++;
        }
        while (v[j] > pivot) {
          j--;
        }
        if (i <= j) {
          swap(v, i++, j--);
        }
      }
      if (k <= j) {
        hi = j;
      } else if (k >= i) {
        lo = i;
      } else {
        return v[k];
      }
    }
    return v[k];
  }

  static long select(long[] v, int from, int to, int k) {
    int lo = from;
    int hi = to - 1;
    while (hi > lo) {
      int mid = (lo + hi) >>> 1;
      if (v[mid] < v[lo]) {
        swap(v, lo, mid);
      }
      if (v[hi] < v[lo]) {
        swap(v, lo, hi);
      }
      if (v[hi] < v[mid]) {
        swap(v, mid, hi);
      }
      long pivot = v[mid];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (v[i] < pivot) {
          i++;
        }
        while (v[j] > pivot) {
          j--;
        }
        if (i <= j) {
          long t = v[i];
          v[i++] = v[j];
          v[j--] = t;
        }
      }
      if (k <= j) {
        hi = j;
      } else if (k >= i) {
        lo = i;
      } else {
        return v[k];
      }
    }
    return v[k];
  }

  private static void swap(double[] v, int i, int j) {
    double t = v[i];
    v[i] = v[j];
    v[j] = t;
  }

  private static void swap(long[] v, int i, int j) {
    long t = v[i];
    v[i] = v[j];
    v[j] = t;
  }
}

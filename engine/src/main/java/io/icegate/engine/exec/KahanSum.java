package io.icegate.engine.exec;

/**
 * Compensated (Kahan–Neumaier) sums, means and variances over a slice of a value array, as
 * Prometheus computes {@code sum}, {@code avg}, {@code stdvar} and their {@code _over_time}
 * forms, so long sums of mixed magnitudes come out as Prometheus's do.
 */
public final class KahanSum {
  private KahanSum() {}

  /** One compensated addition; returns the new sum and leaves the new compensation in c[0]. */
  public static double inc(double inc, double sum, double[] c) {
    double t = sum + inc;
    if (Double.isInfinite(t)) {
      c[0] = 0;
    } else if (Math.abs(sum) >= Math.abs(inc)) {
      c[0] += (sum - t) + inc;
    } else {
      c[0] += (inc - t) + sum;
    }
    return t;
  }

  public static double sum(double[] v, int from, int to) {
    double s = 0;
    double c = 0;
    for (int i = from; i < to; i++) {
      double inc = v[i];
      double t = s + inc;
      if (Double.isInfinite(t)) {
        c = 0;
      } else if (Math.abs(s) >= Math.abs(inc)) {
        c += (s - t) + inc;
      } else {
        c += (inc - t) + s;
      }
      s = t;
    }
    return s + c;
  }

  /**
   * The mean; a plain compensated sum divided by the count unless the sum overflows, then an
   * incremental mean (Prometheus switches the same way).
   */
  public static double mean(double[] v, int from, int to) {
    int n = to - from;
    if (n == 1) {
      return v[from];
    }
    double c = 0;
    double sum = v[from];
    double count = 1;
    boolean incremental = false;
    double mean = 0;
    double[] mc = null;
    for (int i = from + 1; i < to; i++) {
      double f = v[i];
      count++;
      if (!incremental) {
        // inc(f, sum, c) in place (this runs once per sample of every window).
        double t = sum + f;
        if (!Double.isInfinite(t)) {
          if (Math.abs(sum) >= Math.abs(f)) {
            c += (sum - t) + f;
          } else {
            c += (f - t) + sum;
          }
          sum = t;
          continue;
        }
        incremental = true;
        mean = sum / (count - 1);
        mc = new double[] {c / (count - 1)};
      }
      double q = (count - 1) / count;
      mc[0] = q * mc[0];
      mean = inc(f / count, q * mean, mc);
    }
    if (incremental) {
      return mean + mc[0];
    }
    return sum / count + c / count;
  }

  /** The population variance (Welford's method with compensated accumulators). */
  public static double variance(double[] v, int from, int to) {
    double count = 0;
    double mean = 0;
    double[] cMean = {0};
    double aux = 0;
    double[] cAux = {0};
    for (int i = from; i < to; i++) {
      double f = v[i];
      count++;
      double delta = f - (mean + cMean[0]);
      mean = inc(delta / count, mean, cMean);
      aux = inc(delta * (f - (mean + cMean[0])), aux, cAux);
    }
    return (aux + cAux[0]) / count;
  }
}

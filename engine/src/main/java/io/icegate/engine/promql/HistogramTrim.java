package io.icegate.engine.promql;

import io.icegate.engine.series.FloatHistogram;

/**
 * The experimental trim operators on native histograms: {@code h </ x} keeps the observations
 * below x, {@code h >/ x} those above. A bucket cut by x keeps the share of its count that
 * interpolation puts on the kept side (exponential inside exponential buckets, linear in the zero
 * bucket and custom buckets). Of a bucket reaching to an infinite bound nothing is known but its
 * count: it is kept whole or dropped whole, except the first custom bucket, taken to start at
 * zero when its upper bound is positive. The sum is re-estimated from each kept part's middle.
 */
final class HistogramTrim {
  private HistogramTrim() {}

  /** Trims {@code h}; returns it unchanged when nothing lies on the cut-off side. */
  static FloatHistogram trim(FloatHistogram h, double x, boolean keepBelow) {
    boolean custom = h.usesCustomBuckets();
    Acc acc = new Acc(x, keepBelow, custom);
    double[] newPos = h.positiveCounts.clone();
    boolean pos = false;
    for (int i = 0; i < newPos.length; i++) {
      if (newPos[i] == 0) {
        continue;
      }
      pos = true;
      int k = h.positiveIndexes[i];
      double lower;
      double upper;
      if (custom) {
        lower = k == 0 ? Double.NEGATIVE_INFINITY : h.customValues[k - 1];
        upper = k >= h.customValues.length ? Double.POSITIVE_INFINITY : h.customValues[k];
      } else {
        lower = FloatHistogram.upperBound(k - 1, h.schema);
        upper = FloatHistogram.upperBound(k, h.schema);
      }
      newPos[i] = acc.bucket(newPos[i], lower, upper, true);
    }
    double[] newNeg = h.negativeCounts.clone();
    boolean neg = false;
    for (int i = 0; i < newNeg.length; i++) {
      if (newNeg[i] == 0) {
        continue;
      }
      neg = true;
      int k = h.negativeIndexes[i];
      double lower = -FloatHistogram.upperBound(k, h.schema);
      double upper = -FloatHistogram.upperBound(k - 1, h.schema);
      newNeg[i] = acc.bucket(newNeg[i], lower, upper, false);
    }
    double zero = h.zeroCount;
    if (zero > 0) {
      // With observations on one side only, the zero bucket is taken to hold that side's.
      zero = acc.zeroBucket(zero, pos && !neg ? 0 : -h.zeroThreshold,
          neg && !pos ? 0 : h.zeroThreshold);
    }
    if (!acc.trimmed) {
      return h;
    }
    return new FloatHistogram(h.schema, h.zeroThreshold, zero, acc.count, acc.sum,
        h.positiveIndexes, newPos, h.negativeIndexes, newNeg, h.customValues, h.hint).compact();
  }

  /** Adds up kept counts and the sum estimated from them. */
  private static final class Acc {
    final double x;
    final boolean keepBelow;
    final boolean linear;
    double count;
    double sum;
    boolean trimmed;

    Acc(double x, boolean keepBelow, boolean linear) {
      this.x = x;
      this.keepBelow = keepBelow;
      this.linear = linear;
    }

    private void keep(double n, double middle) {
      count += n;
      sum += middle * n;
    }

    /** The kept part of one (non-zero) bucket's {@code n} observations in (lower, upper]. */
    double bucket(double n, double lower, double upper, boolean positive) {
      boolean whole = keepBelow ? upper <= x : lower >= x;
      if (whole) {
        keep(n, middle(lower, upper, positive));
        return n;
      }
      boolean cut = keepBelow ? lower < x : upper > x;
      if (!cut) {
        trimmed = true;
        return 0;
      }
      double kept;
      double middle;
      if (Double.isInfinite(lower) || Double.isInfinite(upper)) {
        double[] km = infinite(n, lower, upper);
        kept = km[0];
        middle = km[1];
      } else {
        double below = x <= lower ? 0 : x >= upper ? n : n * fractionBelow(lower, upper);
        kept = keepBelow ? below : n - below;
        middle = keepBelow ? middle(lower, x, positive) : middle(x, upper, positive);
      }
      keep(kept, middle);
      if (kept != n) {
        trimmed = true;
      }
      return kept;
    }

    /** {kept count, middle} of a bucket cut by x that reaches to an infinite bound. */
    private double[] infinite(double n, double lower, double upper) {
      if (lower == Double.NEGATIVE_INFINITY) {
        if (keepBelow) {
          if (x >= upper) {
            return new double[] {n, 0};
          }
          if (x > 0 && upper > 0 && upper != Double.POSITIVE_INFINITY) {
            // Only custom buckets start at -Inf: the first one is taken to start at zero.
            return new double[] {n * x / upper, x / 2};
          }
          if (upper <= 0) {
            return new double[] {n, x};
          }
          return new double[] {0, finiteOrZero(upper)};
        }
        if (x >= 0 && upper > x && upper != Double.POSITIVE_INFINITY) {
          return new double[] {n * (1 - x / upper), (x + upper) / 2};
        }
        return new double[] {0, finiteOrZero(upper)};
      }
      // The bucket reaches to +Inf.
      if (keepBelow) {
        return new double[] {0, finiteOrZero(lower)};
      }
      if (x >= lower) {
        return new double[] {n, x};
      }
      return new double[] {0, finiteOrZero(lower)};
    }

    private static double finiteOrZero(double v) {
      return Double.isInfinite(v) ? 0 : v;
    }

    /** The kept part of the zero bucket's {@code n} observations in [lower, upper]. */
    double zeroBucket(double n, double lower, double upper) {
      double kept;
      double middle;
      if (keepBelow) {
        if (x <= lower) {
          kept = 0;
          middle = 0;
        } else if (x >= upper) {
          kept = n;
          middle = (lower + upper) / 2;
        } else {
          kept = n * (x - lower) / (upper - lower);
          middle = (lower + x) / 2;
        }
      } else {
        if (x <= lower) {
          kept = n;
          middle = (lower + upper) / 2;
        } else if (x >= upper) {
          kept = 0;
          middle = 0;
        } else {
          kept = n * (upper - x) / (upper - lower);
          middle = (x + upper) / 2;
        }
      }
      if (kept != n) {
        trimmed = true;
      }
      keep(kept, middle);
      return kept;
    }

    private double fractionBelow(double lower, double upper) {
      if (linear) {
        return (x - lower) / (upper - lower);
      }
      double logLower = Math.log(Math.abs(lower));
      double logUpper = Math.log(Math.abs(upper));
      double logX = Math.log(Math.abs(x));
      if (x > 0) {
        return (logX - logLower) / (logUpper - logLower);
      }
      return 1 - (logX - logUpper) / (logLower - logUpper);
    }

    /** Where the observations of the kept interval are taken to be. */
    private double middle(double lower, double upper, boolean positive) {
      if (Double.isInfinite(lower)) {
        if (Double.isInfinite(upper)) {
          return 0;
        }
        return upper > 0 ? upper / 2 : upper;
      }
      if (Double.isInfinite(upper)) {
        return lower;
      }
      if (linear) {
        return (lower + upper) / 2;
      }
      double geometric = Math.sqrt(Math.abs(lower * upper));
      return positive ? geometric : -geometric;
    }
  }
}

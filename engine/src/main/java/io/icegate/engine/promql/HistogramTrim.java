package io.icegate.engine.promql;

import io.icegate.engine.series.FloatHistogram;

/**
 * The experimental trim operators on native histograms: {@code h </ x} keeps the observations
 * below x, {@code h >/ x} those above. A bucket cut by x keeps the share of its count that
 * interpolation puts on the kept side (exponential inside exponential buckets, linear in the zero
 * bucket and custom buckets; a bucket with an infinite bound is never split), and the sum is
 * re-estimated from each kept part's middle.
 */
final class HistogramTrim {
  private HistogramTrim() {}

  /** Trims {@code h}; returns it unchanged when nothing lies on the cut-off side. */
  static FloatHistogram trim(FloatHistogram h, double x, boolean keepBelow) {
    boolean custom = h.usesCustomBuckets();
    boolean pos = h.positiveCounts.length > 0;
    boolean neg = h.negativeCounts.length > 0;
    Acc acc = new Acc();
    double[] newPos = new double[h.positiveCounts.length];
    for (int i = 0; i < newPos.length; i++) {
      int k = h.positiveIndexes[i];
      double lower;
      double upper;
      if (custom) {
        lower = k == 0 ? Double.NEGATIVE_INFINITY : h.customValues[k - 1];
        upper = k >= h.customValues.length ? Double.POSITIVE_INFINITY : h.customValues[k];
        if (lower == Double.NEGATIVE_INFINITY && upper > 0) {
          lower = 0; // the first custom bucket starts at zero when its bound is positive
        }
      } else {
        lower = FloatHistogram.upperBound(k - 1, h.schema);
        upper = FloatHistogram.upperBound(k, h.schema);
      }
      newPos[i] = acc.add(h.positiveCounts[i], lower, upper, x, keepBelow, !custom);
    }
    double[] newNeg = new double[h.negativeCounts.length];
    for (int i = 0; i < newNeg.length; i++) {
      int k = h.negativeIndexes[i];
      double lower = -FloatHistogram.upperBound(k, h.schema);
      double upper = -FloatHistogram.upperBound(k - 1, h.schema);
      newNeg[i] = acc.add(h.negativeCounts[i], lower, upper, x, keepBelow, true);
    }
    double zero = h.zeroCount;
    if (!custom && (h.zeroCount != 0 || h.zeroThreshold != 0)) {
      double lower = -h.zeroThreshold;
      double upper = h.zeroThreshold;
      if (pos && !neg) {
        lower = 0;
      } else if (neg && !pos) {
        upper = 0;
      }
      zero = acc.add(h.zeroCount, lower, upper, x, keepBelow, false);
    }
    if (!acc.trimmed) {
      return h;
    }
    return new FloatHistogram(h.schema, h.zeroThreshold, zero, acc.count, acc.sum,
        h.positiveIndexes, newPos, h.negativeIndexes, newNeg, h.customValues, h.hint);
  }

  /** Adds up kept counts and the sum estimated from them. */
  private static final class Acc {
    double count;
    double sum;
    boolean trimmed;

    /** The kept share of one bucket's {@code n} observations in [lower, upper]. */
    double add(double n, double lower, double upper, double x, boolean keepBelow, boolean exponential) {
      double a;
      double b;
      double share;
      if (keepBelow ? upper <= x : lower >= x) {
        a = lower;
        b = upper;
        share = 1;
      } else if (keepBelow ? lower >= x : upper <= x) {
        share = 0;
        a = b = 0;
      } else {
        double below = fractionBelow(lower, upper, x, exponential);
        share = keepBelow ? below : 1 - below;
        a = keepBelow ? lower : x;
        b = keepBelow ? x : upper;
      }
      if (share < 1 && n != 0) {
        trimmed = true;
      }
      double kept = n * share;
      if (kept != 0) {
        count += kept;
        sum += kept * middle(a, b, exponential);
      }
      return kept;
    }

    private static double fractionBelow(double lower, double upper, double x, boolean exponential) {
      if (lower == Double.NEGATIVE_INFINITY) {
        return 1;
      }
      if (upper == Double.POSITIVE_INFINITY) {
        return 0;
      }
      if (!exponential) {
        return (x - lower) / (upper - lower);
      }
      if (lower > 0) {
        return (Math.log(x) - Math.log(lower)) / (Math.log(upper) - Math.log(lower));
      }
      return 1 - (Math.log(-x) - Math.log(-upper)) / (Math.log(-lower) - Math.log(-upper));
    }

    private static double middle(double a, double b, boolean exponential) {
      if (a == Double.NEGATIVE_INFINITY) {
        return b;
      }
      if (b == Double.POSITIVE_INFINITY) {
        return a;
      }
      if (exponential && a != 0 && b != 0) {
        double m = Math.sqrt(a * b);
        return a < 0 ? -m : m;
      }
      return (a + b) / 2;
    }
  }
}

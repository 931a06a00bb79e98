package io.icegate.engine.promql;

import io.icegate.engine.exec.KahanSum;
import io.icegate.engine.series.FloatHistogram;

/**
 * Quantiles, fractions and spread of one native histogram, as Prometheus estimates them:
 * exponential interpolation inside exponential buckets (the natural fit for their bounds), linear
 * inside the zero bucket and custom buckets.
 */
final class NativeHistograms {
  private NativeHistograms() {}

  /** One bucket, with its bounds adjusted the way the estimators need them. */
  private static final class Bucket {
    double lower;
    double upper;
    double count;
    boolean zero;
  }

  private static java.util.List<Bucket> buckets(FloatHistogram h) {
    java.util.List<Bucket> out = new java.util.ArrayList<>();
    h.forEachBucket(
        (lower, upper, count, zero) -> {
          Bucket b = new Bucket();
          b.lower = lower;
          b.upper = upper;
          b.count = count;
          b.zero = zero;
          out.add(b);
        });
    return out;
  }

  private static boolean hasNonEmpty(double[] counts) {
    return counts.length > 0;
  }

  static double quantile(double q, FloatHistogram h) {
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    if (h.count == 0 || Double.isNaN(q)) {
      return Double.NaN;
    }
    java.util.List<Bucket> all = buckets(h);
    boolean forward = Double.isNaN(h.sum) || q < 0.5;
    double rank = forward ? q * h.count : (1 - q) * h.count;
    Bucket bucket = null;
    double count = 0;
    for (int k = 0; k < all.size(); k++) {
      Bucket b = all.get(forward ? k : all.size() - 1 - k);
      if (b.count == 0) {
        continue;
      }
      bucket = b;
      count += b.count;
      if (count >= rank) {
        break;
      }
    }
    if (bucket == null) {
      return Double.NaN;
    }
    double lower = bucket.lower;
    double upper = bucket.upper;
    if (!h.usesCustomBuckets() && lower < 0 && upper > 0) {
      boolean pos = hasNonEmpty(h.positiveCounts);
      boolean neg = hasNonEmpty(h.negativeCounts);
      if (!neg && pos) {
        lower = 0;
      } else if (!pos && neg) {
        upper = 0;
      }
    } else if (h.usesCustomBuckets()) {
      if (lower == Double.NEGATIVE_INFINITY) {
        if (upper <= 0) {
          return upper;
        }
        lower = 0;
      } else if (upper == Double.POSITIVE_INFINITY) {
        return lower;
      }
    }
    if (count > h.count) {
      count = h.count;
    }
    if (count < rank) {
      // Only NaN observations leave the buckets short of the rank: the quantile is among them.
      return Double.isNaN(h.sum) ? Double.NaN : upper;
    }
    if (forward) {
      rank -= count - bucket.count;
    } else {
      rank = count - rank;
    }
    double fraction = rank / bucket.count;
    if (h.usesCustomBuckets() || (lower <= 0 && upper >= 0)) {
      return lower + (upper - lower) * fraction;
    }
    double logLower = log2(Math.abs(lower));
    double logUpper = log2(Math.abs(upper));
    if (lower > 0) {
      return Math.pow(2, logLower + (logUpper - logLower) * fraction);
    }
    return -Math.pow(2, logUpper + (logLower - logUpper) * (1 - fraction));
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  static double fraction(double lower, double upper, FloatHistogram h) {
    if (h.count == 0 || Double.isNaN(lower) || Double.isNaN(upper)) {
      return Double.NaN;
    }
    if (lower >= upper) {
      return 0;
    }
    double rank = 0;
    double lowerRank = 0;
    double upperRank = 0;
    boolean lowerSet = false;
    boolean upperSet = false;
    boolean pos = hasNonEmpty(h.positiveCounts);
    boolean neg = hasNonEmpty(h.negativeCounts);
    java.util.List<Bucket> all = buckets(h);
    for (int k = 0; k < all.size(); k++) {
      Bucket b = all.get(k);
      double lo = b.lower;
      double hi = b.upper;
      boolean linear = h.usesCustomBuckets();
      if (!h.usesCustomBuckets() && lo <= 0 && hi >= 0) {
        linear = true;
        if (!neg && pos) {
          lo = 0;
        } else if (!pos && neg) {
          hi = 0;
        }
      }
      if (h.usesCustomBuckets() && k == 0 && lo == Double.NEGATIVE_INFINITY && hi > 0) {
        lo = 0;
      }
      if (!lowerSet && lo >= lower) {
        lowerRank = rank;
        lowerSet = true;
      }
      if (!upperSet && lo >= upper) {
        upperRank = rank;
        upperSet = true;
      }
      if (lowerSet && upperSet) {
        break;
      }
      if (!lowerSet && lo < lower && hi > lower) {
        lowerRank = interpolate(rank, b.count, lo, hi, lower, linear);
        lowerSet = true;
      }
      if (!upperSet && lo < upper && hi > upper) {
        upperRank = interpolate(rank, b.count, lo, hi, upper, linear);
        upperSet = true;
      }
      if (lowerSet && upperSet) {
        break;
      }
      rank += b.count;
    }
    // NaN observations are in the count but in no bucket: they belong to no range.
    double top = h.count;
    if (Double.isNaN(h.sum)) {
      top = 0;
      for (Bucket b : all) {
        top += b.count;
      }
    }
    if (!lowerSet || lowerRank > top) {
      lowerRank = top;
    }
    if (!upperSet || upperRank > top) {
      upperRank = top;
    }
    return (upperRank - lowerRank) / h.count;
  }

  private static double interpolate(
      double rank, double count, double lo, double hi, double v, boolean linear) {
    if (lo == Double.NEGATIVE_INFINITY) {
      return rank + count;
    }
    if (hi == Double.POSITIVE_INFINITY) {
      return rank;
    }
    if (linear) {
      return rank + count * (v - lo) / (hi - lo);
    }
    double logLower = log2(Math.abs(lo));
    double logUpper = log2(Math.abs(hi));
    double logV = log2(Math.abs(v));
    double fraction =
        v > 0
            ? (logV - logLower) / (logUpper - logLower)
            : 1 - ((logV - logUpper) / (logLower - logUpper));
    return rank + count * fraction;
  }

  /** The variance of the observations, each bucket's taken at its (geometric) middle. */
  static double variance(FloatHistogram h) {
    double mean = h.sum / h.count;
    double[] c = {0};
    double variance = 0;
    for (Bucket b : buckets(h)) {
      if (b.count == 0) {
        continue;
      }
      double val;
      if (h.usesCustomBuckets()) {
        val = (b.upper + b.lower) / 2.0;
      } else if (b.lower <= 0 && b.upper >= 0) {
        val = 0;
      } else {
        val = Math.sqrt(b.upper * b.lower);
        if (b.upper < 0) {
          val = -val;
        }
      }
      double delta = val - mean;
      variance = KahanSum.inc(b.count * delta * delta, variance, c);
    }
    return (variance + c[0]) / h.count;
  }
}

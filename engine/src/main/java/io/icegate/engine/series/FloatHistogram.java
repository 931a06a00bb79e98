package io.icegate.engine.series;

import java.util.Arrays;
import java.util.TreeMap;

/**
 * A Prometheus native histogram with float counts: exponential buckets of a schema (−4 … 8, bucket
 * i of a schema s covering (2^((i−1)·2^−s), 2^(i·2^−s)]), a zero bucket, or custom bucket bounds
 * (schema −53, what OTLP explicit-bucket histograms become). Buckets are kept sparse: absolute
 * indexes with their counts, ascending. Instances are immutable; operations return new ones.
 */
public final class FloatHistogram {
  /** Schema of histograms with custom bucket bounds. */
  public static final int CUSTOM_BUCKETS_SCHEMA = -53;

  /** Whether a histogram says it starts anew, continues, or is a gauge. */
  public enum CounterResetHint {
    UNKNOWN,
    COUNTER_RESET,
    NOT_COUNTER_RESET,
    GAUGE
  }

  public final int schema;
  public final double zeroThreshold;
  public final double zeroCount;
  public final double count;
  public final double sum;
  public final int[] positiveIndexes;
  public final double[] positiveCounts;
  public final int[] negativeIndexes;
  public final double[] negativeCounts;
  /** The upper bounds of schema −53 (without +Inf); empty for exponential schemas. */
  public final double[] customValues;
  public final CounterResetHint hint;

  public FloatHistogram(
      int schema,
      double zeroThreshold,
      double zeroCount,
      double count,
      double sum,
      int[] positiveIndexes,
      double[] positiveCounts,
      int[] negativeIndexes,
      double[] negativeCounts,
      double[] customValues,
      CounterResetHint hint) {
    this.schema = schema;
    this.zeroThreshold = zeroThreshold;
    this.zeroCount = zeroCount;
    this.count = count;
    this.sum = sum;
    this.positiveIndexes = positiveIndexes;
    this.positiveCounts = positiveCounts;
    this.negativeIndexes = negativeIndexes;
    this.negativeCounts = negativeCounts;
    this.customValues = customValues;
    this.hint = hint;
  }

  /** A histogram without observations in the given layout (what a counter restarts from). */
  public static FloatHistogram empty(int schema, double[] customValues) {
    return new FloatHistogram(schema, 0, 0, 0, 0, new int[0], new double[0], new int[0],
        new double[0], customValues, CounterResetHint.UNKNOWN);
  }

  public boolean usesCustomBuckets() {
    return schema == CUSTOM_BUCKETS_SCHEMA;
  }

  /** The same buckets with other totals (used by compensated summation). */
  public FloatHistogram withTotals(double newCount, double newSum, double newZeroCount) {
    return new FloatHistogram(schema, zeroThreshold, newZeroCount, newCount, newSum,
        positiveIndexes, positiveCounts, negativeIndexes, negativeCounts, customValues, hint);
  }

  public FloatHistogram withHint(CounterResetHint h) {
    return new FloatHistogram(schema, zeroThreshold, zeroCount, count, sum, positiveIndexes,
        positiveCounts, negativeIndexes, negativeCounts, customValues, h);
  }

  /** Every count and the sum multiplied by {@code f}; a negative factor makes it a gauge. */
  public FloatHistogram scale(double f) {
    return new FloatHistogram(schema, zeroThreshold, zeroCount * f, count * f, sum * f,
        positiveIndexes, times(positiveCounts, f), negativeIndexes, times(negativeCounts, f),
        customValues, f < 0 ? CounterResetHint.GAUGE : hint);
  }

  /**
   * Divided by {@code d}. Division by zero leaves only the totals (infinite or NaN), as in
   * Prometheus: bucket counts would all be meaningless.
   */
  public FloatHistogram divide(double d) {
    if (d == 0) {
      return new FloatHistogram(schema, zeroThreshold, zeroCount / d, count / d, sum / d,
          new int[0], new double[0], new int[0], new double[0], customValues, hint);
    }
    return scale(1 / d);
  }

  /**
   * The reset hint of a sum of two histograms, as Prometheus combines them: equal hints stay, a
   * gauge makes a gauge, an unknown makes unknown, and a reset meeting a non-reset (a collision,
   * which aggregations warn of) gives unknown.
   */
  public static CounterResetHint sumHint(CounterResetHint a, CounterResetHint b) {
    if (a == b) {
      return a;
    }
    if (a == CounterResetHint.GAUGE || b == CounterResetHint.GAUGE) {
      return CounterResetHint.GAUGE;
    }
    return CounterResetHint.UNKNOWN;
  }

  private static double[] times(double[] a, double f) {
    double[] r = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = a[i] * f;
    }
    return r;
  }

  /**
   * {@code this + sign·other}, first bringing both to the coarser schema (and the wider zero
   * bucket). Returns null when custom bucket bounds differ (Prometheus then reconciles or fails;
   * callers report it).
   */
  public FloatHistogram add(FloatHistogram other, double sign) {
    if (usesCustomBuckets() != other.usesCustomBuckets()) {
      return null;
    }
    if (usesCustomBuckets() && !Arrays.equals(customValues, other.customValues)) {
      double[] common = commonBounds(customValues, other.customValues);
      return toBounds(common).add(other.toBounds(common), sign);
    }
    int target = Math.min(schema, other.schema);
    FloatHistogram a = reduceTo(target);
    FloatHistogram b = other.reduceTo(target);
    double zt = Math.max(a.zeroThreshold, b.zeroThreshold);
    a = a.widenZeroBucket(zt);
    b = b.widenZeroBucket(zt);
    TreeMap<Integer, Double> pos = merge(a.positiveIndexes, a.positiveCounts, b.positiveIndexes, b.positiveCounts, sign);
    TreeMap<Integer, Double> neg = merge(a.negativeIndexes, a.negativeCounts, b.negativeIndexes, b.negativeCounts, sign);
    return new FloatHistogram(target, zt, a.zeroCount + sign * b.zeroCount,
        a.count + sign * b.count, a.sum + sign * b.sum, keys(pos), values(pos), keys(neg),
        values(neg), customValues, sign < 0 ? CounterResetHint.GAUGE : sumHint(hint, other.hint));
  }

  /** Whether adding {@code other} needs its custom bounds reconciled with these. */
  public boolean customBoundsDiffer(FloatHistogram other) {
    return usesCustomBuckets() && other.usesCustomBuckets()
        && !Arrays.equals(customValues, other.customValues);
  }

  /** The bounds both sets share: the coarsest bucketing both histograms can be expressed in. */
  private static double[] commonBounds(double[] a, double[] b) {
    return Arrays.stream(a).filter(x -> Arrays.binarySearch(b, x) >= 0).toArray();
  }

  /** This custom-bucket histogram re-bucketed onto {@code bounds}, a subset of its own. */
  private FloatHistogram toBounds(double[] bounds) {
    TreeMap<Integer, Double> pos = new TreeMap<>();
    for (int i = 0; i < positiveIndexes.length; i++) {
      int k = positiveIndexes[i];
      double upper = k >= customValues.length ? Double.POSITIVE_INFINITY : customValues[k];
      int j = 0;
      while (j < bounds.length && bounds[j] < upper) {
        j++;
      }
      pos.merge(j, positiveCounts[i], Double::sum);
    }
    return new FloatHistogram(schema, zeroThreshold, zeroCount, count, sum, keys(pos), values(pos),
        negativeIndexes, negativeCounts, bounds, hint);
  }

  private static TreeMap<Integer, Double> merge(int[] ai, double[] ac, int[] bi, double[] bc, double sign) {
    TreeMap<Integer, Double> m = new TreeMap<>();
    for (int i = 0; i < ai.length; i++) {
      m.merge(ai[i], ac[i], Double::sum);
    }
    for (int i = 0; i < bi.length; i++) {
      m.merge(bi[i], sign * bc[i], Double::sum);
    }
    return m;
  }

  private static int[] keys(TreeMap<Integer, Double> m) {
    return m.keySet().stream().mapToInt(Integer::intValue).toArray();
  }

  private static double[] values(TreeMap<Integer, Double> m) {
    return m.values().stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The same histogram at a coarser (or equal) exponential schema. */
  public FloatHistogram reduceTo(int target) {
    if (usesCustomBuckets() || target >= schema) {
      return this;
    }
    int d = schema - target;
    return new FloatHistogram(target, zeroThreshold, zeroCount, count, sum,
        null, null, null, null, customValues, hint)
        .withBuckets(reduce(positiveIndexes, positiveCounts, d), reduce(negativeIndexes, negativeCounts, d));
  }

  private FloatHistogram withBuckets(TreeMap<Integer, Double> pos, TreeMap<Integer, Double> neg) {
    return new FloatHistogram(schema, zeroThreshold, zeroCount, count, sum, keys(pos), values(pos),
        keys(neg), values(neg), customValues, hint);
  }

  private static TreeMap<Integer, Double> reduce(int[] idx, double[] counts, int d) {
    TreeMap<Integer, Double> m = new TreeMap<>();
    for (int i = 0; i < idx.length; i++) {
      // Bucket i of schema s lies in bucket ceil(i / 2^d) of schema s - d.
      int ni = ((idx[i] - 1) >> d) + 1;
      m.merge(ni, counts[i], Double::sum);
    }
    return m;
  }

  /** Moves the buckets that fall inside a wider zero bucket into it. */
  private FloatHistogram widenZeroBucket(double zt) {
    if (zt <= zeroThreshold || usesCustomBuckets()) {
      return this;
    }
    double zc = zeroCount;
    TreeMap<Integer, Double> pos = new TreeMap<>();
    for (int i = 0; i < positiveIndexes.length; i++) {
      if (upperBound(positiveIndexes[i], schema) <= zt) {
        zc += positiveCounts[i];
      } else {
        pos.put(positiveIndexes[i], positiveCounts[i]);
      }
    }
    TreeMap<Integer, Double> neg = new TreeMap<>();
    for (int i = 0; i < negativeIndexes.length; i++) {
      if (upperBound(negativeIndexes[i], schema) <= zt) {
        zc += negativeCounts[i];
      } else {
        neg.put(negativeIndexes[i], negativeCounts[i]);
      }
    }
    return new FloatHistogram(schema, zt, zc, count, sum, keys(pos), values(pos), keys(neg),
        values(neg), customValues, hint);
  }

  /** The upper bound of exponential bucket {@code index} at {@code schema} (absolute value). */
  public static double upperBound(int index, int schema) {
    if (schema <= 0) {
      return Math.scalb(1.0, index << -schema);
    }
    return Math.pow(2, index / (double) (1 << schema));
  }

  /** Whether every bucket count is zero or the histogram is otherwise the same (for ==). */
  public boolean equalTo(FloatHistogram o) {
    FloatHistogram a = compact();
    FloatHistogram b = o.compact();
    return a.schema == b.schema
        && Double.compare(a.zeroThreshold, b.zeroThreshold) == 0
        && a.zeroCount == b.zeroCount
        && a.count == b.count
        && (a.sum == b.sum || (Double.isNaN(a.sum) && Double.isNaN(b.sum)))
        && Arrays.equals(a.positiveIndexes, b.positiveIndexes)
        && Arrays.equals(a.positiveCounts, b.positiveCounts)
        && Arrays.equals(a.negativeIndexes, b.negativeIndexes)
        && Arrays.equals(a.negativeCounts, b.negativeCounts)
        && Arrays.equals(a.customValues, b.customValues);
  }

  /** The same histogram without empty buckets. */
  public FloatHistogram compact() {
    TreeMap<Integer, Double> pos = new TreeMap<>();
    for (int i = 0; i < positiveIndexes.length; i++) {
      if (positiveCounts[i] != 0) {
        pos.put(positiveIndexes[i], positiveCounts[i]);
      }
    }
    TreeMap<Integer, Double> neg = new TreeMap<>();
    for (int i = 0; i < negativeIndexes.length; i++) {
      if (negativeCounts[i] != 0) {
        neg.put(negativeIndexes[i], negativeCounts[i]);
      }
    }
    return withBuckets(pos, neg);
  }

  /** Whether some bucket count (or the total) dropped compared with {@code previous}. */
  public boolean detectReset(FloatHistogram previous) {
    if (hint == CounterResetHint.COUNTER_RESET) {
      return true;
    }
    // A gauge is looked at like a counter without a hint: functions meant for counters may be
    // applied to gauges (they warn), and then they need the resets all the same.
    if (hint == CounterResetHint.NOT_COUNTER_RESET) {
      return false;
    }
    if (count < previous.count) {
      return true;
    }
    if (usesCustomBuckets()) {
      if (!previous.usesCustomBuckets()) {
        return true;
      }
      if (!Arrays.equals(customValues, previous.customValues)) {
        // Compared on the bounds both share: a drop in any merged bucket is a reset.
        double[] common = commonBounds(customValues, previous.customValues);
        FloatHistogram cur = toBounds(common);
        FloatHistogram prev = previous.toBounds(common);
        return dropped(prev.positiveIndexes, prev.positiveCounts, cur.positiveIndexes, cur.positiveCounts);
      }
    }
    if (schema > previous.schema) {
      return true;
    }
    if (zeroThreshold < previous.zeroThreshold) {
      return true;
    }
    FloatHistogram prev = previous.reduceTo(schema).widenZeroBucket(zeroThreshold);
    if (zeroCount < prev.zeroCount) {
      return true;
    }
    FloatHistogram cur = reduceTo(schema);
    return dropped(prev.positiveIndexes, prev.positiveCounts, cur.positiveIndexes, cur.positiveCounts)
        || dropped(prev.negativeIndexes, prev.negativeCounts, cur.negativeIndexes, cur.negativeCounts);
  }

  private static boolean dropped(int[] pi, double[] pc, int[] ci, double[] cc) {
    TreeMap<Integer, Double> cur = new TreeMap<>();
    for (int i = 0; i < ci.length; i++) {
      cur.put(ci[i], cc[i]);
    }
    for (int i = 0; i < pi.length; i++) {
      if (cur.getOrDefault(pi[i], 0.0) < pc[i]) {
        return true;
      }
    }
    return false;
  }

  /** Calls {@code v} for every bucket from the lowest to the highest: bounds and count. */
  public void forEachBucket(BucketVisitor v) {
    if (usesCustomBuckets()) {
      for (int i = 0; i < positiveIndexes.length; i++) {
        int k = positiveIndexes[i];
        double lower = k == 0 ? Double.NEGATIVE_INFINITY : customValues[k - 1];
        double upper = k >= customValues.length ? Double.POSITIVE_INFINITY : customValues[k];
        v.visit(lower, upper, positiveCounts[i], false);
      }
      return;
    }
    for (int i = negativeIndexes.length - 1; i >= 0; i--) {
      int k = negativeIndexes[i];
      v.visit(-upperBound(k, schema), -upperBound(k - 1, schema), negativeCounts[i], false);
    }
    if (zeroCount != 0 || zeroThreshold != 0) {
      v.visit(-zeroThreshold, zeroThreshold, zeroCount, true);
    }
    for (int i = 0; i < positiveIndexes.length; i++) {
      int k = positiveIndexes[i];
      v.visit(upperBound(k - 1, schema), upperBound(k, schema), positiveCounts[i], false);
    }
  }

  /** One bucket of {@link #forEachBucket}. */
  public interface BucketVisitor {
    void visit(double lower, double upper, double count, boolean zeroBucket);
  }

  @Override
  public String toString() {
    return "{{schema:" + schema + " count:" + count + " sum:" + sum + " z_bucket:" + zeroCount
        + " z_bucket_w:" + zeroThreshold + " buckets:" + Arrays.toString(positiveIndexes) + "="
        + Arrays.toString(positiveCounts) + " n_buckets:" + Arrays.toString(negativeIndexes) + "="
        + Arrays.toString(negativeCounts)
        + (usesCustomBuckets() ? " custom_values:" + Arrays.toString(customValues) : "")
        + " hint:" + hint + "}}";
  }
}

package io.icegate.engine.promql;

import io.icegate.engine.series.FloatHistogram;
import io.icegate.engine.series.FloatHistogram.CounterResetHint;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A native histogram written in the promqltest notation ({@code {{schema:1 sum:5 count:4
 * buckets:[1 2 1]}}}), and the comparison Prometheus's runner applies to an expected one: empty
 * buckets ignored, counts and sum within tolerance, the reset hint only when the script gives it.
 */
record HistogramLiteral(FloatHistogram histogram, boolean hintGiven) {
  private static final Pattern FIELD = Pattern.compile("([a-z_]+):\\s*(\\[[^]]*]|\\S+)");

  static HistogramLiteral parse(String body) {
    int schema = 0;
    double sum = 0;
    double count = 0;
    double zeroCount = 0;
    double zeroThreshold = 0;
    double[] buckets = {};
    double[] nBuckets = {};
    int offset = 0;
    int nOffset = 0;
    double[] customValues = {};
    CounterResetHint hint = CounterResetHint.UNKNOWN;
    boolean hintGiven = false;
    Matcher m = FIELD.matcher(body);
    while (m.find()) {
      String v = m.group(2);
      switch (m.group(1)) {
        case "schema" -> schema = Integer.parseInt(v);
        case "sum" -> sum = PromQLScript.number(v);
        case "count" -> count = PromQLScript.number(v);
        case "z_bucket" -> zeroCount = PromQLScript.number(v);
        case "z_bucket_w" -> zeroThreshold = PromQLScript.number(v);
        case "buckets" -> buckets = list(v);
        case "n_buckets" -> nBuckets = list(v);
        case "offset" -> offset = Integer.parseInt(v);
        case "n_offset" -> nOffset = Integer.parseInt(v);
        case "custom_values" -> customValues = list(v);
        case "counter_reset_hint" -> {
          hintGiven = true;
          hint =
              switch (v) {
                case "reset" -> CounterResetHint.COUNTER_RESET;
                case "not_reset" -> CounterResetHint.NOT_COUNTER_RESET;
                case "gauge" -> CounterResetHint.GAUGE;
                default -> CounterResetHint.UNKNOWN;
              };
        }
        default -> throw new IllegalArgumentException("unknown histogram field " + m.group(1));
      }
    }
    int[] pi = new int[buckets.length];
    for (int i = 0; i < pi.length; i++) {
      pi[i] = offset + i;
    }
    int[] ni = new int[nBuckets.length];
    for (int i = 0; i < ni.length; i++) {
      ni[i] = nOffset + i;
    }
    return new HistogramLiteral(
        new FloatHistogram(schema, zeroThreshold, zeroCount, count, sum, pi, buckets, ni, nBuckets,
            customValues, hint),
        hintGiven);
  }

  private static double[] list(String v) {
    String inner = v.substring(1, v.length() - 1).trim();
    if (inner.isEmpty()) {
      return new double[0];
    }
    String[] parts = inner.split("\\s+");
    double[] out = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = PromQLScript.number(parts[i]);
    }
    return out;
  }

  /** Whether {@code actual} is this expected histogram, as Prometheus's runner compares them. */
  boolean matches(FloatHistogram actual) {
    FloatHistogram a = histogram.compact();
    FloatHistogram b = actual.compact();
    if (a.schema != b.schema
        || !PromQLScript.almostEqual(a.count, b.count)
        || !PromQLScript.almostEqual(a.sum, b.sum)
        || !PromQLScript.almostEqual(a.zeroCount, b.zeroCount)
        || a.zeroThreshold != b.zeroThreshold) {
      return false;
    }
    if (a.usesCustomBuckets() && !java.util.Arrays.equals(a.customValues, b.customValues)) {
      return false;
    }
    if (!buckets(a.positiveIndexes, a.positiveCounts, b.positiveIndexes, b.positiveCounts)
        || !buckets(a.negativeIndexes, a.negativeCounts, b.negativeIndexes, b.negativeCounts)) {
      return false;
    }
    return !hintGiven || a.hint == b.hint;
  }

  private static boolean buckets(int[] ai, double[] ac, int[] bi, double[] bc) {
    if (!java.util.Arrays.equals(ai, bi)) {
      return false;
    }
    for (int i = 0; i < ac.length; i++) {
      if (!PromQLScript.almostEqual(ac[i], bc[i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return histogram.toString();
  }

}

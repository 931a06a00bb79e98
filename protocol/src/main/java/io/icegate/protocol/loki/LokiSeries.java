package io.icegate.protocol.loki;

import java.util.Objects;
import java.util.SortedMap;

/**
 * One series of a metric query's answer as Loki writes it: its labels ({@code metric}) and its
 * points, times in milliseconds. An instant query's series has exactly one point.
 */
public record LokiSeries(SortedMap<String, String> metric, long[] timesMillis, double[] values) {
  public LokiSeries {
    Objects.requireNonNull(metric, "metric");
    if (timesMillis.length != values.length) {
      throw new IllegalArgumentException("times and values differ in length");
    }
  }
}

package io.icegate.server.prom;

import io.icegate.engine.promql.QueryResult;
import io.icegate.engine.series.FloatHistogram;
import io.icegate.engine.series.Series;
import io.icegate.protocol.prom.PromResult;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the engine's {@link QueryResult} into the protocol module's {@link PromResult}, which
 * knows Prometheus's JSON. Stale markers never reach a result, so every point is written.
 */
final class PromResults {
  private PromResults() {}

  static PromResult of(QueryResult result) {
    if (result instanceof QueryResult.ScalarResult s) {
      return new PromResult.Scalar(s.timestamp(), s.value());
    }
    if (result instanceof QueryResult.StringResult s) {
      return new PromResult.StringValue(s.timestamp(), s.value());
    }
    if (result instanceof QueryResult.VectorResult v) {
      List<PromResult.VectorSample> samples = new ArrayList<>(v.samples().size());
      for (QueryResult.Sample s : v.samples()) {
        samples.add(
            new PromResult.VectorSample(
                s.labels().toMap(),
                s.timestamp(),
                s.value(),
                s.histogram() == null ? null : histogram(s.histogram())));
      }
      return new PromResult.Vector(samples);
    }
    QueryResult.MatrixResult m = (QueryResult.MatrixResult) result;
    List<PromResult.Series> series = new ArrayList<>(m.series().size());
    for (Series s : m.series()) {
      if (s.histograms() == null) {
        // Floats only (the usual series): the points stay in the series' arrays.
        series.add(new PromResult.Series(s.labels().toMap(),
            new PromResult.FloatPoints(s.timestamps(), s.values(), s.size()), List.of()));
        continue;
      }
      List<PromResult.FloatPoint> floats = new ArrayList<>();
      List<PromResult.HistogramPoint> histograms = new ArrayList<>();
      for (int i = 0; i < s.size(); i++) {
        FloatHistogram h = s.histogram(i);
        if (h == null) {
          floats.add(new PromResult.FloatPoint(s.timestamps()[i], s.values()[i]));
        } else {
          histograms.add(new PromResult.HistogramPoint(s.timestamps()[i], histogram(h)));
        }
      }
      series.add(new PromResult.Series(s.labels().toMap(), floats, histograms));
    }
    return new PromResult.Matrix(series);
  }

  /**
   * A native histogram's buckets with Prometheus's boundary rules: negative buckets include their
   * lower bound, positive ones their upper bound, the zero bucket both.
   */
  static PromResult.Histogram histogram(FloatHistogram h) {
    List<PromResult.Bucket> buckets = new ArrayList<>();
    h.forEachBucket(
        (lower, upper, count, zero) -> {
          int rule;
          if (zero) {
            rule = PromResult.Bucket.CLOSED_BOTH;
          } else if (upper <= 0 && !h.usesCustomBuckets()) {
            rule = PromResult.Bucket.OPEN_RIGHT;
          } else {
            rule = PromResult.Bucket.OPEN_LEFT;
          }
          buckets.add(new PromResult.Bucket(rule, lower, upper, count));
        });
    return new PromResult.Histogram(h.count, h.sum, buckets);
  }
}

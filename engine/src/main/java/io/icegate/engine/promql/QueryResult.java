package io.icegate.engine.promql;

import io.icegate.engine.series.FloatHistogram;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.Series;
import java.util.List;

/**
 * The value of a query as the Prometheus API returns it, with the warnings and infos the
 * evaluation raised (already rendered as {@code PromQL warning: ... (line:col)}).
 */
public sealed interface QueryResult {
  List<String> warnings();

  List<String> infos();

  /** One value of an instant vector: a float, or a native histogram when {@code histogram} is set. */
  record Sample(Labels labels, long timestamp, double value, FloatHistogram histogram) {}

  record ScalarResult(long timestamp, double value, List<String> warnings, List<String> infos)
      implements QueryResult {}

  /** An instant vector, in the order the query produced it ({@code sort}, {@code topk}). */
  record VectorResult(List<Sample> samples, List<String> warnings, List<String> infos)
      implements QueryResult {}

  /** A range query's result, or a range vector of an instant query; series sorted by labels. */
  record MatrixResult(List<Series> series, List<String> warnings, List<String> infos)
      implements QueryResult {}

  record StringResult(long timestamp, String value, List<String> warnings, List<String> infos)
      implements QueryResult {}
}

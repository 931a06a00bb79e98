package io.icegate.engine.promql;

import io.icegate.engine.series.Series;
import io.icegate.promql.ast.RangeModifier;
import java.util.List;

/** What an expression evaluates to over the evaluation times of a query. */
sealed interface Value {
  /** A scalar per evaluation time. */
  record Scalar(double[] values) implements Value {}

  /** An instant vector: series with a sample slot per evaluation time. */
  record Vector(List<StepSeries> series) implements Value {}

  /**
   * A range vector: series without stale markers, windowed {@code (t - range, t]} at each of
   * {@code times} (the evaluation times after offset and {@code @}).
   */
  record Matrix(List<Series> series, long[] times, long range, RangeModifier modifier)
      implements Value {
    Matrix(List<Series> series, long[] times, long range) {
      this(series, times, range, RangeModifier.NONE);
    }
  }

  /** A string literal. */
  record Str(String value) implements Value {}
}

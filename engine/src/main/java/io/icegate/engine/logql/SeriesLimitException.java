package io.icegate.engine.logql;

/**
 * A metric query produced more series than the tenant's {@code max_query_series} allows, at its
 * end or in one of its range aggregations. Loki answers it with 400 and this message; it is the
 * query's fault, hence an {@link IllegalArgumentException}.
 */
public final class SeriesLimitException extends IllegalArgumentException {
  private final int limit;

  public SeriesLimitException(int limit) {
    super(message(limit));
    this.limit = limit;
  }

  /** The limit that was exceeded. */
  public int limit() {
    return limit;
  }

  /** Loki's wording ({@code logqlmodel.NewSeriesLimitError}, the query frontend's too). */
  public static String message(int limit) {
    return "maximum number of series (" + limit + ") reached for a single query; consider "
        + "reducing query cardinality by adding more specific stream selectors, reducing the "
        + "time range, or aggregating results with functions like sum(), count() or topk()";
  }
}

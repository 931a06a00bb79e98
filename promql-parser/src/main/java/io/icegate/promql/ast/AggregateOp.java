package io.icegate.promql.ast;

/** The aggregation operators. */
public enum AggregateOp {
  SUM("sum", false, false),
  AVG("avg", false, false),
  COUNT("count", false, false),
  MIN("min", false, false),
  MAX("max", false, false),
  GROUP("group", false, false),
  STDDEV("stddev", false, false),
  STDVAR("stdvar", false, false),
  TOPK("topk", true, false),
  BOTTOMK("bottomk", true, false),
  COUNT_VALUES("count_values", true, false),
  QUANTILE("quantile", true, false),
  /** Experimental in Prometheus ({@code --enable-feature=promql-experimental-functions}). */
  LIMITK("limitk", true, true),
  /** Experimental in Prometheus ({@code --enable-feature=promql-experimental-functions}). */
  LIMIT_RATIO("limit_ratio", true, true);

  private final String keyword;
  private final boolean hasParam;
  private final boolean experimental;

  AggregateOp(String keyword, boolean hasParam, boolean experimental) {
    this.keyword = keyword;
    this.hasParam = hasParam;
    this.experimental = experimental;
  }

  /** Whether the operator takes a parameter before the expression. */
  public boolean hasParam() {
    return hasParam;
  }

  /** Whether Prometheus enables the operator only with its experimental-functions flag. */
  public boolean experimental() {
    return experimental;
  }

  /** The keyword, lower case. */
  @Override
  public String toString() {
    return keyword;
  }
}

/**
 * PromQL evaluation: the parser's AST evaluated node by node over a query's step grid against a
 * narrow {@link io.icegate.engine.series.SeriesSource}, with Prometheus 3 semantics.
 */
package io.icegate.engine.promql;

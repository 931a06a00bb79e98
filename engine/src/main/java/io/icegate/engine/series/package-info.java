/**
 * Time series as columns, shared by PromQL and (later) LogQL metric queries: label sets, series of
 * parallel time/value arrays, the step grid of a query, instant selection with lookback and
 * staleness, and left-open range windows — all working on primitive arrays.
 */
package io.icegate.engine.series;

package io.icegate.engine.logql;

import io.icegate.engine.promql.QueryResult;

/**
 * The value of a LogQL metric query — a matrix for range queries, a vector or scalar for instant
 * ones, timestamps in milliseconds — with what the log scans cost.
 */
public record LogMetricResult(
    QueryResult value, long rowsScanned, long bytesScanned, long filesScanned, long execNanos) {}

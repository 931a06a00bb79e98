/**
 * Benchmarks: JMH for kernels and operators, and an end-to-end runner that drives the real server
 * and reports ratios against an anchor engine (DuckDB on the same Parquet) measured in the same run.
 * Benchmarks land with the engine issue.
 */
package io.icegate.bench;

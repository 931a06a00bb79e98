package io.icegate.engine.sql;

import io.icegate.engine.exec.QueryStats;
import java.util.List;

/**
 * The answer to a SQL statement: its columns and its rows, each row's values in column order as
 * plain Java values (Long, Integer, Double, Boolean, String, byte[], Map, List, or null).
 * Timestamp columns hold nanoseconds since the epoch, as BIGINT.
 */
public record SqlResult(
    List<SqlColumn> columns, List<Object[]> rows, QueryStats stats, long execNanos) {}

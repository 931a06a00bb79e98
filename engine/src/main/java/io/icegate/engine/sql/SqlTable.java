package io.icegate.engine.sql;

import java.util.List;

/** A table SQL can read, with its columns in order: what JDBC tools browse. */
public record SqlTable(String schema, String name, List<SqlColumn> columns) {}

package io.icegate.server.sql;

import io.icegate.engine.sql.SqlColumn;
import java.sql.Types;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.calcite.avatica.ColumnMetaData;

/**
 * How our SQL types reach JDBC clients. Numbers, booleans and strings map one to one (SMALLINT
 * and TINYINT arrive as INTEGER). Nanosecond timestamps are BIGINT, as in every plan and in the
 * HTTP answer — comparing them with numbers in WHERE is what pushes time bounds into the scans.
 * Maps, lists and rows are VARCHAR holding their JSON text (with their SQL type as the type
 * name), binary values VARCHAR holding lowercase hex (trace and span ids as OpenTelemetry writes
 * them).
 */
final class JdbcTypes {
  /** A column's JDBC face. */
  record Type(int jdbcType, String typeName, ColumnMetaData.Rep rep, Class<?> javaClass,
      boolean numeric) {}

  private JdbcTypes() {}

  static Type of(SqlColumn column) {
    return switch (column.type()) {
      case BIGINT -> new Type(Types.BIGINT, "BIGINT", ColumnMetaData.Rep.LONG, Long.class, true);
      case INTEGER, SMALLINT, TINYINT ->
          new Type(Types.INTEGER, "INTEGER", ColumnMetaData.Rep.INTEGER, Integer.class, true);
      case DOUBLE ->
          new Type(Types.DOUBLE, "DOUBLE", ColumnMetaData.Rep.DOUBLE, Double.class, true);
      case BOOLEAN ->
          new Type(Types.BOOLEAN, "BOOLEAN", ColumnMetaData.Rep.BOOLEAN, Boolean.class, false);
      case VARCHAR ->
          new Type(Types.VARCHAR, "VARCHAR", ColumnMetaData.Rep.STRING, String.class, false);
      default -> new Type(
          Types.VARCHAR, column.typeName(), ColumnMetaData.Rep.STRING, String.class, false);
    };
  }

  static ColumnMetaData.AvaticaType avaticaType(SqlColumn column) {
    Type type = of(column);
    return ColumnMetaData.scalar(type.jdbcType(), type.typeName(), type.rep());
  }

  /** A value of {@code column} as the client's accessor for its type expects it. */
  static Object value(SqlColumn column, Object value) {
    if (value == null) {
      return null;
    }
    return switch (of(column).rep()) {
      case LONG -> ((Number) value).longValue();
      case INTEGER -> ((Number) value).intValue();
      case DOUBLE -> ((Number) value).doubleValue();
      case BOOLEAN -> value;
      default -> text(value);
    };
  }

  private static String text(Object value) {
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof byte[] bytes) {
      return HexFormat.of().formatHex(bytes);
    }
    if (value instanceof Map<?, ?> || value instanceof List<?>) {
      return SqlJson.text(value);
    }
    return value.toString();
  }
}

package io.icegate.engine.sql;

import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * A column of a SQL answer or of a table, as clients see it: its name, its SQL type and whether
 * it may be null. DECIMAL is reported as DOUBLE (the engine computes decimals as doubles) and
 * CHAR as VARCHAR; a {@code map<string,string>} column is MAP, its values Java maps.
 *
 * @param typeName the type as SQL writes it, e.g. {@code MAP<VARCHAR, VARCHAR>}
 */
public record SqlColumn(String name, SqlTypeName type, String typeName, boolean nullable) {
  static SqlColumn of(String name, RelDataType type) {
    SqlTypeName sqlType =
        switch (type.getSqlTypeName()) {
          case DECIMAL, FLOAT, REAL -> SqlTypeName.DOUBLE;
          case CHAR -> SqlTypeName.VARCHAR;
          case NULL -> SqlTypeName.VARCHAR;
          default -> type.getSqlTypeName();
        };
    return new SqlColumn(name, sqlType, typeName(type, sqlType), type.isNullable());
  }

  private static String typeName(RelDataType type, SqlTypeName sqlType) {
    return switch (sqlType) {
      case MAP -> "MAP<" + typeName(type.getKeyType(), type.getKeyType().getSqlTypeName()) + ", "
          + typeName(type.getValueType(), type.getValueType().getSqlTypeName()) + ">";
      case ARRAY -> "ARRAY<"
          + typeName(type.getComponentType(), type.getComponentType().getSqlTypeName()) + ">";
      case ROW -> {
        StringBuilder row = new StringBuilder("ROW(");
        type.getFieldList().forEach(f -> row.append(row.length() > 4 ? ", " : "")
            .append(f.getName()).append(' ')
            .append(typeName(f.getType(), f.getType().getSqlTypeName())));
        yield row.append(')').toString();
      }
      default -> sqlType.getName();
    };
  }
}

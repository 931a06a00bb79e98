package io.icegate.engine.sql;

import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rel.type.RelDataTypeSystemImpl;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * The result types of SQL's aggregates as PostgreSQL and DuckDB users expect them, where
 * Calcite's default keeps the argument's type:
 *
 * <ul>
 *   <li>{@code AVG}, {@code VAR_POP}/{@code VAR_SAMP} and {@code STDDEV_POP}/{@code STDDEV_SAMP}
 *       of an integer column are DOUBLE: {@code AVG} of 1 and 2 is 1.5, not 1.
 *   <li>{@code SUM} of a TINYINT, SMALLINT or INTEGER column is BIGINT (PostgreSQL's {@code
 *       sum(int4)} is {@code int8}): the sum of many INTEGER values routinely leaves INTEGER,
 *       and a parallel aggregation's per-split partial sums have the result's type, so with
 *       INTEGER a split could fail although the whole sum fits. {@code SUM} of a BIGINT column
 *       stays BIGINT; a sum whose running total leaves BIGINT is an error (SQL's "numeric value
 *       out of range"), never a wrapped or rounded number.
 * </ul>
 *
 * Nullability follows the argument; Calcite's inference adds NULL where a group can be empty.
 */
final class SqlTypeSystem extends RelDataTypeSystemImpl {
  static final SqlTypeSystem INSTANCE = new SqlTypeSystem();

  private SqlTypeSystem() {}

  @Override
  public RelDataType deriveAvgAggType(RelDataTypeFactory typeFactory, RelDataType argType) {
    if (isInteger(argType)) {
      return typeFactory.createTypeWithNullability(
          typeFactory.createSqlType(SqlTypeName.DOUBLE), argType.isNullable());
    }
    return super.deriveAvgAggType(typeFactory, argType);
  }

  @Override
  public RelDataType deriveSumType(RelDataTypeFactory typeFactory, RelDataType argType) {
    if (isInteger(argType)) {
      return typeFactory.createTypeWithNullability(
          typeFactory.createSqlType(SqlTypeName.BIGINT), argType.isNullable());
    }
    return super.deriveSumType(typeFactory, argType);
  }

  private static boolean isInteger(RelDataType type) {
    return switch (type.getSqlTypeName()) {
      case TINYINT, SMALLINT, INTEGER, BIGINT -> true;
      default -> false;
    };
  }
}

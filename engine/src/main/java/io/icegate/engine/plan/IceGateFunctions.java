package io.icegate.engine.plan;

import java.util.List;
import org.apache.calcite.sql.SqlAggFunction;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.type.SqlTypeTransforms;
import org.apache.calcite.util.Optionality;

/**
 * Functions our plans use beyond standard SQL, with the semantics of the query languages.
 * Each scalar one has a vectorized kernel in {@code io.icegate.engine.expr}.
 */
public final class IceGateFunctions {
  /**
   * {@code LABEL_VALUE(labels, name)}: the value of label {@code name} in an encoded label set
   * (the {@code stream_labels} column), or {@code ''} when absent — in Loki and Prometheus a
   * missing label matches {@code name=""}.
   */
  public static final SqlFunction LABEL_VALUE =
      new SqlFunction(
          "LABEL_VALUE",
          SqlKind.OTHER_FUNCTION,
          ReturnTypes.explicit(SqlTypeName.VARCHAR),
          null,
          OperandTypes.STRING_STRING,
          SqlFunctionCategory.USER_DEFINED_FUNCTION);

  /** {@code RE2_FULL_MATCH(value, pattern)}: the whole value matches (label matchers). */
  public static final SqlFunction RE2_FULL_MATCH = predicate("RE2_FULL_MATCH");

  /** {@code RE2_FIND(value, pattern)}: the pattern matches somewhere (line filters). */
  public static final SqlFunction RE2_FIND = predicate("RE2_FIND");

  /** {@code CONTAINS_SUBSTRING(value, needle)}: byte-wise substring test (line filters). */
  public static final SqlFunction CONTAINS_SUBSTRING = predicate("CONTAINS_SUBSTRING");

  /**
   * {@code QUANTILE(φ, x)}: PromQL's {@code quantile} as an aggregate — linear interpolation at
   * rank φ·(n−1) with NaNs sorting first, −Inf for φ below 0, +Inf above 1, NaN for a NaN φ;
   * NULL over no value. Run by the hash aggregate ({@code AggregateFunction.Kind.QUANTILE}).
   */
  public static final SqlAggFunction QUANTILE =
      new SqlAggFunction(
          "QUANTILE", null, SqlKind.OTHER_FUNCTION,
          ReturnTypes.DOUBLE.andThen(SqlTypeTransforms.FORCE_NULLABLE), null,
          OperandTypes.NUMERIC_NUMERIC, SqlFunctionCategory.USER_DEFINED_FUNCTION, false, false,
          Optionality.FORBIDDEN) {};

  /**
   * {@code PROMQL_FORMAT(x)}: a number as PromQL writes a sample value into a label (Go's {@code
   * strconv.FormatFloat(v, 'f', -1, 64)}: shortest round-trip digits, no exponent; {@code NaN},
   * {@code +Inf}, {@code -Inf}). {@code count_values} is a GROUP BY over it with COUNT.
   */
  public static final SqlFunction PROMQL_FORMAT =
      new SqlFunction(
          "PROMQL_FORMAT",
          SqlKind.OTHER_FUNCTION,
          ReturnTypes.explicit(SqlTypeName.VARCHAR).andThen(SqlTypeTransforms.TO_NULLABLE),
          null,
          OperandTypes.NUMERIC,
          SqlFunctionCategory.USER_DEFINED_FUNCTION);

  /** The functions of this class that SQL statements may call by name. */
  public static final List<SqlOperator> SQL_CALLABLE = List.of(QUANTILE, PROMQL_FORMAT);

  private IceGateFunctions() {}

  private static SqlFunction predicate(String name) {
    return new SqlFunction(
        name,
        SqlKind.OTHER_FUNCTION,
        ReturnTypes.BOOLEAN_NULLABLE,
        null,
        OperandTypes.STRING_STRING,
        SqlFunctionCategory.USER_DEFINED_FUNCTION);
  }
}

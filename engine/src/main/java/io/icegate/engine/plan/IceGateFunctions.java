package io.icegate.engine.plan;

import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Functions our plans use beyond standard SQL, with the semantics of the query languages.
 * Each has a vectorized kernel in {@code io.icegate.engine.expr}.
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

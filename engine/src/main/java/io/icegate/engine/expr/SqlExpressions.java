package io.icegate.engine.expr;

import com.google.re2j.Pattern;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.fun.SqlLikeOperator;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * SQL scalar expressions over Arrow batches, a column at a time: each node of the expression
 * computes all the batch's rows into a plain array ({@link SqlValues}) before its parent runs,
 * with SQL's three-valued logic (a comparison with NULL is UNKNOWN, {@code NOT UNKNOWN} is
 * UNKNOWN, a WHERE keeps only TRUE). What the LogQL kernels ({@link PredicateCompiler}) don't
 * cover runs here: computed projections, NOT over nullable columns, IS NULL, LIKE, CASE (and the
 * COALESCE/NULLIF Calcite turns into it), arithmetic, casts, doubles, map lookups {@code
 * attributes['key']}.
 *
 * <p>Anything else is refused when compiling, with {@link UnsupportedOperationException} naming
 * the operator, so a query fails before it reads anything.
 */
public final class SqlExpressions {
  private SqlExpressions() {}

  /** A compiled expression: evaluates every row of a batch. */
  @FunctionalInterface
  public interface Compiled {
    SqlValues evaluate(VectorSchemaRoot batch);
  }

  /** Compiles {@code node} (SEARCH ranges expanded to comparisons first). */
  public static Compiled compile(RexNode node, RexBuilder rexBuilder) {
    return compileNode(RexUtil.expandSearch(rexBuilder, null, node));
  }

  /**
   * Evaluates {@code expression} over {@code batch} into a new vector of SQL type {@code type},
   * owned by the caller.
   */
  public static FieldVector evaluateToVector(
      Compiled expression, VectorSchemaRoot batch, RelDataType type, String name,
      BufferAllocator allocator) {
    return SqlValues.toVector(expression.evaluate(batch), type, name, allocator);
  }

  /**
   * Sets {@code out[i]} to whether {@code condition} is TRUE for row {@code i}, and returns how
   * many rows are.
   */
  public static int select(Compiled condition, VectorSchemaRoot batch, boolean[] out) {
    SqlValues values = condition.evaluate(batch);
    if (!(values instanceof SqlValues.Bools bools)) {
      throw new IllegalStateException("condition is not boolean");
    }
    int count = 0;
    for (int i = 0; i < batch.getRowCount(); i++) {
      out[i] = bools.isTrue(i);
      if (out[i]) {
        count++;
      }
    }
    return count;
  }

  /** Row {@code row} of {@code vector} as a plain Java value (see {@link SqlValues}). */
  public static Object javaValue(FieldVector vector, int row) {
    return SqlValues.javaValue(vector, row);
  }

  private static Compiled compileNode(RexNode node) {
    if (node instanceof RexInputRef ref) {
      int index = ref.getIndex();
      return batch -> SqlValues.read(batch.getVector(index), batch.getRowCount());
    }
    if (node instanceof RexLiteral literal) {
      return literal(literal);
    }
    if (!(node instanceof RexCall call)) {
      throw new UnsupportedOperationException("expression not supported: " + node);
    }
    List<RexNode> operands = call.getOperands();
    SqlKind kind = call.getKind();
    switch (kind) {
      case AND, OR -> {
        List<Compiled> terms = operands.stream().map(SqlExpressions::compileNode).toList();
        boolean and = kind == SqlKind.AND;
        return batch -> logical(terms, batch, and);
      }
      case NOT -> {
        Compiled operand = compileNode(operands.get(0));
        return batch -> {
          SqlValues.Bools in = (SqlValues.Bools) operand.evaluate(batch);
          boolean[] out = new boolean[in.rows()];
          for (int i = 0; i < out.length; i++) {
            out[i] = !in.values()[i];
          }
          return new SqlValues.Bools(out, in.nulls());
        };
      }
      case IS_NULL, IS_NOT_NULL -> {
        Compiled operand = compileNode(operands.get(0));
        boolean wantNull = kind == SqlKind.IS_NULL;
        return batch -> {
          SqlValues in = operand.evaluate(batch);
          boolean[] out = new boolean[in.rows()];
          for (int i = 0; i < out.length; i++) {
            out[i] = in.isNull(i) == wantNull;
          }
          return new SqlValues.Bools(out, new boolean[out.length]);
        };
      }
      case IS_TRUE, IS_NOT_TRUE, IS_FALSE, IS_NOT_FALSE -> {
        Compiled operand = compileNode(operands.get(0));
        return batch -> {
          SqlValues.Bools in = (SqlValues.Bools) operand.evaluate(batch);
          boolean[] out = new boolean[in.rows()];
          for (int i = 0; i < out.length; i++) {
            boolean isTrue = in.isTrue(i);
            boolean isFalse = !in.nulls()[i] && !in.values()[i];
            out[i] =
                switch (kind) {
                  case IS_TRUE -> isTrue;
                  case IS_NOT_TRUE -> !isTrue;
                  case IS_FALSE -> isFalse;
                  default -> !isFalse;
                };
          }
          return new SqlValues.Bools(out, new boolean[out.length]);
        };
      }
      case EQUALS, NOT_EQUALS, LESS_THAN, LESS_THAN_OR_EQUAL, GREATER_THAN,
          GREATER_THAN_OR_EQUAL -> {
        return comparison(call);
      }
      case LIKE -> {
        return like(call);
      }
      case PLUS, MINUS, TIMES, DIVIDE, MOD -> {
        return arithmetic(call);
      }
      case MINUS_PREFIX -> {
        Compiled operand = compileNode(operands.get(0));
        boolean exact = isExact(call.getType());
        return batch -> {
          SqlValues in = operand.evaluate(batch);
          if (exact) {
            SqlValues.Longs l = toLongs(in);
            long[] out = new long[l.rows()];
            for (int i = 0; i < out.length; i++) {
              out[i] = -l.values()[i];
            }
            return new SqlValues.Longs(out, l.nulls());
          }
          SqlValues.Doubles d = toDoubles(in);
          double[] out = new double[d.rows()];
          for (int i = 0; i < out.length; i++) {
            out[i] = -d.values()[i];
          }
          return new SqlValues.Doubles(out, d.nulls());
        };
      }
      case CAST -> {
        Compiled operand = compileNode(operands.get(0));
        SqlTypeName target = call.getType().getSqlTypeName();
        checkCastTarget(target, call);
        return batch -> cast(operand.evaluate(batch), target);
      }
      case CASE -> {
        return caseWhen(call);
      }
      case ITEM -> {
        return item(call);
      }
      default -> {
        return function(call);
      }
    }
  }

  private static Compiled function(RexCall call) {
    String name = call.getOperator().getName().toUpperCase(java.util.Locale.ROOT);
    List<RexNode> operands = call.getOperands();
    switch (name) {
      case "UPPER", "LOWER" -> {
        Compiled operand = compileNode(operands.get(0));
        boolean upper = name.equals("UPPER");
        return batch -> {
          SqlValues.Strings in = toStrings(operand.evaluate(batch));
          String[] out = new String[in.rows()];
          for (int i = 0; i < out.length; i++) {
            String s = in.values()[i];
            out[i] =
                s == null ? null
                    : upper ? s.toUpperCase(java.util.Locale.ROOT)
                    : s.toLowerCase(java.util.Locale.ROOT);
          }
          return new SqlValues.Strings(out);
        };
      }
      case "CHAR_LENGTH", "CHARACTER_LENGTH" -> {
        Compiled operand = compileNode(operands.get(0));
        return batch -> {
          SqlValues.Strings in = toStrings(operand.evaluate(batch));
          long[] out = new long[in.rows()];
          boolean[] nulls = new boolean[in.rows()];
          for (int i = 0; i < out.length; i++) {
            String s = in.values()[i];
            nulls[i] = s == null;
            out[i] = s == null ? 0 : s.codePointCount(0, s.length());
          }
          return new SqlValues.Longs(out, nulls);
        };
      }
      case "PROMQL_FORMAT" -> {
        Compiled operand = compileNode(operands.get(0));
        return batch -> {
          SqlValues.Doubles in = toDoubles(operand.evaluate(batch));
          String[] out = new String[in.rows()];
          for (int i = 0; i < out.length; i++) {
            out[i] = in.nulls()[i] ? null : io.icegate.promql.ast.Printer.number(in.values()[i]);
          }
          return new SqlValues.Strings(out);
        };
      }
      case "||" -> {
        List<Compiled> parts = operands.stream().map(SqlExpressions::compileNode).toList();
        return batch -> {
          List<SqlValues.Strings> in = new ArrayList<>();
          for (Compiled part : parts) {
            in.add(toStrings(part.evaluate(batch)));
          }
          String[] out = new String[batch.getRowCount()];
          for (int i = 0; i < out.length; i++) {
            StringBuilder s = new StringBuilder();
            for (SqlValues.Strings p : in) {
              if (p.values()[i] == null) {
                s = null;
                break;
              }
              s.append(p.values()[i]);
            }
            out[i] = s == null ? null : s.toString();
          }
          return new SqlValues.Strings(out);
        };
      }
      default -> throw new UnsupportedOperationException(
          "SQL function or operator " + call.getOperator().getName() + " is not supported");
    }
  }

  private static Compiled literal(RexLiteral literal) {
    RelDataType type = literal.getType();
    SqlTypeName sqlType = type.getSqlTypeName();
    boolean isNull = literal.isNull();
    if (sqlType == SqlTypeName.NULL) {
      return batch -> new SqlValues.Strings(new String[batch.getRowCount()]);
    }
    SqlTypeFamily family = sqlType.getFamily();
    if (family == SqlTypeFamily.NUMERIC) {
      if (isExact(type)) {
        long value = isNull ? 0 : literal.getValueAs(Long.class);
        return batch -> longs(batch.getRowCount(), value, isNull);
      }
      double value = isNull ? 0 : literal.getValueAs(Double.class);
      return batch -> {
        double[] values = new double[batch.getRowCount()];
        Arrays.fill(values, value);
        return new SqlValues.Doubles(values, filled(values.length, isNull));
      };
    }
    if (family == SqlTypeFamily.CHARACTER) {
      String value = isNull ? null : literal.getValueAs(String.class);
      return batch -> {
        String[] values = new String[batch.getRowCount()];
        Arrays.fill(values, value);
        return new SqlValues.Strings(values);
      };
    }
    if (family == SqlTypeFamily.BOOLEAN) {
      boolean value = !isNull && Boolean.TRUE.equals(literal.getValueAs(Boolean.class));
      return batch -> {
        boolean[] values = new boolean[batch.getRowCount()];
        Arrays.fill(values, value);
        return new SqlValues.Bools(values, filled(values.length, isNull));
      };
    }
    if (family == SqlTypeFamily.BINARY) {
      byte[] value =
          isNull ? null : literal.getValueAs(org.apache.calcite.avatica.util.ByteString.class)
              .getBytes();
      return batch -> {
        Object[] values = new Object[batch.getRowCount()];
        Arrays.fill(values, value);
        return new SqlValues.Objects(values);
      };
    }
    throw new UnsupportedOperationException("literal of type " + sqlType + " is not supported");
  }

  private static SqlValues.Longs longs(int rows, long value, boolean isNull) {
    long[] values = new long[rows];
    Arrays.fill(values, value);
    return new SqlValues.Longs(values, filled(rows, isNull));
  }

  private static boolean[] filled(int rows, boolean value) {
    boolean[] out = new boolean[rows];
    if (value) {
      Arrays.fill(out, true);
    }
    return out;
  }

  private static SqlValues logical(List<Compiled> terms, VectorSchemaRoot batch, boolean and) {
    int rows = batch.getRowCount();
    boolean[] values = new boolean[rows];
    boolean[] nulls = new boolean[rows];
    Arrays.fill(values, and);
    for (Compiled term : terms) {
      SqlValues.Bools in = (SqlValues.Bools) term.evaluate(batch);
      for (int i = 0; i < rows; i++) {
        if (in.nulls()[i]) {
          nulls[i] = true;
        } else if (in.values()[i] != and) {
          values[i] = !and; // a FALSE decides an AND, a TRUE an OR, whatever else is UNKNOWN
        }
      }
    }
    for (int i = 0; i < rows; i++) {
      if (values[i] != and) {
        nulls[i] = false;
      }
    }
    return new SqlValues.Bools(values, nulls);
  }

  private static Compiled comparison(RexCall call) {
    Compiled left = compileNode(call.getOperands().get(0));
    Compiled right = compileNode(call.getOperands().get(1));
    SqlKind kind = call.getKind();
    return batch -> {
      SqlValues a = left.evaluate(batch);
      SqlValues b = right.evaluate(batch);
      int rows = batch.getRowCount();
      boolean[] out = new boolean[rows];
      boolean[] nulls = new boolean[rows];
      for (int i = 0; i < rows; i++) {
        nulls[i] = a.isNull(i) || b.isNull(i);
      }
      if (a instanceof SqlValues.Longs la && b instanceof SqlValues.Longs lb) {
        for (int i = 0; i < rows; i++) {
          out[i] = CompareKernels.test(kind, Long.compare(la.values()[i], lb.values()[i]));
        }
      } else if (isNumber(a) && isNumber(b)) {
        SqlValues.Doubles da = toDoubles(a);
        SqlValues.Doubles db = toDoubles(b);
        for (int i = 0; i < rows; i++) {
          out[i] = CompareKernels.test(kind, Double.compare(da.values()[i], db.values()[i]));
        }
      } else if (a instanceof SqlValues.Bools ba && b instanceof SqlValues.Bools bb) {
        for (int i = 0; i < rows; i++) {
          out[i] = CompareKernels.test(kind, Boolean.compare(ba.values()[i], bb.values()[i]));
        }
      } else if (a instanceof SqlValues.Strings || b instanceof SqlValues.Strings) {
        SqlValues.Strings sa = toStrings(a);
        SqlValues.Strings sb = toStrings(b);
        for (int i = 0; i < rows; i++) {
          if (!nulls[i]) {
            out[i] = CompareKernels.test(kind, compareCodePoints(sa.values()[i], sb.values()[i]));
          }
        }
      } else if (a instanceof SqlValues.Objects oa && b instanceof SqlValues.Objects ob
          && (kind == SqlKind.EQUALS || kind == SqlKind.NOT_EQUALS)) {
        for (int i = 0; i < rows; i++) {
          if (!nulls[i]) {
            boolean equal = java.util.Objects.deepEquals(oa.values()[i], ob.values()[i]);
            out[i] = equal == (kind == SqlKind.EQUALS);
          }
        }
      } else {
        throw new UnsupportedOperationException("cannot compare these types: " + call);
      }
      for (int i = 0; i < rows; i++) {
        if (nulls[i]) {
          out[i] = false;
        }
      }
      return new SqlValues.Bools(out, nulls);
    };
  }

  /** Orders strings by code point, as the byte kernels order UTF-8. */
  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  private static Compiled like(RexCall call) {
    List<RexNode> operands = call.getOperands();
    if (!(operands.get(1) instanceof RexLiteral patternLiteral)
        || (operands.size() > 2 && !(operands.get(2) instanceof RexLiteral))) {
      throw new UnsupportedOperationException("LIKE needs a constant pattern: " + call);
    }
    boolean negated = false;
    boolean caseSensitive = true;
    if (call.getOperator() instanceof SqlLikeOperator likeOperator) {
      negated = likeOperator.isNegated();
      caseSensitive = likeOperator.isCaseSensitive();
    }
    String pattern = patternLiteral.getValueAs(String.class);
    Character escape = null;
    if (operands.size() > 2) {
      String e = ((RexLiteral) operands.get(2)).getValueAs(String.class);
      if (e == null || e.length() != 1) {
        throw new IllegalArgumentException("LIKE escape must be one character: " + e);
      }
      escape = e.charAt(0);
    }
    Pattern regex = likePattern(pattern, escape, caseSensitive);
    Compiled value = compileNode(operands.get(0));
    boolean not = negated;
    return batch -> {
      SqlValues.Strings in = toStrings(value.evaluate(batch));
      boolean[] out = new boolean[in.rows()];
      boolean[] nulls = new boolean[in.rows()];
      for (int i = 0; i < out.length; i++) {
        String s = in.values()[i];
        nulls[i] = s == null;
        out[i] = s != null && (regex.matches(s) != not);
      }
      return new SqlValues.Bools(out, nulls);
    };
  }

  /** A SQL LIKE pattern ({@code %} any run, {@code _} one character) as an anchored regex. */
  static Pattern likePattern(String pattern, Character escape, boolean caseSensitive) {
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (escape != null && c == escape) {
        if (i + 1 >= pattern.length()) {
          throw new IllegalArgumentException("LIKE pattern ends with its escape character");
        }
        literal.append(pattern.charAt(++i));
        continue;
      }
      if (c == '%' || c == '_') {
        if (literal.length() > 0) {
          regex.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        regex.append(c == '%' ? "(?s:.*)" : "(?s:.)");
      } else {
        literal.append(c);
      }
    }
    if (literal.length() > 0) {
      regex.append(Pattern.quote(literal.toString()));
    }
    return Pattern.compile(regex.toString(), caseSensitive ? 0 : Pattern.CASE_INSENSITIVE);
  }

  private static Compiled arithmetic(RexCall call) {
    Compiled left = compileNode(call.getOperands().get(0));
    Compiled right = compileNode(call.getOperands().get(1));
    SqlKind kind = call.getKind();
    boolean exact = isExact(call.getType());
    return batch -> {
      SqlValues a = left.evaluate(batch);
      SqlValues b = right.evaluate(batch);
      int rows = batch.getRowCount();
      boolean[] nulls = new boolean[rows];
      for (int i = 0; i < rows; i++) {
        nulls[i] = a.isNull(i) || b.isNull(i);
      }
      if (exact) {
        long[] x = toLongs(a).values();
        long[] y = toLongs(b).values();
        long[] out = new long[rows];
        for (int i = 0; i < rows; i++) {
          if (nulls[i]) {
            continue;
          }
          out[i] =
              switch (kind) {
                case PLUS -> x[i] + y[i];
                case MINUS -> x[i] - y[i];
                case TIMES -> x[i] * y[i];
                case DIVIDE, MOD -> {
                  if (y[i] == 0) {
                    throw new IllegalArgumentException("division by zero");
                  }
                  yield kind == SqlKind.DIVIDE ? x[i] / y[i] : x[i] % y[i];
                }
                default -> throw new IllegalStateException(kind.toString());
              };
        }
        return new SqlValues.Longs(out, nulls);
      }
      double[] x = toDoubles(a).values();
      double[] y = toDoubles(b).values();
      double[] out = new double[rows];
      for (int i = 0; i < rows; i++) {
        out[i] =
            switch (kind) {
              case PLUS -> x[i] + y[i];
              case MINUS -> x[i] - y[i];
              case TIMES -> x[i] * y[i];
              case DIVIDE -> x[i] / y[i];
              case MOD -> x[i] % y[i];
              default -> throw new IllegalStateException(kind.toString());
            };
      }
      return new SqlValues.Doubles(out, nulls);
    };
  }

  private static Compiled caseWhen(RexCall call) {
    List<RexNode> operands = call.getOperands();
    List<Compiled> conditions = new ArrayList<>();
    List<Compiled> results = new ArrayList<>();
    for (int i = 0; i + 1 < operands.size(); i += 2) {
      conditions.add(compileNode(operands.get(i)));
      results.add(compileNode(operands.get(i + 1)));
    }
    results.add(compileNode(operands.get(operands.size() - 1)));
    SqlTypeName target = call.getType().getSqlTypeName();
    checkCastTarget(target, call);
    return batch -> {
      int rows = batch.getRowCount();
      int[] branch = new int[rows];
      Arrays.fill(branch, conditions.size());
      boolean[] decided = new boolean[rows];
      for (int c = 0; c < conditions.size(); c++) {
        SqlValues.Bools when = (SqlValues.Bools) conditions.get(c).evaluate(batch);
        for (int i = 0; i < rows; i++) {
          if (!decided[i] && when.isTrue(i)) {
            branch[i] = c;
            decided[i] = true;
          }
        }
      }
      List<SqlValues> values = new ArrayList<>();
      for (Compiled result : results) {
        values.add(cast(result.evaluate(batch), target));
      }
      return pick(values, branch, rows);
    };
  }

  private static SqlValues pick(List<SqlValues> values, int[] branch, int rows) {
    SqlValues first = values.get(0);
    boolean[] nulls = new boolean[rows];
    for (int i = 0; i < rows; i++) {
      nulls[i] = values.get(branch[i]).isNull(i);
    }
    if (first instanceof SqlValues.Longs) {
      long[] out = new long[rows];
      for (int i = 0; i < rows; i++) {
        out[i] = ((SqlValues.Longs) values.get(branch[i])).values()[i];
      }
      return new SqlValues.Longs(out, nulls);
    }
    if (first instanceof SqlValues.Doubles) {
      double[] out = new double[rows];
      for (int i = 0; i < rows; i++) {
        out[i] = ((SqlValues.Doubles) values.get(branch[i])).values()[i];
      }
      return new SqlValues.Doubles(out, nulls);
    }
    if (first instanceof SqlValues.Bools) {
      boolean[] out = new boolean[rows];
      for (int i = 0; i < rows; i++) {
        out[i] = ((SqlValues.Bools) values.get(branch[i])).values()[i];
      }
      return new SqlValues.Bools(out, nulls);
    }
    if (first instanceof SqlValues.Strings) {
      String[] out = new String[rows];
      for (int i = 0; i < rows; i++) {
        out[i] = ((SqlValues.Strings) values.get(branch[i])).values()[i];
      }
      return new SqlValues.Strings(out);
    }
    Object[] out = new Object[rows];
    for (int i = 0; i < rows; i++) {
      out[i] = ((SqlValues.Objects) values.get(branch[i])).values()[i];
    }
    return new SqlValues.Objects(out);
  }

  /**
   * {@code map['key']} on a {@code map<string,string>} column: each row's entries are searched
   * for the key's UTF-8 bytes in the Arrow buffers, and only the value found becomes a string.
   */
  private static Compiled item(RexCall call) {
    RexNode container = call.getOperands().get(0);
    RexNode key = call.getOperands().get(1);
    if (!(container instanceof RexInputRef ref)
        || !(key instanceof RexLiteral keyLiteral)
        || container.getType().getSqlTypeName() != SqlTypeName.MAP
        || keyLiteral.getValueAs(String.class) == null) {
      throw new UnsupportedOperationException(
          "only map_column['constant key'] lookups are supported: " + call);
    }
    int column = ref.getIndex();
    byte[] wanted = keyLiteral.getValueAs(String.class).getBytes(StandardCharsets.UTF_8);
    return batch -> {
      MapVector map = (MapVector) batch.getVector(column);
      StructVector entries = (StructVector) map.getDataVector();
      VarCharVector keys = (VarCharVector) entries.getChildByOrdinal(0);
      VarCharVector vals = (VarCharVector) entries.getChildByOrdinal(1);
      int rows = batch.getRowCount();
      String[] out = new String[rows];
      for (int row = 0; row < rows; row++) {
        if (map.isNull(row)) {
          continue;
        }
        for (int e = map.getElementStartIndex(row); e < map.getElementEndIndex(row); e++) {
          if (keyEquals(keys, e, wanted)) {
            out[row] = vals.isNull(e) ? null : new String(vals.get(e), StandardCharsets.UTF_8);
            break;
          }
        }
      }
      return new SqlValues.Strings(out);
    };
  }

  private static boolean keyEquals(VarCharVector keys, int index, byte[] wanted) {
    if (keys.isNull(index) || keys.getValueLength(index) != wanted.length) {
      return false;
    }
    ArrowBuf data = keys.getDataBuffer();
    long start = keys.getStartOffset(index);
    for (int i = 0; i < wanted.length; i++) {
      if (data.getByte(start + i) != wanted[i]) {
        return false;
      }
    }
    return true;
  }

  private static void checkCastTarget(SqlTypeName target, RexNode node) {
    switch (target) {
      case BIGINT, INTEGER, SMALLINT, TINYINT, DECIMAL, DOUBLE, FLOAT, REAL, CHAR, VARCHAR,
          BOOLEAN, BINARY, VARBINARY, NULL -> {}
      default -> throw new UnsupportedOperationException(
          "values of SQL type " + target + " are not supported: " + node);
    }
  }

  private static SqlValues cast(SqlValues in, SqlTypeName target) {
    return switch (target) {
      case BIGINT, INTEGER, SMALLINT, TINYINT -> toLongs(in);
      case DECIMAL, DOUBLE, FLOAT, REAL -> toDoubles(in);
      case CHAR, VARCHAR -> toStrings(in);
      case BOOLEAN -> toBools(in);
      default -> in;
    };
  }

  private static boolean isExact(RelDataType type) {
    return switch (type.getSqlTypeName()) {
      case BIGINT, INTEGER, SMALLINT, TINYINT -> true;
      default -> false;
    };
  }

  private static boolean isNumber(SqlValues values) {
    return values instanceof SqlValues.Longs || values instanceof SqlValues.Doubles;
  }

  static SqlValues.Longs toLongs(SqlValues in) {
    if (in instanceof SqlValues.Longs longs) {
      return longs;
    }
    int rows = in.rows();
    long[] out = new long[rows];
    boolean[] nulls = new boolean[rows];
    for (int i = 0; i < rows; i++) {
      nulls[i] = in.isNull(i);
      if (nulls[i]) {
        continue;
      }
      if (in instanceof SqlValues.Doubles d) {
        out[i] = (long) d.values()[i];
      } else if (in instanceof SqlValues.Strings s) {
        try {
          out[i] = Long.parseLong(s.values()[i].trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "cannot cast '" + s.values()[i] + "' to an integer");
        }
      } else if (in instanceof SqlValues.Bools b) {
        out[i] = b.values()[i] ? 1 : 0;
      } else {
        throw new UnsupportedOperationException("cannot cast to an integer");
      }
    }
    return new SqlValues.Longs(out, nulls);
  }

  static SqlValues.Doubles toDoubles(SqlValues in) {
    if (in instanceof SqlValues.Doubles doubles) {
      return doubles;
    }
    int rows = in.rows();
    double[] out = new double[rows];
    boolean[] nulls = new boolean[rows];
    for (int i = 0; i < rows; i++) {
      nulls[i] = in.isNull(i);
      if (nulls[i]) {
        continue;
      }
      if (in instanceof SqlValues.Longs l) {
        out[i] = l.values()[i];
      } else if (in instanceof SqlValues.Strings s) {
        try {
          out[i] = Double.parseDouble(s.values()[i].trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("cannot cast '" + s.values()[i] + "' to a number");
        }
      } else {
        throw new UnsupportedOperationException("cannot cast to a number");
      }
    }
    return new SqlValues.Doubles(out, nulls);
  }

  static SqlValues.Strings toStrings(SqlValues in) {
    if (in instanceof SqlValues.Strings strings) {
      return strings;
    }
    int rows = in.rows();
    String[] out = new String[rows];
    for (int i = 0; i < rows; i++) {
      if (in.isNull(i)) {
        continue;
      }
      if (in instanceof SqlValues.Longs l) {
        out[i] = Long.toString(l.values()[i]);
      } else if (in instanceof SqlValues.Doubles d) {
        out[i] = Double.toString(d.values()[i]);
      } else if (in instanceof SqlValues.Bools b) {
        out[i] = b.values()[i] ? "TRUE" : "FALSE";
      } else {
        out[i] = text(((SqlValues.Objects) in).values()[i]);
      }
    }
    return new SqlValues.Strings(out);
  }

  private static String text(Object value) {
    if (value instanceof byte[] bytes) {
      return java.util.HexFormat.of().formatHex(bytes);
    }
    if (value instanceof Map<?, ?> || value instanceof List<?>) {
      return value.toString();
    }
    return String.valueOf(value);
  }

  private static SqlValues.Bools toBools(SqlValues in) {
    if (in instanceof SqlValues.Bools bools) {
      return bools;
    }
    int rows = in.rows();
    boolean[] out = new boolean[rows];
    boolean[] nulls = new boolean[rows];
    SqlValues.Strings strings = toStrings(in);
    for (int i = 0; i < rows; i++) {
      String s = strings.values()[i];
      nulls[i] = s == null;
      if (s != null) {
        String t = s.trim();
        if (t.equalsIgnoreCase("true")) {
          out[i] = true;
        } else if (!t.equalsIgnoreCase("false")) {
          throw new IllegalArgumentException("cannot cast '" + s + "' to BOOLEAN");
        }
      }
    }
    return new SqlValues.Bools(out, nulls);
  }
}

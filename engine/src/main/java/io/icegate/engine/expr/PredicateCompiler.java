package io.icegate.engine.expr;

import com.google.re2j.Pattern;
import io.icegate.engine.plan.IceGateFunctions;
import io.icegate.storage.scan.RowFilter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.util.ImmutableBitSet;
import org.apache.calcite.plan.RelOptUtil;

/**
 * Compiles a filter condition into a tree of vectorized kernels. Sub-expressions that read only
 * one string column through {@code LABEL_VALUE} become a {@link DistinctValueKernel}, evaluated
 * once per distinct value of that column.
 */
public final class PredicateCompiler {
  private PredicateCompiler() {}

  /**
   * Compiles {@code condition} over rows of {@code inputType}. Calcite's SEARCH/Sarg ranges are
   * expanded to plain comparisons first.
   */
  public static VectorPredicate compile(
      RexNode condition, RelDataType inputType, RexBuilder rexBuilder) {
    Map<String, Pattern> patterns = new HashMap<>();
    RexNode expanded = RexUtil.expandSearch(rexBuilder, null, condition);
    return new PredicateCompiler.Compiler(inputType, patterns).compile(expanded);
  }

  /**
   * For input columns of {@code condition}: bytes every row it keeps contains there — the needle
   * of a top-level {@code CONTAINS_SUBSTRING} conjunct, or the literal every match of an {@code
   * RE2_FIND} conjunct must contain ({@link RequiredLiteral}); the longest per column. A scan
   * uses them to skip copying the values that lack them ({@code RowFilter.requiredBytes}).
   */
  public static Map<Integer, byte[]> requiredBytes(RexNode condition) {
    Map<Integer, byte[]> out = new HashMap<>();
    allRequiredBytes(condition)
        .forEach((column, needles) -> out.put(column, needles.get(0)));
    return out;
  }

  /**
   * As {@link #requiredBytes}, every needle per column (longest first) rather than the longest
   * only: a row group whose substring index lacks any of them holds no kept row.
   */
  public static Map<Integer, List<byte[]>> allRequiredBytes(RexNode condition) {
    Map<Integer, List<byte[]>> out = new HashMap<>();
    for (RexNode term : org.apache.calcite.plan.RelOptUtil.conjunctions(condition)) {
      if (!(term instanceof RexCall call)
          || (call.getOperator() != IceGateFunctions.CONTAINS_SUBSTRING
              && call.getOperator() != IceGateFunctions.RE2_FIND)
          || call.getOperands().size() != 2
          || !(call.getOperands().get(0) instanceof RexInputRef ref)
          || !(call.getOperands().get(1) instanceof RexLiteral literal)) {
        continue;
      }
      String text = literal.getValueAs(String.class);
      String needle =
          call.getOperator() == IceGateFunctions.CONTAINS_SUBSTRING
              ? text
              : RequiredLiteral.of(text);
      if (needle == null || needle.isEmpty()) {
        continue;
      }
      byte[] bytes = needle.getBytes(StandardCharsets.UTF_8);
      out.computeIfAbsent(ref.getIndex(), i -> new java.util.ArrayList<>()).add(bytes);
    }
    // Longest first, the first of equals kept first (a stable sort).
    out.values().forEach(needles -> needles.sort((a, b) -> Integer.compare(b.length, a.length)));
    return out;
  }

  /** The label set without labels, in which every label's value is the empty string. */
  private static final String NO_LABELS = "{}";

  /**
   * For input columns of {@code condition}: a test of a value of the column that every row it
   * keeps passes — the top-level conjuncts over that column's labels alone ({@code
   * LABEL_VALUE}) that the label set without labels fails, all of them — with that label set as
   * the replacement. A scan may read a value that fails the test as the replacement ({@code
   * RowFilter.entryTest}): it tests a dictionary's entries once each and copies nothing of the
   * rejected ones.
   */
  public static Map<Integer, RowFilter.EntryTest> entryTests(
      RexNode condition, RexBuilder rexBuilder) {
    Map<Integer, java.util.function.Predicate<String>> tests = new HashMap<>();
    RexNode expanded = RexUtil.expandSearch(rexBuilder, null, condition);
    for (RexNode term : RelOptUtil.conjunctions(expanded)) {
      ImmutableBitSet columns = RelOptUtil.InputFinder.bits(term);
      if (columns.cardinality() != 1 || !Compiler.readsLabels(term)) {
        continue;
      }
      Map<String, Pattern> patterns = new HashMap<>();
      new Compiler(null, patterns).collectPatterns(term);
      ScalarEvaluator evaluator = new ScalarEvaluator(patterns);
      java.util.function.Predicate<String> test =
          value -> Boolean.TRUE.equals(evaluator.eval(term, value));
      if (test.test(NO_LABELS)) {
        continue;
      }
      tests.merge(columns.nth(0), test, java.util.function.Predicate::and);
    }
    Map<Integer, RowFilter.EntryTest> out = new HashMap<>();
    tests.forEach((column, test) -> out.put(column, new RowFilter.EntryTest(test, NO_LABELS)));
    return out;
  }

  private record Compiler(RelDataType inputType, Map<String, Pattern> patterns) {
    VectorPredicate compile(RexNode node) {
      if (node.isAlwaysTrue()) {
        return LogicalKernels.constant(true);
      }
      if (node.isAlwaysFalse()) {
        return LogicalKernels.constant(false);
      }
      if (!(node instanceof RexCall call)) {
        throw unsupported(node);
      }
      ImmutableBitSet columns = RelOptUtil.InputFinder.bits(node);
      if (columns.cardinality() == 1 && readsLabels(node)) {
        collectPatterns(node);
        ScalarEvaluator evaluator = new ScalarEvaluator(patterns);
        return new DistinctValueKernel(
            columns.nth(0), value -> Boolean.TRUE.equals(evaluator.eval(node, value)));
      }
      List<RexNode> operands = call.getOperands();
      return switch (call.getKind()) {
        case AND -> LogicalKernels.and(operands.stream().map(this::compile).toList());
        case OR -> LogicalKernels.or(operands.stream().map(this::compile).toList());
        case NOT -> LogicalKernels.not(compile(operands.get(0)));
        case EQUALS, NOT_EQUALS, LESS_THAN, LESS_THAN_OR_EQUAL, GREATER_THAN,
            GREATER_THAN_OR_EQUAL -> comparison(call);
        default -> function(call);
      };
    }

    private VectorPredicate comparison(RexCall call) {
      RexNode left = call.getOperands().get(0);
      RexNode right = call.getOperands().get(1);
      SqlKind kind = call.getKind();
      if (left instanceof RexLiteral && right instanceof RexInputRef) {
        RexNode swap = left;
        left = right;
        right = swap;
        kind = kind.reverse();
      }
      if (!(left instanceof RexInputRef ref) || !(right instanceof RexLiteral literal)) {
        throw unsupported(call);
      }
      int column = ref.getIndex();
      SqlTypeFamily family = inputType.getFieldList().get(column).getType().getSqlTypeName()
          .getFamily();
      if (family == SqlTypeFamily.NUMERIC) {
        return CompareKernels.longs(column, kind, literal.getValueAs(Long.class));
      }
      if (family == SqlTypeFamily.CHARACTER) {
        return CompareKernels.bytes(
            column, kind, literal.getValueAs(String.class).getBytes(StandardCharsets.UTF_8));
      }
      throw unsupported(call);
    }

    private VectorPredicate function(RexCall call) {
      var operator = call.getOperator();
      if (call.getOperands().size() != 2
          || !(call.getOperands().get(0) instanceof RexInputRef ref)
          || !(call.getOperands().get(1) instanceof RexLiteral literal)) {
        throw unsupported(call);
      }
      String argument = literal.getValueAs(String.class);
      if (operator == IceGateFunctions.CONTAINS_SUBSTRING) {
        return StringKernels.contains(ref.getIndex(), argument.getBytes(StandardCharsets.UTF_8));
      }
      if (operator == IceGateFunctions.RE2_FIND) {
        return StringKernels.regex(ref.getIndex(), Pattern.compile(argument), false);
      }
      if (operator == IceGateFunctions.RE2_FULL_MATCH) {
        return StringKernels.regex(ref.getIndex(), Pattern.compile(argument), true);
      }
      throw unsupported(call);
    }

    private void collectPatterns(RexNode node) {
      if (node instanceof RexCall call) {
        if (call.getOperator() == IceGateFunctions.RE2_FULL_MATCH
            || call.getOperator() == IceGateFunctions.RE2_FIND) {
          String pattern = ((RexLiteral) call.getOperands().get(1)).getValueAs(String.class);
          patterns.computeIfAbsent(pattern, Pattern::compile);
        }
        call.getOperands().forEach(this::collectPatterns);
      }
    }

    private static boolean readsLabels(RexNode node) {
      return containsLabelValue(node);
    }

    private static boolean containsLabelValue(RexNode node) {
      if (node instanceof RexCall call) {
        if (call.getOperator() == IceGateFunctions.LABEL_VALUE) {
          return true;
        }
        return call.getOperands().stream().anyMatch(Compiler::containsLabelValue);
      }
      return false;
    }

    private static UnsupportedOperationException unsupported(RexNode node) {
      return new UnsupportedOperationException("no vectorized kernel for " + node);
    }
  }
}

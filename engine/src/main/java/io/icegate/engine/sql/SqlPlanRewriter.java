package io.icegate.engine.sql;

import io.icegate.engine.plan.IceGateFunctions;
import io.icegate.engine.rel.ArrowFilter;
import io.icegate.engine.rel.ArrowProject;
import io.icegate.engine.rel.ArrowRel;
import io.icegate.engine.rel.ArrowSort;
import io.icegate.engine.rel.ArrowTableScan;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.fun.SqlLikeOperator;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.SqlTypeFamily;

/**
 * The SQL phase after {@code QueryOptimizer}'s: the physical plan the LogQL phases produced,
 * made runnable for SQL.
 *
 * <ul>
 *   <li>Each filter keeps, in the {@code ArrowFilter} (which runs inside the scan), the
 *       conjuncts its kernels evaluate exactly as SQL does: comparisons of an integer or string
 *       column with a constant and substring LIKEs ({@link #likeAsKernels}), under AND and OR. The rest move into an {@link ArrowSqlFilter}
 *       above it — the LogQL kernels treat a NULL as FALSE, which NOT would turn into TRUE.
 *   <li>A projection that computes becomes an {@link ArrowCompute}.
 *   <li>A {@code LIMIT}/{@code OFFSET} without an order becomes an {@link ArrowLimit}, which
 *       passes rows on as they come and stops its input at the limit.
 *   <li>Every scan is bound to the caller's tenant whatever the query's own conditions said; the
 *       tenant filter planned above every table stays in the plan.
 * </ul>
 */
final class SqlPlanRewriter {
  private SqlPlanRewriter() {}

  static ArrowRel rewrite(ArrowRel rel, String tenant) {
    List<RelNode> inputs = new ArrayList<>();
    boolean changed = false;
    for (RelNode input : rel.getInputs()) {
      RelNode rewritten = rewrite((ArrowRel) input, tenant);
      changed |= rewritten != input;
      inputs.add(rewritten);
    }
    ArrowRel node = changed ? (ArrowRel) rel.copy(rel.getTraitSet(), inputs) : rel;
    if (node instanceof ArrowTableScan scan) {
      return tenant.equals(scan.bounds().tenant())
          ? scan
          : scan.withBounds(scan.bounds().withTenant(tenant));
    }
    if (node instanceof ArrowProject project && !project.isColumnSelection()) {
      return new ArrowCompute(
          project.getCluster(), project.getTraitSet(), project.getInput(),
          project.getProjects(), project.getRowType());
    }
    if (node instanceof ArrowFilter filter) {
      return split(filter);
    }
    if (node instanceof ArrowSort sort && sort.getCollation().getFieldCollations().isEmpty()) {
      return new ArrowLimit(
          sort.getCluster(), sort.getTraitSet(), sort.getInput(), sort.offset, sort.fetch);
    }
    return node;
  }

  private static ArrowRel split(ArrowFilter filter) {
    RexBuilder rex = filter.getCluster().getRexBuilder();
    RelDataType inputType = filter.getInput().getRowType();
    List<RexNode> kernel = new ArrayList<>();
    List<RexNode> sql = new ArrayList<>();
    for (RexNode conjunct : RelOptUtil.conjunctions(filter.getCondition())) {
      RexNode expanded = likeAsKernels(RexUtil.expandSearch(rex, null, conjunct), rex);
      (kernelExact(expanded, inputType) ? kernel : sql).add(expanded);
    }
    if (sql.isEmpty()) {
      RexNode condition = RexUtil.composeConjunction(rex, kernel);
      return condition.equals(filter.getCondition())
          ? filter
          : (ArrowRel) filter.copy(filter.getTraitSet(), filter.getInput(), condition);
    }
    RelNode below =
        kernel.isEmpty()
            ? filter.getInput()
            : filter.copy(
                filter.getTraitSet(), filter.getInput(), RexUtil.composeConjunction(rex, kernel));
    return new ArrowSqlFilter(
        filter.getCluster(), filter.getTraitSet(), below, RexUtil.composeConjunction(rex, sql));
  }

  /**
   * {@code column LIKE '%text%'} as the LogQL line filter's {@code CONTAINS_SUBSTRING(column,
   * 'text')} and {@code column LIKE 'text'} (no wildcard) as {@code column = 'text'}, where
   * they are terms of ANDs and ORs (a NULL is FALSE for both there, as for LIKE): the commonest
   * log search then runs inside the scan, eight bytes at a time, before the other columns are
   * read. Other patterns stay LIKE.
   */
  static RexNode likeAsKernels(RexNode node, RexBuilder rex) {
    if (!(node instanceof RexCall call)) {
      return node;
    }
    if (call.getKind() == SqlKind.AND || call.getKind() == SqlKind.OR) {
      List<RexNode> operands = new ArrayList<>();
      for (RexNode operand : call.getOperands()) {
        operands.add(likeAsKernels(operand, rex));
      }
      return call.clone(call.getType(), operands);
    }
    if (call.getKind() != SqlKind.LIKE
        || call.getOperands().size() != 2
        || !(call.getOperator() instanceof SqlLikeOperator like)
        || like.isNegated()
        || !like.isCaseSensitive()
        || !(call.getOperands().get(0) instanceof RexInputRef ref)
        || ref.getType().getSqlTypeName().getFamily() != SqlTypeFamily.CHARACTER
        || !(call.getOperands().get(1) instanceof RexLiteral literal)
        || literal.getValueAs(String.class) == null) {
      return node;
    }
    String pattern = literal.getValueAs(String.class);
    if (pattern.indexOf('%') < 0 && pattern.indexOf('_') < 0) {
      return rex.makeCall(SqlStdOperatorTable.EQUALS, ref, rex.makeLiteral(pattern));
    }
    if (pattern.length() > 2 && pattern.startsWith("%") && pattern.endsWith("%")) {
      String middle = pattern.substring(1, pattern.length() - 1);
      if (middle.indexOf('%') < 0 && middle.indexOf('_') < 0) {
        return rex.makeCall(IceGateFunctions.CONTAINS_SUBSTRING, ref, rex.makeLiteral(middle));
      }
    }
    return node;
  }

  /**
   * Whether the LogQL kernels give this condition's SQL answer: comparisons of an integer
   * column with an integer constant or a string column with a string constant, combined with
   * AND and OR (where treating UNKNOWN as FALSE changes nothing).
   */
  static boolean kernelExact(RexNode node, RelDataType inputType) {
    if (node.isAlwaysTrue() || node.isAlwaysFalse()) {
      return true;
    }
    if (!(node instanceof RexCall call)) {
      return false;
    }
    switch (call.getKind()) {
      case AND, OR -> {
        return call.getOperands().stream().allMatch(o -> kernelExact(o, inputType));
      }
      case EQUALS, NOT_EQUALS, LESS_THAN, LESS_THAN_OR_EQUAL, GREATER_THAN,
          GREATER_THAN_OR_EQUAL -> {
        RexNode left = call.getOperands().get(0);
        RexNode right = call.getOperands().get(1);
        RexInputRef ref =
            left instanceof RexInputRef l ? l : right instanceof RexInputRef r ? r : null;
        RexLiteral literal =
            left instanceof RexLiteral l ? l : right instanceof RexLiteral r ? r : null;
        if (ref == null || literal == null || literal.isNull()) {
          return false;
        }
        var columnType = inputType.getFieldList().get(ref.getIndex()).getType().getSqlTypeName();
        var literalType = literal.getType().getSqlTypeName();
        return switch (columnType) {
          case BIGINT, INTEGER, SMALLINT, TINYINT -> switch (literalType) {
            case BIGINT, INTEGER, SMALLINT, TINYINT -> true;
            default -> false;
          };
          case CHAR, VARCHAR -> literalType.getFamily() == SqlTypeFamily.CHARACTER;
          default -> false;
        };
      }
      default -> {
        return call.getOperator() == IceGateFunctions.CONTAINS_SUBSTRING
            && call.getOperands().get(0) instanceof RexInputRef
            && call.getOperands().get(1) instanceof RexLiteral;
      }
    }
  }
}

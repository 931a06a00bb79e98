package io.icegate.engine.sql;

import io.icegate.engine.exec.TopNPerGroupOperator.NaNOrder;
import io.icegate.engine.rel.ArrowRel;
import io.icegate.engine.rel.ArrowTopNPerGroup;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelShuttleImpl;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.logical.LogicalFilter;
import org.apache.calcite.rel.logical.LogicalProject;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexFieldCollation;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexOver;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeFamily;

/**
 * SQL's per-group top N, {@code SELECT … FROM (SELECT …, ROW_NUMBER() OVER (PARTITION BY g
 * ORDER BY v DESC) AS rn FROM t) WHERE rn <= k}, as an {@link ArrowTopNPerGroup}: Calcite
 * converts it to a filter on {@code rn} over a projection holding the window call; that pair
 * becomes the top-N node (which appends the row number) under the same projection with the
 * window call replaced by the row number, and the filter's other conditions above. This is
 * the only window function SQL runs: {@code ORDER BY} one numeric column, {@code PARTITION BY}
 * columns, and a bound {@code rn <= k} or {@code rn < k} in the WHERE right above.
 */
final class RowNumberTopN {
  private RowNumberTopN() {}

  /** The pattern found under a filter: where the window call is, and the node it becomes. */
  record Match(Project project, int over, List<Integer> keys, RelFieldCollation order,
      long limit, List<RexNode> otherConditions) {}

  /** The per-group top N under {@code filter}, or null if it is not one. */
  static Match match(Filter filter) {
    if (!(filter.getInput() instanceof Project project)) {
      return null;
    }
    int over = -1;
    for (int i = 0; i < project.getProjects().size(); i++) {
      RexNode e = project.getProjects().get(i);
      if (e instanceof RexOver && over < 0) {
        over = i;
      } else if (RexOver.containsOver(e)) {
        return null;
      }
    }
    if (over < 0) {
      return null;
    }
    RexOver call = (RexOver) project.getProjects().get(over);
    if (call.getOperator().getKind() != SqlKind.ROW_NUMBER
        || call.getWindow().orderKeys.size() != 1) {
      return null;
    }
    List<Integer> keys = new ArrayList<>();
    for (RexNode key : call.getWindow().partitionKeys) {
      if (!(key instanceof RexInputRef ref)) {
        return null;
      }
      keys.add(ref.getIndex());
    }
    RexFieldCollation orderKey = call.getWindow().orderKeys.get(0);
    if (!(orderKey.left instanceof RexInputRef ref)
        || !SqlTypeFamily.NUMERIC.contains(ref.getType())) {
      return null;
    }
    RelFieldCollation order =
        new RelFieldCollation(ref.getIndex(), orderKey.getDirection(), orderKey.getNullDirection());
    long limit = -1;
    List<RexNode> others = new ArrayList<>();
    for (RexNode condition : RelOptUtil.conjunctions(filter.getCondition())) {
      long bound = limit < 0 ? bound(condition, over) : -1;
      if (bound >= 0) {
        limit = bound;
      } else {
        others.add(condition);
      }
    }
    if (limit < 0) {
      return null;
    }
    return new Match(project, over, keys, order, limit, others);
  }

  /** {@code k} for {@code $over <= k}, {@code k - 1} for {@code $over < k}; else -1. */
  private static long bound(RexNode condition, int over) {
    if (!(condition instanceof RexCall call)
        || (call.getKind() != SqlKind.LESS_THAN_OR_EQUAL && call.getKind() != SqlKind.LESS_THAN)
        || !(call.getOperands().get(0) instanceof RexInputRef ref)
        || ref.getIndex() != over
        || !(call.getOperands().get(1) instanceof RexLiteral literal)) {
      return -1;
    }
    BigDecimal k = literal.getValueAs(BigDecimal.class);
    if (k == null || k.scale() > 0 && k.stripTrailingZeros().scale() > 0) {
      return -1;
    }
    long n = k.longValue() - (call.getKind() == SqlKind.LESS_THAN ? 1 : 0);
    return Math.max(0, n);
  }

  /** {@code rel} with each per-group top N as an {@link ArrowTopNPerGroup}. */
  static RelNode rewrite(RelNode rel) {
    return rel.accept(
        new RelShuttleImpl() {
          @Override
          public RelNode visit(LogicalFilter filter) {
            LogicalFilter visited = (LogicalFilter) super.visit(filter);
            Match match = match(visited);
            return match == null ? visited : replace(visited, match);
          }
        });
  }

  private static RelNode replace(LogicalFilter filter, Match match) {
    Project project = match.project();
    RelNode input = project.getInput();
    ArrowTopNPerGroup top =
        new ArrowTopNPerGroup(
            input.getCluster(), input.getTraitSet().replace(ArrowRel.CONVENTION), input,
            match.keys(), match.order(), match.limit(), NaNOrder.SQL,
            project.getRowType().getFieldNames().get(match.over()));
    List<RexNode> projects = new ArrayList<>(project.getProjects());
    projects.set(
        match.over(),
        new RexInputRef(input.getRowType().getFieldCount(), projects.get(match.over()).getType()));
    RelNode projected =
        LogicalProject.create(top, project.getHints(), projects, project.getRowType(),
            project.getVariablesSet());
    if (match.otherConditions().isEmpty()) {
      return projected;
    }
    return LogicalFilter.create(
        projected,
        RexUtil.composeConjunction(filter.getCluster().getRexBuilder(), match.otherConditions()));
  }
}

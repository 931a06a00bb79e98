package io.icegate.engine.sql;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.Correlate;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Join;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.SetOp;
import org.apache.calcite.rel.core.Sort;
import org.apache.calcite.rel.core.TableFunctionScan;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.core.Uncollect;
import org.apache.calcite.rel.core.Values;
import org.apache.calcite.rel.core.Window;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexOver;
import org.apache.calcite.rex.RexSubQuery;
import org.apache.calcite.rex.RexUtil;

/**
 * What of a converted SQL query the engine can run: tables read through scans, filters,
 * projections, INNER and LEFT joins, one grouping level at a time, sorts and limits, UNION
 * (ALL), INTERSECT and EXCEPT, and the
 * per-group top N ({@code ROW_NUMBER() … <= k}, see {@link RowNumberTopN}). Everything
 * else is refused here, before planning, with the construct's SQL name — never a planner error
 * or a 500. (Whether a join's condition has the column equalities a hash join needs is checked
 * when it is planned.)
 */
final class SqlSupport {
  private SqlSupport() {}

  /** Throws {@link SqlQueryException} (UNSUPPORTED) naming the first construct not supported. */
  static void check(RelNode rel) {
    if (rel instanceof Filter filter) {
      RowNumberTopN.Match topN = RowNumberTopN.match(filter);
      if (topN != null) {
        // A per-group top N: ROW_NUMBER is the one window call that runs (RowNumberTopN).
        List<RexNode> others = new ArrayList<>(topN.project().getProjects());
        others.remove(topN.over());
        others.add(filter.getCondition());
        refuse(expressions(others));
        check(topN.project().getInput());
        return;
      }
    }
    refuse(refusal(rel));
    for (RelNode input : rel.getInputs()) {
      check(input);
    }
  }

  private static void refuse(String refused) {
    if (refused != null) {
      throw new SqlQueryException(SqlQueryException.Kind.UNSUPPORTED, refused + " not supported");
    }
  }

  private static String refusal(RelNode rel) {
    if (rel instanceof Correlate) {
      return "correlated subqueries (LATERAL, or a subquery that reads the outer row) are";
    }
    if (rel instanceof Join join) {
      JoinRelType type = join.getJoinType();
      if (type != JoinRelType.INNER && type != JoinRelType.LEFT) {
        return type + " JOIN is";
      }
      return expressions(java.util.List.of(join.getCondition()));
    }
    if (rel instanceof Window) {
      return "window functions (OVER) are";
    }
    if (rel instanceof Uncollect) {
      return "UNNEST is";
    }
    if (rel instanceof TableFunctionScan) {
      return "table functions are";
    }
    if (rel instanceof Aggregate aggregate) {
      if (aggregate.getGroupType() != Aggregate.Group.SIMPLE) {
        return "GROUPING SETS, ROLLUP and CUBE are";
      }
      return null;
    }
    if (rel instanceof Project project) {
      return expressions(project.getProjects());
    }
    if (rel instanceof Filter filter) {
      return expressions(java.util.List.of(filter.getCondition()));
    }
    if (rel instanceof Sort || rel instanceof TableScan || rel instanceof Values
        || rel instanceof SetOp) {
      // Set operations: UNION ALL runs as ArrowUnion, the distinct ones as aggregates over it.
      return null;
    }
    return rel.getRelTypeName() + " is";
  }

  private static String expressions(java.util.List<RexNode> expressions) {
    for (RexNode e : expressions) {
      if (RexOver.containsOver(e)) {
        return "window functions (OVER) are";
      }
      if (RexUtil.SubQueryFinder.find(java.util.List.of(e)) != null) {
        return "subqueries in expressions (IN, EXISTS, scalar subqueries) are";
      }
    }
    return null;
  }
}

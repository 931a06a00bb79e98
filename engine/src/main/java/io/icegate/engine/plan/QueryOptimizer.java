package io.icegate.engine.plan;

import io.icegate.engine.exec.OperatorStats;
import io.icegate.engine.exec.QueryStats;
import io.icegate.engine.rel.ArrowFilter;
import io.icegate.engine.rel.ArrowGather;
import io.icegate.engine.rel.ArrowRel;
import io.icegate.engine.rel.ArrowRules;
import io.icegate.engine.rel.ArrowTableScan;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.plan.hep.HepMatchOrder;
import org.apache.calcite.plan.hep.HepPlanner;
import org.apache.calcite.plan.hep.HepProgramBuilder;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.rules.CoreRules;
import org.apache.calcite.sql.SqlExplainFormat;
import org.apache.calcite.sql.SqlExplainLevel;
import org.apache.calcite.sql2rel.RelFieldTrimmer;
import org.apache.calcite.tools.RelBuilder;

/**
 * Turns a logical plan into an ARROW plan in named phases, each a Hep program, so that each can
 * be tested on its own and the sequence reads like a table of contents:
 *
 * <ol>
 *   <li><b>trim</b>: Calcite's field trimmer drops columns nobody reads;
 *   <li><b>logical</b>: merge adjacent filters and projections;
 *   <li><b>physical</b>: every logical node becomes its Arrow counterpart;
 *   <li><b>scan pushdown</b>: column selection and tenant/time bounds move into the scans;
 *   <li><b>parallel</b>: a gather above each scan and the row-by-row operators over it, so its
 *       splits are read on several threads ({@link ArrowGather}).
 * </ol>
 */
public final class QueryOptimizer {
  private static final List<RelOptRule> LOGICAL =
      List.of(
          CoreRules.FILTER_MERGE, CoreRules.PROJECT_MERGE, CoreRules.PROJECT_REMOVE,
          // UNION, INTERSECT and EXCEPT as aggregates over a UNION ALL (ArrowUnion).
          CoreRules.UNION_TO_DISTINCT, CoreRules.INTERSECT_TO_DISTINCT,
          CoreRules.MINUS_TO_DISTINCT);

  private QueryOptimizer() {}

  public static ArrowRel optimize(RelNode logical, RelBuilder builder) {
    RelNode trimmed = new RelFieldTrimmer(null, builder).trim(logical);
    RelNode merged = run(trimmed, LOGICAL);
    RelNode physical = run(merged, ArrowRules.PHYSICAL);
    RelNode pushed = run(physical, ArrowRules.SCAN_PUSHDOWN);
    if (!(pushed instanceof ArrowRel arrow)) {
      throw new IllegalStateException("plan not fully converted:\n" + explain(pushed));
    }
    return ArrowGather.parallelize(arrow);
  }

  private static RelNode run(RelNode rel, List<RelOptRule> rules) {
    HepProgramBuilder program = new HepProgramBuilder().addMatchOrder(HepMatchOrder.BOTTOM_UP);
    program.addRuleCollection(rules);
    RelOptPlanner planner = new HepPlanner(program.build());
    planner.setRoot(rel);
    return planner.findBestExp();
  }

  /**
   * EXPLAIN ANALYZE: the plan as {@link #explain} prints it, each node followed by what its
   * operators did in the run {@code stats} describes — batches, rows, and time inside the node
   * (inclusive of its inputs, summed over a parallel scan's threads) and without its inputs.
   */
  public static String explainAnalyze(RelNode rel, QueryStats stats) {
    StringBuilder out = new StringBuilder();
    Map<Integer, OperatorStats> operators = stats.operators();
    analyze(rel, null, operators, 0, out);
    out.append(String.format(Locale.ROOT,
        "scanned: %d files (%d pruned), %d rows, %d bytes%n",
        stats.filesScanned(), stats.filesPruned(), stats.rowsScanned(), stats.bytesScanned()));
    return out.toString();
  }

  private static void analyze(
      RelNode rel, RelNode parent, Map<Integer, OperatorStats> operators, int depth,
      StringBuilder out) {
    String line = explain(rel).lines().findFirst().orElse("").trim();
    out.append("  ".repeat(depth)).append(line);
    OperatorStats mine = operators.get(rel.getId());
    if (mine != null) {
      long inputs = 0;
      for (RelNode input : rel.getInputs()) {
        OperatorStats theirs = operators.get(input.getId());
        inputs += theirs == null ? 0 : theirs.nanos();
      }
      out.append(String.format(Locale.ROOT,
          " [batches=%d rows=%d time=%.3fms self=%.3fms]",
          mine.batches(), mine.rows(), mine.nanos() / 1e6,
          Math.max(0, mine.nanos() - inputs) / 1e6));
    } else if (rel instanceof ArrowTableScan && parent instanceof ArrowFilter) {
      out.append(" [read by the filter above: its columns first, the rest for kept rows]");
    } else {
      out.append(" [not run]");
    }
    out.append('\n');
    for (RelNode input : rel.getInputs()) {
      analyze(input, rel, operators, depth + 1, out);
    }
  }

  /** The plan as text, one node a line, with pushed-down scan bounds. */
  public static String explain(RelNode rel) {
    return RelOptUtil.dumpPlan(
        "", rel, SqlExplainFormat.TEXT, SqlExplainLevel.EXPPLAN_ATTRIBUTES);
  }
}

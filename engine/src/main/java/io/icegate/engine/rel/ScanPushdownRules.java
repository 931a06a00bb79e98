package io.icegate.engine.rel;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelRule;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.util.ImmutableIntList;

/**
 * Moves what a scan can use into it: the columns it must read, and the tenant and time bounds it
 * prunes files by. Every table of ours has {@value #TENANT_COLUMN} and {@value #TIME_COLUMN}.
 */
public final class ScanPushdownRules {
  public static final String TENANT_COLUMN = "tenant_id";
  public static final String TIME_COLUMN = "timestamp";

  public static final RelOptRule PROJECT_INTO_SCAN =
      RuleConfig.of(
              "ArrowProjectIntoScanRule",
              b0 ->
                  b0.operand(ArrowProject.class)
                      .oneInput(b1 -> b1.operand(ArrowTableScan.class).noInputs()),
              ProjectIntoScanRule::new)
          .toRule();

  public static final RelOptRule BOUNDS_INTO_SCAN =
      RuleConfig.of(
              "ArrowBoundsIntoScanRule",
              b0 ->
                  b0.operand(ArrowFilter.class)
                      .oneInput(b1 -> b1.operand(ArrowTableScan.class).noInputs()),
              BoundsIntoScanRule::new)
          .toRule();

  private ScanPushdownRules() {}

  /** {@code ArrowProject(columns) ← ArrowTableScan} becomes a narrower scan. */
  public static final class ProjectIntoScanRule extends RelRule<RuleConfig> {
    ProjectIntoScanRule(RuleConfig config) {
      super(config);
    }

    @Override
    public void onMatch(RelOptRuleCall call) {
      ArrowProject project = call.rel(0);
      ArrowTableScan scan = call.rel(1);
      if (!project.isColumnSelection()) {
        return;
      }
      List<String> scanNames = scan.getRowType().getFieldNames();
      List<Integer> projects = new ArrayList<>();
      for (int i = 0; i < project.getProjects().size(); i++) {
        int index = ((RexInputRef) project.getProjects().get(i)).getIndex();
        if (!scanNames.get(index).equals(project.getRowType().getFieldNames().get(i))) {
          return; // a rename: the scan can't express it
        }
        projects.add(scan.projects().get(index));
      }
      call.transformTo(scan.withProjects(ImmutableIntList.copyOf(projects)));
    }

  }

  /**
   * Tenant equality and time comparisons in a filter directly above a scan become the scan's
   * bounds. The filter keeps them: bounds only prune files, they don't filter rows.
   */
  public static final class BoundsIntoScanRule extends RelRule<RuleConfig> {
    BoundsIntoScanRule(RuleConfig config) {
      super(config);
    }

    @Override
    public void onMatch(RelOptRuleCall call) {
      ArrowFilter filter = call.rel(0);
      ArrowTableScan scan = call.rel(1);
      List<String> names = scan.getRowType().getFieldNames();
      ScanBounds bounds = scan.bounds();
      RexNode condition =
          RexUtil.expandSearch(filter.getCluster().getRexBuilder(), null, filter.getCondition());
      for (RexNode conjunct : RelOptUtil.conjunctions(condition)) {
        bounds = narrow(bounds, conjunct, names);
      }
      if (bounds.equals(scan.bounds())) {
        return;
      }
      call.transformTo(filter.copy(filter.getTraitSet(), List.of(scan.withBounds(bounds))));
    }

    private static ScanBounds narrow(ScanBounds bounds, RexNode conjunct, List<String> names) {
      if (!(conjunct instanceof RexCall call) || call.getOperands().size() != 2) {
        return bounds;
      }
      if (!(call.getOperands().get(0) instanceof RexInputRef ref)
          || !(call.getOperands().get(1) instanceof RexLiteral literal)) {
        return bounds;
      }
      String column = names.get(ref.getIndex());
      SqlKind kind = call.getKind();
      if (column.equals(TENANT_COLUMN) && kind == SqlKind.EQUALS) {
        return bounds.withTenant(literal.getValueAs(String.class));
      }
      // The column's type is checked first: a number literal can't be read as a String.
      if (kind == SqlKind.EQUALS
          && ref.getType().getSqlTypeName().getFamily()
              == org.apache.calcite.sql.type.SqlTypeFamily.CHARACTER
          && literal.getValueAs(String.class) != null) {
        String value = literal.getValueAs(String.class);
        String earlier = bounds.equalities().get(column);
        // Two different values for one column: leave it to the filter (it yields no rows).
        return earlier == null ? bounds.withEquality(column, value) : bounds;
      }
      if (!column.equals(TIME_COLUMN)) {
        return bounds;
      }
      Long value = literal.getValueAs(Long.class);
      if (value == null) {
        return bounds;
      }
      return switch (kind) {
        case GREATER_THAN_OR_EQUAL -> bounds.withStart(value);
        case GREATER_THAN -> bounds.withStart(value + 1);
        case LESS_THAN -> bounds.withEnd(value);
        case LESS_THAN_OR_EQUAL -> bounds.withEnd(value + 1);
        default -> bounds;
      };
    }

  }
}

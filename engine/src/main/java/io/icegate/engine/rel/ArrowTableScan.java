package io.icegate.engine.rel;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.exec.ScanOperator;
import io.icegate.engine.plan.IcebergCalciteTable;
import io.icegate.storage.scan.ScanRequest;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptCost;
import org.apache.calcite.plan.RelOptPlanner;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.util.ImmutableIntList;

/**
 * Reads a table's columns {@code projects} as Arrow batches, pruning files by {@code bounds}.
 * Pruning is by file statistics only; the filter above still evaluates every predicate.
 */
public final class ArrowTableScan extends TableScan implements ArrowRel {
  private final ImmutableIntList projects;
  private final ScanBounds bounds;

  public ArrowTableScan(
      RelOptCluster cluster,
      RelTraitSet traits,
      RelOptTable table,
      ImmutableIntList projects,
      ScanBounds bounds) {
    super(cluster, traits, List.of(), table);
    this.projects = projects;
    this.bounds = bounds;
  }

  public static ArrowTableScan all(RelOptCluster cluster, RelOptTable table) {
    return new ArrowTableScan(
        cluster,
        cluster.traitSetOf(ArrowRel.CONVENTION),
        table,
        ImmutableIntList.identity(table.getRowType().getFieldCount()),
        ScanBounds.NONE);
  }

  public ImmutableIntList projects() {
    return projects;
  }

  public ScanBounds bounds() {
    return bounds;
  }

  public ArrowTableScan withProjects(ImmutableIntList newProjects) {
    return new ArrowTableScan(getCluster(), getTraitSet(), getTable(), newProjects, bounds);
  }

  public ArrowTableScan withBounds(ScanBounds newBounds) {
    return new ArrowTableScan(getCluster(), getTraitSet(), getTable(), projects, newBounds);
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new ArrowTableScan(getCluster(), traitSet, getTable(), projects, bounds);
  }

  @Override
  public RelDataType deriveRowType() {
    List<RelDataTypeField> fields = table.getRowType().getFieldList();
    var builder = getCluster().getTypeFactory().builder();
    for (int i : projects) {
      builder.add(fields.get(i));
    }
    return builder.build();
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw)
        .item("columns", getRowType().getFieldNames())
        .item("pushed", bounds.toString());
  }

  /** Narrower scans are cheaper, so the planner prefers pushed-down projections. */
  @Override
  public RelOptCost computeSelfCost(RelOptPlanner planner, RelMetadataQuery mq) {
    double rows = table.getRowCount();
    double width = projects.size();
    return planner.getCostFactory().makeCost(rows, rows * width, rows * width);
  }

  @Override
  public Operator implement(ExecContext context) {
    if (bounds.tenant() == null) {
      throw new IllegalStateException("scan of " + tableName() + " has no tenant bound");
    }
    List<String> columns = new ArrayList<>(getRowType().getFieldNames());
    return context.measure(this, new ScanOperator(context, tableName(), bounds, columns));
  }

  /** What this scan asks of storage: its table, bounds and columns. */
  public ScanRequest request() {
    return ScanOperator.request(tableName(), bounds, getRowType().getFieldNames());
  }

  String tableName() {
    return table.unwrap(IcebergCalciteTable.class).name();
  }
}

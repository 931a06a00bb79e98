package io.icegate.engine.rel;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.FilterOperator;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.exec.ScanOperator;
import io.icegate.engine.expr.PredicateCompiler;
import io.icegate.storage.table.LogsTable;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeName;

/** Keeps the rows of each batch for which the condition is true, as a vectorized kernel. */
public final class ArrowFilter extends Filter implements ArrowRel {
  public ArrowFilter(RelOptCluster cluster, RelTraitSet traits, RelNode input, RexNode condition) {
    super(cluster, traits, input, condition);
  }

  @Override
  public Filter copy(RelTraitSet traitSet, RelNode input, RexNode condition) {
    return new ArrowFilter(getCluster(), traitSet, input, condition);
  }

  @Override
  public Operator implement(ExecContext context) {
    RexNode rowCondition = withoutExactTenant(context);
    if (getInput() instanceof ArrowTableScan scan && !rowCondition.isAlwaysTrue()) {
      return context.measure(this, fusedScan(context, scan, rowCondition));
    }
    Operator input = ((ArrowRel) getInput()).implement(context);
    if (rowCondition.isAlwaysTrue()) {
      return input;
    }
    var predicate =
        PredicateCompiler.compile(rowCondition, getInput().getRowType(), getCluster().getRexBuilder());
    return context.measure(this, new FilterOperator(context, input, predicate));
  }

  /**
   * The scan below with this filter inside it: the columns the condition reads are decoded
   * first, the others only for the rows it keeps (late materialization; see {@code
   * TableScanner.open} with a row filter). The condition is compiled over just its own columns.
   */
  private Operator fusedScan(ExecContext context, ArrowTableScan scan, RexNode rowCondition) {
    if (scan.bounds().tenant() == null) {
      throw new IllegalStateException("scan of " + scan.tableName() + " has no tenant bound");
    }
    List<RelDataTypeField> fields = scan.getRowType().getFieldList();
    // The terms that read no wide column form a first part, whose columns come first: the
    // reader skips a batch that part rules out before decoding the wide columns.
    List<RexNode> firstTerms = new ArrayList<>();
    for (RexNode term : RelOptUtil.conjunctions(rowCondition)) {
      if (RelOptUtil.InputFinder.bits(term).asList().stream()
          .noneMatch(i -> wide(fields.get(i)))) {
        firstTerms.add(term);
      }
    }
    RexBuilder rex = getCluster().getRexBuilder();
    RexNode firstCondition = RexUtil.composeConjunction(rex, firstTerms);
    List<Integer> read = new ArrayList<>(RelOptUtil.InputFinder.bits(firstCondition).asList());
    int firstCount = read.size();
    for (int index : RelOptUtil.InputFinder.bits(rowCondition)) {
      if (!read.contains(index)) {
        read.add(index);
      }
    }
    boolean staged = firstCount > 0 && firstCount < read.size();
    var builder = getCluster().getTypeFactory().builder();
    var firstBuilder = getCluster().getTypeFactory().builder();
    List<String> filterColumns = new ArrayList<>(read.size());
    for (int k = 0; k < read.size(); k++) {
      RelDataTypeField field = fields.get(read.get(k));
      builder.add(field);
      if (k < firstCount) {
        firstBuilder.add(field);
      }
      filterColumns.add(field.getName());
    }
    RexShuttle remap =
        new RexShuttle() {
          @Override
          public RexNode visitInputRef(RexInputRef ref) {
            return new RexInputRef(read.indexOf(ref.getIndex()), ref.getType());
          }
        };
    var predicate = PredicateCompiler.compile(rowCondition.accept(remap), builder.build(), rex);
    var first =
        staged
            ? PredicateCompiler.compile(firstCondition.accept(remap), firstBuilder.build(), rex)
            : null;
    java.util.Map<String, List<byte[]>> required = new java.util.HashMap<>();
    PredicateCompiler.allRequiredBytes(rowCondition)
        .forEach((index, bytes) -> required.put(fields.get(index).getName(), bytes));
    java.util.Map<String, io.icegate.storage.scan.RowFilter.EntryTest> entryTests =
        new java.util.HashMap<>();
    PredicateCompiler.entryTests(rowCondition, rex)
        .forEach((index, test) -> entryTests.put(fields.get(index).getName(), test));
    ExecContext.OptionalLate late = context.optionalLate();
    if (late != null
        && (!filterColumns.contains(late.streamColumn())
            || late.columns().stream().anyMatch(filterColumns::contains))) {
      late = null; // judged from the stream labels the filter reads; never a filter column
    }
    return new ScanOperator(
        context, scan.tableName(), scan.bounds(), scan.getRowType().getFieldNames(),
        filterColumns, predicate, firstCount, first, required, entryTests, late);
  }

  /**
   * Whether a column is costly to decode per row: a log line (the widest column of the lake, and
   * ZSTD-compressed) or a map or collection.
   */
  private static boolean wide(RelDataTypeField field) {
    SqlTypeName type = field.getType().getSqlTypeName();
    return field.getName().equals(LogsTable.BODY)
        || type == SqlTypeName.MAP
        || type == SqlTypeName.ARRAY
        || type == SqlTypeName.MULTISET;
  }

  /**
   * The condition without its {@code tenant_id = 'x'} terms when the scan below is bounded to
   * that tenant and the table guarantees it ({@code TableScanner.tenantExact}): comparing every
   * row's tenant would only repeat what planning did.
   */
  private RexNode withoutExactTenant(ExecContext context) {
    if (!(getInput() instanceof ArrowTableScan scan)
        || scan.bounds().tenant() == null
        || !context.scanner().tenantExact(scan.tableName())) {
      return condition;
    }
    List<String> names = getInput().getRowType().getFieldNames();
    List<RexNode> kept = new ArrayList<>();
    for (RexNode conjunct : RelOptUtil.conjunctions(condition)) {
      if (conjunct.isA(SqlKind.EQUALS)
          && conjunct instanceof RexCall call
          && call.getOperands().get(0) instanceof RexInputRef ref
          && call.getOperands().get(1) instanceof RexLiteral literal
          && names.get(ref.getIndex()).equals(ScanPushdownRules.TENANT_COLUMN)
          && scan.bounds().tenant().equals(literal.getValueAs(String.class))) {
        continue;
      }
      kept.add(conjunct);
    }
    return RexUtil.composeConjunction(getCluster().getRexBuilder(), kept);
  }
}

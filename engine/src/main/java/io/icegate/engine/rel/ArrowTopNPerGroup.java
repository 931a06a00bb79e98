package io.icegate.engine.rel;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.exec.TopNPerGroupOperator;
import io.icegate.engine.exec.TopNPerGroupOperator.NaNOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.SingleRel;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.validate.SqlValidatorUtil;

/**
 * The first {@code limit} rows of each group of {@code keys} by one numeric column, with their
 * row numbers ({@link TopNPerGroupOperator}): SQL's {@code ROW_NUMBER() OVER (PARTITION BY keys
 * ORDER BY v) <= limit}, and PromQL's {@code topk}/{@code bottomk} with {@link NaNOrder#LAST}.
 * Its rows are the input's columns and then the row number (BIGINT NOT NULL). It is a plain
 * {@link SingleRel}, so the optimizer passes it through its phases as it is; only its input is
 * converted and parallelized. Over a scan read split by split, each split's thread runs a
 * {@link #perSplit} half and this node merges their rows above the gather.
 */
public final class ArrowTopNPerGroup extends SingleRel implements ArrowRel {
  private final List<Integer> keys;
  private final RelFieldCollation order;
  private final long limit;
  private final NaNOrder nanOrder;
  /** The row number column's name; null in the per-split half, which has none. */
  private final String rowNumberName;

  public ArrowTopNPerGroup(
      RelOptCluster cluster, RelTraitSet traits, RelNode input, List<Integer> keys,
      RelFieldCollation order, long limit, NaNOrder nanOrder, String rowNumberName) {
    super(cluster, traits, input);
    this.keys = List.copyOf(keys);
    this.order = order;
    this.limit = limit;
    this.nanOrder = nanOrder;
    this.rowNumberName = rowNumberName;
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new ArrowTopNPerGroup(
        getCluster(), traitSet, inputs.get(0), keys, order, limit, nanOrder, rowNumberName);
  }

  /** Whether this appends row numbers (it is not the per-split half of a parallel top N). */
  public boolean numbered() {
    return rowNumberName != null;
  }

  /**
   * The per-split half over {@code input}: each split's first {@code limit} rows per group,
   * without row numbers; this node above the gather takes the first {@code limit} of those.
   */
  public ArrowTopNPerGroup perSplit(RelNode input) {
    return new ArrowTopNPerGroup(
        getCluster(), getTraitSet(), input, keys, order, limit, nanOrder, null);
  }

  @Override
  protected RelDataType deriveRowType() {
    if (rowNumberName == null) {
      return input.getRowType();
    }
    RelDataTypeFactory types = getCluster().getTypeFactory();
    List<String> names = new ArrayList<>(input.getRowType().getFieldNames());
    names.add(rowNumberName);
    names = SqlValidatorUtil.uniquify(names, false);
    RelDataTypeFactory.Builder row = types.builder();
    for (int i = 0; i < input.getRowType().getFieldCount(); i++) {
      row.add(names.get(i), input.getRowType().getFieldList().get(i).getType());
    }
    row.add(names.get(names.size() - 1), types.createSqlType(SqlTypeName.BIGINT));
    return row.build();
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw)
        .item("keys", keys)
        .item("order", order)
        .item("limit", limit)
        .itemIf("nan", nanOrder.name().toLowerCase(Locale.ROOT), nanOrder != NaNOrder.SQL)
        .itemIf("phase", "per split", rowNumberName == null);
  }

  @Override
  public Operator implement(ExecContext context) {
    Operator in = ((ArrowRel) getInput()).implement(context);
    RelFieldCollation.NullDirection nulls = order.nullDirection;
    boolean descending = order.getDirection().isDescending();
    // Unspecified: nulls sort as the greatest values (Calcite's default), first when descending.
    boolean nullsFirst =
        nulls == RelFieldCollation.NullDirection.UNSPECIFIED
            ? descending
            : nulls == RelFieldCollation.NullDirection.FIRST;
    return context.measure(
        this,
        new TopNPerGroupOperator(
            context, in, keys, order.getFieldIndex(), descending, nullsFirst, nanOrder, limit,
            rowNumberName == null
                ? null
                : getRowType().getFieldNames().get(getRowType().getFieldCount() - 1)));
  }
}

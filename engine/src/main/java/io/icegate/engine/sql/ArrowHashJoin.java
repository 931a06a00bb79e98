package io.icegate.engine.sql;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.HashJoinOperator;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.rel.ArrowRel;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.BiRel;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.sql.validate.SqlValidatorUtil;

/**
 * An {@code INNER} or {@code LEFT} equi-join of two inputs, run as a {@link HashJoinOperator}:
 * the right input is the build side, read whole; the left streams through and is probed. The
 * node is made from Calcite's join after the field trimmer ran (see {@link SqlQueryEngine}), so
 * only the columns a query reads flow into it; non-key conditions of an inner join are a filter
 * above it. It is a {@link BiRel} rather than a Calcite {@code Join} so that the optimizer's
 * later phases pass it through as it is instead of rebuilding it as a logical join.
 */
public final class ArrowHashJoin extends BiRel implements ArrowRel {
  private final List<Integer> leftKeys;
  private final List<Integer> rightKeys;
  private final JoinRelType joinType;

  public ArrowHashJoin(
      RelOptCluster cluster, RelTraitSet traits, RelNode left, RelNode right,
      List<Integer> leftKeys, List<Integer> rightKeys, JoinRelType joinType) {
    super(cluster, traits, left, right);
    if (joinType != JoinRelType.INNER && joinType != JoinRelType.LEFT) {
      throw new UnsupportedOperationException(joinType + " JOIN is not supported");
    }
    this.leftKeys = List.copyOf(leftKeys);
    this.rightKeys = List.copyOf(rightKeys);
    this.joinType = joinType;
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new ArrowHashJoin(
        getCluster(), traitSet, inputs.get(0), inputs.get(1), leftKeys, rightKeys, joinType);
  }

  @Override
  protected RelDataType deriveRowType() {
    return SqlValidatorUtil.deriveJoinRowType(
        left.getRowType(), right.getRowType(), joinType, getCluster().getTypeFactory(), null,
        List.of());
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw)
        .item("joinType", joinType.lowerName)
        .item("leftKeys", leftKeys)
        .item("rightKeys", rightKeys);
  }

  @Override
  public Operator implement(ExecContext context) {
    Operator probe = ((ArrowRel) left).implement(context);
    Operator build;
    try {
      build = ((ArrowRel) right).implement(context);
    } catch (RuntimeException | Error e) {
      probe.close();
      throw e;
    }
    return context.measure(
        this,
        new HashJoinOperator(
            context, probe, build, ints(leftKeys), ints(rightKeys),
            joinType == JoinRelType.LEFT, getRowType().getFieldNames(), emptyBuildFields()));
  }

  /**
   * The right side's columns for when it has no rows: all NULL then, so an Arrow type close to
   * the SQL type is enough (maps, lists and rows stand in as strings).
   */
  private List<Field> emptyBuildFields() {
    List<Field> fields = new ArrayList<>();
    for (RelDataTypeField field : right.getRowType().getFieldList()) {
      ArrowType type =
          switch (field.getType().getSqlTypeName()) {
            case BIGINT -> new ArrowType.Int(64, true);
            case INTEGER -> new ArrowType.Int(32, true);
            case SMALLINT -> new ArrowType.Int(16, true);
            case TINYINT -> new ArrowType.Int(8, true);
            case DOUBLE, FLOAT, DECIMAL ->
                new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
            case REAL -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
            case BOOLEAN -> ArrowType.Bool.INSTANCE;
            case BINARY, VARBINARY -> ArrowType.Binary.INSTANCE;
            default -> ArrowType.Utf8.INSTANCE;
          };
      fields.add(Field.nullable(field.getName(), type));
    }
    return fields;
  }

  private static int[] ints(List<Integer> values) {
    return values.stream().mapToInt(Integer::intValue).toArray();
  }
}

package io.icegate.engine.rel;

import io.icegate.engine.exec.AggregateFunction;
import io.icegate.engine.exec.AggregateFunction.Kind;
import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.HashAggregateOperator;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.plan.IceGateFunctions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.rel.RelCollations;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.SqlAggFunction;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.type.SqlReturnTypeInference;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.type.SqlTypeTransforms;
import org.apache.calcite.util.ImmutableBitSet;
import org.apache.calcite.util.Optionality;

/**
 * Hash aggregation over batches ({@link HashAggregateOperator}): grouping by columns of any
 * scalar type, with {@code COUNT(*)}, {@code COUNT(col)}, {@code COUNT(DISTINCT col)}, {@code
 * SUM}, {@code $SUM0}, {@code MIN}, {@code MAX}, {@code AVG}, {@code VAR_POP}, {@code
 * VAR_SAMP}, {@code STDDEV_POP} and {@code STDDEV_SAMP} over numeric columns, each also with
 * {@code FILTER (WHERE …)} (but for {@code COUNT(DISTINCT …)}), and the quantiles {@code
 * PERCENTILE_CONT}/{@code PERCENTILE_DISC(φ) WITHIN GROUP (ORDER BY x)} and PromQL's {@code
 * QUANTILE(φ, x)}. Any other call — another function, {@code DISTINCT} on anything but {@code
 * COUNT}, {@code WITHIN GROUP} elsewhere, grouping sets —
 * is refused when the node is made, with an {@link
 * UnsupportedOperationException} naming it, so a front end can tell its user what is missing.
 *
 * <p>Over a scan read split by split, {@link ArrowGather#parallelize} runs it in two phases: a
 * {@link #partial} aggregate per split turns each call into mergeable state columns (a count, a
 * sum — for integers its wrapped 64-bit half and wrap count, so it is exact in 128 bits — a
 * min, or count, mean and M2 for the variances), and a {@link #merging} aggregate above
 * the gather combines them. Both show their phase in EXPLAIN.
 */
public final class ArrowAggregate extends Aggregate implements ArrowRel {
  /** Which half of a two-phase aggregation this is, if either. */
  public enum Phase {
    SINGLE,
    PARTIAL,
    FINAL
  }

  private final Phase phase;

  public ArrowAggregate(
      RelOptCluster cluster,
      RelTraitSet traits,
      RelNode input,
      ImmutableBitSet groupSet,
      List<ImmutableBitSet> groupSets,
      List<AggregateCall> calls) {
    this(cluster, traits, input, groupSet, groupSets, calls, Phase.SINGLE);
  }

  private ArrowAggregate(
      RelOptCluster cluster,
      RelTraitSet traits,
      RelNode input,
      ImmutableBitSet groupSet,
      List<ImmutableBitSet> groupSets,
      List<AggregateCall> calls,
      Phase phase) {
    super(cluster, traits, List.of(), input, groupSet, groupSets, calls);
    this.phase = phase;
    if (getGroupType() != Group.SIMPLE) {
      throw new UnsupportedOperationException(
          "GROUPING SETS, ROLLUP and CUBE are not supported");
    }
    for (AggregateCall call : calls) {
      function(call, input.getRowType());
    }
  }

  public Phase phase() {
    return phase;
  }

  @Override
  public Aggregate copy(
      RelTraitSet traitSet,
      RelNode input,
      ImmutableBitSet groupSet,
      List<ImmutableBitSet> groupSets,
      List<AggregateCall> calls) {
    return new ArrowAggregate(getCluster(), traitSet, input, groupSet, groupSets, calls, phase);
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw)
        .itemIf("phase", phase.name().toLowerCase(Locale.ROOT), phase != Phase.SINGLE);
  }

  /** Whether this can run as a {@link #partial} per split and a {@link #merging} above. */
  public boolean splittable() {
    // Distinct counts and quantiles need every value of a group in one place: they run above
    // the gather, whole.
    return phase == Phase.SINGLE
        && aggCalls.stream().noneMatch(c -> c.isDistinct() || holdsValues(c));
  }

  /**
   * The per-split half over {@code input} (this aggregate's input, or a copy of it): the same
   * keys, then each call's state columns.
   */
  public ArrowAggregate partial(RelNode input) {
    RelDataTypeFactory types = getCluster().getTypeFactory();
    RelDataType bigint = types.createSqlType(SqlTypeName.BIGINT);
    RelDataType dbl = types.createSqlType(SqlTypeName.DOUBLE);
    List<AggregateCall> states = new ArrayList<>();
    for (AggregateCall call : aggCalls) {
      String name = call.getName() == null ? "s" + states.size() : call.getName();
      switch (call.getAggregation().getKind()) {
        case COUNT, MIN, MAX -> states.add(call);
        case SUM, SUM0 -> {
          if (isExact(call)) {
            // Exact sums travel as 128 bits (wrapped low half and wrap count): one split's sum
            // may leave BIGINT although the whole sum fits.
            boolean sum0 = call.getAggregation().getKind() == SqlKind.SUM0;
            states.add(state(sum0 ? STATE_SUM0_LOW : STATE_SUM_LOW, call,
                types.createTypeWithNullability(bigint, !sum0), name + "$low"));
            states.add(state(STATE_SUM_WRAPS, call, bigint, name + "$wraps"));
          } else {
            states.add(call);
          }
        }
        case AVG -> {
          states.add(state(STATE_SUM, call, dbl, name + "$sum"));
          states.add(state(SqlStdOperatorTable.COUNT, call, bigint, name + "$count"));
        }
        default -> { // the variances
          states.add(state(SqlStdOperatorTable.COUNT, call, bigint, name + "$count"));
          states.add(state(STATE_MEAN, call, dbl, name + "$mean"));
          states.add(state(STATE_M2, call, dbl, name + "$m2"));
        }
      }
    }
    return new ArrowAggregate(
        getCluster(), getTraitSet(), input, groupSet, null, states, Phase.PARTIAL);
  }

  /** The half that merges what {@link #partial} made, read from {@code gathered}. */
  public ArrowAggregate merging(RelNode gathered) {
    List<AggregateCall> merges = new ArrayList<>();
    int column = getGroupCount();
    for (AggregateCall call : aggCalls) {
      SqlKind kind = call.getAggregation().getKind();
      switch (kind) {
        case COUNT -> merges.add(merge(SqlStdOperatorTable.SUM0, call, column++, 1));
        case SUM, SUM0 -> {
          if (isExact(call)) {
            Kind merge = kind == SqlKind.SUM ? Kind.SUM_MERGE : Kind.SUM0_MERGE;
            merges.add(merge(new StateFunction("MERGE_" + kind.name(), merge, call.type),
                call, column, 2));
            column += 2;
          } else {
            merges.add(merge(kind == SqlKind.SUM ? call.getAggregation() : SqlStdOperatorTable.SUM0,
                call, column++, 1));
          }
        }
        case MIN, MAX -> merges.add(merge(call.getAggregation(), call, column++, 1));
        case AVG -> {
          merges.add(merge(new StateFunction("MERGE_AVG", Kind.AVG_MERGE, call.type),
              call, column, 2));
          column += 2;
        }
        default -> {
          Kind merge = Kind.valueOf(kind.name() + "_MERGE");
          merges.add(merge(new StateFunction("MERGE_" + kind.name(), merge, call.type),
              call, column, 3));
          column += 3;
        }
      }
    }
    return new ArrowAggregate(
        getCluster(), getTraitSet(), gathered, ImmutableBitSet.range(getGroupCount()), null,
        merges, Phase.FINAL);
  }

  /** Whether {@code call} sums exact numbers (its argument is of an integer type). */
  private boolean isExact(AggregateCall call) {
    return !call.getArgList().isEmpty()
        && EXACT.contains(getInput().getRowType().getFieldList().get(call.getArgList().get(0))
            .getType().getSqlTypeName());
  }

  private static final List<SqlTypeName> EXACT =
      List.of(SqlTypeName.TINYINT, SqlTypeName.SMALLINT, SqlTypeName.INTEGER, SqlTypeName.BIGINT);

  private static AggregateCall state(
      SqlAggFunction function, AggregateCall call, RelDataType type, String name) {
    return AggregateCall.create(
        function, false, false, false, call.getArgList(), call.filterArg, RelCollations.EMPTY,
        type, name);
  }

  private static AggregateCall merge(
      SqlAggFunction function, AggregateCall call, int first, int width) {
    List<Integer> args = new ArrayList<>();
    for (int i = 0; i < width; i++) {
      args.add(first + i);
    }
    return AggregateCall.create(
        function, false, false, false, args, -1, RelCollations.EMPTY, call.type, call.name);
  }

  @Override
  public Operator implement(ExecContext context) {
    Operator input = ((ArrowRel) getInput()).implement(context);
    List<AggregateFunction> functions = new ArrayList<>();
    for (AggregateCall call : aggCalls) {
      functions.add(function(call, getInput().getRowType()));
    }
    return context.measure(
        this,
        new HashAggregateOperator(
            context, input, getGroupSet().asList(), functions, getRowType().getFieldNames()));
  }

  /**
   * What {@code call} computes, for the operator; an {@link UnsupportedOperationException} naming
   * the function when it is not one we run.
   */
  static AggregateFunction function(AggregateCall call, RelDataType inputType) {
    SqlAggFunction aggregation = call.getAggregation();
    String name = aggregation.getName();
    if (call.filterArg >= 0 && call.isDistinct()) {
      throw new UnsupportedOperationException(
          "aggregate function " + name + "(DISTINCT …) with FILTER is not supported");
    }
    SqlKind sqlKind = aggregation.getKind();
    if (sqlKind == SqlKind.PERCENTILE_CONT || sqlKind == SqlKind.PERCENTILE_DISC) {
      return percentile(call, inputType, name);
    }
    if (aggregation == IceGateFunctions.QUANTILE) {
      numericArgument(call, inputType, call.getArgList().get(1), name);
      return new AggregateFunction(
          Kind.QUANTILE, call.getArgList(), arrowType(call, name), true, call.filterArg);
    }
    if (!call.getCollation().getFieldCollations().isEmpty()) {
      throw new UnsupportedOperationException(
          "aggregate function " + name + " with WITHIN GROUP is not supported");
    }
    List<Integer> args = call.getArgList();
    if (aggregation instanceof StateFunction state) {
      return new AggregateFunction(
          state.kind, args, arrowType(call, name), call.type.isNullable(), call.filterArg);
    }
    SqlKind kind = sqlKind;
    Kind mapped = switch (kind) {
      case COUNT -> call.isDistinct() ? Kind.COUNT_DISTINCT : Kind.COUNT;
      case SUM -> Kind.SUM;
      case SUM0 -> Kind.SUM0;
      case MIN -> Kind.MIN;
      case MAX -> Kind.MAX;
      case AVG -> Kind.AVG;
      case VAR_POP -> Kind.VAR_POP;
      case VAR_SAMP -> Kind.VAR_SAMP;
      case STDDEV_POP -> Kind.STDDEV_POP;
      case STDDEV_SAMP -> Kind.STDDEV_SAMP;
      default -> throw new UnsupportedOperationException(
          "aggregate function " + name + " is not supported");
    };
    if (kind == SqlKind.COUNT) {
      if (args.size() > 1) {
        throw new UnsupportedOperationException(
            "aggregate function COUNT over several columns is not supported");
      }
      if (call.isDistinct() && args.isEmpty()) {
        throw new UnsupportedOperationException("COUNT(DISTINCT *) is not supported");
      }
    } else {
      if (call.isDistinct()) {
        throw new UnsupportedOperationException(
            "aggregate function " + name + "(DISTINCT …) is not supported");
      }
      if (args.size() != 1) {
        throw new UnsupportedOperationException(
            "aggregate function " + name + " takes one column");
      }
      numericArgument(call, inputType, args.get(0), name);
    }
    return new AggregateFunction(
        mapped, args, arrowType(call, name), call.type.isNullable(), call.filterArg);
  }

  /**
   * {@code PERCENTILE_CONT(φ) WITHIN GROUP (ORDER BY x)} (or {@code _DISC}): Calcite gives φ as
   * the call's argument (a constant column) and x as its collation; the operator takes (φ, x).
   */
  private static AggregateFunction percentile(
      AggregateCall call, RelDataType inputType, String name) {
    List<RelFieldCollation> order = call.getCollation().getFieldCollations();
    if (order.size() != 1 || call.getArgList().size() != 1 || call.isDistinct()) {
      throw new UnsupportedOperationException(
          name + " takes one fraction and WITHIN GROUP (ORDER BY one column)");
    }
    if (order.get(0).getDirection().isDescending()) {
      throw new UnsupportedOperationException(
          name + " WITHIN GROUP (ORDER BY … DESC) is not supported; use 1 - φ with ASC");
    }
    int value = order.get(0).getFieldIndex();
    numericArgument(call, inputType, value, name);
    Kind kind =
        call.getAggregation().getKind() == SqlKind.PERCENTILE_CONT
            ? Kind.PERCENTILE_CONT
            : Kind.PERCENTILE_DISC;
    return new AggregateFunction(
        kind, List.of(call.getArgList().get(0), value), arrowType(call, name), true,
        call.filterArg);
  }

  private static void numericArgument(
      AggregateCall call, RelDataType inputType, int column, String name) {
    RelDataType argType = inputType.getFieldList().get(column).getType();
    if (!NUMERIC.contains(argType.getSqlTypeName())) {
      throw new UnsupportedOperationException(
          "aggregate function " + name + " over " + argType.getSqlTypeName()
              + " is not supported");
    }
  }

  /** Whether {@code call} holds its group's values until the end (the quantiles). */
  private static boolean holdsValues(AggregateCall call) {
    SqlKind kind = call.getAggregation().getKind();
    return kind == SqlKind.PERCENTILE_CONT || kind == SqlKind.PERCENTILE_DISC
        || call.getAggregation() == IceGateFunctions.QUANTILE;
  }

  private static final List<SqlTypeName> NUMERIC =
      List.of(SqlTypeName.TINYINT, SqlTypeName.SMALLINT, SqlTypeName.INTEGER, SqlTypeName.BIGINT,
          SqlTypeName.REAL, SqlTypeName.FLOAT, SqlTypeName.DOUBLE);

  private static ArrowType arrowType(AggregateCall call, String name) {
    return switch (call.type.getSqlTypeName()) {
      case BIGINT -> new ArrowType.Int(64, true);
      case INTEGER -> new ArrowType.Int(32, true);
      case SMALLINT -> new ArrowType.Int(16, true);
      case TINYINT -> new ArrowType.Int(8, true);
      case DOUBLE, FLOAT -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case REAL -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      default -> throw new UnsupportedOperationException(
          "aggregate function " + name + " with result type " + call.type + " is not supported");
    };
  }

  private static final SqlAggFunction STATE_SUM = new StateFunction("PARTIAL_SUM", Kind.SUM_STATE);
  private static final SqlAggFunction STATE_SUM_LOW =
      new StateFunction("PARTIAL_SUM_LOW", Kind.SUM_LOW_STATE,
          ReturnTypes.BIGINT.andThen(SqlTypeTransforms.FORCE_NULLABLE));
  private static final SqlAggFunction STATE_SUM0_LOW =
      new StateFunction("PARTIAL_SUM0_LOW", Kind.SUM0_LOW_STATE, ReturnTypes.BIGINT);
  private static final SqlAggFunction STATE_SUM_WRAPS =
      new StateFunction("PARTIAL_SUM_WRAPS", Kind.SUM_WRAPS_STATE, ReturnTypes.BIGINT);
  private static final SqlAggFunction STATE_MEAN =
      new StateFunction("PARTIAL_MEAN", Kind.MEAN_STATE);
  private static final SqlAggFunction STATE_M2 = new StateFunction("PARTIAL_M2", Kind.M2_STATE);

  /**
   * The functions only a two-phase aggregation uses: a partial state of {@code AVG}, the
   * variances (typed {@code DOUBLE NOT NULL}) or an integer sum (BIGINT); or a merge of such states, typed as the call it
   * completes.
   */
  private static final class StateFunction extends SqlAggFunction {
    final Kind kind;

    StateFunction(String name, Kind kind) {
      this(name, kind, ReturnTypes.DOUBLE);
    }

    StateFunction(String name, Kind kind, RelDataType type) {
      this(name, kind, ReturnTypes.explicit(type));
    }

    StateFunction(String name, Kind kind, SqlReturnTypeInference type) {
      super(
          name, null, SqlKind.OTHER_FUNCTION, type, null, OperandTypes.VARIADIC, SqlFunctionCategory.SYSTEM, false, false,
          Optionality.FORBIDDEN);
      this.kind = kind;
    }
  }
}

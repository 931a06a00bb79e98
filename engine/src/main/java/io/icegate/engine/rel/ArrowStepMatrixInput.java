package io.icegate.engine.rel;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.exec.StepMatrix;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.plan.ConventionTraitDef;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.plan.volcano.VolcanoPlanner;
import org.apache.calcite.rel.AbstractRelNode;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;

/**
 * An instant vector the PromQL evaluator has already computed, handed to a plan as {@link
 * StepMatrix} batches: the leaf under a {@link ArrowVectorMatch} or {@link ArrowPromAggregate}
 * whose input was evaluated series by series. Its operator gives the batches once, and the
 * batches are the operator's to close until given.
 */
public final class ArrowStepMatrixInput extends AbstractRelNode implements ArrowRel {
  private final String expr;
  private final int series;
  /** The batches not handed out yet: made already, or made one by one as they are asked for. */
  private final Iterator<VectorSchemaRoot> batches;

  /**
   * @param expr the expression the batches are the value of (shown by EXPLAIN)
   * @param batches step matrices, owned by this node until its operator hands them out
   */
  public ArrowStepMatrixInput(
      RelOptCluster cluster, RelTraitSet traits, String expr, List<VectorSchemaRoot> batches) {
    super(cluster, traits);
    this.expr = expr;
    this.batches = new ArrayList<>(batches).iterator();
    int rows = 0;
    for (VectorSchemaRoot b : batches) {
      rows += b.getRowCount();
    }
    this.series = rows;
  }

  /**
   * A leaf of {@code series} series whose batches {@code batches} makes as the plan asks for
   * them, so that only one is held at a time. When the leaf is released early, {@code batches}
   * is closed if it is {@link AutoCloseable} (it makes no more), else drained and each batch
   * closed.
   */
  public ArrowStepMatrixInput(
      RelOptCluster cluster, RelTraitSet traits, String expr, int series,
      Iterator<VectorSchemaRoot> batches) {
    super(cluster, traits);
    this.expr = expr;
    this.series = series;
    this.batches = batches;
  }

  /**
   * A cluster for plans built outside a planner (the PromQL evaluator's): its trait sets carry
   * the convention, so the logical nodes' conversion rules match.
   */
  public static RelOptCluster newCluster() {
    VolcanoPlanner planner = new VolcanoPlanner();
    planner.addRelTraitDef(ConventionTraitDef.INSTANCE);
    return RelOptCluster.create(planner, new RexBuilder(new JavaTypeFactoryImpl()));
  }

  public static ArrowStepMatrixInput of(
      RelOptCluster cluster, String expr, List<VectorSchemaRoot> batches) {
    return new ArrowStepMatrixInput(
        cluster, cluster.traitSetOf(ArrowRel.CONVENTION), expr, batches);
  }

  /** A leaf whose batches are made one by one (see the constructor). */
  public static ArrowStepMatrixInput lazy(
      RelOptCluster cluster, String expr, int series, Iterator<VectorSchemaRoot> batches) {
    return new ArrowStepMatrixInput(
        cluster, cluster.traitSetOf(ArrowRel.CONVENTION), expr, series, batches);
  }

  @Override
  protected RelDataType deriveRowType() {
    return StepMatrix.rowType(getCluster().getTypeFactory());
  }

  @Override
  public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return this;
  }

  @Override
  public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw).item("expr", expr).item("series", series);
  }

  /** Closes the batches no operator has handed out (a plan built and never run). */
  public void release() {
    if (batches instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return;
    }
    while (batches.hasNext()) {
      batches.next().close();
    }
  }

  @Override
  public Operator implement(ExecContext context) {
    return context.measure(this, new Operator() {
      @Override
      public VectorSchemaRoot next() {
        while (batches.hasNext()) {
          VectorSchemaRoot b = batches.next();
          if (b.getRowCount() > 0) {
            return b;
          }
          b.close();
        }
        return null;
      }

      @Override
      public void close() {
        release();
      }
    });
  }
}

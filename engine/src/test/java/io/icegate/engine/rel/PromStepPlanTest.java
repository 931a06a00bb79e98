package io.icegate.engine.rel;

import static org.assertj.core.api.Assertions.assertThat;

import io.icegate.engine.exec.ExecContext;
import io.icegate.engine.exec.Operator;
import io.icegate.engine.exec.PromAggregateSpec;
import io.icegate.engine.exec.StepMatrix;
import io.icegate.engine.exec.VectorMatchSpec;
import io.icegate.engine.plan.QueryOptimizer;
import io.icegate.promql.ast.AggregateOp;
import io.icegate.promql.ast.BinaryOp;
import io.icegate.promql.ast.VectorMatching;
import io.icegate.promql.ast.VectorMatching.Cardinality;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.hep.HepMatchOrder;
import org.apache.calcite.plan.hep.HepPlanner;
import org.apache.calcite.plan.hep.HepProgramBuilder;
import org.apache.calcite.rel.RelNode;
import org.junit.jupiter.api.Test;

/**
 * The PromQL nodes over step matrices as a planner sees them: {@code sum by (job) (a * on (job)
 * group_left b)} written with the logical nodes becomes Arrow nodes through {@link
 * ArrowRules#PHYSICAL}, explains itself, and computes the hand-computed answer.
 */
class PromStepPlanTest {
  @Test
  void logicalNodesConvertExplainAndRun() {
    try (BufferAllocator allocator = new RootAllocator()) {
      RelOptCluster cluster = ArrowStepMatrixInput.newCluster();
      ArrowStepMatrixInput a = ArrowStepMatrixInput.of(cluster, "a", List.of(matrix(allocator,
          new String[] {"{__name__=\"a\", i=\"1\", job=\"x\"}", "{__name__=\"a\", i=\"2\", job=\"x\"}",
              "{__name__=\"a\", i=\"3\", job=\"y\"}"},
          new double[][] {{1, 2}, {3, 4}, {5, 6}})));
      ArrowStepMatrixInput b = ArrowStepMatrixInput.of(cluster, "b", List.of(matrix(allocator,
          new String[] {"{__name__=\"b\", job=\"x\"}", "{__name__=\"b\", job=\"y\"}"},
          new double[][] {{10, 100}, {1, 1}})));
      VectorMatching m =
          new VectorMatching(Cardinality.MANY_TO_ONE, List.of("job"), true, List.of(), null, null);
      RelNode logical = LogicalPromAggregate.create(
          LogicalVectorMatch.create(a, b, new VectorMatchSpec(BinaryOp.MUL, false, m, 2)),
          new PromAggregateSpec(AggregateOp.SUM, false, List.of("job"), null, 2));
      HepProgramBuilder program = new HepProgramBuilder().addMatchOrder(HepMatchOrder.BOTTOM_UP);
      program.addRuleCollection(ArrowRules.PHYSICAL);
      HepPlanner planner = new HepPlanner(program.build());
      planner.setRoot(logical);
      RelNode physical = planner.findBestExp();
      assertThat(physical).isInstanceOf(ArrowPromAggregate.class);
      assertThat(physical.getInput(0)).isInstanceOf(ArrowVectorMatch.class);
      assertThat(QueryOptimizer.explain(physical)).isEqualTo(
          "ArrowPromAggregate(op=[sum], grouping=[by (job)], steps=[2])\n"
              + "  ArrowVectorMatch(op=[*], card=[many-to-one], matching=[on(job) group_left()],"
              + " steps=[2])\n"
              + "    ArrowStepMatrixInput(expr=[a], series=[3])\n"
              + "    ArrowStepMatrixInput(expr=[b], series=[2])\n");
      ExecContext context =
          new ExecContext(allocator, null, System.nanoTime() + Long.MAX_VALUE, () -> false);
      List<String> rows = new ArrayList<>();
      try (Operator op = ((ArrowRel) physical).implement(context)) {
        VectorSchemaRoot next;
        while ((next = op.next()) != null) {
          try (VectorSchemaRoot batch = next) {
            for (int r = 0; r < batch.getRowCount(); r++) {
              rows.add(StepMatrix.labelText(batch, r) + " " + StepMatrix.value(batch, r, 0)
                  + " " + StepMatrix.value(batch, r, 1));
            }
          }
        }
      }
      // x: (1 + 3) * 10, (2 + 4) * 100; y: 5, 6.
      assertThat(rows).containsExactly("{job=\"x\"} 40.0 600.0", "{job=\"y\"} 5.0 6.0");
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  private static VectorSchemaRoot matrix(
      BufferAllocator allocator, String[] labels, double[][] values) {
    int steps = values[0].length;
    VectorSchemaRoot m = StepMatrix.allocate(allocator, steps, labels.length);
    boolean[] all = new boolean[steps];
    java.util.Arrays.fill(all, true);
    for (int r = 0; r < labels.length; r++) {
      StepMatrix.setRow(m, r, labels[r], values[r], all, false);
    }
    StepMatrix.finish(m, labels.length);
    return m;
  }
}

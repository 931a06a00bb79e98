package io.icegate.engine.exec;

import static io.icegate.engine.exec.StepMatrixFixture.batches;
import static io.icegate.engine.exec.StepMatrixFixture.context;
import static io.icegate.engine.exec.StepMatrixFixture.drain;
import static io.icegate.engine.exec.StepMatrixFixture.dropped;
import static io.icegate.engine.exec.StepMatrixFixture.row;
import static io.icegate.engine.exec.StepMatrixFixture.source;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.engine.exec.StepMatrixFixture.Row;
import io.icegate.engine.promql.PromQLException;
import io.icegate.promql.ast.AggregateOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

class PromAggregateOperatorTest {
  private static final Double NAN = Double.NaN;

  private static List<String> run(
      AggregateOp op, boolean without, List<String> grouping, double[] param, int steps,
      int perBatch, List<Row> in) {
    return run(new PromAggregateSpec(op, without, grouping, param, steps), perBatch, in);
  }

  private static List<String> run(PromAggregateSpec spec, int perBatch, List<Row> in) {
    try (RootAllocator allocator = new RootAllocator()) {
      try {
        PromAggregateOperator operator = new PromAggregateOperator(
            context(allocator), source(batches(allocator, spec.steps(), perBatch, in)),
            spec, new LabelSetCache());
        return drain(operator).stream().map(Row::toString).toList();
      } finally {
        assertThat(allocator.getAllocatedMemory()).isZero();
      }
    }
  }

  private static List<String> by(AggregateOp op, int steps, List<Row> in, String... labels) {
    return run(op, false, List.of(labels), null, steps, 2, in);
  }

  private static List<String> expect(Row... rows) {
    return Arrays.stream(rows).map(Row::toString).toList();
  }

  private static final List<Row> JOBS = List.of(
      row("{__name__=\"x\", i=\"1\", job=\"a\"}", 1.0, null),
      row("{__name__=\"x\", i=\"2\", job=\"b\"}", 5.0, 7.0),
      dropped("{__name__=\"x\", i=\"3\", job=\"a\"}", 2.0, 3.0));

  @Test
  void sumCountGroupByJobInTheOrderGroupsFirstCome() {
    assertThat(by(AggregateOp.SUM, 2, JOBS, "job"))
        .isEqualTo(expect(dropped("{job=\"a\"}", 3.0, 3.0), row("{job=\"b\"}", 5.0, 7.0)));
    assertThat(by(AggregateOp.COUNT, 2, JOBS, "job"))
        .isEqualTo(expect(dropped("{job=\"a\"}", 2.0, 1.0), row("{job=\"b\"}", 1.0, 1.0)));
    assertThat(by(AggregateOp.GROUP, 2, JOBS, "job"))
        .isEqualTo(expect(dropped("{job=\"a\"}", 1.0, 1.0), row("{job=\"b\"}", 1.0, 1.0)));
    // without drops the name as well as the labels given.
    assertThat(run(AggregateOp.MAX, true, List.of("i"), null, 2, 1, JOBS))
        .isEqualTo(expect(dropped("{job=\"a\"}", 2.0, 3.0), row("{job=\"b\"}", 5.0, 7.0)));
  }

  @Test
  void sumIsCompensatedAndAvgSurvivesOverflow() {
    List<Row> in = List.of(
        row("{k=\"1\"}", 1.0, Double.MAX_VALUE),
        row("{k=\"2\"}", 1e100, Double.MAX_VALUE),
        row("{k=\"3\"}", 1.0, null),
        row("{k=\"4\"}", -1e100, null));
    // A plain sum loses both ones.
    assertThat(by(AggregateOp.SUM, 2, in))
        .isEqualTo(expect(row("{}", 2.0, Double.POSITIVE_INFINITY)));
    // The mean of two largest doubles is the largest double, not +Inf.
    assertThat(by(AggregateOp.AVG, 2, in)).isEqualTo(expect(row("{}", 0.5, Double.MAX_VALUE)));
  }

  @Test
  void minAndMaxSkipNaNUnlessThereIsNothingElse() {
    List<Row> in = List.of(
        row("{k=\"1\"}", NAN, NAN),
        row("{k=\"2\"}", 1.0, null),
        row("{k=\"3\"}", 2.0, null));
    assertThat(by(AggregateOp.MIN, 2, in)).isEqualTo(expect(row("{}", 1.0, NAN)));
    assertThat(by(AggregateOp.MAX, 2, in)).isEqualTo(expect(row("{}", 2.0, NAN)));
  }

  @Test
  void varianceAndQuantile() {
    double[] values = {2, 4, 4, 4, 5, 5, 7, 9};
    List<Row> in = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      in.add(row("{k=\"" + i + "\"}", values[i], i < 4 ? values[i] : null));
    }
    // Mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32, /8 = 4; first four: mean 3.5, 2.25+.25*3.
    assertThat(by(AggregateOp.STDVAR, 2, in)).isEqualTo(expect(row("{}", 4.0, 0.75)));
    assertThat(by(AggregateOp.STDDEV, 2, in))
        .isEqualTo(expect(row("{}", 2.0, Math.sqrt(0.75))));
    // The median of 2 4 4 4 5 5 7 9 is 4.5; at step 1 (2 4 4 4) the 0.9 quantile: rank 2.7.
    assertThat(run(AggregateOp.QUANTILE, false, List.of(), new double[] {0.5, 0.9}, 2, 3, in))
        .isEqualTo(expect(row("{}", 4.5, 4.0)));
  }

  @Test
  void topkAndBottomkPickPerStepWithNaNLast() {
    List<Row> in = List.of(
        row("{k=\"1\"}", NAN, 1.0),
        row("{k=\"2\"}", 5.0, 2.0),
        row("{k=\"3\"}", 3.0, NAN));
    assertThat(run(AggregateOp.TOPK, false, List.of(), new double[] {2, 2}, 2, 1, in))
        .isEqualTo(expect(
            row("{k=\"1\"}", null, 1.0), row("{k=\"2\"}", 5.0, 2.0), row("{k=\"3\"}", 3.0, null)));
    assertThat(run(AggregateOp.BOTTOMK, false, List.of(), new double[] {1, 1}, 2, 1, in))
        .isEqualTo(expect(row("{k=\"1\"}", null, 1.0), row("{k=\"3\"}", 3.0, null)));
    // k larger than the group: everything; at a single step in the selection's order.
    assertThat(run(AggregateOp.TOPK, false, List.of(), new double[] {100}, 1, 2,
            List.of(row("{k=\"1\"}", 1.0), row("{k=\"2\"}", NAN), row("{k=\"3\"}", 3.0))))
        .isEqualTo(expect(row("{k=\"3\"}", 3.0), row("{k=\"1\"}", 1.0), row("{k=\"2\"}", NAN)));
  }

  @Test
  void topkWithANaNParameterFailsAndLeavesNothingAllocated() {
    assertThatThrownBy(() -> run(AggregateOp.TOPK, false, List.of(), new double[] {1, NAN}, 2,
            1, JOBS))
        .isInstanceOf(PromQLException.class)
        .hasMessage("Parameter value is NaN");
  }

  @Test
  void fiftyThousandSeriesIntoOneGroup() {
    int n = 50_000;
    List<Row> in = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      in.add(row("{i=\"" + i + "\", job=\"j\"}", (double) i, i % 2 == 0 ? 1.0 : null));
    }
    List<String> sum = run(AggregateOp.SUM, false, List.of("job"), null, 2, 4096, in);
    assertThat(sum).isEqualTo(expect(row("{job=\"j\"}", 1_250_025_000.0, 25_000.0)));
    assertThat(run(AggregateOp.AVG, false, List.of("job"), null, 2, 4096, in))
        .isEqualTo(expect(row("{job=\"j\"}", 25_000.5, 1.0)));
    assertThat(run(AggregateOp.COUNT, false, List.of("job"), null, 2, 4096, in))
        .isEqualTo(expect(row("{job=\"j\"}", 50_000.0, 25_000.0)));
    assertThat(run(AggregateOp.TOPK, false, List.of("job"), new double[] {1, 1}, 2, 4096, in))
        .isEqualTo(expect(row("{i=\"2\", job=\"j\"}", null, 1.0),
            row("{i=\"50000\", job=\"j\"}", 50_000.0, null)));
  }

  @Test
  void emptyInputGivesNothing() {
    assertThat(by(AggregateOp.SUM, 2, List.of())).isEmpty();
    assertThat(run(AggregateOp.TOPK, false, List.of(), new double[] {1, 1}, 2, 1, List.of()))
        .isEmpty();
  }

  @Test
  void limitkTakesTheFirstKInLabelOrderAtEachStep() {
    List<Row> in = List.of(
        row("{k=\"3\"}", 30.0, 31.0),
        row("{k=\"1\"}", 10.0, null),
        row("{k=\"2\"}", 20.0, 21.0));
    // Step 0: k=1 and k=2 come first by label; step 1: k=1 is absent, so k=2 and k=3.
    assertThat(run(AggregateOp.LIMITK, false, List.of(), new double[] {2, 2}, 2, 1, in))
        .isEqualTo(expect(
            row("{k=\"3\"}", null, 31.0), row("{k=\"1\"}", 10.0, null),
            row("{k=\"2\"}", 20.0, 21.0)));
    // At a single step the series come in the selection's (label) order; k < 0 selects none.
    assertThat(run(AggregateOp.LIMITK, false, List.of(), new double[] {5}, 1, 2,
            List.of(row("{k=\"b\"}", 1.0), row("{k=\"a\"}", 2.0))))
        .isEqualTo(expect(row("{k=\"a\"}", 2.0), row("{k=\"b\"}", 1.0)));
    assertThat(run(AggregateOp.LIMITK, false, List.of(), new double[] {-1, 0}, 2, 1, in))
        .isEmpty();
    // Per group: one of each job.
    assertThat(run(AggregateOp.LIMITK, false, List.of("job"), new double[] {1, 1}, 2, 2, JOBS))
        .isEqualTo(expect(
            row("{__name__=\"x\", i=\"1\", job=\"a\"}", 1.0, null),
            row("{__name__=\"x\", i=\"2\", job=\"b\"}", 5.0, 7.0),
            dropped("{__name__=\"x\", i=\"3\", job=\"a\"}", null, 3.0)));
    assertThatThrownBy(() -> run(AggregateOp.LIMITK, false, List.of(), new double[] {1, 1e30},
            2, 1, in))
        .isInstanceOf(PromQLException.class)
        .hasMessage("Scalar value 1e+30 overflows int64");
  }

  @Test
  void limitRatioSplitsTheSeriesBetweenARatioAndItsComplement() {
    List<Row> in = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      in.add(row("{i=\"" + i + "\"}", (double) i));
    }
    List<String> half = run(AggregateOp.LIMIT_RATIO, false, List.of(), new double[] {0.5}, 1, 7,
        in);
    List<String> rest = run(AggregateOp.LIMIT_RATIO, false, List.of(), new double[] {-0.5}, 1, 7,
        in);
    // A series falls on one side of the hash's midpoint: the two halves are disjoint and
    // together all; a fair hash puts roughly half of 200 on each side.
    assertThat(half).doesNotContainAnyElementsOf(rest);
    assertThat(half.size() + rest.size()).isEqualTo(200);
    assertThat(half.size()).isBetween(70, 130);
    // 1 and -1 keep everything, 0 nothing; beyond ±1 is capped.
    for (double all : new double[] {1, -1, 2.5, -7}) {
      assertThat(run(AggregateOp.LIMIT_RATIO, false, List.of(), new double[] {all}, 1, 7, in))
          .hasSize(200);
    }
    assertThat(run(AggregateOp.LIMIT_RATIO, false, List.of(), new double[] {0}, 1, 7, in))
        .isEmpty();
    assertThatThrownBy(() -> run(AggregateOp.LIMIT_RATIO, false, List.of(),
            new double[] {0.5, NAN}, 2, 1, List.of(row("{}", 1.0, 2.0))))
        .isInstanceOf(PromQLException.class)
        .hasMessage("Ratio value is NaN");
  }

  @Test
  void countValuesCountsEachDistinctValuePerGroupAndStep() {
    List<Row> in = List.of(
        row("{i=\"1\", job=\"a\"}", 1.0, NAN),
        row("{i=\"2\", job=\"a\"}", 1.0, 2.0),
        row("{i=\"3\", job=\"b\"}", 1.0, Double.POSITIVE_INFINITY),
        row("{i=\"4\", job=\"a\"}", 2.0, null));
    PromAggregateSpec byJob = new PromAggregateSpec(
        AggregateOp.COUNT_VALUES, false, List.of("job"), null, 2, "v");
    assertThat(run(byJob, 3, in)).isEqualTo(expect(
        row("{job=\"a\", v=\"1\"}", 2.0, null),
        row("{job=\"a\", v=\"2\"}", 1.0, 1.0),
        row("{job=\"a\", v=\"NaN\"}", null, 1.0),
        row("{job=\"b\", v=\"1\"}", 1.0, null),
        row("{job=\"b\", v=\"+Inf\"}", null, 1.0)));
    // Writing the grouping label itself merges the groups' counts of one value.
    PromAggregateSpec overJob = new PromAggregateSpec(
        AggregateOp.COUNT_VALUES, false, List.of("job"), null, 2, "job");
    assertThat(run(overJob, 1, in)).isEqualTo(expect(
        row("{job=\"1\"}", 3.0, null),
        row("{job=\"2\"}", 1.0, 1.0),
        row("{job=\"NaN\"}", null, 1.0),
        row("{job=\"+Inf\"}", null, 1.0)));
    PromAggregateSpec empty = new PromAggregateSpec(
        AggregateOp.COUNT_VALUES, false, List.of(), null, 2, "");
    assertThatThrownBy(() -> run(empty, 1, in))
        .isInstanceOf(PromQLException.class)
        .hasMessage("invalid label name \"\"");
    assertThatThrownBy(() -> new PromAggregateSpec(
            AggregateOp.COUNT_VALUES, false, List.of(), null, 2, null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

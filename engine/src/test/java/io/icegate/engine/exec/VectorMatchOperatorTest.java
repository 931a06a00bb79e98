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
import io.icegate.promql.ast.BinaryOp;
import io.icegate.promql.ast.VectorMatching;
import io.icegate.promql.ast.VectorMatching.Cardinality;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

class VectorMatchOperatorTest {
  private static final Double NAN = Double.NaN;
  private static final Double INF = Double.POSITIVE_INFINITY;

  private static VectorMatching ignoring(String... labels) {
    return new VectorMatching(Cardinality.ONE_TO_ONE, List.of(labels), false, List.of(), null, null);
  }

  private static VectorMatching groupLeftOn(List<String> on, List<String> include) {
    return new VectorMatching(Cardinality.MANY_TO_ONE, on, true, include, null, null);
  }

  /** Runs {@code lhs op rhs} with each side cut into batches of {@code perBatch} rows. */
  private static List<String> run(
      BinaryOp op, boolean bool, VectorMatching m, int steps, int perBatch, List<Row> lhs,
      List<Row> rhs) {
    try (RootAllocator allocator = new RootAllocator()) {
      try {
        VectorMatchOperator operator = new VectorMatchOperator(
            context(allocator),
            source(batches(allocator, steps, perBatch, lhs)),
            source(batches(allocator, steps, perBatch, rhs)),
            new VectorMatchSpec(op, bool, m, steps),
            new LabelSetCache());
        return drain(operator).stream().map(Row::toString).toList();
      } finally {
        assertThat(allocator.getAllocatedMemory()).isZero();
      }
    }
  }

  private static List<String> expect(Row... rows) {
    return java.util.Arrays.stream(rows).map(Row::toString).toList();
  }

  @Test
  void oneToOneDividesMatchedSeriesWhereBothSidesHaveSamples() {
    List<Row> lhs = List.of(
        row("{__name__=\"a\", job=\"x\"}", 1.0, 2.0, null),
        row("{__name__=\"a\", job=\"y\"}", 3.0, null, 5.0));
    List<Row> rhs = List.of(
        row("{__name__=\"b\", job=\"x\"}", 10.0, 20.0, 30.0),
        row("{__name__=\"b\", job=\"z\"}", 1.0, 1.0, 1.0));
    List<String> expected = expect(dropped("{__name__=\"a\", job=\"x\"}", 0.1, 0.1, null));
    assertThat(run(BinaryOp.DIV, false, ignoring(), 3, 100, lhs, rhs)).isEqualTo(expected);
    // The same with every batch a single row.
    assertThat(run(BinaryOp.DIV, false, ignoring(), 3, 1, lhs, rhs)).isEqualTo(expected);
  }

  @Test
  void onKeepsOnlyTheMatchingLabelsOfAOneToOneResult() {
    VectorMatching on = new VectorMatching(
        Cardinality.ONE_TO_ONE, List.of("job"), true, List.of(), null, null);
    assertThat(run(BinaryOp.SUB, false, on, 2, 10,
            List.of(row("{__name__=\"a\", job=\"x\", pod=\"p\"}", 5.0, 7.0)),
            List.of(row("{__name__=\"b\", job=\"x\", zone=\"z\"}", 2.0, 10.0))))
        .isEqualTo(expect(dropped("{job=\"x\"}", 3.0, -3.0)));
  }

  @Test
  void groupLeftCopiesTheIncludedLabelsFromTheOneSide() {
    List<Row> many = List.of(
        row("{__name__=\"rate\", instance=\"i1\", job=\"j1\"}", 1.0, 2.0),
        row("{__name__=\"rate\", instance=\"i2\", job=\"j1\"}", 3.0, 4.0),
        row("{__name__=\"rate\", instance=\"i3\", job=\"j2\"}", 9.0, 9.0));
    List<Row> one = List.of(row("{__name__=\"up\", job=\"j1\", version=\"v1\"}", 2.0, null));
    assertThat(run(BinaryOp.MUL, false, groupLeftOn(List.of("job"), List.of("version")), 2, 2,
            many, one))
        .isEqualTo(expect(
            dropped("{__name__=\"rate\", instance=\"i1\", job=\"j1\", version=\"v1\"}", 2.0, null),
            dropped("{__name__=\"rate\", instance=\"i2\", job=\"j1\", version=\"v1\"}", 6.0, null)));
  }

  @Test
  void groupRightTakesTheResultLabelsFromTheRightAndKeepsTheOperandOrder() {
    VectorMatching m = new VectorMatching(
        Cardinality.ONE_TO_MANY, List.of("job"), true, List.of(), null, null);
    // 10 - x: the left side is still the left operand.
    assertThat(run(BinaryOp.SUB, false, m, 1, 10,
            List.of(row("{__name__=\"total\", job=\"j\"}", 10.0)),
            List.of(row("{__name__=\"part\", job=\"j\", k=\"1\"}", 4.0),
                row("{__name__=\"part\", job=\"j\", k=\"2\"}", 1.0))))
        .isEqualTo(expect(
            dropped("{__name__=\"part\", job=\"j\", k=\"1\"}", 6.0),
            dropped("{__name__=\"part\", job=\"j\", k=\"2\"}", 9.0)));
  }

  @Test
  void twoSeriesOfAMatchGroupOnTheOneSideAtOneStepIsTheManyToManyError() {
    List<Row> many = List.of(row("{__name__=\"a\", job=\"j\"}", 1.0, 1.0));
    // Never at the same step at step 0; both at step 1.
    List<Row> one = List.of(
        row("{__name__=\"b\", job=\"j\", pod=\"2\"}", null, 1.0),
        row("{__name__=\"b\", job=\"j\", pod=\"1\"}", 1.0, 1.0));
    assertThatThrownBy(() -> run(BinaryOp.ADD, false, groupLeftOn(List.of("job"), List.of()),
            2, 1, many, one))
        .isInstanceOf(PromQLException.class)
        .hasMessage("found duplicate series for the match group {job=\"j\"} on the right"
            + " hand-side of the operation: [{__name__=\"b\", job=\"j\", pod=\"1\"},"
            + " {__name__=\"b\", job=\"j\", pod=\"2\"}];many-to-many matching not allowed:"
            + " matching labels must be unique on one side");
  }

  @Test
  void twoMatchesOfOneSeriesWithoutGroupModifierIsAnError() {
    List<Row> lhs = List.of(
        row("{__name__=\"a\", job=\"j\", pod=\"1\"}", 1.0),
        row("{__name__=\"a\", job=\"j\", pod=\"2\"}", 1.0));
    List<Row> rhs = List.of(row("{__name__=\"b\", job=\"j\"}", 1.0));
    VectorMatching on = new VectorMatching(
        Cardinality.ONE_TO_ONE, List.of("job"), true, List.of(), null, null);
    // Checked before the comparison, which would have dropped both pairs.
    assertThatThrownBy(() -> run(BinaryOp.GTR, false, on, 1, 10, lhs, rhs))
        .isInstanceOf(PromQLException.class)
        .hasMessage("multiple matches for labels: many-to-one matching must be explicit"
            + " (group_left/group_right)");
  }

  @Test
  void groupLeftWhoseResultsCollideIsAnError() {
    List<Row> many = List.of(
        row("{__name__=\"a\", job=\"j\", v=\"1\"}", 1.0),
        row("{__name__=\"a\", job=\"j\", v=\"2\"}", 1.0));
    List<Row> one = List.of(row("{__name__=\"b\", job=\"j\", v=\"3\"}", 1.0));
    assertThatThrownBy(() -> run(BinaryOp.ADD, false, groupLeftOn(List.of("job"), List.of("v")),
            1, 10, many, one))
        .hasMessage("multiple matches for labels: grouping labels must ensure unique matches");
  }

  @Test
  void setOperatorsDecideStepByStep() {
    List<Row> a = List.of(
        row("{__name__=\"a\", k=\"1\"}", 1.0, 2.0, 3.0),
        row("{__name__=\"a\", k=\"2\"}", 4.0, null, 6.0));
    List<Row> b = List.of(
        row("{__name__=\"b\", k=\"1\"}", null, 1.0, 1.0),
        row("{__name__=\"b\", k=\"3\"}", 1.0, 1.0, 1.0));
    VectorMatching m = new VectorMatching(
        Cardinality.MANY_TO_MANY, List.of(), false, List.of(), null, null);
    assertThat(run(BinaryOp.LAND, false, m, 3, 1, a, b))
        .isEqualTo(expect(row("{__name__=\"a\", k=\"1\"}", null, 2.0, 3.0)));
    assertThat(run(BinaryOp.LUNLESS, false, m, 3, 1, a, b))
        .isEqualTo(expect(
            row("{__name__=\"a\", k=\"1\"}", 1.0, null, null),
            row("{__name__=\"a\", k=\"2\"}", 4.0, null, 6.0)));
    assertThat(run(BinaryOp.LOR, false, m, 3, 1, a, b))
        .isEqualTo(expect(
            row("{__name__=\"a\", k=\"1\"}", 1.0, 2.0, 3.0),
            row("{__name__=\"a\", k=\"2\"}", 4.0, null, 6.0),
            row("{__name__=\"b\", k=\"3\"}", 1.0, 1.0, 1.0)));
    // or on(): any left sample at a step hides every right one there.
    VectorMatching onNothing = new VectorMatching(
        Cardinality.MANY_TO_MANY, List.of(), true, List.of(), null, null);
    assertThat(run(BinaryOp.LOR, false, onNothing, 3, 10,
            List.of(row("{__name__=\"a\"}", 1.0, null, null)),
            List.of(row("{__name__=\"b\", k=\"1\"}", 7.0, 8.0, null))))
        .isEqualTo(expect(
            row("{__name__=\"a\"}", 1.0, null, null),
            row("{__name__=\"b\", k=\"1\"}", null, 8.0, null)));
  }

  @Test
  void comparisonsFilterOrGiveZeroAndOneWithBool() {
    List<Row> a = List.of(row("{__name__=\"a\", k=\"1\"}", 1.0, 5.0, NAN));
    List<Row> b = List.of(row("{__name__=\"b\", k=\"1\"}", 2.0, 2.0, NAN));
    assertThat(run(BinaryOp.GTR, true, ignoring(), 3, 10, a, b))
        .isEqualTo(expect(dropped("{__name__=\"a\", k=\"1\"}", 0.0, 1.0, 0.0)));
    // Without bool the left value passes where the comparison holds, and the name stays.
    assertThat(run(BinaryOp.GTR, false, ignoring(), 3, 10, a, b))
        .isEqualTo(expect(row("{__name__=\"a\", k=\"1\"}", null, 5.0, null)));
    // NaN equals nothing, not even NaN.
    assertThat(run(BinaryOp.EQLC, false, ignoring(), 3, 10, a, b)).isEmpty();
    assertThat(run(BinaryOp.NEQ, false, ignoring(), 3, 10, a, b))
        .isEqualTo(expect(row("{__name__=\"a\", k=\"1\"}", 1.0, 5.0, NAN)));
  }

  @Test
  void divisionByZeroInfinitiesAndNaNFollowIeeeAndGo() {
    List<Row> a = List.of(row("{k=\"1\"}", 1.0, -1.0, 0.0, NAN, INF, 1.0));
    List<Row> b = List.of(row("{k=\"1\"}", 0.0, 0.0, 0.0, 1.0, INF, NAN));
    assertThat(run(BinaryOp.DIV, false, ignoring(), 6, 10, a, b))
        .isEqualTo(expect(dropped("{k=\"1\"}", INF, -INF, NAN, NAN, NAN, NAN)));
    assertThat(run(BinaryOp.MOD, false, ignoring(), 6, 10, a, b))
        .isEqualTo(expect(dropped("{k=\"1\"}", NAN, NAN, NAN, NAN, NAN, NAN)));
    // Go's math.Pow: 1 to any power, even NaN, is 1.
    assertThat(run(BinaryOp.POW, false, ignoring(), 6, 10, a, b))
        .isEqualTo(expect(dropped("{k=\"1\"}", 1.0, 1.0, 1.0, NAN, INF, 1.0)));
  }

  @Test
  void anEmptySideGivesNothing() {
    List<Row> a = List.of(row("{k=\"1\"}", 1.0));
    assertThat(run(BinaryOp.ADD, false, ignoring(), 1, 10, a, List.of())).isEmpty();
    assertThat(run(BinaryOp.ADD, false, ignoring(), 1, 10, List.of(), a)).isEmpty();
    VectorMatching m = new VectorMatching(
        Cardinality.MANY_TO_MANY, List.of(), false, List.of(), null, null);
    assertThat(run(BinaryOp.LOR, false, m, 1, 10, List.of(), a))
        .isEqualTo(expect(row("{k=\"1\"}", 1.0)));
    assertThat(run(BinaryOp.LUNLESS, false, m, 1, 10, a, List.of()))
        .isEqualTo(expect(row("{k=\"1\"}", 1.0)));
  }

  @Test
  void aHugeManySideAgainstOneSeries() {
    int n = 50_000;
    List<Row> many = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      many.add(row("{i=\"" + i + "\", job=\"j\"}", (double) i, null));
    }
    List<Row> one = List.of(row("{job=\"j\"}", 2.0, 2.0));
    List<String> out = run(BinaryOp.MUL, false, groupLeftOn(List.of("job"), List.of()), 2, 4096,
        many, one);
    assertThat(out).hasSize(n);
    assertThat(out.get(0)).isEqualTo(dropped("{i=\"0\", job=\"j\"}", 0.0, null).toString());
    assertThat(out.get(n - 1))
        .isEqualTo(dropped("{i=\"49999\", job=\"j\"}", 99998.0, null).toString());
  }
}

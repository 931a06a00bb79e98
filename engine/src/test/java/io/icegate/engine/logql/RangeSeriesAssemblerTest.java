package io.icegate.engine.logql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.icegate.engine.exec.RangeAggregateOperator;
import io.icegate.engine.logql.range.RangeAggregateSpec;
import io.icegate.engine.series.Labels;
import io.icegate.engine.series.Series;
import io.icegate.engine.series.StaleMarker;
import io.icegate.logql.LogQL;
import io.icegate.logql.ast.RangeAggregationExpr;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The PromQL side of a range aggregation's rows: series in milliseconds with a stale marker at
 * the first step after each run of values (grid 0, 10 … 50 s), so an instant selection never
 * looks back past a run's end.
 */
class RangeSeriesAssemblerTest {
  private static final long SECOND = 1_000_000_000L;
  private static final RangeAggregateSpec SPEC =
      new RangeAggregateSpec(
          (RangeAggregationExpr) LogQL.parse("count_over_time({a=\"b\"}[10s])"), null, 0,
          10 * SECOND, 6);

  private final RootAllocator allocator = new RootAllocator();

  @AfterEach
  void allocatorIsEmpty() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  @Test
  void eachRunEndsWithAStaleMarkerUnlessItReachesTheLastStep() {
    RangeSeriesAssembler assembler = new RangeSeriesAssembler(SPEC, 0);
    // a: steps 10, 20 | 40 s; b: step 50 s (the last: no marker after it).
    try (VectorSchemaRoot first = rows(new Object[] {"{a=\"x\"}", 10L, 1.0},
            new Object[] {"{a=\"x\"}", 20L, 2.0});
        VectorSchemaRoot second = rows(new Object[] {"{a=\"x\"}", 40L, 3.0},
            new Object[] {"{a=\"y\"}", 50L, 4.0})) {
      assembler.add(first);
      assembler.add(second);
    }

    List<Series> series = assembler.series();

    assertThat(series).hasSize(2);
    Series a = series.get(0);
    assertThat(a.labels()).isEqualTo(Labels.of("a", "x"));
    assertThat(a.timestamps()).containsExactly(10_000L, 20_000L, 30_000L, 40_000L, 50_000L);
    assertThat(a.values()[0]).isEqualTo(1.0);
    assertThat(a.values()[1]).isEqualTo(2.0);
    assertThat(StaleMarker.isStale(a.values()[2])).isTrue();
    assertThat(a.values()[3]).isEqualTo(3.0);
    assertThat(StaleMarker.isStale(a.values()[4])).isTrue();
    Series b = series.get(1);
    assertThat(b.labels()).isEqualTo(Labels.of("a", "y"));
    assertThat(b.timestamps()).containsExactly(50_000L);
    assertThat(b.values()).containsExactly(4.0);
  }

  @Test
  void oneSeriesMoreThanTheLimitFailsTheQuery() {
    RangeSeriesAssembler assembler = new RangeSeriesAssembler(SPEC, 1);
    try (VectorSchemaRoot batch = rows(new Object[] {"{a=\"x\"}", 10L, 1.0},
        new Object[] {"{a=\"y\"}", 10L, 1.0})) {
      assertThatThrownBy(() -> assembler.add(batch)).isInstanceOf(SeriesLimitException.class);
    }
  }

  /** A batch of (labels, step in seconds, value) rows, as the range aggregation emits them. */
  private VectorSchemaRoot rows(Object[]... rows) {
    VectorSchemaRoot root = VectorSchemaRoot.create(RangeAggregateOperator.SCHEMA, allocator);
    root.allocateNew();
    VarCharVector labels = (VarCharVector) root.getVector(0);
    BigIntVector step = (BigIntVector) root.getVector(1);
    Float8Vector value = (Float8Vector) root.getVector(2);
    for (int i = 0; i < rows.length; i++) {
      labels.setSafe(i, ((String) rows[i][0]).getBytes(StandardCharsets.UTF_8));
      step.setSafe(i, (Long) rows[i][1] * SECOND);
      value.setSafe(i, (Double) rows[i][2]);
    }
    root.setRowCount(rows.length);
    return root;
  }
}

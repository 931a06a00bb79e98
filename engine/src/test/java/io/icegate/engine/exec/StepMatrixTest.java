package io.icegate.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

class StepMatrixTest {
  @Test
  void rowsWrittenPastTheFirstAllocationReadBackWithTheirGaps() {
    int steps = 3;
    int rows = 200;
    try (RootAllocator allocator = new RootAllocator()) {
      try (VectorSchemaRoot m = StepMatrix.allocate(allocator, steps, 1)) {
        for (int r = 0; r < rows; r++) {
          StepMatrix.setRow(
              m, r, "{job=\"j" + r + "\"}",
              new double[] {r, Double.NaN, -r},
              new boolean[] {r % 2 == 0, true, r % 3 == 0},
              r == 7);
        }
        StepMatrix.finish(m, rows);
        assertThat(m.getRowCount()).isEqualTo(rows);
        assertThat(StepMatrix.steps(m)).isEqualTo(steps);
        for (int r = 0; r < rows; r++) {
          assertThat(StepMatrix.labelText(m, r)).isEqualTo("{job=\"j" + r + "\"}");
          assertThat(StepMatrix.present(m, r, 0)).isEqualTo(r % 2 == 0);
          assertThat(StepMatrix.present(m, r, 1)).isTrue();
          assertThat(StepMatrix.value(m, r, 1)).isNaN();
          assertThat(StepMatrix.present(m, r, 2)).isEqualTo(r % 3 == 0);
          if (r % 2 == 0) {
            assertThat(StepMatrix.value(m, r, 0)).isEqualTo(r);
          }
          if (r % 3 == 0) {
            assertThat(StepMatrix.value(m, r, 2)).isEqualTo(-r);
          }
          assertThat(StepMatrix.dropName(m).get(r)).isEqualTo(r == 7 ? 1 : 0);
        }
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }
}

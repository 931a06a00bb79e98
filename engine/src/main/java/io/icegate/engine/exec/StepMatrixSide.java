package io.icegate.engine.exec;

import io.icegate.engine.series.Labels;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * All the rows of one input of an operator over {@link StepMatrix} batches, read to its end and
 * held (the batches stay in Arrow memory until {@link #close}): row {@code r}'s labels, mark and
 * step values, addressed across batches by one row number.
 */
final class StepMatrixSide implements AutoCloseable {
  private final List<VectorSchemaRoot> batches = new ArrayList<>();
  final int steps;
  int rows;
  /** Each row's batch and its row there. */
  private int[] batchOf = new int[16];
  private int[] rowIn = new int[16];
  Labels[] labels = new Labels[16];
  byte[][] labelBytes = new byte[16][];
  boolean[] dropName = new boolean[16];
  private ArrowBuf[] data = new ArrowBuf[0];
  private ArrowBuf[] validity = new ArrowBuf[0];

  private StepMatrixSide(int steps) {
    this.steps = steps;
  }

  /** Reads {@code input} to its end; a batch of another step count is a planning error. */
  static StepMatrixSide read(ExecContext context, Operator input, int steps, LabelSetCache cache) {
    StepMatrixSide side = new StepMatrixSide(steps);
    try {
      VectorSchemaRoot b;
      while ((b = input.next()) != null) {
        side.add(b, cache);
        context.checkContinue();
      }
      return side;
    } catch (RuntimeException | Error e) {
      side.close();
      throw e;
    }
  }

  private void add(VectorSchemaRoot b, LabelSetCache cache) {
    batches.add(b);
    if (b.getRowCount() > 0 && StepMatrix.steps(b) != steps) {
      throw new IllegalStateException(
          "step matrix of " + StepMatrix.steps(b) + " steps where " + steps + " were planned");
    }
    int batch = batches.size() - 1;
    data = java.util.Arrays.copyOf(data, batch + 1);
    validity = java.util.Arrays.copyOf(validity, batch + 1);
    Float8Vector values = StepMatrix.values(b);
    data[batch] = values.getDataBuffer();
    validity[batch] = values.getValidityBuffer();
    VarCharVector text = StepMatrix.labels(b);
    BitVector drop = StepMatrix.dropName(b);
    int n = b.getRowCount();
    if (rows + n > batchOf.length) {
      int cap = Math.max(rows + n, batchOf.length * 2);
      batchOf = java.util.Arrays.copyOf(batchOf, cap);
      rowIn = java.util.Arrays.copyOf(rowIn, cap);
      labels = java.util.Arrays.copyOf(labels, cap);
      labelBytes = java.util.Arrays.copyOf(labelBytes, cap);
      dropName = java.util.Arrays.copyOf(dropName, cap);
    }
    for (int r = 0; r < n; r++) {
      batchOf[rows] = batch;
      rowIn[rows] = r;
      byte[] bytes = text.get(r);
      labelBytes[rows] = bytes;
      labels[rows] = cache.decode(bytes);
      dropName[rows] = drop.get(r) != 0;
      rows++;
    }
  }

  /** Row {@code row}'s values buffer (element {@link #base} is its first step). */
  ArrowBuf data(int row) {
    return data[batchOf[row]];
  }

  ArrowBuf validity(int row) {
    return validity[batchOf[row]];
  }

  /** The element index of row {@code row}'s first step in its batch's values. */
  long base(int row) {
    return (long) rowIn[row] * steps;
  }

  boolean present(int row, int step) {
    return StepRows.isSet(validity[batchOf[row]], base(row) + step);
  }

  double value(int row, int step) {
    return data[batchOf[row]].getDouble((base(row) + step) * Float8Vector.TYPE_WIDTH);
  }

  /** Copies row {@code row}'s presence into {@code out[0 .. steps)}. */
  void presence(int row, boolean[] out) {
    ArrowBuf v = validity(row);
    long base = base(row);
    for (int s = 0; s < steps; s++) {
      out[s] = StepRows.isSet(v, base + s);
    }
  }

  /** Copies row {@code row}'s values into {@code out[0 .. steps)}. */
  void values(int row, double[] out) {
    if (steps > 0) {
      StepRows.doubles(data(row), base(row), steps).get(out, 0, steps);
    }
  }

  @Override
  public void close() {
    for (VectorSchemaRoot b : batches) {
      b.close();
    }
    batches.clear();
  }
}

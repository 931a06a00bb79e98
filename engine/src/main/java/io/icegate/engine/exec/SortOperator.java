package io.icegate.engine.exec;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.calcite.rel.RelFieldCollation;

/**
 * Sorts its input, then emits rows {@code [offset, offset + fetch)}. With a fetch, it compacts
 * what it holds to the best {@code offset + fetch} rows whenever it holds twice that, so memory
 * stays proportional to the limit, not to the input (a top-N).
 *
 * <p>A split's top-N under a parallel one ({@link TopNBound}) also offers, whenever it has taken
 * in another {@code offset + fetch} rows, the value of its first key at its {@code offset +
 * fetch}-th best row, so the scans of every split can drop rows beyond it.
 */
public final class SortOperator implements Operator {
  private static final int OUTPUT_ROWS = 4096;
  private static final int MIN_COMPACT_ROWS = 8192;

  private final ExecContext context;
  private final Operator input;
  private final List<RelFieldCollation> keys;
  private final long offset;
  private final long fetch;
  private final TopNBound bound;
  private long offeredAt;
  /** After a compaction: the first key of the last row kept, which later rows must reach. */
  private boolean hasCutoff;
  private long cutoff;
  private boolean[] within = new boolean[0];
  private final List<VectorSchemaRoot> held = new ArrayList<>();
  private long heldRows;
  private Schema schema;
  private int[] order;
  private int[] orderBatch;
  private int emitted;
  private int end;

  public SortOperator(
      ExecContext context, Operator input, List<RelFieldCollation> keys, long offset, long fetch) {
    this(context, input, keys, offset, fetch, null);
  }

  /**
   * @param bound where to offer this top-N's cut-off (its first key must be the bound's column,
   *     in the bound's direction), or null
   */
  public SortOperator(
      ExecContext context, Operator input, List<RelFieldCollation> keys, long offset, long fetch,
      TopNBound bound) {
    this.bound =
        fetch == Long.MAX_VALUE || keys.isEmpty()
                || keys.get(0).getDirection().isDescending() != (bound != null && bound.descending())
            ? null
            : bound;
    this.context = context;
    this.input = input;
    this.keys = List.copyOf(keys);
    this.offset = offset;
    this.fetch = fetch;
  }

  @Override
  public VectorSchemaRoot next() {
    if (order == null) {
      consume();
    }
    if (emitted >= end) {
      return null;
    }
    int count = Math.min(OUTPUT_ROWS, end - emitted);
    VectorSchemaRoot out = Batches.allocate(schema, context.allocator(), count);
    try {
      copyRows(out, emitted, count);
      emitted += count;
      return out;
    } catch (RuntimeException | Error e) {
      out.close();
      throw e;
    }
  }

  private void consume() {
    long keep = fetch == Long.MAX_VALUE ? Long.MAX_VALUE : offset + fetch;
    VectorSchemaRoot batch;
    while ((batch = input.next()) != null) {
      schema = batch.getSchema();
      batch = withinCutoff(batch);
      if (batch == null) {
        continue;
      }
      held.add(batch);
      heldRows += batch.getRowCount();
      if (keep != Long.MAX_VALUE && heldRows > Math.max(2 * keep, MIN_COMPACT_ROWS)) {
        compact((int) keep);
      } else if (bound != null && heldRows >= keep && heldRows - offeredAt >= keep) {
        offerCutoff((int) keep);
      }
    }
    sortHeld();
    int total = order.length;
    emitted = (int) Math.min(offset, total);
    end = (int) Math.min((long) total, keep);
    if (schema == null) {
      end = 0;
    }
  }

  /**
   * {@code batch} without the rows that can't be among the best {@code offset + fetch}: once a
   * compaction has kept that many, a row whose first key (an 8-byte value, not null) is strictly
   * worse than the last kept row's can never enter, so it is dropped on arrival instead of being
   * held and sorted. Null when no row is left (the batch is then closed).
   */
  private VectorSchemaRoot withinCutoff(VectorSchemaRoot batch) {
    if (!hasCutoff) {
      return batch;
    }
    int rows = batch.getRowCount();
    if (within.length < rows) {
      within = new boolean[rows];
    }
    int count =
        TopNBound.markReaching(
            batch.getVector(keys.get(0).getFieldIndex()), rows, cutoff,
            keys.get(0).getDirection().isDescending(), within);
    if (count < 0 || count == rows) {
      return batch;
    }
    try (VectorSchemaRoot owned = batch) {
      return count == 0
          ? null
          : io.icegate.storage.table.ArrowSelection.select(
              owned, within, count, context.allocator());
    }
  }

  /** Replaces everything held by one batch of the best {@code keep} rows, in order. */
  private void compact(int keep) {
    sortHeld();
    int count = Math.min(keep, order.length);
    VectorSchemaRoot best = Batches.allocate(schema, context.allocator(), count);
    try {
      copyRows(best, 0, count);
    } catch (RuntimeException | Error e) {
      best.close();
      throw e;
    }
    held.forEach(VectorSchemaRoot::close);
    held.clear();
    held.add(best);
    heldRows = count;
    order = null;
    if (count == keep && !keys.isEmpty()) {
      rememberCutoff(best, count - 1);
      if (bound != null) {
        offerCutoff(keep);
      }
    }
  }

  /**
   * Notes the first key of {@code batch}'s row {@code row} — the last of the best rows kept — as
   * the value later rows must reach, when that key is a non-null 8-byte value.
   */
  private void rememberCutoff(VectorSchemaRoot batch, int row) {
    FieldVector key = batch.getVector(keys.get(0).getFieldIndex());
    if (key instanceof org.apache.arrow.vector.BaseFixedWidthVector fixed
        && fixed.getTypeWidth() == Long.BYTES
        && !fixed.isNull(row)) {
      cutoff = fixed.getDataBuffer().getLong((long) row * Long.BYTES);
      hasCutoff = true;
    }
  }

  /** Offers the first key's value at the {@code keep}-th best row held to the shared bound. */
  private void offerCutoff(int keep) {
    offeredAt = heldRows;
    int column = keys.get(0).getFieldIndex();
    long[] values = new long[(int) heldRows];
    int k = 0;
    for (VectorSchemaRoot batch : held) {
      FieldVector vector = batch.getVector(column);
      int n = batch.getRowCount();
      for (int r = 0; r < n; r++) {
        if (vector.isNull(r)) {
          return; // nulls sort by their own rule; offer nothing rather than reason about them
        }
        if (vector instanceof TimeStampVector ts) {
          values[k++] = ts.get(r);
        } else if (vector instanceof BigIntVector longs) {
          values[k++] = longs.get(r);
        } else {
          return;
        }
      }
    }
    java.util.Arrays.sort(values);
    bound.offer(bound.descending() ? values[values.length - keep] : values[keep - 1]);
  }

  private void copyRows(VectorSchemaRoot out, int from, int count) {
    List<FieldVector> targets = out.getFieldVectors();
    for (int c = 0; c < targets.size(); c++) {
      FieldVector target = targets.get(c);
      for (int i = 0; i < count; i++) {
        FieldVector source = held.get(orderBatch[from + i]).getVector(c);
        target.copyFromSafe(order[from + i], i, source);
      }
      target.setValueCount(count);
    }
    out.setRowCount(count);
  }

  /** Orders all held rows: {@code order[i]} is a row of batch {@code orderBatch[i]}. */
  private void sortHeld() {
    int total = (int) heldRows;
    int[] rows = new int[total];
    int[] batches = new int[total];
    int k = 0;
    for (int b = 0; b < held.size(); b++) {
      int n = held.get(b).getRowCount();
      for (int r = 0; r < n; r++) {
        rows[k] = r;
        batches[k] = b;
        k++;
      }
    }
    int[] positions = new int[total];
    for (int i = 0; i < total; i++) {
      positions[i] = i;
    }
    IntMergeSort.sort(positions, (a, b) -> compare(batches[a], rows[a], batches[b], rows[b]));
    order = new int[total];
    orderBatch = new int[total];
    for (int i = 0; i < total; i++) {
      order[i] = rows[positions[i]];
      orderBatch[i] = batches[positions[i]];
    }
  }

  private int compare(int batchA, int rowA, int batchB, int rowB) {
    for (RelFieldCollation key : keys) {
      FieldVector a = held.get(batchA).getVector(key.getFieldIndex());
      FieldVector b = held.get(batchB).getVector(key.getFieldIndex());
      boolean nullA = a.isNull(rowA);
      boolean nullB = b.isNull(rowB);
      int c;
      if (nullA || nullB) {
        if (nullA && nullB) {
          continue;
        }
        boolean nullsFirst = key.nullDirection == RelFieldCollation.NullDirection.FIRST;
        return nullA == nullsFirst ? -1 : 1;
      }
      c = compareValues(a, rowA, b, rowB);
      if (c != 0) {
        return key.getDirection().isDescending() ? -c : c;
      }
    }
    return 0;
  }

  private static int compareValues(FieldVector a, int rowA, FieldVector b, int rowB) {
    if (a instanceof TimeStampVector ta) {
      return Long.compare(ta.get(rowA), ((TimeStampVector) b).get(rowB));
    }
    if (a instanceof BaseIntVector ia) {
      return Long.compare(ia.getValueAsLong(rowA), ((BaseIntVector) b).getValueAsLong(rowB));
    }
    if (a instanceof VarCharVector va) {
      VarCharVector vb = (VarCharVector) b;
      long sa = va.getStartOffset(rowA);
      long sb = vb.getStartOffset(rowB);
      int la = va.getValueLength(rowA);
      int lb = vb.getValueLength(rowB);
      int n = Math.min(la, lb);
      for (int i = 0; i < n; i++) {
        int c =
            Integer.compare(
                va.getDataBuffer().getByte(sa + i) & 0xff,
                vb.getDataBuffer().getByte(sb + i) & 0xff);
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(la, lb);
    }
    if (a instanceof org.apache.arrow.vector.FloatingPointVector fa) {
      // Double.compare's total order: -0.0 before 0.0, NaN after every number (as PostgreSQL
      // sorts NaN).
      return Double.compare(
          fa.getValueAsDouble(rowA),
          ((org.apache.arrow.vector.FloatingPointVector) b).getValueAsDouble(rowB));
    }
    if (a instanceof org.apache.arrow.vector.BitVector ba) {
      return Integer.compare(ba.get(rowA), ((org.apache.arrow.vector.BitVector) b).get(rowB));
    }
    throw new UnsupportedOperationException("cannot sort by " + a.getField().getType());
  }

  @Override
  public void close() {
    held.forEach(VectorSchemaRoot::close);
    held.clear();
    input.close();
  }
}

package io.icegate.engine.exec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * The first {@code limit} rows of each group by one numeric column — SQL's {@code ROW_NUMBER()
 * OVER (PARTITION BY keys ORDER BY v) <= limit} and PromQL's {@code topk}/{@code bottomk}. Each
 * group has a bounded heap of at most {@code limit} rows (its worst on top), so the input is
 * never sorted: a row enters only if it beats its group's worst. Rows that enter are copied
 * into a store batch (the input's batches are released as they pass); when evicted rows make
 * up most of the store, the live ones are copied into a fresh store.
 *
 * <p>Order: by the column ascending or descending; ties keep input order (a row that only
 * equals a group's worst does not enter), as PromQL's {@code topk} does. NULLs go first or last
 * as asked. A NaN sorts as SQL sorts it (after every number, so first when descending) or, in
 * {@link NaNOrder#LAST} (PromQL's {@code topk} and {@code bottomk}), after every number in both
 * directions.
 *
 * <p>The output, when the input ends: every kept row, group by group in first-seen order, best
 * first, with the input's columns and then (unless no name is given for it) its 1-based row
 * number within the group (BIGINT).
 */
public final class TopNPerGroupOperator implements Operator {
  /** Where NaNs of the order column go. */
  public enum NaNOrder {
    /** As SQL sorts them: greater than every number. */
    SQL,
    /** After every number whatever the direction, as PromQL's topk and bottomk keep them. */
    LAST
  }

  private static final int OUTPUT_BATCH = 1 << 16;
  private static final byte NULL_FIRST = 0;
  private static final byte VALUE = 1;
  private static final byte NAN_LAST = 2;
  private static final byte NULL_LAST = 3;

  private final ExecContext context;
  private final Operator input;
  private final int[] keys;
  private final int orderColumn;
  private final boolean descending;
  private final boolean nullsFirst;
  private final NaNOrder nanOrder;
  private final int limit;
  private final String rowNumberName;
  private final Accumulator.Numbers values = new Accumulator.Numbers();
  private GroupKeyTable table;
  private int[] zeros = new int[0];
  private long[] rowKey = new long[0];
  private byte[] rowTier = new byte[0];
  private int[] candidates = new int[0];

  /** Rows that entered a heap, in arrival order; row i's order key and tier. */
  private VectorSchemaRoot store;
  private int stored;
  private long[] storeKey = new long[1024];
  private byte[] storeTier = new byte[1024];
  /** Per group: its heap of store rows (worst at 0), and how many it holds. */
  private int[][] heaps = new int[16][];
  private int[] heapSize = new int[16];
  /** Per full group: its worst kept row's tier and key, the bar a new row must beat. */
  private byte[] worstTier = new byte[16];
  private long[] worstKey = new long[16];
  private int groupCount;
  private long live;

  private int[] output;
  /** Each output row's 1-based number within its group. */
  private long[] ranks;
  private int emitted;
  private boolean consumed;
  private boolean closed;

  /**
   * @param keys the grouping columns (none: one group)
   * @param orderColumn a numeric column to order by
   * @param rowNumberName the name of the row-number column appended to the input's; null for
   *     none (a per-split half, whose rows another top N above takes the first of)
   */
  public TopNPerGroupOperator(
      ExecContext context, Operator input, List<Integer> keys, int orderColumn,
      boolean descending, boolean nullsFirst, NaNOrder nanOrder, long limit,
      String rowNumberName) {
    this.context = context;
    this.input = input;
    this.keys = keys.stream().mapToInt(Integer::intValue).toArray();
    this.orderColumn = orderColumn;
    this.descending = descending;
    this.nullsFirst = nullsFirst;
    this.nanOrder = nanOrder;
    this.limit = (int) Math.max(0, Math.min(limit, Integer.MAX_VALUE - 8));
    this.rowNumberName = rowNumberName;
  }

  @Override
  public VectorSchemaRoot next() {
    if (!consumed) {
      consume();
      consumed = true;
    }
    if (store == null || emitted >= output.length) {
      return null;
    }
    context.checkContinue();
    int count = Math.min(OUTPUT_BATCH, output.length - emitted);
    VectorSchemaRoot out = emit(emitted, count);
    emitted += count;
    return out;
  }

  private void consume() {
    for (VectorSchemaRoot batch = input.next(); batch != null; batch = input.next()) {
      try (VectorSchemaRoot owned = batch) {
        context.checkContinue();
        if (limit > 0 && owned.getRowCount() > 0) {
          add(owned);
        }
      }
    }
    output = finalOrder();
  }

  private void add(VectorSchemaRoot batch) {
    int rows = batch.getRowCount();
    if (store == null) {
      List<Field> keyFields = new ArrayList<>();
      for (int key : keys) {
        keyFields.add(batch.getVector(key).getField());
      }
      table = keys.length == 0 ? null : new GroupKeyTable(keyFields, context.allocator());
      store = VectorSchemaRoot.create(batch.getSchema(), context.allocator());
      store.allocateNew();
    }
    int[] groups;
    if (table == null) {
      if (zeros.length < rows) {
        zeros = new int[rows];
      }
      groups = zeros;
      groupCount = 1;
    } else {
      FieldVector[] keyVectors = new FieldVector[keys.length];
      for (int k = 0; k < keys.length; k++) {
        keyVectors[k] = batch.getVector(keys[k]);
      }
      groups = table.groupsOf(keyVectors, rows);
      groupCount = table.size();
    }
    if (heaps.length < groupCount) {
      int length = Math.max(groupCount, heaps.length * 2);
      heaps = Arrays.copyOf(heaps, length);
      heapSize = Arrays.copyOf(heapSize, length);
      worstTier = Arrays.copyOf(worstTier, length);
      worstKey = Arrays.copyOf(worstKey, length);
    }
    orderKeys(batch.getVector(orderColumn), rows);
    if (candidates.length < rows) {
      candidates = new int[rows];
    }
    int taken = 0;
    for (int r = 0; r < rows; r++) {
      int g = groups[r];
      int size = heapSize[g];
      byte tier = rowTier[r];
      long key = rowKey[r];
      if (size == limit) {
        // Strictly better than the worst kept row; an equal one arrived later and loses. (The
        // bar is kept per group in flat arrays: most rows are rejected here, without reading
        // the heap or the store.)
        byte bar = worstTier[g];
        if (tier > bar || (tier == bar && key >= worstKey[g])) {
          continue;
        }
      }
      int[] heap = heaps[g];
      int s = stored + taken;
      if (s >= storeKey.length) {
        storeKey = Arrays.copyOf(storeKey, storeKey.length * 2);
        storeTier = Arrays.copyOf(storeTier, storeTier.length * 2);
      }
      storeKey[s] = key;
      storeTier[s] = tier;
      candidates[taken++] = r;
      if (size < limit) {
        if (heap == null || heap.length == size) {
          heap = heaps[g] = Arrays.copyOf(
              heap == null ? new int[0] : heap, Math.min(limit, Math.max(4, size * 2)));
        }
        heap[size] = s;
        heapSize[g] = size + 1;
        siftUp(heap, size);
        live++;
      } else {
        heap[0] = s;
        siftDown(heap, size, 0);
      }
      if (heapSize[g] == limit) {
        worstTier[g] = storeTier[heap[0]];
        worstKey[g] = storeKey[heap[0]];
      }
    }
    copyIntoStore(batch, taken);
    if (stored > 4 * live + 65_536) {
      compact();
    }
  }

  /** Each row's tier (null first, value, NaN last, null last) and key: smaller is better. */
  private void orderKeys(FieldVector column, int rows) {
    if (rowKey.length < rows) {
      rowKey = new long[rows];
      rowTier = new byte[rows];
    }
    values.decode(column, rows);
    boolean hasNulls = values.hasNulls;
    if (values.floating) {
      double[] v = values.doubles;
      for (int r = 0; r < rows; r++) {
        double x = v[r];
        long bits = Double.doubleToLongBits(x); // one NaN
        // Signed order of these longs is the numeric order, NaN greatest (as SQL sorts it).
        long key = bits ^ ((bits >> 63) & Long.MAX_VALUE);
        rowKey[r] = descending ? ~key : key;
        rowTier[r] = nanOrder == NaNOrder.LAST && x != x ? NAN_LAST : VALUE;
      }
    } else {
      long[] v = values.longs;
      for (int r = 0; r < rows; r++) {
        rowKey[r] = descending ? ~v[r] : v[r];
        rowTier[r] = VALUE;
      }
    }
    if (hasNulls) {
      boolean[] nulls = values.nulls;
      for (int r = 0; r < rows; r++) {
        if (nulls[r]) {
          rowTier[r] = nullsFirst ? NULL_FIRST : NULL_LAST;
          rowKey[r] = 0;
        }
      }
    }
  }

  /** Whether store row a sorts after store row b (b was kept earlier on a tie if a > b). */
  private boolean worse(int a, int b) {
    byte ta = storeTier[a];
    byte tb = storeTier[b];
    if (ta != tb) {
      return ta > tb;
    }
    long ka = storeKey[a];
    long kb = storeKey[b];
    return ka != kb ? ka > kb : a > b;
  }

  private void siftUp(int[] heap, int at) {
    int row = heap[at];
    while (at > 0) {
      int parent = (at - 1) >>> 1;
      if (!worse(row, heap[parent])) {
        break;
      }
      heap[at] = heap[parent];
      at = parent;
    }
    heap[at] = row;
  }

  private void siftDown(int[] heap, int size, int at) {
    int row = heap[at];
    while (true) {
      int child = 2 * at + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && worse(heap[child + 1], heap[child])) {
        child++;
      }
      if (!worse(heap[child], row)) {
        break;
      }
      heap[at] = heap[child];
      at = child;
    }
    heap[at] = row;
  }

  private void copyIntoStore(VectorSchemaRoot batch, int taken) {
    if (taken == 0) {
      return;
    }
    for (int c = 0; c < store.getFieldVectors().size(); c++) {
      FieldVector from = batch.getVector(c);
      FieldVector to = store.getVector(c);
      for (int i = 0; i < taken; i++) {
        to.copyFromSafe(candidates[i], stored + i, from);
      }
    }
    stored += taken;
    store.setRowCount(stored);
  }

  /** Copies the rows still in a heap into a new store, keeping their arrival order. */
  private void compact() {
    int[] keep = new int[(int) live];
    int n = 0;
    for (int g = 0; g < groupCount; g++) {
      for (int i = 0; i < heapSize[g]; i++) {
        keep[n++] = heaps[g][i];
      }
    }
    Arrays.sort(keep);
    int[] moved = new int[stored];
    VectorSchemaRoot fresh = VectorSchemaRoot.create(store.getSchema(), context.allocator());
    try {
      fresh.allocateNew();
      for (int c = 0; c < fresh.getFieldVectors().size(); c++) {
        FieldVector from = store.getVector(c);
        FieldVector to = fresh.getVector(c);
        for (int i = 0; i < n; i++) {
          to.copyFromSafe(keep[i], i, from);
        }
      }
    } catch (RuntimeException | Error e) {
      fresh.close();
      throw e;
    }
    for (int i = 0; i < n; i++) {
      moved[keep[i]] = i;
      storeKey[i] = storeKey[keep[i]];
      storeTier[i] = storeTier[keep[i]];
    }
    for (int g = 0; g < groupCount; g++) {
      int[] heap = heaps[g];
      for (int i = 0; i < heapSize[g]; i++) {
        heap[i] = moved[heap[i]];
      }
    }
    store.close();
    store = fresh;
    stored = n;
    store.setRowCount(n);
  }

  /** The kept rows, group by group, each group best first; and their row numbers. */
  private int[] finalOrder() {
    int[] order = new int[(int) live];
    ranks = new long[order.length];
    int n = 0;
    for (int g = 0; g < groupCount; g++) {
      int size = heapSize[g];
      int[] heap = heaps[g];
      // Pop the heap from its worst: the group's rows fill its range from the back.
      for (int end = size; end > 0; end--) {
        order[n + end - 1] = heap[0];
        ranks[n + end - 1] = end;
        heap[0] = heap[end - 1];
        siftDown(heap, end - 1, 0);
      }
      n += size;
    }
    return order;
  }

  private VectorSchemaRoot emit(int from, int count) {
    BufferAllocator allocator = context.allocator();
    List<FieldVector> vectors = new ArrayList<>();
    try {
      for (FieldVector source : store.getFieldVectors()) {
        FieldVector out = source.getField().createVector(allocator);
        vectors.add(out);
        out.setInitialCapacity(count);
        out.allocateNew();
        for (int i = 0; i < count; i++) {
          out.copyFromSafe(output[from + i], i, source);
        }
        out.setValueCount(count);
      }
      if (rowNumberName == null) {
        VectorSchemaRoot root = new VectorSchemaRoot(vectors);
        root.setRowCount(count);
        return root;
      }
      BigIntVector numbers =
          (BigIntVector)
              new Field(rowNumberName, FieldType.notNullable(new ArrowType.Int(64, true)), null)
                  .createVector(allocator);
      vectors.add(numbers);
      numbers.allocateNew(count);
      for (int i = 0; i < count; i++) {
        numbers.set(i, ranks[from + i]);
      }
      numbers.setValueCount(count);
    } catch (RuntimeException | Error e) {
      vectors.forEach(FieldVector::close);
      throw e;
    }
    VectorSchemaRoot root = new VectorSchemaRoot(vectors);
    root.setRowCount(count);
    return root;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      input.close();
    } finally {
      if (table != null) {
        table.close();
      }
      if (store != null) {
        store.close();
      }
    }
  }
}

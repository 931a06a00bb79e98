package io.icegate.engine.exec;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Groups its input by key columns of any scalar type and computes aggregate functions per group
 * ({@link AggregateFunction}): a batch at a time, the {@link GroupKeyTable} gives every row its
 * group id, then each function's {@link Accumulator} adds the batch's argument column into
 * per-group arrays. Nothing is made per row.
 *
 * <p>The result comes when the input ends, one row per group in first-seen order, in batches of
 * at most {@value #OUTPUT_BATCH} rows: the key columns (of the input's types) and then one
 * column per function. Without keys there is exactly one row, even over no input ({@code COUNT}
 * 0, {@code SUM} NULL); with keys, no input gives no rows.
 *
 * <p>Run below a parallel gather with the partial functions and above it with their merges, it
 * is the two halves of a parallel aggregation (see {@code ArrowAggregate}).
 */
public final class HashAggregateOperator implements Operator {
  private static final int OUTPUT_BATCH = 1 << 16;

  private final ExecContext context;
  private final Operator input;
  private final int[] keys;
  private final List<AggregateFunction> functions;
  private final List<String> names;
  private List<Field> keyFields;
  private GroupKeyTable table;
  private Accumulator[] accumulators;
  private int[] zeros = new int[0];
  private boolean[] excludedScratch = new boolean[0];
  private boolean consumed;
  private int emitted;
  private boolean closed;

  /**
   * @param keys input columns to group by
   * @param names the output columns' names: keys', then functions'
   */
  public HashAggregateOperator(
      ExecContext context, Operator input, List<Integer> keys, List<AggregateFunction> functions,
      List<String> names) {
    this.context = context;
    this.input = input;
    this.keys = keys.stream().mapToInt(Integer::intValue).toArray();
    this.functions = List.copyOf(functions);
    this.names = List.copyOf(names);
  }

  @Override
  public VectorSchemaRoot next() {
    if (!consumed) {
      consume();
      consumed = true;
    }
    int total = keys.length == 0 ? 1 : table == null ? 0 : table.size();
    if (emitted >= total) {
      return null;
    }
    context.checkContinue();
    int count = Math.min(OUTPUT_BATCH, total - emitted);
    VectorSchemaRoot out = emit(emitted, count);
    emitted += count;
    return out;
  }

  private void consume() {
    for (VectorSchemaRoot batch = input.next(); batch != null; batch = input.next()) {
      try (VectorSchemaRoot owned = batch) {
        context.checkContinue();
        accumulate(owned);
      }
    }
    if (accumulators == null) {
      accumulators = accumulators(null);
    }
  }

  private void accumulate(VectorSchemaRoot batch) {
    int rows = batch.getRowCount();
    if (accumulators == null) {
      keyFields = new ArrayList<>();
      for (int key : keys) {
        keyFields.add(batch.getVector(key).getField());
      }
      table = keys.length == 0 ? null : new GroupKeyTable(keyFields, context.allocator());
      accumulators = accumulators(batch);
    }
    int[] groups;
    int size;
    if (keys.length == 0) {
      if (zeros.length < rows) {
        zeros = new int[rows];
      }
      groups = zeros;
      size = 1;
    } else {
      FieldVector[] keyVectors = new FieldVector[keys.length];
      for (int k = 0; k < keys.length; k++) {
        keyVectors[k] = batch.getVector(keys[k]);
      }
      groups = table.groupsOf(keyVectors, rows);
      size = table.size();
    }
    for (int i = 0; i < accumulators.length; i++) {
      Accumulator accumulator = accumulators[i];
      int filter = functions.get(i).filter();
      accumulator.excluded = filter < 0 ? null : excluded(batch.getVector(filter), rows);
      accumulator.grow(size);
      accumulator.add(batch, groups, rows);
    }
  }

  /** The rows where a {@code FILTER} column is not true (false or null). */
  private boolean[] excluded(FieldVector filter, int rows) {
    if (excludedScratch.length < rows) {
      excludedScratch = new boolean[rows];
    }
    BitVector bits = (BitVector) filter;
    for (int r = 0; r < rows; r++) {
      excludedScratch[r] = bits.isNull(r) || bits.get(r) == 0;
    }
    return excludedScratch;
  }

  private Accumulator[] accumulators(VectorSchemaRoot batch) {
    Accumulator[] made = new Accumulator[functions.size()];
    for (int i = 0; i < made.length; i++) {
      List<Field> argFields = null;
      if (batch != null) {
        argFields = new ArrayList<>();
        for (int arg : functions.get(i).args()) {
          argFields.add(batch.getVector(arg).getField());
        }
      }
      made[i] = Accumulator.of(functions.get(i), argFields, context.allocator());
      made[i].grow(1);
    }
    return made;
  }

  private VectorSchemaRoot emit(int from, int count) {
    BufferAllocator allocator = context.allocator();
    List<FieldVector> vectors = new ArrayList<>(keys.length + functions.size());
    try {
      for (int k = 0; k < keys.length; k++) {
        vectors.add(table.keys(k, names.get(k), allocator, from, count));
      }
      for (int i = 0; i < functions.size(); i++) {
        AggregateFunction function = functions.get(i);
        FieldVector out =
            new Field(
                    names.get(keys.length + i),
                    new FieldType(function.nullable(), function.type(), null),
                    null)
                .createVector(allocator);
        vectors.add(out);
        ((BaseFixedWidthVector) out).allocateNew(count);
        accumulators[i].write(out, from, count);
        out.setValueCount(count);
      }
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
      if (accumulators != null) {
        for (Accumulator accumulator : accumulators) {
          accumulator.close();
        }
      }
    }
  }
}

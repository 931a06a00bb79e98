package io.icegate.engine.exec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Groups its input by string key columns and counts rows per group (or only finds the distinct
 * keys). Keys are stored once per group as bytes; rows look their group up in an
 * open-addressing table by hash, comparing bytes, so no per-row objects are made. The result
 * is emitted when the input ends, in first-seen order.
 */
public final class HashAggregateOperator implements Operator {
  private final ExecContext context;
  private final Operator input;
  private final int[] keys;
  private final int counts;
  private final List<String> names;
  private int[] table = new int[64];
  private final List<byte[][]> groupKeys = new ArrayList<>();
  private long[] groupCounts = new long[16];
  private boolean done;

  public HashAggregateOperator(
      ExecContext context, Operator input, List<Integer> keys, int counts, List<String> names) {
    this.context = context;
    this.input = input;
    this.keys = keys.stream().mapToInt(Integer::intValue).toArray();
    this.counts = counts;
    this.names = List.copyOf(names);
    Arrays.fill(table, -1);
  }

  @Override
  public VectorSchemaRoot next() {
    if (done) {
      return null;
    }
    for (VectorSchemaRoot batch = input.next(); batch != null; batch = input.next()) {
      try (VectorSchemaRoot owned = batch) {
        context.checkContinue();
        accumulate(owned);
      }
    }
    done = true;
    return groupKeys.isEmpty() && keys.length > 0 ? null : emit();
  }

  private void accumulate(VectorSchemaRoot batch) {
    VarCharVector[] columns = new VarCharVector[keys.length];
    for (int k = 0; k < keys.length; k++) {
      FieldVector v = batch.getVector(keys[k]);
      if (!(v instanceof VarCharVector s)) {
        throw new UnsupportedOperationException("grouping by " + v.getField().getType());
      }
      columns[k] = s;
    }
    byte[][] probe = new byte[keys.length][];
    for (int row = 0; row < batch.getRowCount(); row++) {
      for (int k = 0; k < keys.length; k++) {
        probe[k] = columns[k].isNull(row) ? null : columns[k].get(row);
      }
      int group = find(probe);
      groupCounts[group]++;
    }
  }

  private int find(byte[][] probe) {
    int hash = hash(probe);
    int mask = table.length - 1;
    for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
      int group = table[slot];
      if (group < 0) {
        group = groupKeys.size();
        groupKeys.add(probe.clone());
        if (group >= groupCounts.length) {
          groupCounts = Arrays.copyOf(groupCounts, groupCounts.length * 2);
        }
        table[slot] = group;
        if (groupKeys.size() * 2 > table.length) {
          rehash();
        }
        return group;
      }
      if (Arrays.deepEquals(groupKeys.get(group), probe)) {
        return group;
      }
    }
  }

  private void rehash() {
    table = new int[table.length * 2];
    Arrays.fill(table, -1);
    int mask = table.length - 1;
    for (int group = 0; group < groupKeys.size(); group++) {
      int slot = hash(groupKeys.get(group)) & mask;
      while (table[slot] >= 0) {
        slot = (slot + 1) & mask;
      }
      table[slot] = group;
    }
  }

  private static int hash(byte[][] key) {
    int h = Arrays.deepHashCode(key);
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    return h ^ (h >>> 13);
  }

  private VectorSchemaRoot emit() {
    List<Field> fields = new ArrayList<>();
    for (int k = 0; k < keys.length; k++) {
      fields.add(new Field(names.get(k), FieldType.nullable(ArrowType.Utf8.INSTANCE), null));
    }
    for (int c = 0; c < counts; c++) {
      fields.add(
          new Field(names.get(keys.length + c), FieldType.notNullable(new ArrowType.Int(64, true)),
              null));
    }
    int groups = keys.length == 0 ? 1 : groupKeys.size();
    VectorSchemaRoot out = Batches.allocate(new Schema(fields), context.allocator(), groups);
    try {
      for (int g = 0; g < groups; g++) {
        for (int k = 0; k < keys.length; k++) {
          VarCharVector v = (VarCharVector) out.getVector(k);
          byte[] value = groupKeys.get(g)[k];
          if (value == null) {
            v.setNull(g);
          } else {
            v.setSafe(g, value);
          }
        }
        for (int c = 0; c < counts; c++) {
          ((BigIntVector) out.getVector(keys.length + c))
              .setSafe(g, keys.length == 0 ? groupCounts[0] : groupCounts[g]);
        }
      }
      out.getFieldVectors().forEach(v -> v.setValueCount(groups));
      out.setRowCount(groups);
      return out;
    } catch (RuntimeException | Error e) {
      out.close();
      throw e;
    }
  }

  @Override
  public void close() {
    input.close();
  }
}

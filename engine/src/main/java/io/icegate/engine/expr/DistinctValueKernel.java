package io.icegate.engine.expr;

import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;
import org.apache.arrow.vector.VarCharVector;

/**
 * Evaluates a predicate over one low-cardinality VarChar column once per distinct value: label
 * matchers over {@code stream_labels} see a handful of streams in millions of rows, so each
 * stream's verdict is computed once and looked up by its bytes afterwards.
 */
final class DistinctValueKernel implements VectorPredicate {
  private static final int MAX_ENTRIES = 1 << 16;

  private final int column;
  private final Predicate<String> predicate;
  private byte[][] keys = new byte[64][];
  private boolean[] verdicts = new boolean[64];
  private int size;
  private final StringVerdicts strings = new StringVerdicts();

  DistinctValueKernel(int column, Predicate<String> predicate) {
    this.column = column;
    this.predicate = predicate;
  }

  @Override
  public void evaluate(org.apache.arrow.vector.VectorSchemaRoot batch, boolean[] out) {
    strings.evaluate(
        (VarCharVector) batch.getVector(column),
        batch.getRowCount(),
        out,
        (data, start, end) -> verdict(data, start, end - start));
  }

  private boolean verdict(byte[] data, int start, int length) {
    int hash = hash(data, start, length);
    int mask = keys.length - 1;
    for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
      byte[] key = keys[slot];
      if (key == null) {
        byte[] value = java.util.Arrays.copyOfRange(data, start, start + length);
        boolean result = predicate.test(new String(value, StandardCharsets.UTF_8));
        if (size < MAX_ENTRIES) {
          insert(slot, value, result);
        }
        return result;
      }
      if (java.util.Arrays.equals(data, start, start + length, key, 0, key.length)) {
        return verdicts[slot];
      }
    }
  }

  private void insert(int slot, byte[] key, boolean verdict) {
    keys[slot] = key;
    verdicts[slot] = verdict;
    if (++size * 2 > keys.length) {
      byte[][] oldKeys = keys;
      boolean[] oldVerdicts = verdicts;
      keys = new byte[oldKeys.length * 2][];
      verdicts = new boolean[oldKeys.length * 2];
      int mask = keys.length - 1;
      for (int i = 0; i < oldKeys.length; i++) {
        if (oldKeys[i] != null) {
          int s = hash(oldKeys[i]) & mask;
          while (keys[s] != null) {
            s = (s + 1) & mask;
          }
          keys[s] = oldKeys[i];
          verdicts[s] = oldVerdicts[i];
        }
      }
    }
  }

  private static int hash(byte[] data, int start, int length) {
    int h = 1;
    for (int i = start; i < start + length; i++) {
      h = 31 * h + data[i];
    }
    return mix(h);
  }

  private static int hash(byte[] key) {
    return hash(key, 0, key.length);
  }

  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    return h;
  }
}

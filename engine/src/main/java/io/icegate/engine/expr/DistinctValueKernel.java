package io.icegate.engine.expr;

import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;
import org.apache.arrow.memory.ArrowBuf;
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

  DistinctValueKernel(int column, Predicate<String> predicate) {
    this.column = column;
    this.predicate = predicate;
  }

  @Override
  public void evaluate(org.apache.arrow.vector.VectorSchemaRoot batch, boolean[] out) {
    VarCharVector vector = (VarCharVector) batch.getVector(column);
    ArrowBuf data = vector.getDataBuffer();
    for (int i = 0; i < batch.getRowCount(); i++) {
      if (vector.isNull(i)) {
        out[i] = false;
        continue;
      }
      out[i] = verdict(data, vector.getStartOffset(i), vector.getValueLength(i));
    }
  }

  private boolean verdict(ArrowBuf data, long start, int length) {
    int hash = hash(data, start, length);
    int mask = keys.length - 1;
    for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
      byte[] key = keys[slot];
      if (key == null) {
        byte[] value = new byte[length];
        data.getBytes(start, value);
        boolean result = predicate.test(new String(value, StandardCharsets.UTF_8));
        if (size < MAX_ENTRIES) {
          insert(slot, value, result);
        }
        return result;
      }
      if (equal(data, start, length, key)) {
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

  private static boolean equal(ArrowBuf data, long start, int length, byte[] key) {
    if (key.length != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (data.getByte(start + i) != key[i]) {
        return false;
      }
    }
    return true;
  }

  private static int hash(ArrowBuf data, long start, int length) {
    int h = 1;
    for (int i = 0; i < length; i++) {
      h = 31 * h + data.getByte(start + i);
    }
    return mix(h);
  }

  private static int hash(byte[] key) {
    int h = 1;
    for (byte b : key) {
      h = 31 * h + b;
    }
    return mix(h);
  }

  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    return h;
  }
}

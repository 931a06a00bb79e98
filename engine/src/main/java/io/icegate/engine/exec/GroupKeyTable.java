package io.icegate.engine.exec;

import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Numbers the distinct key tuples of the rows it is shown, first seen first: group ids are
 * {@code 0, 1, 2, …} in order of appearance, which also orders the aggregate's result.
 *
 * <p>Works a batch at a time and never makes an object per row. Each key column first hashes
 * its whole batch into one int per row, reading the values' bytes straight from the vectors'
 * buffers; then each row probes an open-addressing table whose slots hold the hash and the group
 * id together, and compares its key only with groups of the same hash. Group keys are copied
 * once, when the group is made: integers, timestamps, floats and booleans into a {@code long[]}
 * per column, strings and binaries into an append-only off-heap arena of the query's allocator
 * (so a grouping by a million long label sets counts against the query's memory limit).
 *
 * <p>Logs arrive sorted by stream, so neighbouring rows often have the same key: a row whose
 * key equals the previous row's takes its group without hashing or probing. For strings that
 * check costs a comparison, so a column stops making it while it rarely pays off.
 *
 * <p>Keys compare as SQL GROUP BY does: nulls form one group; float keys {@code -0.0} and
 * {@code 0.0} are one group, as are all NaNs.
 */
final class GroupKeyTable implements AutoCloseable {
  private static final int NULL_HASH = 0x2f9b_61c3;
  private static final long C1 = 0x9E37_79B9_7F4A_7C15L;
  private static final long C2 = 0xFF51_AFD7_ED55_8CCDL;

  private final KeyColumn[] columns;
  /** Per slot: the group's hash in the high half, group id + 1 in the low half; 0 = empty. */
  private long[] slots = new long[256];
  private int size;
  private int[] hashes = new int[0];
  private int[] groups = new int[0];
  private boolean[] same = new boolean[0];
  /** Per row while probing: how its group was found (the constants below). */
  private byte[] state = new byte[0];

  /** Tables beyond this many slots (a few MiB) are prefetched a batch at a time. */
  private static final int PREFETCH_SLOTS = 1 << 18;
  @SuppressWarnings("unused")
  private long prefetched;

  private static final byte CANDIDATE = 0;
  private static final byte NEW = 1;
  private static final byte SAME = 2;
  private static final byte WRONG = 3;

  /** A table for keys of these (input) fields; arena memory comes from {@code allocator}. */
  GroupKeyTable(List<Field> keyFields, BufferAllocator allocator) {
    columns = new KeyColumn[keyFields.size()];
    for (int k = 0; k < columns.length; k++) {
      columns[k] = KeyColumn.of(keyFields.get(k), allocator);
    }
  }

  /** How many groups so far. */
  int size() {
    return size;
  }

  /**
   * The group of each of the first {@code rows} rows of {@code keys} (one vector per key column,
   * of the fields the table was made for), making new groups as needed. The returned array is
   * reused by the next call.
   */
  int[] groupsOf(FieldVector[] keys, int rows) {
    if (hashes.length < rows) {
      hashes = new int[rows];
      groups = new int[rows];
      same = new boolean[rows];
      state = new byte[rows];
    }
    for (int k = 0; k < columns.length; k++) {
      columns[k].bind(keys[k], rows);
      columns[k].hash(rows, hashes, same, k == 0);
    }
    probe(rows);
    return groups;
  }

  /**
   * Finds every row's group in three passes, so that key comparisons run column by column in
   * tight loops: first each row takes the first group of its hash (or, when its hash is not in
   * the table, makes a new group — no equal key can exist then); then each column checks the
   * rows' keys against their candidates' keys; then the rare rows whose candidate was another
   * key of the same hash probe again, comparing as they go.
   */
  private void probe(int rows) {
    int[] hashes = this.hashes;
    int[] groups = this.groups;
    byte[] state = this.state;
    boolean[] same = this.same;
    if (slots.length > PREFETCH_SLOTS) {
      prefetch(rows);
    }
    for (int r = 0; r < rows; r++) {
      if (same[r]) {
        state[r] = SAME;
        continue;
      }
      int h = hashes[r];
      int mask = slots.length - 1;
      for (int slot = h & mask; ; slot = (slot + 1) & mask) {
        long entry = slots[slot];
        if (entry == 0) {
          groups[r] = insert(slot, h, r);
          state[r] = NEW;
          break;
        }
        if ((int) (entry >>> 32) == h) {
          groups[r] = (int) entry - 1;
          state[r] = CANDIDATE;
          break;
        }
      }
    }
    for (KeyColumn column : columns) {
      column.verify(rows, groups, state);
    }
    for (int r = 0; r < rows; r++) {
      switch (state[r]) {
        case SAME -> groups[r] = groups[r - 1];
        case WRONG -> groups[r] = find(r);
        default -> { }
      }
    }
  }

  /**
   * Reads every row's first slot in a loop that does nothing else, so the processor overlaps the
   * cache misses of a table larger than its caches (a million groups) instead of taking them one
   * at a time in the probing loop. The sum only keeps the reads from being optimised away.
   */
  private void prefetch(int rows) {
    long[] slots = this.slots;
    int mask = slots.length - 1;
    long sum = 0;
    for (int r = 0; r < rows; r++) {
      sum += slots[hashes[r] & mask];
    }
    prefetched = sum;
  }

  /** The group of row {@code r}, comparing every key of its hash; made if there is none. */
  private int find(int r) {
    int h = hashes[r];
    int mask = slots.length - 1;
    for (int slot = h & mask; ; slot = (slot + 1) & mask) {
      long entry = slots[slot];
      if (entry == 0) {
        return insert(slot, h, r);
      }
      if ((int) (entry >>> 32) == h && keysEqual((int) entry - 1, r)) {
        return (int) entry - 1;
      }
    }
  }

  private boolean keysEqual(int group, int row) {
    for (KeyColumn column : columns) {
      if (!column.equalsRow(group, row)) {
        return false;
      }
    }
    return true;
  }

  private int insert(int slot, int hash, int row) {
    int group = size++;
    if (group == Integer.MAX_VALUE - 1) {
      throw new IllegalStateException("too many groups");
    }
    for (KeyColumn column : columns) {
      column.append(group, row);
    }
    slots[slot] = ((long) hash << 32) | (group + 1L);
    if (size * 2L > slots.length) {
      grow();
    }
    return group;
  }

  private void grow() {
    long[] old = slots;
    slots = new long[old.length * 2];
    int mask = slots.length - 1;
    for (long entry : old) {
      if (entry != 0) {
        int slot = (int) (entry >>> 32) & mask;
        while (slots[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        slots[slot] = entry;
      }
    }
  }

  /**
   * A vector named {@code name}, of the key column's type, holding column {@code k}'s keys of
   * groups {@code from … from + count - 1}; owned by the caller.
   */
  FieldVector keys(int k, String name, BufferAllocator allocator, int from, int count) {
    return columns[k].write(name, allocator, from, count);
  }

  @Override
  public void close() {
    for (KeyColumn column : columns) {
      column.close();
    }
  }

  static int mix(long v) {
    v *= C1;
    v ^= v >>> 32;
    v *= C2;
    return (int) (v ^ (v >>> 29));
  }

  private static boolean isNull(long validity, int row) {
    return (MemoryUtil.getByte(validity + (row >> 3)) >> (row & 7) & 1) == 0;
  }

  /** One key column: how to hash, compare, keep and give back its values. */
  private abstract static class KeyColumn implements AutoCloseable {
    final Field field;

    KeyColumn(Field field) {
      this.field = field;
    }

    static KeyColumn of(Field field, BufferAllocator allocator) {
      ArrowType type = field.getType();
      return switch (type.getTypeID()) {
        case Int, Timestamp, Date, Time, Duration, FloatingPoint, Bool -> new LongKeys(field);
        case Utf8, Binary, FixedSizeBinary -> new BytesKeys(field, allocator);
        default -> throw new UnsupportedOperationException(
            "grouping by a " + type + " column (" + field.getName() + ") is not supported");
      };
    }

    /** Prepares for the batch's vector of this column. */
    abstract void bind(FieldVector vector, int rows);

    /**
     * Hashes every row (into {@code hashes}, or combined with what is there unless {@code
     * first}); clears {@code same[r]} where the row's value differs from the previous row's.
     */
    abstract void hash(int rows, int[] hashes, boolean[] same, boolean first);

    abstract boolean equalsRow(int group, int row);

    /** Marks WRONG each CANDIDATE row whose key differs from its candidate group's. */
    abstract void verify(int rows, int[] groups, byte[] state);

    /** Keeps the row's value as group {@code group}'s (the next group). */
    abstract void append(int group, int row);

    abstract FieldVector write(String name, BufferAllocator allocator, int from, int count);

    FieldVector create(String name, BufferAllocator allocator) {
      return new Field(
              name, FieldType.nullable(field.getType()), field.getChildren())
          .createVector(allocator);
    }

    @Override
    public void close() {}

    static void combine(int[] hashes, int r, int h, boolean first) {
      hashes[r] = first ? h : hashes[r] * 31 + h;
    }
  }

  /**
   * Keys of up to 64 bits — integers, timestamps, dates, floats, booleans — as longs. Floats are
   * kept as their bits with NaNs and zeros made canonical, so equal SQL values have equal bits.
   */
  private static final class LongKeys extends KeyColumn {
    /** Bytes per value, 0 for a bit-packed boolean. */
    private final int width;
    private final boolean floating;
    private final boolean signed;
    private long[] values = new long[64];
    private boolean[] nulls = new boolean[64];
    private long[] batch = new long[0];
    private boolean[] batchNulls = new boolean[0];
    private boolean batchHasNulls;

    LongKeys(Field field) {
      super(field);
      ArrowType type = field.getType();
      floating = type instanceof ArrowType.FloatingPoint;
      signed = !(type instanceof ArrowType.Int i) || i.getIsSigned();
      width = width(type);
    }

    private static int width(ArrowType type) {
      if (type instanceof ArrowType.Bool) {
        return 0;
      }
      if (type instanceof ArrowType.Int i) {
        return i.getBitWidth() / 8;
      }
      if (type instanceof ArrowType.FloatingPoint f) {
        return f.getPrecision() == FloatingPointPrecision.DOUBLE ? 8 : 4;
      }
      if (type instanceof ArrowType.Date d) {
        return d.getUnit() == DateUnit.DAY ? 4 : 8;
      }
      if (type instanceof ArrowType.Time t) {
        return t.getBitWidth() / 8;
      }
      return 8; // timestamps and durations
    }

    @Override
    void bind(FieldVector vector, int rows) {
      if (batch.length < rows) {
        batch = new long[rows];
        batchNulls = new boolean[rows];
      }
      long[] out = batch;
      if (width == 0) {
        ArrowBuf bits = vector.getDataBuffer();
        for (int r = 0; r < rows; r++) {
          out[r] = BitVectorHelper.get(bits, r);
        }
      } else {
        long data = ((BaseFixedWidthVector) vector).getDataBuffer().memoryAddress();
        decode(data, rows, out);
      }
      batchHasNulls = vector.getNullCount() > 0;
      if (batchHasNulls) {
        long validity = vector.getValidityBuffer().memoryAddress();
        for (int r = 0; r < rows; r++) {
          boolean isNull = GroupKeyTable.isNull(validity, r);
          batchNulls[r] = isNull;
          if (isNull) {
            out[r] = 0;
          }
        }
      }
    }

    private void decode(long data, int rows, long[] out) {
      switch (width) {
        case 8 -> {
          for (int r = 0; r < rows; r++) {
            out[r] = MemoryUtil.getLong(data + 8L * r);
          }
          if (floating) {
            for (int r = 0; r < rows; r++) {
              double d = Double.longBitsToDouble(out[r]);
              out[r] = d == 0 ? 0 : Double.doubleToLongBits(d);
            }
          }
        }
        case 4 -> {
          for (int r = 0; r < rows; r++) {
            int v = MemoryUtil.getInt(data + 4L * r);
            out[r] = signed ? v : v & 0xFFFF_FFFFL;
          }
          if (floating) {
            for (int r = 0; r < rows; r++) {
              float f = Float.intBitsToFloat((int) out[r]);
              out[r] = f == 0 ? 0 : Float.floatToIntBits(f) & 0xFFFF_FFFFL;
            }
          }
        }
        case 2 -> {
          for (int r = 0; r < rows; r++) {
            short v = MemoryUtil.getShort(data + 2L * r);
            out[r] = signed ? v : v & 0xFFFFL;
          }
        }
        default -> {
          for (int r = 0; r < rows; r++) {
            byte v = MemoryUtil.getByte(data + r);
            out[r] = signed ? v : v & 0xFFL;
          }
        }
      }
    }

    @Override
    void hash(int rows, int[] hashes, boolean[] same, boolean first) {
      long[] in = batch;
      if (!batchHasNulls) {
        for (int r = 0; r < rows; r++) {
          combine(hashes, r, mix(in[r]), first);
        }
        if (first) {
          same[0] = false;
          for (int r = 1; r < rows; r++) {
            same[r] = in[r] == in[r - 1];
          }
        } else {
          for (int r = 1; r < rows; r++) {
            same[r] &= in[r] == in[r - 1];
          }
        }
        return;
      }
      boolean[] n = batchNulls;
      for (int r = 0; r < rows; r++) {
        combine(hashes, r, n[r] ? NULL_HASH : mix(in[r]), first);
      }
      if (first) {
        same[0] = false;
      }
      for (int r = 1; r < rows; r++) {
        boolean eq = in[r] == in[r - 1] && n[r] == n[r - 1];
        same[r] = first ? eq : same[r] && eq;
      }
    }

    @Override
    boolean equalsRow(int group, int row) {
      return values[group] == batch[row]
          && (!batchHasNulls ? !nulls[group] : nulls[group] == batchNulls[row]);
    }

    @Override
    void verify(int rows, int[] groups, byte[] state) {
      long[] in = batch;
      long[] values = this.values;
      boolean[] nulls = this.nulls;
      boolean[] batchNulls = this.batchNulls;
      boolean hasNulls = batchHasNulls;
      for (int r = 0; r < rows; r++) {
        if (state[r] == CANDIDATE) {
          int g = groups[r];
          boolean equal = values[g] == in[r]
              && nulls[g] == (hasNulls && batchNulls[r]);
          if (!equal) {
            state[r] = WRONG;
          }
        }
      }
    }

    @Override
    void append(int group, int row) {
      if (group == values.length) {
        values = Arrays.copyOf(values, group * 2);
        nulls = Arrays.copyOf(nulls, group * 2);
      }
      values[group] = batch[row];
      nulls[group] = batchHasNulls && batchNulls[row];
    }

    @Override
    FieldVector write(String name, BufferAllocator allocator, int from, int count) {
      FieldVector out = create(name, allocator);
      try {
        if (width == 0) {
          BitVector bits = (BitVector) out;
          bits.allocateNew(count);
          for (int i = 0; i < count; i++) {
            if (!nulls[from + i]) {
              bits.set(i, (int) values[from + i]);
            }
          }
        } else {
          BaseFixedWidthVector fixed = (BaseFixedWidthVector) out;
          fixed.allocateNew(count);
          long data = fixed.getDataBuffer().memoryAddress();
          ArrowBuf validity = fixed.getValidityBuffer();
          for (int i = 0; i < count; i++) {
            long v = values[from + i];
            switch (width) {
              case 8 -> MemoryUtil.putLong(data + 8L * i, v);
              case 4 -> MemoryUtil.putInt(data + 4L * i, (int) v);
              case 2 -> MemoryUtil.putShort(data + 2L * i, (short) v);
              default -> MemoryUtil.putByte(data + i, (byte) v);
            }
            if (!nulls[from + i]) {
              BitVectorHelper.setBit(validity, i);
            }
          }
        }
        out.setValueCount(count);
        return out;
      } catch (RuntimeException | Error e) {
        out.close();
        throw e;
      }
    }
  }

  /**
   * Keys of strings and binaries, variable or fixed width, kept back to back in an off-heap
   * arena ({@code offsets[g] … offsets[g + 1]} is group {@code g}'s value) so a range of groups
   * is written out with one copy.
   */
  private static final class BytesKeys extends KeyColumn {
    private static final long MAX_ARENA = Integer.MAX_VALUE;
    private final BufferAllocator allocator;
    /** Bytes per value for fixed-size binaries, else 0. */
    private final int fixedWidth;
    private ArrowBuf arena;
    private long arenaAddress;
    private long[] offsets = new long[65];
    private boolean[] nulls = new boolean[64];
    // The bound batch.
    private long data;
    private long valueOffsets;
    private long validity;
    private boolean batchHasNulls;
    /** Whether rows are compared with the previous row first; see {@link #hash}. */
    private boolean checkRuns = true;
    private int batchesSinceRunCheck;

    BytesKeys(Field field, BufferAllocator allocator) {
      super(field);
      this.allocator = allocator;
      this.fixedWidth =
          field.getType() instanceof ArrowType.FixedSizeBinary f ? f.getByteWidth() : 0;
    }

    @Override
    void bind(FieldVector vector, int rows) {
      if (fixedWidth > 0) {
        data = ((FixedSizeBinaryVector) vector).getDataBuffer().memoryAddress();
      } else {
        BaseVariableWidthVector v = (BaseVariableWidthVector) vector;
        data = v.getDataBuffer().memoryAddress();
        valueOffsets = v.getOffsetBuffer().memoryAddress();
      }
      batchHasNulls = vector.getNullCount() > 0;
      validity = batchHasNulls ? vector.getValidityBuffer().memoryAddress() : 0;
    }

    private long start(int row) {
      return fixedWidth > 0
          ? (long) row * fixedWidth
          : MemoryUtil.getInt(valueOffsets + 4L * row);
    }

    private int length(int row) {
      return fixedWidth > 0
          ? fixedWidth
          : MemoryUtil.getInt(valueOffsets + 4L * row + 4) - MemoryUtil.getInt(valueOffsets + 4L * row);
    }

    private boolean rowIsNull(int row) {
      return batchHasNulls && isNull(validity, row);
    }

    /**
     * Hashes each row's bytes. While {@code checkRuns}, a row first compares with the previous
     * row and reuses its hash when equal; a batch where fewer than one row in eight matched turns
     * that off, and it is tried again every 16 batches.
     */
    @Override
    void hash(int rows, int[] hashes, boolean[] same, boolean first) {
      boolean runs = checkRuns || ++batchesSinceRunCheck >= 16;
      int matched = 0;
      int previous = 0;
      if (first) {
        same[0] = false;
      }
      for (int r = 0; r < rows; r++) {
        boolean isNull = rowIsNull(r);
        long start = isNull ? 0 : start(r);
        int length = isNull ? 0 : length(r);
        int h;
        boolean eq = false;
        if (runs && r > 0 && rowIsNull(r - 1) == isNull
            && (isNull || (length(r - 1) == length
                && bytesEqual(data + start(r - 1), data + start, length)))) {
          eq = true;
          matched++;
          h = previous;
        } else {
          h = isNull ? NULL_HASH : hashBytes(data + start, length);
        }
        previous = h;
        combine(hashes, r, h, first);
        if (r > 0) {
          same[r] = first ? eq : same[r] && eq;
        }
      }
      if (runs) {
        checkRuns = matched * 8 >= rows;
        batchesSinceRunCheck = 0;
      }
    }

    @Override
    boolean equalsRow(int group, int row) {
      if (nulls[group] || rowIsNull(row)) {
        return nulls[group] && rowIsNull(row);
      }
      long from = offsets[group];
      int length = (int) (offsets[group + 1] - from);
      return length == length(row) && bytesEqual(arenaAddress + from, data + start(row), length);
    }

    @Override
    void verify(int rows, int[] groups, byte[] state) {
      for (int r = 0; r < rows; r++) {
        if (state[r] == CANDIDATE && !equalsRow(groups[r], r)) {
          state[r] = WRONG;
        }
      }
    }

    @Override
    void append(int group, int row) {
      if (group + 1 == nulls.length) {
        offsets = Arrays.copyOf(offsets, nulls.length * 2 + 1);
        nulls = Arrays.copyOf(nulls, nulls.length * 2);
      }
      boolean isNull = rowIsNull(row);
      int length = isNull ? fixedWidth : length(row);
      long at = offsets[group];
      reserve(at + length);
      if (isNull) {
        MemoryUtil.setMemory(arenaAddress + at, length, (byte) 0);
      } else {
        MemoryUtil.copyMemory(data + start(row), arenaAddress + at, length);
      }
      nulls[group] = isNull;
      offsets[group + 1] = at + length;
    }

    private void reserve(long needed) {
      long capacity = arena == null ? 0 : arena.capacity();
      if (needed <= capacity) {
        return;
      }
      if (needed > MAX_ARENA) {
        throw new IllegalStateException(
            "grouping keys of column " + field.getName() + " exceed 2 GiB");
      }
      long size = Math.min(MAX_ARENA, Math.max(needed, Math.max(64 * 1024, capacity * 2)));
      ArrowBuf grown = allocator.buffer(size);
      if (arena != null) {
        MemoryUtil.copyMemory(arenaAddress, grown.memoryAddress(), capacity);
        arena.close();
      }
      arena = grown;
      arenaAddress = grown.memoryAddress();
    }

    @Override
    FieldVector write(String name, BufferAllocator allocator, int from, int count) {
      FieldVector out = create(name, allocator);
      try {
        long base = offsets[from];
        long bytes = offsets[from + count] - base;
        if (fixedWidth > 0) {
          FixedSizeBinaryVector fixed = (FixedSizeBinaryVector) out;
          fixed.allocateNew(count);
          if (bytes > 0) {
            MemoryUtil.copyMemory(
                arenaAddress + base, fixed.getDataBuffer().memoryAddress(), bytes);
          }
          for (int i = 0; i < count; i++) {
            if (!nulls[from + i]) {
              BitVectorHelper.setBit(fixed.getValidityBuffer(), i);
            }
          }
        } else {
          BaseVariableWidthVector variable = (BaseVariableWidthVector) out;
          variable.allocateNew(Math.max(1, bytes), count);
          if (bytes > 0) {
            MemoryUtil.copyMemory(
                arenaAddress + base, variable.getDataBuffer().memoryAddress(), bytes);
          }
          long offsetAddress = variable.getOffsetBuffer().memoryAddress();
          for (int i = 0; i <= count; i++) {
            MemoryUtil.putInt(offsetAddress + 4L * i, (int) (offsets[from + i] - base));
          }
          for (int i = 0; i < count; i++) {
            if (!nulls[from + i]) {
              BitVectorHelper.setBit(variable.getValidityBuffer(), i);
            }
          }
          variable.setLastSet(count - 1);
        }
        out.setValueCount(count);
        return out;
      } catch (RuntimeException | Error e) {
        out.close();
        throw e;
      }
    }

    @Override
    public void close() {
      if (arena != null) {
        arena.close();
        arena = null;
      }
    }
  }

  /** Whether {@code length} bytes at two addresses are equal, eight at a time. */
  static boolean bytesEqual(long a, long b, int length) {
    int i = 0;
    for (; i + 8 <= length; i += 8) {
      if (MemoryUtil.getLong(a + i) != MemoryUtil.getLong(b + i)) {
        return false;
      }
    }
    if (length >= 8) {
      return i == length
          || MemoryUtil.getLong(a + length - 8) == MemoryUtil.getLong(b + length - 8);
    }
    for (; i < length; i++) {
      if (MemoryUtil.getByte(a + i) != MemoryUtil.getByte(b + i)) {
        return false;
      }
    }
    return true;
  }

  /** A hash of {@code length} bytes at {@code address}, eight at a time. */
  static int hashBytes(long address, int length) {
    long h = length * C1;
    int i = 0;
    for (; i + 8 <= length; i += 8) {
      h = Long.rotateLeft((h ^ MemoryUtil.getLong(address + i)) * C1, 29);
    }
    if (i < length) {
      long tail;
      if (length >= 8) {
        tail = MemoryUtil.getLong(address + length - 8);
      } else if (length >= 4) {
        tail = (MemoryUtil.getInt(address) & 0xFFFF_FFFFL)
            | ((long) MemoryUtil.getInt(address + length - 4) << 32);
      } else {
        tail = 0;
        for (int j = 0; j < length; j++) {
          tail = (tail << 8) | (MemoryUtil.getByte(address + j) & 0xFF);
        }
      }
      h = Long.rotateLeft((h ^ tail) * C1, 29);
    }
    h ^= h >>> 33;
    h *= C2;
    h ^= h >>> 33;
    return (int) h;
  }
}

package io.icegate.engine.exec;

import io.icegate.engine.exec.AggregateFunction.Kind;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The per-group state of one {@link AggregateFunction}, in arrays indexed by group id, updated a
 * batch at a time: the batch's argument column is first decoded into a {@code long[]} or
 * {@code double[]} (one tight loop per width), then each row adds to its group's slot. Nothing
 * is allocated per row, and no call is virtual inside a loop.
 */
abstract class Accumulator implements AutoCloseable {
  /**
   * For a function with a filter, the rows of the batch being added that the filter drops (set
   * before each {@link #add}); null when every row counts.
   */
  boolean[] excluded;

  /** Makes room for group ids below {@code groups}. */
  abstract void grow(int groups);

  /** Adds the first {@code rows} rows of {@code batch}, row {@code r} to group {@code groups[r]}. */
  abstract void add(VectorSchemaRoot batch, int[] groups, int rows);

  /** Writes the results of groups {@code from … from + count - 1} into rows 0… of {@code out}. */
  abstract void write(FieldVector out, int from, int count);

  @Override
  public void close() {}

  /**
   * The accumulator of {@code function}; {@code argFields} are its arguments' input fields (how
   * their values are stored), null when no batch arrived.
   */
  static Accumulator of(AggregateFunction function, List<Field> argFields, BufferAllocator allocator) {
    boolean floating = argFields != null && !argFields.isEmpty()
        && argFields.get(0).getType() instanceof ArrowType.FloatingPoint;
    List<Integer> args = function.args();
    int arg = args.isEmpty() ? -1 : args.get(0);
    return switch (function.kind()) {
      case COUNT -> new Count(arg);
      case COUNT_DISTINCT -> new CountDistinct(arg, argFields, allocator);
      case SUM -> floating
          ? new SumDouble(arg, true) : new SumLong(arg, true, SumLong.Output.RESULT, -1);
      case SUM0 -> floating
          ? new SumDouble(arg, false) : new SumLong(arg, false, SumLong.Output.RESULT, -1);
      case SUM_STATE -> new SumDouble(arg, false);
      case SUM_LOW_STATE -> new SumLong(arg, true, SumLong.Output.LOW, -1);
      case SUM0_LOW_STATE -> new SumLong(arg, false, SumLong.Output.LOW, -1);
      case SUM_WRAPS_STATE -> new SumLong(arg, false, SumLong.Output.WRAPS, -1);
      case SUM_MERGE -> new SumLong(arg, true, SumLong.Output.RESULT, args.get(1));
      case SUM0_MERGE -> new SumLong(arg, false, SumLong.Output.RESULT, args.get(1));
      case MIN, MAX -> floating
          ? new MinMaxDouble(arg, function.kind() == Kind.MAX)
          : new MinMaxLong(arg, function.kind() == Kind.MAX);
      case PERCENTILE_CONT, PERCENTILE_DISC, QUANTILE -> new QuantileAccumulator(
          function.kind(), arg, args.get(1),
          argFields != null && !(argFields.get(1).getType() instanceof ArrowType.FloatingPoint),
          allocator == null
              ? HeapBudget.unlimited() : new HeapBudget(allocator, "quantile values"));
      case AVG -> new Avg(arg, -1);
      case AVG_MERGE -> new Avg(arg, args.get(1));
      case VAR_POP, VAR_SAMP, STDDEV_POP, STDDEV_SAMP, MEAN_STATE, M2_STATE ->
          new Variance(function.kind(), arg, -1, -1);
      case VAR_POP_MERGE, VAR_SAMP_MERGE, STDDEV_POP_MERGE, STDDEV_SAMP_MERGE ->
          new Variance(function.kind(), arg, args.get(1), args.get(2));
    };
  }

  // ---------------------------------------------------------------- argument decoding

  /** A batch's numeric column as a {@code long[]} or {@code double[]}, and its nulls. */
  static final class Numbers {
    boolean floating;
    long[] longs = new long[0];
    double[] doubles = new double[0];
    boolean[] nulls = new boolean[0];
    boolean hasNulls;

    /** Decodes the column, treating the {@code excluded} rows (if any) as nulls. */
    void decode(FieldVector vector, int rows, boolean[] excluded) {
      decode(vector, rows);
      if (excluded != null) {
        if (hasNulls) {
          for (int r = 0; r < rows; r++) {
            nulls[r] |= excluded[r];
          }
        } else {
          System.arraycopy(excluded, 0, nulls, 0, rows);
          hasNulls = true;
        }
      }
    }

    void decode(FieldVector vector, int rows) {
      ArrowType type = vector.getField().getType();
      floating = type instanceof ArrowType.FloatingPoint;
      if (nulls.length < rows) {
        longs = new long[rows];
        doubles = new double[rows];
        nulls = new boolean[rows];
      }
      hasNulls = vector.getNullCount() > 0;
      if (hasNulls) {
        long validity = vector.getValidityBuffer().memoryAddress();
        for (int r = 0; r < rows; r++) {
          nulls[r] = (MemoryUtil.getByte(validity + (r >> 3)) >> (r & 7) & 1) == 0;
        }
      }
      if (type instanceof ArrowType.Bool) {
        for (int r = 0; r < rows; r++) {
          longs[r] = BitVectorHelper.get(vector.getDataBuffer(), r);
        }
        return;
      }
      if (!(vector instanceof BaseFixedWidthVector fixed)) {
        throw new UnsupportedOperationException(
            "aggregating a " + type + " column (" + vector.getName() + ") is not supported");
      }
      long data = fixed.getDataBuffer().memoryAddress();
      int width = fixed.getTypeWidth();
      if (floating) {
        if (width == 8) {
          for (int r = 0; r < rows; r++) {
            doubles[r] = Double.longBitsToDouble(MemoryUtil.getLong(data + 8L * r));
          }
        } else {
          for (int r = 0; r < rows; r++) {
            doubles[r] = Float.intBitsToFloat(MemoryUtil.getInt(data + 4L * r));
          }
        }
        return;
      }
      boolean unsigned = type instanceof ArrowType.Int i && !i.getIsSigned();
      switch (width) {
        case 8 -> {
          for (int r = 0; r < rows; r++) {
            longs[r] = MemoryUtil.getLong(data + 8L * r);
          }
        }
        case 4 -> {
          for (int r = 0; r < rows; r++) {
            int v = MemoryUtil.getInt(data + 4L * r);
            longs[r] = unsigned ? v & 0xFFFF_FFFFL : v;
          }
        }
        case 2 -> {
          for (int r = 0; r < rows; r++) {
            short v = MemoryUtil.getShort(data + 2L * r);
            longs[r] = unsigned ? v & 0xFFFFL : v;
          }
        }
        default -> {
          for (int r = 0; r < rows; r++) {
            byte v = MemoryUtil.getByte(data + r);
            longs[r] = unsigned ? v & 0xFFL : v;
          }
        }
      }
    }

    /** Decodes the column and gives its values as doubles. */
    double[] decodeDoubles(FieldVector vector, int rows) {
      decode(vector, rows);
      return asDoubles(rows);
    }

    /** The values as doubles (integers converted). */
    double[] asDoubles(int rows) {
      if (!floating) {
        for (int r = 0; r < rows; r++) {
          doubles[r] = longs[r];
        }
      }
      return doubles;
    }
  }

  // ---------------------------------------------------------------- result writing

  /** Sets row {@code i} of a numeric result vector to {@code v}, failing if it doesn't fit. */
  static void putLong(FieldVector out, int i, long v) {
    if (out instanceof BigIntVector b) {
      b.set(i, v);
    } else if (out instanceof IntVector n) {
      n.set(i, (int) checkRange(v, Integer.MIN_VALUE, Integer.MAX_VALUE, "INTEGER"));
    } else if (out instanceof SmallIntVector n) {
      n.set(i, (short) checkRange(v, Short.MIN_VALUE, Short.MAX_VALUE, "SMALLINT"));
    } else if (out instanceof TinyIntVector n) {
      n.set(i, (byte) checkRange(v, Byte.MIN_VALUE, Byte.MAX_VALUE, "TINYINT"));
    } else if (out instanceof Float8Vector d) {
      d.set(i, (double) v);
    } else if (out instanceof Float4Vector f) {
      f.set(i, (float) v);
    } else {
      throw new UnsupportedOperationException("aggregate result of type " + out.getField());
    }
  }

  /** Sets row {@code i} to {@code v}, truncated toward zero for an integer result. */
  static void putDouble(FieldVector out, int i, double v) {
    if (out instanceof Float8Vector d) {
      d.set(i, v);
    } else if (out instanceof Float4Vector f) {
      f.set(i, (float) v);
    } else {
      if (Double.isNaN(v) || Double.isInfinite(v)) {
        throw new ArithmeticException("aggregate result " + v + " is not an integer");
      }
      putLong(out, i, (long) v);
    }
  }

  private static long checkRange(long v, long min, long max, String type) {
    if (v < min || v > max) {
      throw new ArithmeticException("aggregate result " + v + " out of range of " + type);
    }
    return v;
  }

  private static boolean[] grown(boolean[] a, int groups) {
    return groups <= a.length ? a : Arrays.copyOf(a, Math.max(groups, a.length * 2));
  }

  private static long[] grown(long[] a, int groups) {
    return groups <= a.length ? a : Arrays.copyOf(a, Math.max(groups, a.length * 2));
  }

  private static double[] grown(double[] a, int groups) {
    return groups <= a.length ? a : Arrays.copyOf(a, Math.max(groups, a.length * 2));
  }

  // ---------------------------------------------------------------- the functions

  /** {@code COUNT(*)} (arg -1) or {@code COUNT(col)}: rows, or non-null values. */
  static final class Count extends Accumulator {
    private final int arg;
    private long[] counts = new long[16];

    Count(int arg) {
      this.arg = arg;
    }

    @Override
    void grow(int groups) {
      counts = grown(counts, groups);
    }

    @Override
    void add(VectorSchemaRoot batch, int[] groups, int rows) {
      long[] counts = this.counts;
      FieldVector v = arg < 0 ? null : batch.getVector(arg);
      boolean[] excluded = this.excluded;
      if (excluded != null) {
        for (int r = 0; r < rows; r++) {
          if (!excluded[r] && (v == null || !v.isNull(r))) {
            counts[groups[r]]++;
          }
        }
        return;
      }
      if (v == null || v.getNullCount() == 0) {
        for (int r = 0; r < rows; r++) {
          counts[groups[r]]++;
        }
        return;
      }
      long validity = v.getValidityBuffer().memoryAddress();
      for (int r = 0; r < rows; r++) {
        counts[groups[r]] += MemoryUtil.getByte(validity + (r >> 3)) >> (r & 7) & 1;
      }
    }

    @Override
    void write(FieldVector out, int from, int count) {
      for (int i = 0; i < count; i++) {
        putLong(out, i, counts[from + i]);
      }
    }
  }

  /**
   * {@code COUNT(DISTINCT col)}: a second key table over (group, value) pairs; a pair seen for
   * the first time adds one to its group.
   */
  static final class CountDistinct extends Accumulator {
    private final int arg;
    private final BufferAllocator allocator;
    private final GroupKeyTable pairs;
    private long[] counts = new long[16];

    CountDistinct(int arg, List<Field> argFields, BufferAllocator allocator) {
      this.arg = arg;
      this.allocator = allocator;
      this.pairs =
          argFields == null
              ? null
              : new GroupKeyTable(
                  List.of(
                      Field.notNullable("group", new ArrowType.Int(32, true)), argFields.get(0)),
                  allocator);
    }

    @Override
    void grow(int groups) {
      counts = grown(counts, groups);
    }

    @Override
    void add(VectorSchemaRoot batch, int[] groups, int rows) {
      FieldVector value = batch.getVector(arg);
      try (IntVector group = new IntVector("group", allocator)) {
        group.allocateNew(rows);
        for (int r = 0; r < rows; r++) {
          group.set(r, groups[r]);
        }
        group.setValueCount(rows);
        int before = pairs.size();
        int[] pair = pairs.groupsOf(new FieldVector[] {group, value}, rows);
        boolean hasNulls = value.getNullCount() > 0;
        for (int r = 0; r < rows; r++) {
          if (pair[r] == before) {
            before++;
            if (!hasNulls || !value.isNull(r)) {
              counts[groups[r]]++;
            }
          }
        }
      }
    }

    @Override
    void write(FieldVector out, int from, int count) {
      for (int i = 0; i < count; i++) {
        putLong(out, i, counts[from + i]);
      }
    }

    @Override
    public void close() {
      if (pairs != null) {
        pairs.close();
      }
    }
  }

  /**
   * {@code SUM}/{@code SUM0} of integers: exact. The sum is kept in 128 bits (the wrapped long
   * and a count of wraps), so a run of values that leaves BIGINT's range and comes back — {@code
   * MAX, 1, -2} — sums right whatever the row order; only a result outside BIGINT is an error.
   * Also the two halves of that state for a parallel plan ({@link Output#LOW}, {@link
   * Output#WRAPS}) and their merge (lows at {@code arg}, wrap counts at {@code wrapsArg}).
   */
  static final class SumLong extends Accumulator {
    enum Output { RESULT, LOW, WRAPS }

    private final int arg;
    private final boolean nullWhenEmpty;
    private final Output output;
    private final int wrapsArg;
    private final Numbers in = new Numbers();
    private final Numbers wrapsIn = new Numbers();
    private long[] sums = new long[16];
    /** Per group: how many times its long sum wrapped upwards, minus downwards. */
    private long[] wraps = new long[16];
    private boolean[] seen = new boolean[16];

    SumLong(int arg, boolean nullWhenEmpty, Output output, int wrapsArg) {
      this.arg = arg;
      this.nullWhenEmpty = nullWhenEmpty;
      this.output = output;
      this.wrapsArg = wrapsArg;
    }

    @Override
    void grow(int groups) {
      sums = grown(sums, groups);
      wraps = grown(wraps, groups);
      seen = grown(seen, groups);
    }

    @Override
    void add(VectorSchemaRoot batch, int[] groups, int rows) {
      in.decode(batch.getVector(arg), rows, excluded);
      long[] v = in.longs;
      boolean[] nulls = in.nulls;
      boolean hasNulls = in.hasNulls;
      long[] w = null;
      if (wrapsArg >= 0) {
        wrapsIn.decode(batch.getVector(wrapsArg), rows);
        w = wrapsIn.longs;
      }
      for (int r = 0; r < rows; r++) {
        if (!hasNulls || !nulls[r]) {
          int g = groups[r];
          long a = sums[g];
          long x = v[r];
          long s = a + x;
          // Both addends of one sign and the sum of the other: it wrapped.
          if (((a ^ s) & (x ^ s)) < 0) {
            wraps[g] += x < 0 ? -1 : 1;
          }
          if (w != null) {
            wraps[g] += w[r];
          }
          sums[g] = s;
          seen[g] = true;
        }
      }
    }

    @Override
    void write(FieldVector out, int from, int count) {
      for (int i = 0; i < count; i++) {
        int g = from + i;
        if (output == Output.WRAPS) {
          putLong(out, i, wraps[g]);
        } else if (nullWhenEmpty && !seen[g]) {
          out.setNull(i);
        } else if (output == Output.LOW) {
          putLong(out, i, sums[g]);
        } else if (wraps[g] != 0) {
          throw new ArithmeticException("SUM out of range of BIGINT");
        } else {
          putLong(out, i, sums[g]);
        }
      }
    }
  }

  /** {@code SUM}/{@code SUM0} of floats, and the double sum that is {@code AVG}'s state. */
  static final class SumDouble extends Accumulator {
    private final int arg;
    private final boolean nullWhenEmpty;
    private final Numbers in = new Numbers();
    private double[] sums = new double[16];
    private boolean[] seen = new boolean[16];

    SumDouble(int arg, boolean nullWhenEmpty) {
      this.arg = arg;
      this.nullWhenEmpty = nullWhenEmpty;
    }

    @Override
    void grow(int groups) {
      sums = grown(sums, groups);
      seen = grown(seen, groups);
    }

    @Override
    void add(VectorSchemaRoot batch, int[] groups, int rows) {
      in.decode(batch.getVector(arg), rows, excluded);
      double[] v = in.asDoubles(rows);
      boolean[] nulls = in.nulls;
      if (!in.hasNulls) {
        for (int r = 0; r < rows; r++) {
          int g = groups[r];
          sums[g] += v[r];
          seen[g] = true;
        }
        return;
      }
      for (int r = 0; r < rows; r++) {
        if (!nulls[r]) {
          int g = groups[r];
          sums[g] += v[r];
          seen[g] = true;
        }
      }
    }

    @Override
    void write(FieldVector out, int from, int count) {
      for (int i = 0; i < count; i++) {
        if (nullWhenEmpty && !seen[from + i]) {
          out.setNull(i);
        } else {
          putDouble(out, i, sums[from + i]);
        }
      }
    }
  }

  /** {@code MIN}/{@code MAX} of integers. */
  static final class MinMaxLong extends Accumulator {
    private final int arg;
    private final boolean max;
    private final Numbers in = new Numbers();
    private long[] values = new long[16];
    private boolean[] seen = new boolean[16];

    MinMaxLong(int arg, boolean max) {
      this.arg = arg;
      this.max = max;
    }

    @Override
    void grow(int groups) {
      values = grown(values, groups);
      seen = grown(seen, groups);
    }

    @Override
    void add(VectorSchemaRoot batch, int[] groups, int rows) {
      in.decode(batch.getVector(arg), rows, excluded);
      long[] v = in.longs;
      boolean[] nulls = in.nulls;
      boolean hasNulls = in.hasNulls;
      for (int r = 0; r < rows; r++) {
        if (!hasNulls || !nulls[r]) {
          int g = groups[r];
          long x = v[r];
          if (!seen[g] || (max ? x > values[g] : x < values[g])) {
            values[g] = x;
            seen[g] = true;
          }
        }
      }
    }

    @Override
    void write(FieldVector out, int from, int count) {
      for (int i = 0; i < count; i++) {
        if (!seen[from + i]) {
          out.setNull(i);
        } else {
          putLong(out, i, values[from + i]);
        }
      }
    }
  }

  /** {@code MIN}/{@code MAX} of floats; a NaN is kept only until any other value comes. */
  static final class MinMaxDouble extends Accumulator {
    private final int arg;
    private final boolean max;
    private final Numbers in = new Numbers();
    private double[] values = new double[16];
    private boolean[] seen = new boolean[16];

    MinMaxDouble(int arg, boolean max) {
      this.arg = arg;
      this.max = max;
    }

    @Override
    void grow(int groups) {
      values = grown(values, groups);
      seen = grown(seen, groups);
    }

    @Override
    void add(VectorSchemaRoot batch, int[] groups, int rows) {
      in.decode(batch.getVector(arg), rows, excluded);
      double[] v = in.asDoubles(rows);
      boolean[] nulls = in.nulls;
      boolean hasNulls = in.hasNulls;
      for (int r = 0; r < rows; r++) {
        if (!hasNulls || !nulls[r]) {
          int g = groups[r];
          double x = v[r];
          double current = values[g];
          if (!seen[g] || (max ? x > current : x < current) || Double.isNaN(current)) {
            values[g] = x;
            seen[g] = true;
          }
        }
      }
    }

    @Override
    void write(FieldVector out, int from, int count) {
      for (int i = 0; i < count; i++) {
        if (!seen[from + i]) {
          out.setNull(i);
        } else {
          putDouble(out, i, values[from + i]);
        }
      }
    }
  }

  /**
   * {@code AVG} as sum / count in double (arg {@code countArg} -1), or merging partial (sum,
   * count) states (sums at {@code arg}, counts at {@code countArg}).
   */
  static final class Avg extends Accumulator {
    private final int arg;
    private final int countArg;
    private final Numbers in = new Numbers();
    private final Numbers counted = new Numbers();
    private double[] sums = new double[16];
    private long[] counts = new long[16];

    Avg(int arg, int countArg) {
      this.arg = arg;
      this.countArg = countArg;
    }

    @Override
    void grow(int groups) {
      sums = grown(sums, groups);
      counts = grown(counts, groups);
    }

    @Override
    void add(VectorSchemaRoot batch, int[] groups, int rows) {
      in.decode(batch.getVector(arg), rows, excluded);
      double[] v = in.asDoubles(rows);
      boolean[] nulls = in.nulls;
      boolean hasNulls = in.hasNulls;
      if (countArg >= 0) {
        counted.decode(batch.getVector(countArg), rows);
        long[] n = counted.longs;
        for (int r = 0; r < rows; r++) {
          int g = groups[r];
          sums[g] += v[r];
          counts[g] += n[r];
        }
        return;
      }
      for (int r = 0; r < rows; r++) {
        if (!hasNulls || !nulls[r]) {
          int g = groups[r];
          sums[g] += v[r];
          counts[g]++;
        }
      }
    }

    @Override
    void write(FieldVector out, int from, int count) {
      for (int i = 0; i < count; i++) {
        long n = counts[from + i];
        if (n == 0) {
          out.setNull(i);
        } else {
          putDouble(out, i, sums[from + i] / n);
        }
      }
    }
  }

  /**
   * Variances and standard deviations by Welford's running mean and sum of squared deviations
   * ({@code M2}) per group, in double — the same arithmetic PromQL's {@code stddev} and
   * {@code stdvar} use, so NaN and infinities come out as there (NaN). Also the partial states
   * ({@code MEAN_STATE}, {@code M2_STATE}), and their merge (Chan et al.'s parallel formula:
   * {@code M2 = M2a + M2b + δ² · na · nb / n}) from columns (count, mean, M2).
   */
  static final class Variance extends Accumulator {
    private final Kind kind;
    private final int arg;
    private final int meanArg;
    private final int m2Arg;
    private final Numbers in = new Numbers();
    private final Numbers means = new Numbers();
    private final Numbers m2s = new Numbers();
    private long[] counts = new long[16];
    private double[] mean = new double[16];
    private double[] m2 = new double[16];

    /** {@code arg}: the values, or for a merge the counts (means at meanArg, M2 at m2Arg). */
    Variance(Kind kind, int arg, int meanArg, int m2Arg) {
      this.kind = kind;
      this.arg = arg;
      this.meanArg = meanArg;
      this.m2Arg = m2Arg;
    }

    @Override
    void grow(int groups) {
      counts = grown(counts, groups);
      mean = grown(mean, groups);
      m2 = grown(m2, groups);
    }

    @Override
    void add(VectorSchemaRoot batch, int[] groups, int rows) {
      in.decode(batch.getVector(arg), rows, excluded);
      if (meanArg >= 0) {
        merge(batch, groups, rows);
        return;
      }
      double[] v = in.asDoubles(rows);
      boolean[] nulls = in.nulls;
      boolean hasNulls = in.hasNulls;
      for (int r = 0; r < rows; r++) {
        if (!hasNulls || !nulls[r]) {
          int g = groups[r];
          double x = v[r];
          long n = ++counts[g];
          double delta = x - mean[g];
          mean[g] += delta / n;
          m2[g] += delta * (x - mean[g]);
        }
      }
    }

    private void merge(VectorSchemaRoot batch, int[] groups, int rows) {
      long[] nb = in.longs;
      double[] mb = means.decodeDoubles(batch.getVector(meanArg), rows);
      double[] qb = m2s.decodeDoubles(batch.getVector(m2Arg), rows);
      for (int r = 0; r < rows; r++) {
        long b = nb[r];
        if (b == 0) {
          continue;
        }
        int g = groups[r];
        long a = counts[g];
        long n = a + b;
        double delta = mb[r] - mean[g];
        mean[g] = a == 0 ? mb[r] : mean[g] + delta * b / n;
        m2[g] = a == 0 ? qb[r] : m2[g] + qb[r] + delta * delta * ((double) a * b / n);
        counts[g] = n;
      }
    }

    @Override
    void write(FieldVector out, int from, int count) {
      for (int i = 0; i < count; i++) {
        int g = from + i;
        long n = counts[g];
        switch (kind) {
          case MEAN_STATE -> putDouble(out, i, n == 0 ? 0 : mean[g]);
          case M2_STATE -> putDouble(out, i, m2[g]);
          case VAR_POP, VAR_POP_MERGE, STDDEV_POP, STDDEV_POP_MERGE -> {
            if (n == 0) {
              out.setNull(i);
            } else {
              double variance = m2[g] / n;
              putDouble(out, i, isStddev() ? Math.sqrt(variance) : variance);
            }
          }
          default -> {
            if (n <= 1) {
              out.setNull(i);
            } else {
              double variance = m2[g] / (n - 1);
              putDouble(out, i, isStddev() ? Math.sqrt(variance) : variance);
            }
          }
        }
      }
    }

    private boolean isStddev() {
      return kind == Kind.STDDEV_POP || kind == Kind.STDDEV_POP_MERGE
          || kind == Kind.STDDEV_SAMP || kind == Kind.STDDEV_SAMP_MERGE;
    }
  }
}

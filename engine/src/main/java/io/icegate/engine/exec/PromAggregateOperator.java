package io.icegate.engine.exec;

import io.icegate.engine.promql.PromQLException;
import io.icegate.engine.series.Labels;
import io.icegate.promql.ast.AggregateOp;
import io.icegate.promql.ast.Printer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * PromQL's aggregation operators over {@link StepMatrix} batches: the input series are grouped
 * once by their {@code by}/{@code without} key, and each group is accumulated over whole step
 * arrays, series after series in input order (so sums add up in Prometheus's order, with its
 * compensated sum, its mean that switches to an incremental form on overflow, and its NaN
 * handling in min and max). {@code topk}/{@code bottomk}/{@code limitk}/{@code limit_ratio} keep
 * the input series and, at each step, the samples of those selected in each group;
 * {@code count_values} gives a series per group and distinct value; the others give one series
 * per group.
 *
 * <p>The input is read to its end first; the output is one batch: groups in the order their
 * first series came (the selecting operators: the input order, or at a single step the selection
 * order; count_values: by group, then step, then the order values first appear).
 */
public final class PromAggregateOperator implements Operator {
  private final ExecContext context;
  private final Operator input;
  private final PromAggregateSpec spec;
  private final LabelSetCache cache;
  private boolean done;

  public PromAggregateOperator(
      ExecContext context, Operator input, PromAggregateSpec spec, LabelSetCache cache) {
    this.context = context;
    this.input = input;
    this.spec = spec;
    this.cache = cache;
  }

  @Override
  public VectorSchemaRoot next() {
    if (done) {
      return null;
    }
    done = true;
    if (spec.op() == AggregateOp.LIMIT_RATIO) {
      checkRatio(spec.param());
    } else if (spec.selects()) {
      checkK(spec.param());
    }
    try (StepMatrixSide in = StepMatrixSide.read(context, input, spec.steps(), cache)) {
      if (spec.op() == AggregateOp.COUNT_VALUES && !validLabelName(spec.label())) {
        throw new PromQLException("invalid label name " + Printer.quote(spec.label()));
      }
      // Group the input series once: labels do not change from step to step.
      Map<Labels, Integer> groupOf = new HashMap<>();
      List<Labels> keys = new ArrayList<>();
      int[] group = new int[in.rows];
      for (int j = 0; j < in.rows; j++) {
        Labels key = groupKey(in.labels[j]);
        Integer g = groupOf.get(key);
        if (g == null) {
          g = keys.size();
          groupOf.put(key, g);
          keys.add(key);
        }
        group[j] = g;
      }
      // Each group's members, in input order.
      int[] start = new int[keys.size() + 1];
      for (int g : group) {
        start[g + 1]++;
      }
      for (int g = 0; g < keys.size(); g++) {
        start[g + 1] += start[g];
      }
      int[] members = new int[in.rows];
      int[] fill = Arrays.copyOf(start, keys.size());
      for (int j = 0; j < in.rows; j++) {
        members[fill[group[j]]++] = j;
      }
      if (spec.op() == AggregateOp.LIMITK || spec.op() == AggregateOp.LIMIT_RATIO) {
        // These take a group's members in label order (at every step, so sort them once).
        sortByLabels(in, members, start, keys.size());
      }
      VectorSchemaRoot out = spec.selects()
          ? selectK(in, keys.size(), start, members)
          : spec.op() == AggregateOp.COUNT_VALUES
              ? countValues(in, keys, start, members)
              : aggregate(in, keys, start, members);
      if (out.getRowCount() == 0) {
        out.close();
        return null;
      }
      return out;
    }
  }

  private Labels groupKey(Labels l) {
    if (spec.without()) {
      List<String> drop = new ArrayList<>(spec.grouping());
      drop.add(Labels.METRIC_NAME);
      return l.without(drop);
    }
    return l.keep(spec.grouping());
  }

  private static void sortByLabels(StepMatrixSide in, int[] members, int[] start, int groups) {
    for (int g = 0; g < groups; g++) {
      Integer[] boxed = new Integer[start[g + 1] - start[g]];
      for (int m = 0; m < boxed.length; m++) {
        boxed[m] = members[start[g] + m];
      }
      Arrays.sort(boxed, (x, y) -> in.labels[x].compareTo(in.labels[y]));
      for (int m = 0; m < boxed.length; m++) {
        members[start[g] + m] = boxed[m];
      }
    }
  }

  /** Whether count_values may write label {@code name} (Prometheus's UTF-8 validity check). */
  public static boolean validLabelName(String name) {
    return name != null && !name.isEmpty() && name.codePoints().allMatch(c -> c != 0xFFFD)
        && name.chars().noneMatch(c -> c >= 0xDC80 && c <= 0xDCFF);
  }

  /** limit_ratio's check of its ratio at every step, made before anything is selected. */
  static void checkRatio(double[] param) {
    for (double p : param) {
      if (Double.isNaN(p)) {
        throw new PromQLException("Ratio value is NaN");
      }
    }
  }

  /** Prometheus's checks of topk's k at every step, made before anything is selected. */
  static void checkK(double[] param) {
    for (double p : param) {
      if (Double.isNaN(p)) {
        throw new PromQLException("Parameter value is NaN");
      }
      if (p > Long.MAX_VALUE || p < Long.MIN_VALUE) {
        throw new PromQLException("Scalar value " + Printer.goValue(p) + " overflows int64");
      }
    }
  }

  // ---- one value per group and step ----

  private VectorSchemaRoot aggregate(
      StepMatrixSide in, List<Labels> keys, int[] start, int[] members) {
    int steps = spec.steps();
    AggregateOp op = spec.op();
    Accumulators acc = new Accumulators(steps);
    double[] row = new double[steps];
    boolean[] rowPresent = new boolean[steps];
    double[] result = new double[steps];
    double[] quantileBuf = op == AggregateOp.QUANTILE ? new double[16] : null;
    VectorSchemaRoot out = StepRows.allocate(context.allocator(), steps, keys.size());
    try {
      int rows = 0;
      for (int g = 0; g < keys.size(); g++) {
        context.checkContinue();
        boolean dropName = false;
        acc.reset();
        if (op == AggregateOp.QUANTILE) {
          quantileBuf = quantiles(in, members, start[g], start[g + 1], acc, result, quantileBuf);
        } else {
          for (int m = start[g]; m < start[g + 1]; m++) {
            int j = members[m];
            dropName |= in.dropName[j];
            in.values(j, row);
            in.presence(j, rowPresent);
            acc.add(op, row, rowPresent);
          }
          acc.result(op, result);
        }
        if (op == AggregateOp.QUANTILE) {
          for (int m = start[g]; m < start[g + 1]; m++) {
            dropName |= in.dropName[members[m]];
          }
        }
        boolean any = false;
        for (int s = 0; s < steps && !any; s++) {
          any = acc.count[s] > 0;
        }
        if (!any) {
          continue;
        }
        for (int s = 0; s < steps; s++) {
          rowPresent[s] = acc.count[s] > 0;
        }
        StepRows.set(out, rows++, cache.encode(keys.get(g)), result, 0, rowPresent, 0, dropName);
      }
      StepMatrix.finish(out, rows);
      return out;
    } catch (RuntimeException | Error e) {
      out.close();
      throw e;
    }
  }

  /** A group's quantile at each step (counting members in {@code acc.count}). */
  private double[] quantiles(
      StepMatrixSide in, int[] members, int from, int to, Accumulators acc, double[] result,
      double[] buf) {
    double[] q = spec.param();
    for (int s = 0; s < spec.steps(); s++) {
      int n = 0;
      for (int m = from; m < to; m++) {
        int j = members[m];
        if (in.present(j, s)) {
          if (n == buf.length) {
            buf = Arrays.copyOf(buf, n * 2);
          }
          buf[n++] = in.value(j, s);
        }
      }
      acc.count[s] = n;
      if (n > 0) {
        result[s] = Quantiles.prometheus(q[s], buf, 0, n);
      }
    }
    return buf;
  }

  /**
   * The running state of one group at every step, for the operators that fold the members: the
   * count, Kahan–Neumaier sums (value and compensation), the mean's incremental form, and
   * Welford's accumulators for the variance.
   */
  private static final class Accumulators {
    final int[] count;
    final double[] sum;
    final double[] comp;
    final double[] mean;
    final double[] meanComp;
    final boolean[] incremental;

    Accumulators(int steps) {
      count = new int[steps];
      sum = new double[steps];
      comp = new double[steps];
      mean = new double[steps];
      meanComp = new double[steps];
      incremental = new boolean[steps];
    }

    void reset() {
      Arrays.fill(count, 0);
      Arrays.fill(sum, 0);
      Arrays.fill(comp, 0);
      Arrays.fill(mean, 0);
      Arrays.fill(meanComp, 0);
      Arrays.fill(incremental, false);
    }

    void add(AggregateOp op, double[] v, boolean[] present) {
      switch (op) {
        case SUM -> {
          for (int s = 0; s < v.length; s++) {
            if (present[s]) {
              count[s]++;
              double inc = v[s];
              double t = sum[s] + inc;
              if (Double.isInfinite(t)) {
                comp[s] = 0;
              } else if (Math.abs(sum[s]) >= Math.abs(inc)) {
                comp[s] += (sum[s] - t) + inc;
              } else {
                comp[s] += (inc - t) + sum[s];
              }
              sum[s] = t;
            }
          }
        }
        case AVG -> {
          for (int s = 0; s < v.length; s++) {
            if (present[s]) {
              addToMean(s, v[s]);
            }
          }
        }
        case MIN, MAX -> {
          boolean max = op == AggregateOp.MAX;
          for (int s = 0; s < v.length; s++) {
            if (!present[s]) {
              continue;
            }
            double x = v[s];
            if (count[s]++ == 0 || Double.isNaN(sum[s]) || (max ? x > sum[s] : x < sum[s])) {
              sum[s] = x;
            }
          }
        }
        case COUNT, GROUP -> {
          for (int s = 0; s < v.length; s++) {
            if (present[s]) {
              count[s]++;
            }
          }
        }
        case STDDEV, STDVAR -> {
          for (int s = 0; s < v.length; s++) {
            if (present[s]) {
              // Welford: mean/meanComp the running mean, sum/comp the sum of squared deviations.
              double f = v[s];
              double n = ++count[s];
              double delta = f - (mean[s] + meanComp[s]);
              double[] c = {meanComp[s]};
              mean[s] = KahanSum.inc(delta / n, mean[s], c);
              meanComp[s] = c[0];
              c[0] = comp[s];
              sum[s] = KahanSum.inc(delta * (f - (mean[s] + meanComp[s])), sum[s], c);
              comp[s] = c[0];
            }
          }
        }
        default -> throw new IllegalStateException(op.toString());
      }
    }

    /** {@link KahanSum#mean}'s steps, one value at a time. */
    private void addToMean(int s, double f) {
      int n = ++count[s];
      if (n == 1) {
        sum[s] = f;
        return;
      }
      double[] c = {comp[s]};
      if (!incremental[s]) {
        double ns = KahanSum.inc(f, sum[s], c);
        if (!Double.isInfinite(ns)) {
          sum[s] = ns;
          comp[s] = c[0];
          return;
        }
        incremental[s] = true;
        mean[s] = sum[s] / (n - 1);
        meanComp[s] = comp[s] / (n - 1);
      }
      double q = (n - 1) / (double) n;
      double[] mc = {q * meanComp[s]};
      mean[s] = KahanSum.inc(f / n, q * mean[s], mc);
      meanComp[s] = mc[0];
    }

    void result(AggregateOp op, double[] out) {
      for (int s = 0; s < out.length; s++) {
        int n = count[s];
        if (n == 0) {
          continue;
        }
        out[s] = switch (op) {
          case SUM -> sum[s] + comp[s];
          case AVG -> n == 1 ? sum[s]
              : incremental[s] ? mean[s] + meanComp[s] : sum[s] / n + comp[s] / n;
          case MIN, MAX -> sum[s];
          case COUNT -> n;
          case GROUP -> 1;
          case STDVAR -> (sum[s] + comp[s]) / n;
          case STDDEV -> Math.sqrt((sum[s] + comp[s]) / n);
          default -> throw new IllegalStateException(op.toString());
        };
      }
    }
  }

  // ---- topk and bottomk ----

  private VectorSchemaRoot selectK(StepMatrixSide in, int groups, int[] start, int[] members) {
    int steps = spec.steps();
    AggregateOp op = spec.op();
    boolean top = op == AggregateOp.TOPK;
    // limit_ratio's place of each input series in [0, 1), from its label hash (NaN: not yet).
    double[] offsets = null;
    if (op == AggregateOp.LIMIT_RATIO) {
      offsets = new double[in.rows];
      Arrays.fill(offsets, Double.NaN);
    }
    boolean[] keep = new boolean[in.rows * steps];
    boolean[] any = new boolean[in.rows];
    // At a single step the result keeps the selection's order (topk sorts its result).
    List<Integer> instantOrder = steps == 1 ? new ArrayList<>() : null;
    int[] order = new int[16];
    Integer[] boxed = new Integer[0];
    for (int s = 0; s < steps; s++) {
      context.checkContinue();
      double p = spec.param()[s];
      if (op == AggregateOp.LIMIT_RATIO) {
        p = Math.max(-1, Math.min(1, p));
      }
      long k = (long) p;
      final int step = s;
      for (int g = 0; g < groups; g++) {
        int n = 0;
        for (int m = start[g]; m < start[g + 1]; m++) {
          int j = members[m];
          if (in.present(j, s)) {
            if (n == order.length) {
              order = Arrays.copyOf(order, n * 2);
            }
            order[n++] = j;
          }
        }
        int take;
        if (op == AggregateOp.LIMITK) {
          take = (int) Math.max(0, Math.min(k, n));
        } else if (op == AggregateOp.LIMIT_RATIO) {
          take = 0;
          for (int t = 0; t < n; t++) {
            int j = order[t];
            if (Double.isNaN(offsets[j])) {
              offsets[j] = LabelHash.offset(in.labels[j]);
            }
            if ((p >= 0 && offsets[j] < p) || (p < 0 && offsets[j] >= 1 + p)) {
              order[take++] = j;
            }
          }
        } else if (k < n && k <= TopK.PARTIAL_SELECT_MAX) {
          int kk = (int) Math.max(0, k);
          int[] kept = new int[kk];
          take = TopK.firstK(order, n, kk, j -> in.value(j, step), top, kept, new double[kk]);
          System.arraycopy(kept, 0, order, 0, take);
        } else {
          if (boxed.length < n) {
            boxed = new Integer[order.length];
          }
          for (int t = 0; t < n; t++) {
            boxed[t] = order[t];
          }
          // A stable sort, as Prometheus's: ties keep the input order.
          Arrays.sort(boxed, 0, n, top
              ? (x, y) -> TopK.compareForTop(in.value(y, step), in.value(x, step))
              : (x, y) -> TopK.compareForBottom(in.value(x, step), in.value(y, step)));
          for (int t = 0; t < n; t++) {
            order[t] = boxed[t];
          }
          take = (int) Math.max(0, Math.min(k, n));
        }
        for (int t = 0; t < take; t++) {
          int j = order[t];
          keep[j * steps + s] = true;
          any[j] = true;
          if (instantOrder != null) {
            instantOrder.add(j);
          }
        }
      }
    }
    List<Integer> rows = instantOrder;
    if (rows == null) {
      rows = new ArrayList<>();
      for (int j = 0; j < in.rows; j++) {
        if (any[j]) {
          rows.add(j);
        }
      }
    }
    VectorSchemaRoot out = StepRows.allocate(context.allocator(), steps, rows.size());
    try {
      double[] values = new double[steps];
      int o = 0;
      for (int j : rows) {
        in.values(j, values);
        StepRows.set(out, o++, in.labelBytes[j], values, 0, keep, j * steps, in.dropName[j]);
      }
      StepMatrix.finish(out, rows.size());
      return out;
    } catch (RuntimeException | Error e) {
      out.close();
      throw e;
    }
  }

  // ---- count_values ----

  private VectorSchemaRoot countValues(
      StepMatrixSide in, List<Labels> keys, int[] start, int[] members) {
    int steps = spec.steps();
    Map<Labels, Integer> index = new HashMap<>();
    List<Labels> outLabels = new ArrayList<>();
    List<double[]> counts = new ArrayList<>();
    Map<String, int[]> atStep = new java.util.LinkedHashMap<>();
    for (int g = 0; g < keys.size(); g++) {
      context.checkContinue();
      for (int s = 0; s < steps; s++) {
        atStep.clear();
        for (int m = start[g]; m < start[g + 1]; m++) {
          int j = members[m];
          if (in.present(j, s)) {
            atStep.computeIfAbsent(Printer.number(in.value(j, s)), v -> new int[1])[0]++;
          }
        }
        for (Map.Entry<String, int[]> c : atStep.entrySet()) {
          // Groups that differ only in the label written end up as one series: add up.
          Labels l = keys.get(g).with(spec.label(), c.getKey());
          Integer o = index.get(l);
          if (o == null) {
            o = outLabels.size();
            index.put(l, o);
            outLabels.add(l);
            double[] row = new double[steps];
            Arrays.fill(row, Double.NaN);
            counts.add(row);
          }
          double[] row = counts.get(o);
          row[s] = Double.isNaN(row[s]) ? c.getValue()[0] : row[s] + c.getValue()[0];
        }
      }
    }
    VectorSchemaRoot out = StepRows.allocate(context.allocator(), steps, outLabels.size());
    try {
      boolean[] present = new boolean[steps];
      for (int o = 0; o < outLabels.size(); o++) {
        double[] row = counts.get(o);
        for (int s = 0; s < steps; s++) {
          present[s] = !Double.isNaN(row[s]);
        }
        StepRows.set(out, o, cache.encode(outLabels.get(o)), row, 0, present, 0, false);
      }
      StepMatrix.finish(out, outLabels.size());
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

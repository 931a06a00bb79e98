package io.icegate.engine.exec;

import io.icegate.engine.promql.PromQLException;
import io.icegate.engine.series.Labels;
import io.icegate.promql.ast.BinaryOp;
import io.icegate.promql.ast.VectorMatching;
import io.icegate.promql.ast.VectorMatching.Cardinality;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * PromQL's binary operators between two instant vectors over {@link StepMatrix} batches: a hash
 * join of the two sides on the match signature ({@code on}/{@code ignoring} labels), for the
 * arithmetic and comparison operators (one-to-one, or many-to-one/one-to-many with {@code
 * group_left}/{@code group_right}), and the set operators {@code and}, {@code or}, {@code
 * unless}.
 *
 * <p>The signature of each series is computed once; the "one" side is hashed by it, each series
 * of the "many" side looks its group up once, and a matched pair is then computed over whole
 * step arrays. Prometheus checks matching errors step by step and stops at the first; here each
 * kind of error is found with the step and the series where Prometheus would meet it, and the
 * earliest is raised, so the same query fails with the same message.
 *
 * <p>Both inputs are read to their ends first (the output series need every step of both). The
 * output is one batch: the result series in the order Prometheus's engine first emits them.
 */
public final class VectorMatchOperator implements Operator {
  private final ExecContext context;
  private final Operator left;
  private final Operator right;
  private final VectorMatchSpec spec;
  private final LabelSetCache cache;
  private boolean done;

  public VectorMatchOperator(
      ExecContext context, Operator left, Operator right, VectorMatchSpec spec,
      LabelSetCache cache) {
    this.context = context;
    this.left = left;
    this.right = right;
    this.spec = spec;
    this.cache = cache;
  }

  @Override
  public VectorSchemaRoot next() {
    if (done) {
      return null;
    }
    done = true;
    try (StepMatrixSide l = StepMatrixSide.read(context, left, spec.steps(), cache);
        StepMatrixSide r = StepMatrixSide.read(context, right, spec.steps(), cache)) {
      VectorSchemaRoot out =
          spec.op().isSetOperator() ? setOperation(l, r) : match(l, r);
      if (out.getRowCount() == 0) {
        out.close();
        return null;
      }
      return out;
    }
  }

  /** The key series are matched on: the {@code on} labels, or all but {@code ignoring} and the name. */
  static Labels signature(Labels l, VectorMatching m) {
    if (m.on()) {
      return l.keep(m.matchingLabels());
    }
    List<String> drop = new ArrayList<>(m.matchingLabels());
    drop.add(Labels.METRIC_NAME);
    return l.without(drop);
  }

  /** Each row's match group number, numbering new signatures in {@code groupOf}. */
  private int[] groups(StepMatrixSide side, Map<Labels, Integer> groupOf, List<Labels> sigs) {
    VectorMatching m = spec.matching();
    int[] out = new int[side.rows];
    for (int j = 0; j < side.rows; j++) {
      Labels sig = signature(side.labels[j], m);
      Integer g = groupOf.get(sig);
      if (g == null) {
        g = groupOf.size();
        groupOf.put(sig, g);
        sigs.add(sig);
      }
      out[j] = g;
    }
    return out;
  }

  // ---- the set operators ----

  private VectorSchemaRoot setOperation(StepMatrixSide lhs, StepMatrixSide rhs) {
    int steps = spec.steps();
    Map<Labels, Integer> groupOf = new HashMap<>();
    List<Labels> sigs = new ArrayList<>();
    int[] lg = groups(lhs, groupOf, sigs);
    int[] rg = groups(rhs, groupOf, sigs);
    BinaryOp op = spec.op();
    // Where a group has a sample on the side that decides: the right one for and/unless, the
    // left one for or.
    StepMatrixSide decider = op == BinaryOp.LOR ? lhs : rhs;
    int[] deciderGroups = op == BinaryOp.LOR ? lg : rg;
    boolean[] groupAt = new boolean[groupOf.size() * steps];
    boolean[] row = new boolean[steps];
    for (int j = 0; j < decider.rows; j++) {
      decider.presence(j, row);
      int base = deciderGroups[j] * steps;
      for (int s = 0; s < steps; s++) {
        groupAt[base + s] |= row[s];
      }
    }
    context.checkContinue();
    // keep[r * steps + s]: whether output candidate r (left rows, then right rows) keeps step s.
    int candidates = lhs.rows + (op == BinaryOp.LOR ? rhs.rows : 0);
    boolean[] keep = new boolean[candidates * steps];
    boolean[] nonEmpty = new boolean[candidates];
    int outRows = 0;
    for (int j = 0; j < lhs.rows; j++) {
      lhs.presence(j, row);
      int base = lg[j] * steps;
      boolean any = false;
      for (int s = 0; s < steps; s++) {
        boolean k = row[s] && (op == BinaryOp.LOR || groupAt[base + s] == (op == BinaryOp.LAND));
        keep[j * steps + s] = k;
        any |= k;
      }
      nonEmpty[j] = any;
      outRows += any ? 1 : 0;
    }
    if (op == BinaryOp.LOR) {
      for (int j = 0; j < rhs.rows; j++) {
        rhs.presence(j, row);
        int base = rg[j] * steps;
        int c = lhs.rows + j;
        boolean any = false;
        for (int s = 0; s < steps; s++) {
          boolean k = row[s] && !groupAt[base + s];
          keep[c * steps + s] = k;
          any |= k;
        }
        nonEmpty[c] = any;
        outRows += any ? 1 : 0;
      }
    }
    context.checkContinue();
    VectorSchemaRoot out = StepRows.allocate(context.allocator(), steps, outRows);
    try {
      double[] values = new double[steps];
      int o = 0;
      for (int c = 0; c < candidates; c++) {
        if (!nonEmpty[c]) {
          continue;
        }
        StepMatrixSide side = c < lhs.rows ? lhs : rhs;
        int j = c < lhs.rows ? c : c - lhs.rows;
        side.values(j, values);
        StepRows.set(out, o++, side.labelBytes[j], values, 0, keep, c * steps, side.dropName[j]);
      }
      StepMatrix.finish(out, outRows);
      return out;
    } catch (RuntimeException | Error e) {
      out.close();
      throw e;
    }
  }

  // ---- arithmetic and comparisons ----

  /** The first matching error met, ordered as Prometheus's step-by-step evaluation meets them. */
  private static final class FirstError {
    long at = Long.MAX_VALUE;
    String message;

    /** An error at step {@code step}: phase 0 the "one" side's check, 1 the "many" side's row {@code index}. */
    void offer(int step, int phase, int index, java.util.function.Supplier<String> message) {
      long key = ((long) step << 33) | ((long) phase << 32) | index;
      if (key < at) {
        at = key;
        this.message = message.get();
      }
    }

    /** Whether nothing at step {@code step} or later can be first any more. */
    boolean before(int step) {
      return at < ((long) step << 33);
    }
  }

  /** One result series being built. */
  private static final class Result {
    final Labels labels;
    final int index;
    boolean dropName;
    /** The first step with a sample and the "many" row that put it there. */
    int firstStep = Integer.MAX_VALUE;
    int firstRow;
    /** The match group of every writer while there is one; else -1 and {@link #groupAt}. */
    int group;
    int[] groupAt;

    Result(Labels labels, int index, int group) {
      this.labels = labels;
      this.index = index;
      this.group = group;
    }
  }

  private VectorSchemaRoot match(StepMatrixSide lhs, StepMatrixSide rhs) {
    VectorMatching m = spec.matching();
    int steps = spec.steps();
    boolean oneToMany = m.card() == Cardinality.ONE_TO_MANY;
    boolean oneToOne = m.card() == Cardinality.ONE_TO_ONE;
    // "many" is the side whose series give the result labels; "one" must be unique per group.
    StepMatrixSide many = oneToMany ? rhs : lhs;
    StepMatrixSide one = oneToMany ? lhs : rhs;
    Map<Labels, Integer> groupOf = new HashMap<>();
    List<Labels> sigs = new ArrayList<>();
    int[] oneGroup = groups(one, groupOf, sigs);
    int[] manyGroup = groups(many, groupOf, sigs);
    int groups = groupOf.size();
    // The "one" rows of each group, chained in row order.
    int[] firstOne = new int[groups];
    int[] nextOne = new int[one.rows];
    int[] oneCount = new int[groups];
    Arrays.fill(firstOne, -1);
    for (int k = one.rows - 1; k >= 0; k--) {
      nextOne[k] = firstOne[oneGroup[k]];
      firstOne[oneGroup[k]] = k;
      oneCount[oneGroup[k]]++;
    }
    FirstError error = new FirstError();
    duplicateOnes(one, oneGroup, firstOne, nextOne, oneCount, sigs, oneToMany, error);
    if (oneToOne) {
      multipleManys(many, manyGroup, one, firstOne, nextOne, error);
    }
    context.checkContinue();

    BinaryOp op = spec.op();
    boolean comparison = op.isComparison();
    boolean returnBool = spec.returnBool();
    boolean dropAll = !comparison || returnBool;
    Map<Labels, Result> byLabels = new HashMap<>();
    List<Result> results = new ArrayList<>();
    // Result values and presence, steps per result, grown as results appear.
    double[] values = new double[Math.max(1, many.rows) * steps];
    boolean[] present = new boolean[values.length];
    double[] manyValues = new double[steps];
    boolean[] manyPresent = new boolean[steps];
    double[] oneValues = new double[steps];
    boolean[] onePresent = new boolean[steps];
    for (int j = 0; j < many.rows; j++) {
      int g = manyGroup[j];
      if (firstOne[g] < 0) {
        continue;
      }
      if ((j & 1023) == 0) {
        context.checkContinue();
      }
      many.values(j, manyValues);
      many.presence(j, manyPresent);
      for (int k = firstOne[g]; k >= 0; k = nextOne[k]) {
        one.values(k, oneValues);
        one.presence(k, onePresent);
        Result res = null;
        for (int s = 0; s < steps; s++) {
          if (!manyPresent[s] || !onePresent[s]) {
            continue;
          }
          double x = oneToMany ? oneValues[s] : manyValues[s];
          double y = oneToMany ? manyValues[s] : oneValues[s];
          double value;
          if (comparison) {
            boolean keep = PromOps.compare(op, x, y);
            if (returnBool) {
              value = keep ? 1 : 0;
            } else if (keep) {
              value = x;
            } else {
              continue;
            }
          } else {
            value = PromOps.arithmetic(op, x, y);
          }
          if (res == null) {
            Labels labels = resultLabels(many.labels[j], one.labels[k], m);
            res = byLabels.get(labels);
            if (res == null) {
              res = new Result(labels, results.size(), g);
              byLabels.put(labels, res);
              results.add(res);
              if (results.size() * steps > values.length) {
                values = Arrays.copyOf(values, values.length * 2);
                present = Arrays.copyOf(present, values.length);
              }
            }
          }
          int at = res.index * steps + s;
          if (present[at]) {
            int before = res.groupAt == null ? res.group : res.groupAt[s];
            if (before != g) {
              error.offer(s, 1, j,
                  () -> "vector cannot contain metrics with the same labelset");
            } else if (!oneToOne) {
              error.offer(s, 1, j, () ->
                  "multiple matches for labels: grouping labels must ensure unique matches");
            }
            // One-to-one: the check before the operation has already failed at this point.
            continue;
          }
          present[at] = true;
          values[at] = value;
          if (res.groupAt != null) {
            res.groupAt[s] = g;
          } else if (res.group != g) {
            res.groupAt = new int[steps];
            Arrays.fill(res.groupAt, res.group);
            res.groupAt[s] = g;
          }
          if (s < res.firstStep || (s == res.firstStep && j < res.firstRow)) {
            res.firstStep = s;
            res.firstRow = j;
            res.dropName = dropAll || many.dropName[j];
          }
        }
      }
    }
    if (error.message != null) {
      throw new PromQLException(error.message);
    }
    // In the order Prometheus's engine first emits them: by step, then by "many" row.
    List<Result> order = new ArrayList<>(results);
    order.sort((a, b) -> a.firstStep != b.firstStep
        ? Integer.compare(a.firstStep, b.firstStep) : Integer.compare(a.firstRow, b.firstRow));
    VectorSchemaRoot out = StepRows.allocate(context.allocator(), steps, order.size());
    try {
      int o = 0;
      for (Result res : order) {
        StepRows.set(out, o++, cache.encode(res.labels), values, res.index * steps, present,
            res.index * steps, res.dropName);
      }
      StepMatrix.finish(out, order.size());
      return out;
    } catch (RuntimeException | Error e) {
      out.close();
      throw e;
    }
  }

  /**
   * Prometheus's check that the "one" side has at most one series per match group at a step:
   * where two are present, the error names the group and both series.
   */
  private void duplicateOnes(
      StepMatrixSide one, int[] oneGroup, int[] firstOne, int[] nextOne, int[] oneCount,
      List<Labels> sigs, boolean oneToMany, FirstError error) {
    int steps = spec.steps();
    for (int g = 0; g < firstOne.length; g++) {
      if (oneCount[g] < 2) {
        continue;
      }
      for (int s = 0; s < steps && !error.before(s); s++) {
        int seen = -1;
        for (int k = firstOne[g]; k >= 0; k = nextOne[k]) {
          if (!one.present(k, s)) {
            continue;
          }
          if (seen < 0) {
            seen = k;
            continue;
          }
          Labels a = one.labels[k];
          Labels b = one.labels[seen];
          if (a.compareTo(b) > 0) {
            Labels t = a;
            a = b;
            b = t;
          }
          Labels first = a;
          Labels second = b;
          Labels sig = sigs.get(oneGroup[k]);
          error.offer(s, 0, k, () -> "found duplicate series for the match group " + sig
              + " on the " + (oneToMany ? "left" : "right") + " hand-side of the operation: ["
              + first + ", " + second + "];many-to-many matching not allowed: matching labels"
              + " must be unique on one side");
          break;
        }
      }
    }
  }

  /**
   * One-to-one matching: two "many" series of a group present at a step where the group has a
   * "one" series is Prometheus's error, checked before any comparison filters the pair.
   */
  private void multipleManys(
      StepMatrixSide many, int[] manyGroup, StepMatrixSide one, int[] firstOne, int[] nextOne,
      FirstError error) {
    int steps = spec.steps();
    int groups = firstOne.length;
    int[] count = new int[groups];
    int[] firstMany = new int[groups];
    int[] nextMany = new int[many.rows];
    Arrays.fill(firstMany, -1);
    for (int j = many.rows - 1; j >= 0; j--) {
      int g = manyGroup[j];
      nextMany[j] = firstMany[g];
      firstMany[g] = j;
      count[g]++;
    }
    for (int g = 0; g < groups; g++) {
      if (count[g] < 2 || firstOne[g] < 0) {
        continue;
      }
      for (int s = 0; s < steps && !error.before(s); s++) {
        boolean onePresent = false;
        for (int k = firstOne[g]; k >= 0 && !onePresent; k = nextOne[k]) {
          onePresent = one.present(k, s);
        }
        if (!onePresent) {
          continue;
        }
        int present = 0;
        for (int j = firstMany[g]; j >= 0; j = nextMany[j]) {
          if (many.present(j, s) && ++present == 2) {
            error.offer(s, 1, j, () -> "multiple matches for labels: many-to-one matching must"
                + " be explicit (group_left/group_right)");
            break;
          }
        }
      }
    }
  }

  /**
   * The labels of a result: the "many" series' (cut for one-to-one) plus the included ones; the
   * series evaluator's vector matching uses it too.
   */
  public static Labels resultLabels(Labels many, Labels one, VectorMatching m) {
    Labels l = many;
    if (m.card() == Cardinality.ONE_TO_ONE) {
      l = m.on() ? l.keep(m.matchingLabels()) : l.without(m.matchingLabels());
    }
    if (!m.include().isEmpty()) {
      Map<String, String> map = l.toMap();
      for (String name : m.include()) {
        String v = one.get(name);
        if (v.isEmpty()) {
          map.remove(name);
        } else {
          map.put(name, v);
        }
      }
      l = Labels.of(map);
    }
    return l;
  }

  @Override
  public void close() {
    try {
      left.close();
    } finally {
      right.close();
    }
  }
}
